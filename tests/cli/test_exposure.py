"""``skywarden exposure`` and ``skywarden links`` end to end, through the real CLI and readers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from skywarden.cli import app

runner = CliRunner()


def _write_track(path: Path) -> None:
    # Drifting west-south-west over the Bering Sea into the Alaska ADIZ at 18 km, 1 fix a minute.
    t0 = np.datetime64("2023-01-28T00:00:00")
    n = 12 * 60
    lat = np.linspace(56.5, 55.0, n)
    lon = np.linspace(175.0, 190.0, n)
    lon = (lon + 180.0) % 360.0 - 180.0
    rows = ["time,lat,lon,alt_m"]
    for k in range(n):
        t = t0 + np.timedelta64(60 * k, "s")
        rows.append(f"{t}Z,{lat[k]:.6f},{lon[k]:.6f},18000")
    path.write_text("\n".join(rows) + "\n")


def test_plain_csv_track_enters_the_alaska_adiz_and_passes_a_site(tmp_path: Path) -> None:
    track = tmp_path / "balloon.csv"
    _write_track(track)
    result = runner.invoke(
        app,
        [
            "exposure",
            "--track",
            str(track),
            "--adiz",
            "us",
            "--site",
            "Pribilof=55.85,-178.9",
            "--radius-km",
            "50",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    entries = [e for e in report["zone_entries"] if e["zone_id"] == "US-ADIZ-ALASKA"]
    assert entries and entries[0]["probability"] == 1.0
    assert {"zone", "time", "lat", "lon", "probability"} <= set(entries[0])
    (p,) = report["site_passes"]
    assert p["site"] == "Pribilof" and p["distance_m"] < 50_000


def test_prediction_csv_ensemble_probability(tmp_path: Path) -> None:
    # A 4-member prediction in `skywarden predict`'s CSV layout: 3 of 4 members cross lon 0 into the box.
    rows = ['# {"wind_source": "synthetic"}', "member,time_utc,lat_deg,lon_deg,alt_m,status"]
    for m, lat in enumerate([0.2, 0.5, 0.8, 1.5]):
        for k in range(13):
            t = np.datetime64("2026-01-01T00:00:00") + np.timedelta64(600 * k, "s")
            rows.append(f"{m},{t}Z,{lat},{-0.5 + k / 6:.6f},1000,running")
    pred = tmp_path / "pred.csv"
    pred.write_text("\n".join(rows) + "\n")
    zones = tmp_path / "box.geojson"
    zones.write_text(json.dumps({"type": "Feature", "properties": {"name": "BOX"},
                                 "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}))  # fmt: skip
    result = runner.invoke(app, ["exposure", "--prediction", str(pred), "--zones", str(zones), "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["zone_entries"]
    assert entry["probability"] == pytest.approx(0.75)
    got = np.datetime64(entry["time"].rstrip("Z"))
    assert abs(got - np.datetime64("2026-01-01T00:30:00")) <= np.timedelta64(1, "s")
    out = tmp_path / "exposure.geojson"
    assert (
        runner.invoke(
            app, ["exposure", "--prediction", str(pred), "--zones", str(zones), "-o", str(out)]
        ).exit_code
        == 0
    )
    assert json.loads(out.read_text())["type"] == "FeatureCollection"


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["exposure", "--adiz", "us"])
    assert result.exit_code != 0 and "exactly one of --track" in str(result.exception)
    track = tmp_path / "t.csv"
    _write_track(track)
    result = runner.invoke(app, ["exposure", "--track", str(track), "--adiz", "jp"])
    assert "Japan's ADIZ is not built in" in str(result.exception)


def test_links_ground_station(tmp_path: Path) -> None:
    track = tmp_path / "balloon.csv"
    _write_track(track)
    stations = tmp_path / "gs.csv"
    stations.write_text("name,lat_deg,lon_deg,alt_m\nAdak,51.88,-176.64,20\n")
    result = runner.invoke(app, ["links", "--track", str(track), "--ground", str(stations), "--json"])
    assert result.exit_code == 0, result.output
    windows = json.loads(result.output)["windows"]
    assert windows and windows[0]["kind"] == "ground" and windows[0]["target"] == "Adak"


def test_links_prediction_gives_each_station_its_chance(tmp_path: Path) -> None:
    # Four members at 1 km altitude heading east along different latitudes; a station with a 60 km
    # radio range at 0.5 N 1.5 E hears the members passing within 60 km: those at 0.2, 0.5 and
    # 0.8 N (33, 0 and 33 km abeam), not the one at 1.5 N (111 km).
    rows = ['# {"wind_source": "synthetic"}', "member,time_utc,lat_deg,lon_deg,alt_m,status"]
    for m, lat in enumerate([0.2, 0.5, 0.8, 1.5]):
        for k in range(25):
            t = np.datetime64("2026-01-01T00:00:00") + np.timedelta64(600 * k, "s")
            rows.append(f"{m},{t}Z,{lat},{-0.5 + k / 6:.6f},1000,running")
    pred = tmp_path / "pred.csv"
    pred.write_text("\n".join(rows) + "\n")
    stations = tmp_path / "gs.csv"
    stations.write_text("name,lat_deg,lon_deg,alt_m\nGS,0.5,1.5,0\n")
    result = runner.invoke(
        app, ["links", "--prediction", str(pred), "--ground", str(stations), "--max-range-km", "60", "--json"]
    )
    assert result.exit_code == 0, result.output
    (chance,) = json.loads(result.output)["ground_link_probability"]
    assert (
        chance["station"] == "GS" and chance["probability"] == pytest.approx(0.75) and chance["members"] == 4
    )
    result = runner.invoke(
        app, ["links", "--prediction", str(pred), "--ground", str(stations), "--max-range-km", "60"]
    )
    assert result.exit_code == 0 and "75%" in result.output


def test_links_prediction_gives_each_satellite_window_its_member_fraction(
    shared_data: Path, tmp_path: Path
) -> None:
    from skywarden.space.catalog import load_catalog
    from skywarden.space.catalog.tle import write_tle_text

    cat = load_catalog(shared_data / "catalogs" / "celestrak-active-2026-03-19.tle").select(
        ids=[25544, 43013, 33591, 27424, 20580]
    )
    tle = tmp_path / "five.tle"
    tle.write_text(write_tle_text(list(cat)))
    rows = ['# {"wind_source": "synthetic"}', "member,time_utc,lat_deg,lon_deg,alt_m,status"]
    for m, lon in enumerate([-98.0, -58.0]):  # one member over Kansas, one 3,400 km east
        for k in range(0, 145):
            t = np.datetime64("2026-03-19T12:00:00") + np.timedelta64(600 * k, "s")
            rows.append(f"{m},{t}Z,38.5,{lon},20000,running")
    pred = tmp_path / "pred.csv"
    pred.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["links", "--prediction", str(pred), "--catalog", str(tle), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    sat = [w for w in report["windows"] if w["kind"] == "satellite"]
    assert sat and all(0.0 <= w["probability"] <= 1.0 for w in sat)
    assert {0.5, 1.0} & {w["probability"] for w in sat}
    assert "probability" in report["assumptions"]
