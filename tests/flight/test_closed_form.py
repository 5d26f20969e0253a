"""RK4 trajectories in analytic wind fields against closed-form solutions.

On the WGS84 ellipsoid with ``dlat/dt = v/(M+h)`` and ``dlon/dt = u/((N+h) cos φ)``:

* uniform northward wind at h = 0: the path is the meridian, and the distance travelled along
  it is ``v·t`` — the reference point is pyproj/GeographicLib's geodesic destination (azimuth 0);
* uniform eastward wind: a parallel, ``Δλ = u t / ((N+h) cos φ)`` (crossing the antimeridian);
* linear vertical shear ``u = a h + c`` with constant ascent rate ``w``:
  ``Δλ cos φ = a t + (c − a N)/w · ln(1 + w t/(N + h0))``;
* solid-body rotation about the polar axis, ``u = Ω (N+h) cos φ``: a circle of latitude with
  ``Δλ = Ω t`` — back at the start after one period.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.flight import _kernel
from skywarden.flight._kernel import integrate
from skywarden.flight.predict import predict, run_profile
from skywarden.flight.stages import Ascent, FlightProfile, Float
from skywarden.geo import WGS84_A_M, WGS84_E2, geodesic_destination, geodesic_inverse
from skywarden.weather.atmosphere import altitude_from_pressure, standard_atmosphere
from skywarden.weather.winds import WindField

TEN_METRES = 10.0  # m
T0 = np.datetime64("2024-01-01T00:00:00", "ns")
DAY_S = 86_400.0


def prime_vertical_radius(lat_deg: float) -> float:
    s = math.sin(math.radians(lat_deg))
    return WGS84_A_M / math.sqrt(1.0 - WGS84_E2 * s * s)


def analytic_field(u_fn, v_fn, lat: np.ndarray, lon: np.ndarray, alt_levels: np.ndarray) -> WindField:  # type: ignore[no-untyped-def]
    la, al, lo = np.meshgrid(lat, alt_levels, lon, indexing="xy")
    la = np.broadcast_to(lat[None, :, None], (alt_levels.size, lat.size, lon.size))
    al = np.broadcast_to(alt_levels[:, None, None], la.shape)
    lo = np.broadcast_to(lon[None, None, :], la.shape)
    u = np.asarray(u_fn(la, lo, al), dtype=np.float64) * np.ones(la.shape)
    v = np.asarray(v_fn(la, lo, al), dtype=np.float64) * np.ones(la.shape)
    p = standard_atmosphere(np.maximum(alt_levels, 0.0)).pressure_pa
    return WindField(
        times=np.array([T0]), pressure_pa=np.asarray(p) + np.arange(alt_levels.size)[::-1] * 1e-3,
        lat_deg=lat, lon_deg=lon,
        u_m_s=u[None, None].astype(np.float32), v_m_s=v[None, None].astype(np.float32),
        alt_m=np.broadcast_to(al, la.shape)[None, None].astype(np.float32).copy(),
        heights_source="analytic", model="analytic",
    )  # fmt: skip


FLOAT_ONLY = FlightProfile((Float(),), name="float")


def end_point(field: WindField, profile: FlightProfile, lat: float, lon: float, alt: float, hours: float,
              step_s: float = 60.0) -> np.ndarray:  # fmt: skip
    pred = predict(field, lat_deg=lat, lon_deg=lon, alt_m=alt, time=T0, profile=profile, hours=hours,
                   step_s=step_s, outside="raise", error_estimate=False)  # fmt: skip
    return np.array([pred.end_lat_deg[0], pred.end_lon_deg[0], pred.end_alt_m[0]])


def test_uniform_northward_wind_follows_the_meridian() -> None:
    v = 10.0  # m/s
    field = analytic_field(lambda la, lo, al: 0.0, lambda la, lo, al: v,
                           np.arange(20.0, 70.01, 0.5), np.arange(0.0, 360.0, 1.0), np.array([0.0, 30_000.0]))  # fmt: skip
    got = end_point(field, FLOAT_ONLY, 40.0, -105.0, 0.0, 24.0)
    ref_lat, ref_lon = geodesic_destination(40.0, -105.0, 0.0, v * DAY_S)
    _, _, miss = geodesic_inverse(got[0], got[1], ref_lat, ref_lon)
    assert float(miss) < TEN_METRES


def test_uniform_eastward_wind_across_the_antimeridian() -> None:
    u, h, lat0 = 20.0, 18_000.0, 40.0
    field = analytic_field(lambda la, lo, al: u, lambda la, lo, al: 0.0,
                           np.arange(20.0, 70.01, 0.5), np.arange(0.0, 360.0, 1.0), np.array([0.0, 30_000.0]))  # fmt: skip
    got = end_point(field, FLOAT_ONLY, lat0, 170.0, h, 24.0)
    dlon = math.degrees(u * DAY_S / ((prime_vertical_radius(lat0) + h) * math.cos(math.radians(lat0))))
    ref_lon = (170.0 + dlon + 180.0) % 360.0 - 180.0
    assert ref_lon < 0  # really crossed 180°
    _, _, miss = geodesic_inverse(got[0], got[1], lat0, ref_lon)
    assert float(miss) < TEN_METRES


def shear_case(step_s: float) -> float:
    a, c, w, h0, lat0 = 1e-3, 5.0, 0.2, 1_000.0, 40.0  # 1/s, m/s, m/s, m, deg
    field = analytic_field(lambda la, lo, al: a * al + c, lambda la, lo, al: 0.0,
                           np.arange(30.0, 50.01, 1.0), np.arange(0.0, 360.0, 1.0),
                           np.array([0.0, 10_000.0, 20_000.0, 30_000.0]))  # fmt: skip
    prof = FlightProfile((Ascent(rate_m_s=w, target_alt_m=29_000.0), Float()), name="shear")
    got = end_point(field, prof, lat0, -100.0, h0, 24.0, step_s)
    n = prime_vertical_radius(lat0)
    t = DAY_S
    dlon = (a * t + (c - a * n) / w * math.log(1.0 + w * t / (n + h0))) / math.cos(math.radians(lat0))
    ref_lon = -100.0 + math.degrees(dlon)
    assert got[2] == pytest.approx(h0 + w * t, abs=1e-6)
    _, _, miss = geodesic_inverse(got[0], got[1], lat0, ref_lon)
    return float(miss)


def test_linear_shear_closed_form() -> None:
    assert shear_case(60.0) < TEN_METRES


def test_solid_body_rotation_returns_to_start() -> None:
    omega = 2 * math.pi / DAY_S  # rad/s

    def u_fn(la, lo, al):  # type: ignore[no-untyped-def]
        s = np.sin(np.radians(la))
        return omega * (WGS84_A_M / np.sqrt(1 - WGS84_E2 * s * s) + al) * np.cos(np.radians(la))

    field = analytic_field(u_fn, lambda la, lo, al: 0.0, np.arange(39.5, 40.501, 0.01),
                           np.arange(0.0, 360.0, 1.0), np.array([0.0, 30_000.0]))  # fmt: skip
    quarter = end_point(field, FLOAT_ONLY, 40.02, 10.0, 5_000.0, 6.0)
    _, _, miss_q = geodesic_inverse(quarter[0], quarter[1], 40.02, 100.0)
    assert float(miss_q) < TEN_METRES
    full = end_point(field, FLOAT_ONLY, 40.02, 10.0, 5_000.0, 24.0)
    _, _, miss = geodesic_inverse(full[0], full[1], 40.02, 10.0)
    assert float(miss) < TEN_METRES


def vortex_end(step_s: float) -> np.ndarray:
    """A vortex linear in lat/lon (so the grid interpolation is exact) with a 12 h period."""
    omega = 2 * math.pi / (12 * 3600.0)
    r = 6.37e6 * math.pi / 180.0  # m per degree, only sets the speed scale (~25 m/s)
    field = analytic_field(lambda la, lo, al: -omega * r * (la - 40.0),
                           lambda la, lo, al: omega * r * math.cos(math.radians(40.0)) * (lo - 260.0),
                           np.arange(35.0, 45.01, 0.5), np.arange(0.0, 360.0, 0.5),
                           np.array([0.0, 30_000.0]))  # fmt: skip
    return end_point(field, FLOAT_ONLY, 40.5, -100.0, 10_000.0, 9.0, step_s)


def test_error_falls_fourth_order_when_the_step_halves() -> None:
    """RK4 global error ∝ dt⁴: halving the step cuts it ~16×; accept ≥ 10×. The reference is
    the same integration at a 30 s step (its own error is below 1e-4 of the largest here)."""
    ref = vortex_end(30.0)
    errors = []
    for step in (1800.0, 900.0, 450.0):
        got = vortex_end(step)
        _, _, d = geodesic_inverse(got[0], got[1], ref[0], ref[1])
        errors.append(float(d))
    assert errors[0] > 1.0  # large steps really do err: the test can fail
    assert errors[0] / errors[1] > 10.0 and errors[1] / errors[2] > 10.0
    assert shear_case(3600.0) < TEN_METRES  # hour steps still exact-ish in the smooth shear case


def test_compiled_and_pure_python_kernels_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-sgp4 style: the same loop run as plain Python (``py_func``) gives the same result."""
    field = analytic_field(lambda la, lo, al: 8.0 + 1e-3 * al, lambda la, lo, al: -3.0 + 0.05 * (la - 40),
                           np.arange(30.0, 50.01, 0.5), np.arange(0.0, 360.0, 1.0),
                           np.array([0.0, 15_000.0, 30_000.0]))  # fmt: skip
    prof = FlightProfile.burst(burst_alt_m=20_000.0)
    outs = []
    for fn in (integrate, integrate.py_func):
        monkeypatch.setattr(_kernel, "integrate", fn)  # predict.py calls it through the module
        raw = run_profile(field, prof, t0_s=0.0, lat_deg=np.array([40.0, 41.0]), lon_deg=np.array([-100.0, -99.0]),
                          alt_m=np.array([1500.0, 1500.0]), ground_alt_m=1500.0, duration_s=3 * 3600.0,
                          step_s=60.0, output_step_s=600.0, outside="raise")  # fmt: skip
        outs.append(raw)
    np.testing.assert_allclose(outs[0]["final"], outs[1]["final"], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(outs[0]["status"], outs[1]["status"])


def test_burst_and_landing_events_match_rates() -> None:
    """Ascent at 5 m/s from 1500 m to 30 km takes 5700 s; parachute descent time matches the
    integral of the density law (scipy quad as the outside reference)."""
    from scipy.integrate import quad

    field = analytic_field(lambda la, lo, al: 10.0, lambda la, lo, al: 0.0, np.arange(30.0, 50.01, 0.5),
                           np.arange(0.0, 360.0, 1.0), np.array([0.0, 40_000.0]))  # fmt: skip
    pred = predict(field, lat_deg=40.0, lon_deg=-100.0, alt_m=1500.0, time=T0, profile="burst", hours=6,
                   outside="raise")  # fmt: skip
    burst = pred.events["burst"]
    assert (burst["time"][0] - T0) / np.timedelta64(1, "s") == pytest.approx(5700.0, abs=1e-3)
    assert burst["alt_m"][0] == pytest.approx(30_000.0, abs=1e-6)
    rho0 = standard_atmosphere(0.0).density_kg_m3
    fall_s, _ = quad(lambda h: 1.0 / (5.0 * math.sqrt(rho0 / standard_atmosphere(h).density_kg_m3)), 1500.0, 30_000.0,
                     limit=200)  # fmt: skip
    landed = (pred.events["landed"]["time"][0] - burst["time"][0]) / np.timedelta64(1, "s")
    assert landed == pytest.approx(fall_s, abs=2.0)  # 10 m density table vs exact: ~seconds
    assert pred.status[0] == "landed"
    assert pred.end_alt_m[0] == pytest.approx(1500.0, abs=1e-6)
    assert altitude_from_pressure(101_325.0) == pytest.approx(0.0, abs=0.01)
