"""Issue 19: a prediction started in mid-air below 5 km without a ground altitude says, in its
assumptions, that it lands at the start altitude; with a ground altitude it does not."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.flight.predict import predict
from skywarden.flight.stages import Descent, FlightProfile
from skywarden.weather.atmosphere import standard_atmosphere
from skywarden.weather.winds import WindField

T0 = np.datetime64("2024-01-01T00:00:00", "ns")


def _calm_field() -> WindField:
    lat, lon, alt = np.arange(30.0, 50.01, 1.0), np.arange(250.0, 270.01, 1.0), np.array([0.0, 40_000.0])
    shape = (1, 1, alt.size, lat.size, lon.size)
    p = standard_atmosphere(alt).pressure_pa
    return WindField(
        times=np.array([T0]), pressure_pa=np.asarray(p), lat_deg=lat, lon_deg=lon,
        u_m_s=np.zeros(shape, np.float32), v_m_s=np.zeros(shape, np.float32),
        alt_m=np.broadcast_to(alt[:, None, None], shape[2:])[None, None].astype(np.float32).copy(),
        heights_source="analytic", model="analytic",
    )  # fmt: skip


DESCENT = FlightProfile((Descent(),), name="descent")


def test_mid_air_start_without_ground_says_so():
    field = _calm_field()
    pred = predict(field, lat_deg=40.0, lon_deg=-100.0, alt_m=3000.0, time=T0, profile=DESCENT, hours=2,
                   error_estimate=False)  # fmt: skip
    a = pred.assumptions
    assert a["ground_alt_m"] == 3000.0 and a["ground_alt_source"].startswith("start altitude")
    assert "mid-air" in a["ground_alt_note"] and "3000 m" in a["ground_alt_note"]
    given = predict(field, lat_deg=40.0, lon_deg=-100.0, alt_m=3000.0, time=T0, profile=DESCENT, hours=2,
                    ground_alt_m=1500.0, error_estimate=False)  # fmt: skip
    assert given.assumptions["ground_alt_source"] == "given" and given.assumptions["ground_alt_note"] is None
    assert given.end_alt_m[0] == pytest.approx(1500.0, abs=1e-6)  # it really descends to the given ground
    high = predict(field, lat_deg=40.0, lon_deg=-100.0, alt_m=8000.0, time=T0, profile=DESCENT, hours=2,
                   error_estimate=False)  # fmt: skip
    assert high.assumptions["ground_alt_m"] == 0.0 and "0 m" in high.assumptions["ground_alt_note"]
