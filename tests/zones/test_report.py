"""Exposure and link reports as library calls (the documents ``skywarden exposure --json`` and
``skywarden links --json`` print), and the one ensemble-mean definition they share with the
flight statistics (:func:`skywarden.geo.mean_position`).

References: the box entry of a 4-member ensemble is counted by hand (3 of 4 members cross
longitude 0 inside the box, at 00:30 UTC); the mean of points placed symmetrically about the
antimeridian and about the equator is known exactly; the GeoJSON / CZML writers are read back.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, box

from skywarden.errors import OptionError
from skywarden.geo import mean_position
from skywarden.sites import Site
from skywarden.zones.airspace import Zone
from skywarden.zones.paths import Paths
from skywarden.zones.report import exposure_report, link_report, write_exposure, write_links

ONE_MICRODEGREE = 1e-6  # deg
ONE_SECOND = np.timedelta64(1, "s")


def _ensemble(lats: list[float], n_steps: int = 13) -> Paths:
    times = np.datetime64("2026-01-01T00:00:00", "ns") + np.arange(n_steps) * np.timedelta64(600, "s")
    lon = -0.5 + np.arange(n_steps) / 6.0
    lat = np.repeat(np.array(lats, float)[:, None], n_steps, axis=1)
    return Paths(times, lat, np.tile(lon, (len(lats), 1)), np.full(lat.shape, 1000.0),
                 [f"member {m}" for m in range(len(lats))], "prediction")  # fmt: skip


def _box_zone() -> Zone:
    return Zone(id="BOX", name="BOX", geometry=MultiPolygon([box(0, 0, 1, 1)]))


def test_mean_position_is_antimeridian_and_pole_safe() -> None:
    lat = np.array([[10.0, 89.0], [-10.0, 89.0]])
    lon = np.array([[179.0, 0.0], [-179.0, 180.0]])
    m_lat, m_lon, m_alt = mean_position(lat, lon, [[100.0, np.nan], [300.0, np.nan]], axis=0)
    # symmetric about the equator and the antimeridian: (0, 180); across the pole: the pole
    assert m_lat[0] == pytest.approx(0.0, abs=ONE_MICRODEGREE)
    assert abs(abs(m_lon[0]) - 180.0) < ONE_MICRODEGREE
    assert m_lat[1] == pytest.approx(90.0, abs=ONE_MICRODEGREE)
    assert m_alt[0] == 200.0 and np.isnan(m_alt[1])
    nan_lat, _, _ = mean_position(np.full((2, 1), np.nan), np.full((2, 1), np.nan))
    assert np.isnan(nan_lat[0])


def test_exposure_report_ensemble_entry_and_writers(tmp_path: Path) -> None:
    paths = _ensemble([0.2, 0.5, 0.8, 1.5])
    site = Site("S", 0.5, 0.5, 0.0)
    report = exposure_report(paths, [site], [_box_zone()], 50_000.0, 30.0)
    (entry,) = report["zone_entries"]
    assert (
        entry["zone_id"] == "BOX" and entry["probability"] == pytest.approx(0.75) and entry["n_members"] == 4
    )
    assert abs(entry["time"] - np.datetime64("2026-01-01T00:30:00")) <= ONE_SECOND
    (exposed,) = report["site_exposure"]
    # members at 0.2, 0.5, 0.8 N pass within 50 km of (0.5 N, 0.5 E); the one at 1.5 N is 111 km off
    assert exposed["site"] == "S" and exposed["probability"] == pytest.approx(0.75)
    assert report["site_passes"] == [] and report["zones"][0]["id"] == "BOX"
    assert report["assumptions"]["zones"] == ["BOX"]
    fc = json.loads(write_exposure(tmp_path / "x.geojson", report, paths, [site], [_box_zone()]).read_text())
    kinds = [f["properties"].get("kind") for f in fc["features"]]
    assert kinds.count("path") == 4 and kinds.count("zone_entry") == 1 and kinds.count("site") == 1
    cz = json.loads(write_exposure(tmp_path / "x.czml", report, paths, [site], [_box_zone()]).read_text())
    assert cz[0]["id"] == "document" and {p["id"] for p in cz[1:]} >= {"path-0", "site-0", "zone-0-0"}
    with pytest.raises(OptionError):
        write_exposure(tmp_path / "x.kml", report, paths, [site], [])
    # one member alone is a track: each entry listed with its object, passes instead of exposure
    track = Paths(paths.times, paths.lat_deg[:1], paths.lon_deg[:1], paths.alt_m[:1], ["b1"], "track")
    one = exposure_report(track, [site], [_box_zone()], 50_000.0, 30.0)
    assert [e["object"] for e in one["zone_entries"]] == ["b1"] and one["site_passes"][0]["object"] == "b1"


def test_link_report_uses_the_ecef_mean_path() -> None:
    paths = _ensemble([0.2, 0.5, 0.8, 1.5], n_steps=25)
    station = Site("GS", 0.5, 1.5, 0.0)
    report = link_report(paths, None, [station], max_range_km=60.0)
    (chance,) = report["ground_link_probability"]
    assert (
        chance["station"] == "GS" and chance["probability"] == pytest.approx(0.75) and chance["members"] == 4
    )
    assert report["assumptions"]["path"] == "mean of 4 ensemble members"
    # the mean path (lat 0.75 N) passes 27.8 km from the station: one window along it
    (w,) = report["windows"]
    assert w["object"] == "mean path" and w["target"] == "GS"
    m_lat, _, _ = mean_position(paths.lat_deg, paths.lon_deg)
    assert m_lat[0] == pytest.approx(0.75, abs=1e-3)


def test_write_links_csv_and_json(tmp_path: Path) -> None:
    paths = _ensemble([0.5], n_steps=25)
    track = Paths(paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m, ["b1"], "track")
    report = link_report(track, None, [Site("GS", 0.5, 1.5, 0.0)], max_range_km=60.0)
    assert "ground_link_probability" not in report and report["windows"][0]["object"] == "b1"
    lines = write_links(tmp_path / "l.csv", report).read_text().splitlines()
    assert len(lines) == 1 + len(report["windows"]) and "target" in lines[0]
    assert json.loads(write_links(tmp_path / "l.json", report).read_text())["windows"][0]["target"] == "GS"
