"""End to end on the real flights: burst, landing, phases, residuals, velocity; the CLI.

Reference figures: ``../shared/data/flights/README.md`` (from the EOSS flight summaries in
``Ben2260/BTD_12/Mechanichal_Models/EOSS_Data/ReadME.md`` and the raw files)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from skywarden.air import Track, read_reports, track_reports
from skywarden.air.frame import LocalFrame
from skywarden.cli import app
from skywarden.errors import DataQualityWarning
from skywarden.geo import geodesic_inverse

FT = 0.3048  # m
THIRTY_SECONDS = np.timedelta64(30, "s")
BURST_ALT_TOL_M = 30.0  # m: a single 1 s fix at 5 m/s ascent
LANDING_TOL_M = 200.0  # m, the acceptance figure
EOSS340 = "flights/eoss-340_2023-04-22_deertrail-co_1s.csv"
EOSS323 = "flights/eoss-323_2022-04-09_deertrail-co_1s.csv"
NBP3 = "flights/noexc-nbp3_ohio_13s.csv"


@pytest.fixture(scope="module")
def eoss340(shared_data: Path) -> Track:
    return track_reports(read_reports(shared_data / EOSS340, date="2023-04-22"))[0]


@pytest.fixture(scope="module")
def eoss323(shared_data: Path) -> Track:
    return track_reports(read_reports(shared_data / EOSS323, date="2022-04-09"))[0]


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(geodesic_inverse(lat1, lon1, lat2, lon2)[2])


def test_eoss340_burst_and_landing(eoss340: Track) -> None:
    # README: 92,099 ft GPS (28.07 km) at 14:35:35; lands 39.1111 N, 102.8597 W
    trk = eoss340
    assert trk.classification.label == "balloon-free"
    assert trk.burst is not None and trk.landing is not None
    assert abs(trk.burst.alt_m - 92_099 * FT) < BURST_ALT_TOL_M
    assert abs(trk.burst.time - np.datetime64("2023-04-22T14:35:35")) <= THIRTY_SECONDS
    assert _distance_m(trk.landing.lat_deg, trk.landing.lon_deg, 39.1111, -102.8597) < LANDING_TOL_M
    assert [r["phase"] for r in trk.phase_runs] == ["pre-launch", "ascent", "descent", "landed"]
    assert trk.phase_at("2023-04-22T14:00:00Z") == "ascent"
    assert trk.phase_at("2023-04-22T15:00:00Z") == "descent"
    assert trk.phase_at("2023-04-22T20:00:00Z") == "unknown"
    assert abs(trk.max_alt_m - 92_099 * FT) < 1.0


def test_eoss323_early_burst_and_landing(eoss323: Track) -> None:
    # README: 67,897 ft (20.7 km) at 13:54:14; landed 39.4133 N, 103.1060 W by ~14:37
    trk = eoss323
    assert trk.burst is not None and trk.landing is not None
    assert abs(trk.burst.alt_m - 67_897 * FT) < BURST_ALT_TOL_M
    assert abs(trk.burst.time - np.datetime64("2022-04-09T13:54:14")) <= THIRTY_SECONDS
    assert _distance_m(trk.landing.lat_deg, trk.landing.lon_deg, 39.4133, -103.1060) < LANDING_TOL_M
    assert trk.landing.time <= np.datetime64("2022-04-09T14:37:00")
    fix = trk.last_fix()
    assert fix.phase == "landed" and np.linalg.norm(fix.vel_enu_m_s) < 0.5


def test_smoothed_residuals_match_stated_gps_accuracy(eoss323: Track) -> None:
    """Raw fix minus smoothed position, normalised by the file's stated accuracy columns
    (Horiz_accuracy, Vertical_accuracy): the RMS must not exceed 1 (the smoother does not
    wander further from the fixes than their stated noise), and the 1.7 h of stationary
    on-ground fixes must scatter by no more than the stated accuracy."""
    trk = eoss323
    rep = trk.reports
    frame = LocalFrame(float(rep.lat_deg[0]), float(rep.lon_deg[0]), float(rep.alt_m[0]))
    raw = frame.to_enu(rep.lat_deg, rep.lon_deg, rep.alt_m)
    smooth = frame.to_enu(trk.lat_deg, trk.lon_deg, trk.alt_m)
    res = raw - smooth  # m, East/North/Up (tangent frame at the launch site)
    ok = trk.accepted
    acc = np.stack([rep.h_acc_m, rep.h_acc_m, rep.v_acc_m], axis=1)
    rms = np.sqrt(np.mean((res[ok] / acc[ok]) ** 2, axis=0))
    assert np.all(rms < 1.0) and np.all(rms > 0.02)  # > 0.02: the smoother is not just the fixes
    landed = trk.phase == "landed"
    scatter = np.std(raw[landed] - raw[landed].mean(axis=0), axis=0)
    assert np.all(scatter[:2] < np.median(rep.h_acc_m[landed]))
    assert scatter[2] < np.median(rep.v_acc_m[landed])


def test_smoothed_velocity_matches_gps_speed_and_heading(eoss340: Track, eoss323: Track) -> None:
    """The EOSS files carry the receiver's own speed and heading, which the filter never sees (it
    uses positions only). Position-derived ground speed is 1.14-1.15 x the "Speed (MPH)" column
    read as mph, i.e. the column holds knots (1 kt / 1 mph = 1.1508): the reader uses knots, and
    then speed and heading agree within the column's 1-knot / 1-degree quantisation."""
    kt_per_mph = (1852.0 / 3600.0) / 0.44704
    for trk in (eoss340, eoss323):
        rep = trk.reports
        gs_file = np.hypot(*rep.vel_enu_m_s[:, :2].T)
        fly = np.isin(trk.phase, ["ascent", "descent"]) & (gs_file > 10.0)
        ratio_vs_mph = np.sum(trk.ground_speed_m_s[fly]) / np.sum(gs_file[fly] / kt_per_mph)
        assert abs(ratio_vs_mph - kt_per_mph) < 0.02
        diff = np.linalg.norm(trk.vel_enu_m_s[fly, :2] - rep.vel_enu_m_s[fly, :2], axis=1)
        assert np.median(diff) < 1.0  # m/s


