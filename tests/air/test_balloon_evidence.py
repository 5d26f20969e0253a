"""Balloon evidence that survives cutting real recordings into 1-hour pieces (issue 18): the
parachute law on the real EOSS descents, the lift-off of a solar balloon from standstill, and a
payload standing on the ground that stays ``unknown`` with that reason. Data: EOSS-323/340
(Edge of Space Sciences 1-s tracker logs) and the EarthSHAB APRS exports in
``../shared/data/flights``; ADS-B and glider flights from the ``traffic`` package (see
:mod:`realdata`)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from skywarden.air import Reports, read_reports, track_reports
from skywarden.air.classify import density_kg_m3, is_stationary
from skywarden.errors import DataQualityWarning

sys.path.insert(0, str(Path(__file__).parent))
import realdata

MIN_REPORTS_SCORED = 10


def _hour_pieces(rep: Reports) -> list[Reports]:
    k = (rep.time - rep.time[0]).astype(np.int64) // int(3600e9)
    return [rep.take(k == piece) for piece in np.unique(k)]


@pytest.fixture(scope="module")
def balloons(shared_data: Path) -> dict[str, Reports]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return dict(realdata.balloon_flights(shared_data / "flights"))


def test_standard_atmosphere_density_matches_the_weather_domain() -> None:
    """The air domain's own density (no import of the weather domain) against the full
    U.S. 1976 implementation of :mod:`skywarden.weather.atmosphere` (geopotential heights):
    within 0.1 % up to 31 km; and the published table (NOAA-S/T 76-1562, Table I, geometric
    altitude): 1.2250 kg/m³ at sea level, 0.73643 at 5 km, 0.36480 at 11 km, 0.088910 at
    20 km."""
    from skywarden.weather.atmosphere import standard_atmosphere

    alt = np.array([0.0, 1500.0, 5000.0, 11_000.0, 15_000.0, 20_000.0, 25_000.0, 31_000.0])
    ref = np.asarray(standard_atmosphere(alt).density_kg_m3)
    np.testing.assert_allclose(density_kg_m3(alt), ref, rtol=1e-3)
    table = density_kg_m3(np.array([0.0, 5000.0, 11_000.0, 20_000.0]))
    np.testing.assert_allclose(table, [1.2250, 0.73643, 0.36480, 0.088910], rtol=2e-4)


@pytest.mark.parametrize(("name", "sea_level_m_s"), [("eoss-323", 4.4), ("eoss-340", 4.3)])
def test_parachute_law_holds_on_real_descents(balloons, name: str, sea_level_m_s: float) -> None:  # type: ignore[no-untyped-def]
    """A payload under its parachute falls at terminal velocity, v ∝ 1/sqrt(ρ) (Tawhiri's
    ``make_drag_descent``): scaled to sea level the rate is one constant over the 19–26 km
    descents of EOSS-323/340 (p10–p90 within 25 % of the median) although the raw rate falls
    from 14–17 m/s above 15 km to ~5 m/s below 3 km."""
    (trk,) = [t for t in track_reports(balloons[name]) if len(t) >= MIN_REPORTS_SCORED]
    f = trk.classification.features
    assert f["steady_descent_loss_m"] > 18_000.0
    assert f["descent_sea_level_rate_m_s"] == pytest.approx(sea_level_m_s, abs=0.3)
    assert f["descent_sea_level_spread"] < 0.25
    d = trk.phase == "descent"
    raw_hi = np.median(-trk.vel_enu_m_s[d & (trk.alt_m > 15_000.0), 2])
    raw_lo = np.median(-trk.vel_enu_m_s[d & (trk.alt_m < 3000.0), 2])
    assert raw_hi > 2.5 * raw_lo
    assert any("parachute" in r for r in trk.classification.reasons)


def test_last_minutes_of_a_parachute_descent_are_a_balloon(balloons) -> None:  # type: ignore[no-untyped-def]
    """EOSS-340's last hour-piece: 8 min of descent from 3.7 km to the ground at ~5 m/s,
    drifting at 7 m/s, then standing still. Before the parachute evidence it was unknown."""
    piece = _hour_pieces(balloons["eoss-340"])[-1]
    (trk,) = [t for t in track_reports(piece) if len(t) >= MIN_REPORTS_SCORED]
    cls = trk.classification
    assert cls.is_balloon, cls.reasons
    assert any("parachute" in r for r in cls.reasons)


def test_solar_balloon_lifting_off_from_standstill_is_a_balloon(shared_data: Path) -> None:
    """SHAB3V's first hour: 48 min on the ground, then straight up at ~0.7 m/s (a solar balloon
    rises slowly at first) drifting at under 10 m/s — no take-off run."""
    rep = read_reports(shared_data / "flights" / "earthshab" / "SHAB3V-APRS.csv")
    (trk,) = [t for t in track_reports(_hour_pieces(rep)[0]) if len(t) >= MIN_REPORTS_SCORED]
    cls = trk.classification
    assert cls.is_balloon, cls.reasons
    assert any("lifts off" in r for r in cls.reasons)
    assert 300.0 <= cls.features["liftoff_gain_m"] <= 520.0


def test_a_landed_payload_standing_still_is_unknown_and_says_why(balloons) -> None:  # type: ignore[no-untyped-def]
    """EOSS-323 after landing: an hour of fixes standing still on the ground. Nothing in that
    hour says what the object is: ``unknown``, with the reason, never a guess."""
    piece = _hour_pieces(balloons["eoss-323"])[2]
    (trk,) = [t for t in track_reports(piece) if len(t) >= MIN_REPORTS_SCORED]
    cls = trk.classification
    assert cls.label == "unknown" and is_stationary(cls.features)
    assert "stationary on the ground" in cls.reasons[0]


@pytest.mark.slow
def test_one_hour_pieces_confusion(balloons) -> None:  # type: ignore[no-untyped-def]
    """Issue 18 goal on what a watch floor sees, every recording cut into 1-hour pieces, each
    tracked on its own: balloon precision >= 0.99 and recall >= 0.95 on tracks of >= 10
    reports. Measured 2026-12-04: precision 53/53, recall 53/55; the two misses are EOSS-323's
    payload standing on the ground after landing (``unknown``, stationary). No aircraft,
    glider or helicopter piece is a balloon."""
    tp = fp = 0
    missed = []
    for group, name, rep in realdata.traffic_flights():
        for piece in _hour_pieces(rep):
            if len(piece) < MIN_REPORTS_SCORED:
                continue
            for trk in track_reports(piece):
                if len(trk) >= MIN_REPORTS_SCORED and trk.classification.is_balloon:
                    fp += 1
                    missed.append(f"{group}/{name}: {trk.classification.reasons}")
    assert fp == 0, missed
    fn_still = fn_other = 0
    for rep in balloons.values():
        for piece in _hour_pieces(rep):
            if len(piece) < MIN_REPORTS_SCORED:
                continue
            for trk in track_reports(piece):
                if len(trk) < MIN_REPORTS_SCORED:
                    continue
                if trk.classification.is_balloon:
                    tp += 1
                elif is_stationary(trk.classification.features):
                    fn_still += 1
                else:
                    fn_other += 1
    assert tp / (tp + fp) >= 0.99
    assert tp / (tp + fn_still + fn_other) >= 0.95, (tp, fn_still, fn_other)
    assert fn_other == 0
