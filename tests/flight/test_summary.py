"""The predict/backtrack summaries as library calls (:mod:`skywarden.flight.summary`), the ones
``skywarden predict --json`` prints and the service's jobs return.

Reference: a float at 18 km in a uniform 10 m/s westerly for one hour moves 36.0 km along the
parallel of 40° N at its altitude, i.e. 36 km·N/(N + h) on the ellipsoid below (N the WGS84
prime-vertical radius, closed form); contour times and launch-cell squares are exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.constants import WGS84_A_M, WGS84_E2
from skywarden.flight.predict import EnsembleSettings, predict
from skywarden.flight.stages import FlightProfile, Float
from skywarden.flight.summary import contour_times, launch_cell_features, prediction_summary
from skywarden.geo import geodesic_inverse

from .test_closed_form import T0, analytic_field

TEN_METRES = 10.0  # m: RK4 on a uniform wind; the chord/parallel difference is centimetres


def _westerly():  # type: ignore[no-untyped-def]
    return analytic_field(lambda la, lo, al: 10.0 + 0 * al, lambda la, lo, al: 0.0 * al,
                          np.arange(20.0, 70.01, 0.5), np.arange(0.0, 360.0, 0.5), np.array([0.0, 40_000.0]))  # fmt: skip


def test_prediction_summary_single_member_and_ensemble() -> None:
    field = _westerly()
    one = predict(field, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0,
                  profile=FlightProfile((Float(),)), hours=1.0)  # fmt: skip
    s = prediction_summary(one)
    assert s["status"] == {"time_limit": 1}
    _, _, dist = geodesic_inverse(40.0, -100.0, s["end"]["lat_deg"], s["end"]["lon_deg"])
    n_m = WGS84_A_M / math.sqrt(1.0 - WGS84_E2 * math.sin(math.radians(40.0)) ** 2)
    assert float(dist) == pytest.approx(36_000.0 * n_m / (n_m + 18_000.0), abs=TEN_METRES)
    assert s["end"]["alt_m"] == pytest.approx(18_000.0)
    ens = predict(field, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0, profile=FlightProfile((Float(),)),
                  hours=1.0, ensemble=EnsembleSettings(members=5, wind_sigma_m_s=1.0, seed=2))  # fmt: skip
    e = prediction_summary(ens)
    assert e["status"] == {"time_limit": 5} and e["arrival_dispersion"]["n_members"] == 5


def test_contour_times_and_launch_cells() -> None:
    t0 = np.datetime64("2026-01-01T00:00:00", "ns")
    assert contour_times(t0, [], 72.0, 10) == [t0 + np.timedelta64(h, "h") for h in (24, 48, 72)]
    assert contour_times(t0, [], 72.0, 2) == []
    assert contour_times(t0, ["6h", "2026-01-02T00:00:00Z"], 72.0, 1) == [
        t0 + np.timedelta64(6, "h"),
        np.datetime64("2026-01-02T00:00:00", "ns"),
    ]
    (feat,) = launch_cell_features([{"lat_deg": 10.0, "lon_deg": 20.0, "probability": 0.25}], 0.5)
    assert feat["geometry"]["coordinates"][0][:4] == [
        [19.75, 9.75],
        [20.25, 9.75],
        [20.25, 10.25],
        [19.75, 10.25],
    ]
    assert feat["properties"] == {"kind": "launch_probability_cell", "probability": 0.25}