def test_implied_wind(eoss340: Track) -> None:
    wind = eoss340.implied_wind(bin_m=500.0)
    assert len(wind.alt_m) > 40 and wind.n.sum() > 5000
    u, v = wind.at(10_000.0)
    assert 5.0 < float(np.hypot(u, v)) < 80.0  # a plausible upper-tropospheric wind


def test_nbp3_duplicates_corrupt_copy_and_burst(shared_data: Path) -> None:
    with pytest.warns(DataQualityWarning):
        rep = read_reports(shared_data / NBP3, date="2017-04-22")
    res = track_reports(rep)
    assert len(res) == 1 and res.duplicates_dropped > 900
    trk = res["KD8ZRC"]
    assert trk.burst is not None and trk.burst.alt_m == 31526.0  # README max altitude
    assert 535 in trk.reports.line[~trk.accepted].tolist()  # corrupted longitude gated out


def test_out_of_order_and_duplicate_reports_do_not_change_the_track(shared_data: Path) -> None:
    rep = read_reports(shared_data / EOSS340, date="2023-04-22").take(slice(3000, 3600))
    rng = np.random.default_rng(5)
    shuffled = rep.take(np.concatenate([rng.permutation(len(rep)), np.arange(0, len(rep), 7)]))
    a = track_reports(rep)[0]
    b = track_reports(shuffled)[0]
    assert np.allclose(a.alt_m, b.alt_m) and np.allclose(a.lat_deg, b.lat_deg)


runner = CliRunner()


def test_cli_json_and_exports(shared_data: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["track", str(shared_data / EOSS323), "--date", "2022-04-09", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    (trk,) = data["tracks"]
    for key in ("id", "class", "phases", "max_alt_m", "burst_alt_m", "burst_time", "landing"):
        assert key in trk
    assert trk["burst_time"].endswith("Z") and set(trk["landing"]) >= {"lat", "lon", "time"}
    for suffix in ("geojson", "czml", "csv"):
        path = tmp_path / f"t.{suffix}"
        res = runner.invoke(
            app, ["track", str(shared_data / EOSS323), "--date", "2022-04-09", "-o", str(path)]
        )
        assert res.exit_code == 0 and path.stat().st_size > 1000
    gj = json.loads((tmp_path / "t.geojson").read_text())
    assert {f["properties"].get("event") for f in gj["features"]} >= {"burst", "landing"}


def test_cli_missing_date_exit_code(shared_data: Path) -> None:
    import sys

    from skywarden.cli import main

    argv = sys.argv
    sys.argv = ["skywarden", "track", str(shared_data / EOSS340)]
    try:
        with warnings.catch_warnings(), pytest.raises(SystemExit) as ex:
            main()
    finally:
        sys.argv = argv
    assert ex.value.code == 2
