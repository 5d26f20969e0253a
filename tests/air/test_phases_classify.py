"""Phases, float detection, implied wind and classification on closed-form flights: a float
balloon in a uniform wind (its drift IS the wind), and an aircraft flying a standard-rate turn."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.air import AIRCRAFT, BALLOON, Reports, Track, run_filter, track_reports
from skywarden.air.frame import LocalFrame

WIND_U_M_S, WIND_V_M_S = 12.0, -4.0  # uniform wind, m/s
WIND_TOL_M_S = 0.3  # m/s, for altitude-bin averages
ONE_SAMPLE_VEL_TOL_M_S = 1.5  # m/s: ~3 sigma of one smoothed sample (q = 0.5 m²/s³, 5 m fixes, 2 s)
GPS_SIGMA_M = 5.0  # m
ONE_MINUTE = np.timedelta64(60, "s")
T0 = np.datetime64("2026-07-01T06:00:00", "ns")


def _reports(t_s: np.ndarray, enu: np.ndarray, seed: int = 4, ident: str = "X") -> Reports:
    rng = np.random.default_rng(seed)
    frame = LocalFrame(45.0, 10.0, 0.0)
    noisy = enu + rng.normal(0, GPS_SIGMA_M, enu.shape)
    lat, lon, _ = frame.to_geodetic(noisy * [1.0, 1.0, 0.0])  # horizontal on the tangent plane,
    alt = noisy[:, 2]  # altitude above the ellipsoid as given (no flat-Earth drop)
    times = T0 + (t_s * 1e9).astype("timedelta64[ns]")
    return Reports.from_columns(
        times, lat, lon, alt, object_id=ident, alt_datum="gps", h_acc_m=5.0, v_acc_m=5.0
    )


def _float_flight() -> tuple[np.ndarray, np.ndarray]:
    """10 min on the ground, ascent 5 m/s to 20 km, 2 h float, descent 8 m/s, 20 min landed."""
    t = np.arange(0.0, 600 + 4000 + 7200 + 2500 + 1200, 2.0)
    t_launch, t_float, t_cut, t_land = 600.0, 4600.0, 11800.0, 14300.0
    up = np.interp(t, [0, t_launch, t_float, t_cut, t_land, t[-1]], [0, 0, 20_000, 20_000, 0, 0])
    drift = np.clip(t, t_launch, t_land) - t_launch  # drifts with the wind while airborne
    enu = np.stack([WIND_U_M_S * drift, WIND_V_M_S * drift, up], axis=1)
    return t, enu


@pytest.fixture(scope="module")
def float_track() -> Track:
    t, enu = _float_flight()
    return track_reports(_reports(t, enu))["X"]


def test_float_balloon_phases(float_track: Track) -> None:
    trk = float_track
    assert trk.classification.label == "balloon-float"
    assert [r["phase"] for r in trk.phase_runs] == ["pre-launch", "ascent", "float", "descent", "landed"]
    starts = {r["phase"]: r["start"] for r in trk.phase_runs}
    assert abs(starts["ascent"] - (T0 + np.timedelta64(600, "s"))) < ONE_MINUTE
    assert abs(starts["float"] - (T0 + np.timedelta64(4600, "s"))) < 2 * ONE_MINUTE
    assert abs(starts["landed"] - (T0 + np.timedelta64(14300, "s"))) < ONE_MINUTE
    assert trk.burst is None  # a cut-down descent at 8 m/s is not a burst fall
    assert trk.phase_at(T0 + np.timedelta64(8000, "s")) == "float"


def test_implied_wind_equals_the_uniform_wind(float_track: Track) -> None:
    wind = float_track.implied_wind(bin_m=1000.0)
    assert len(wind.alt_m) >= 19
    assert np.all(np.abs(wind.u_m_s - WIND_U_M_S) < WIND_TOL_M_S)
    assert np.all(np.abs(wind.v_m_s - WIND_V_M_S) < WIND_TOL_M_S)
    u, v = wind.at([500.0, 15_000.0])
    assert np.allclose(u, WIND_U_M_S, atol=WIND_TOL_M_S) and np.allclose(v, WIND_V_M_S, atol=WIND_TOL_M_S)


def test_last_fix_and_fix_at(float_track: Track) -> None:
    fix = float_track.last_fix()
    assert fix.phase == "landed" and fix.time == float_track.time[-1]
    mid = float_track.fix_at(T0 + np.timedelta64(8001, "s"))
    assert mid.time == T0 + np.timedelta64(8000, "s")
    assert abs(mid.vel_enu_m_s[0] - WIND_U_M_S) < ONE_SAMPLE_VEL_TOL_M_S and abs(mid.alt_m - 20_000) < 10.0


def _turn(speed_m_s: float = 120.0, rate_deg_s: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Straight 120 s, a standard-rate (3 deg/s) 180-degree turn, straight 120 s, at 3 km."""
    t = np.arange(0.0, 300.0, 1.0)
    w = np.radians(rate_deg_s)
    r = speed_m_s / w
    enu = np.zeros((len(t), 3))
    for i, ti in enumerate(t):
        if ti < 120:
            enu[i] = [speed_m_s * ti, 0.0, 3000.0]
        elif ti < 180:
            a = w * (ti - 120)
            enu[i] = [speed_m_s * 120 + r * np.sin(a), r * (1 - np.cos(a)), 3000.0]
        else:
            enu[i] = [speed_m_s * 120 - speed_m_s * (ti - 180), 2 * r, 3000.0]
    return t, enu


def test_aircraft_model_follows_a_standard_rate_turn() -> None:
    t, enu = _turn()
    rng = np.random.default_rng(9)
    z = enu + rng.normal(0, GPS_SIGMA_M, enu.shape)
    ca = run_filter(t, z, GPS_SIGMA_M**2, AIRCRAFT)
    cv = run_filter(t, z, GPS_SIGMA_M**2, BALLOON)
    err_ca = np.sqrt(np.mean(np.sum((ca.pos_enu_m - enu) ** 2, axis=1)))
    err_cv = np.sqrt(np.mean(np.sum((cv.pos_enu_m - enu) ** 2, axis=1)))
    assert ca.accepted.all()
    assert err_ca < GPS_SIGMA_M  # smoothing beats the raw fixes through the turn
    assert err_ca <= err_cv * 1.05


def test_aircraft_classified_with_reasons() -> None:
    t, enu = _turn()
    trk = track_reports(_reports(t, enu, ident="AC1"))["AC1"]
    assert trk.classification.label == "aircraft"
    assert any("ground speed" in r or "turns" in r for r in trk.classification.reasons)
    assert trk.model == "aircraft" and set(trk.phase) == {"airborne"}
    assert trk.burst is None and trk.landing is None


def test_too_few_reports_is_unknown_or_dropped() -> None:
    t = np.arange(4.0)
    enu = np.stack([t, t, t], axis=1)
    res = track_reports(_reports(t, enu, ident="S"))
    assert (
        res["S"].classification.label == "unknown" and "only 4 reports" in res["S"].classification.reasons[0]
    )
    assert len(track_reports(_reports(t[:2], enu[:2], ident="S"))) == 0
