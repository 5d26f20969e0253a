"""The map's CZML scene (``skywarden.zones.scene``): every packet validates against czml3's models,
and what it draws is what the library computes (windows, quiet windows, tracks, predictions).

Outside references: satellite positions against skyfield's SGP4 + ITRS→WGS84 (``EarthSatellite``,
``wgs84.subpoint_of`` / ``height_of``); the field-of-regard radius against plain vector geometry
(the elevation seen from the footprint's edge and the nadir angle seen from the satellite).
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from czml3 import Packet
from shapely.geometry import Point, Polygon

import skywarden as sw
from skywarden.export import scene as sc
from skywarden.zones.scene import field_of_regard_m, result_packets, scene_czml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario

R_M = 6_371_008.8


def _validate(packets: list[dict[str, Any]]) -> None:
    """Every packet through czml3's pydantic model (unknown properties and wrong types raise)."""
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"
    for p in packets:
        Packet.model_validate(p)
    ids = [p["id"] for p in packets]
    assert len(ids) == len(set(ids)), "packet ids must be unique"
    json.dumps(packets, allow_nan=False)


@pytest.mark.parametrize("alt_km", [500.0, 800.0, 35_786.0])
@pytest.mark.parametrize("elev_deg", [0.0, 10.0, 30.0])
def test_field_of_regard_edge_sees_the_satellite_at_the_elevation_limit(
    alt_km: float, elev_deg: float
) -> None:
    lam = field_of_regard_m(alt_km * 1000.0, "elevation", elev_deg) / R_M
    sat = np.array([0.0, 0.0, R_M + alt_km * 1000.0])
    ground = R_M * np.array([math.sin(lam), 0.0, math.cos(lam)])
    los = sat - ground
    elevation = math.degrees(math.asin(np.dot(los, ground / R_M) / np.linalg.norm(los)))
    assert elevation == pytest.approx(elev_deg, abs=1e-7)


@pytest.mark.parametrize("alt_km", [500.0, 700.0])
@pytest.mark.parametrize("off_nadir_deg", [5.0, 30.0, 45.0])
def test_field_of_regard_edge_is_at_the_off_nadir_limit(alt_km: float, off_nadir_deg: float) -> None:
    lam = field_of_regard_m(alt_km * 1000.0, "off_nadir", off_nadir_deg) / R_M
    sat = np.array([0.0, 0.0, R_M + alt_km * 1000.0])
    ground = R_M * np.array([math.sin(lam), 0.0, math.cos(lam)])
    to_ground = ground - sat
    nadir = math.degrees(
        math.acos(np.dot(to_ground, -sat) / (np.linalg.norm(to_ground) * np.linalg.norm(sat)))
    )
    assert nadir == pytest.approx(off_nadir_deg, abs=1e-7)


def test_field_of_regard_beyond_the_horizon_stops_at_the_horizon() -> None:
    # An off-nadir limit wider than the Earth's limb: the footprint is the horizon circle (elevation 0).
    assert field_of_regard_m(500e3, "off_nadir", 89.0) == pytest.approx(
        field_of_regard_m(500e3, "elevation", 0.0), abs=1e-3
    )
    assert field_of_regard_m(math.nan, "elevation", 10.0) == 0.0


def test_cesium_properties_are_plain_values() -> None:
    got = sc.cesium_properties({"a": 1.5, "b": None, "c": [1, 2], "d": {"x": math.nan}, "e": "t", "f": True})
    assert got == {"a": 1.5, "c": "[1, 2]", "d": '{"x": null}', "e": "t", "f": True}


@pytest.fixture(scope="module")
def real_scene(shared_data: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sw.SkywardenWarning)  # stale-epoch notes on a 2026-05-30 catalog
        cat = sw.load_catalog(shared_data / scenario.CATALOG)
        site = sw.Site(
            scenario.SITE["name"], scenario.SITE["lat"], scenario.SITE["lon"], scenario.SITE["alt_m"], 5000.0
        )
        tracks = list(
            sw.track_reports(sw.read_reports(shared_data / scenario.FLIGHTS[0], date=scenario.DATE))
        )
        fc = scenario.prediction_fc(12)
        packets = scene_czml(
            scenario.START, scenario.HOURS, catalog=cat, sites=[site], site_ids=["7"], zones=sw.builtin_adiz("us"),
            tracks=tracks, results={"predict-1": fc},
        )  # fmt: skip
        t0 = sw.parse_time(scenario.START)
        windows = sw.access_windows(cat, [site], t0, timedelta(hours=scenario.HOURS), force=True)
        quiet = sw.quiet_windows(windows, [site], t0, t0 + timedelta(hours=scenario.HOURS))
    return {
        "cat": cat,
        "site": site,
        "tracks": tracks,
        "fc": fc,
        "packets": packets,
        "windows": windows,
        "quiet": quiet,
    }


def _layer(packets: list[dict[str, Any]], layer: str) -> list[dict[str, Any]]:
    return [p for p in packets if p.get("properties", {}).get("layer") == layer]


def test_scene_validates_against_czml3(real_scene: dict[str, Any]) -> None:
    _validate(real_scene["packets"])
    doc = real_scene["packets"][0]
    assert doc["clock"]["interval"] == "2026-05-30T12:00:00Z/2026-05-30T18:00:00Z"


def test_satellites_are_coloured_by_their_sensor_kind(real_scene: dict[str, Any]) -> None:
    sats = _layer(real_scene["packets"], "satellite")
    assert len(sats) == len(real_scene["cat"])  # 167 objects, fewer than max_satellites
    table = sw.load_sensors()
    seen = set()
    for p in sats:
        el = next(e for e in real_scene["cat"].elements if f"sat-{e.norad_id}" == p["id"])
        row = table.match(el.norad_id, el.name)
        cls = row.kind if row is not None and row.kind in ("optical", "sar") else "other"
        assert p["properties"]["kind_class"] == cls
        assert p["path"]["material"]["solidColor"]["color"]["rgba"] == list(sc.KIND_COLORS[cls])
        seen.add(cls)
    assert seen == {"optical", "sar", "other"}


def test_satellite_positions_match_skyfield(real_scene: dict[str, Any], shared_data: Path) -> None:
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    el = real_scene["cat"].elements[0]
    p = next(p for p in real_scene["packets"] if p["id"] == f"sat-{el.norad_id}")
    samples = np.asarray(p["position"]["cartographicDegrees"]).reshape(-1, 4)
    epoch = sw.parse_time(p["position"]["epoch"])
    lines = (shared_data / scenario.CATALOG).read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("1 ") and int(ln[2:7]) == el.norad_id)
    sat = EarthSatellite(lines[k], lines[k + 1], ts=ts)
    for k in (0, 90, 180):
        t = ts.from_datetime(epoch + timedelta(seconds=float(samples[k, 0])))
        geo = sat.at(t)
        lat, lon = wgs84.latlon_of(geo)
        # SGP4 is identical; the TEME→ITRS→WGS84 chains differ by < ~50 m (polar motion, ΔUT1 models).
        assert samples[k, 2] == pytest.approx(lat.degrees, abs=1e-3)
        assert samples[k, 1] == pytest.approx(lon.degrees, abs=1e-3)
        assert samples[k, 3] == pytest.approx(wgs84.height_of(geo).m, abs=100.0)


def test_access_and_quiet_windows_are_the_librarys(real_scene: dict[str, Any]) -> None:
    pk = real_scene["packets"]

    def ms(t: Any) -> int:  # the packets carry ISO 8601 with milliseconds
        return math.floor(sw.parse_time(t).timestamp() * 1000 + 1e-6)

    got = {
        (p["properties"]["norad_id"], ms(p["properties"]["start"]), ms(p["properties"]["end"]))
        for p in _layer(pk, "access_window")
    }
    want = {(w.norad_id, ms(w.start), ms(w.end)) for w in real_scene["windows"]}
    assert got == want and len(want) > 10
    got_q = [(ms(p["properties"]["start"]), ms(p["properties"]["end"])) for p in _layer(pk, "quiet_window")]
    assert got_q == [(ms(q.start), ms(q.end)) for q in real_scene["quiet"]] and got_q
    by_id = {p["id"]: p for p in pk}
    for w in _layer(pk, "access_window"):
        i = w["id"].removeprefix("window-")
        span = (ms(w["properties"]["start"]), ms(w["properties"]["end"]))
        foot, line = by_id[f"footprint-{i}"], by_id[f"access-{i}"]
        assert foot["availability"] == line["availability"] == w["availability"]
        assert tuple(ms(x) for x in foot["availability"].split("/")) == span
        assert line["polyline"]["positions"]["references"] == [
            f"sat-{w['properties']['norad_id']}#position",
            "site-7#position",
        ]
        assert foot["ellipse"]["semiMajorAxis"] > 100e3  # an imager's field of regard spans hundreds of km


def test_tracks_and_prediction_layers(real_scene: dict[str, Any]) -> None:
    pk = real_scene["packets"]
    trk = real_scene["tracks"][0]
    (path,) = [p for p in _layer(pk, "track")]
    assert path["id"] == f"track-{trk.id}" and path["properties"]["class"] == trk.summary()["class"]
    assert len(path["position"]["cartographicDegrees"]) == 4 * len(trk)
    fixes = _layer(pk, "raw_fix")
    assert 300 <= len(fixes) <= 400
    members = _layer(pk, "member_track")
    assert len(members) == 12 and all(p["position"]["epoch"].startswith("2026-05-30T12:30") for p in members)
    contours = _layer(pk, "probability_contour")
    assert {p["availability"] for p in contours} == {
        "2026-05-30T13:30:00Z/2026-05-30T14:30:00Z",
        "2026-05-30T14:30:00Z/2026-05-30T18:00:00Z",
    }
    landed = [(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1]) for f in real_scene["fc"]["features"]
              if f["properties"].get("event") == "landed"]  # fmt: skip
    assert len(landed) == 12
    for level in (0.5, 0.9):
        (hull,) = [p for p in _layer(pk, "landing_contour") if p["properties"]["level"] == level]
        ring = np.asarray(hull["polygon"]["positions"]["cartographicDegrees"]).reshape(-1, 3)[:, :2]
        poly = Polygon(ring).buffer(1e-9)
        inside = sum(poly.contains(Point(x, y)) for x, y in landed)
        assert inside >= math.ceil(level * len(landed))


def test_backtrack_cells_and_hazard_points_from_geojson() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[-105, 39], [-104.5, 39], [-104.5, 39.5], [-105, 39.5], [-105, 39]]]},
             "properties": {"kind": "launch_probability_cell", "probability": 0.4}},
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[-104, 39], [-103.5, 39], [-103.5, 39.5], [-104, 39.5], [-104, 39]]]},
             "properties": {"kind": "launch_probability_cell", "probability": 0.1}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-104.2, 39.3, 25000.0]},
             "properties": {"kind": "recommended_release", "time": "2026-05-30T14:00:00Z", "lat": 39.3, "lon": -104.2}},
        ],
    }  # fmt: skip
    packets = result_packets("backtrack-3", fc, "2026-05-30T18:00:00Z")
    for p in packets:
        Packet.model_validate(p)
    cells = _layer(packets, "launch_probability_cell")
    assert cells[0]["rectangle"]["coordinates"]["wsenDegrees"] == [-105.0, 39.0, -104.5, 39.5]
    # the most likely cell is drawn most opaque
    assert (
        cells[0]["rectangle"]["material"]["solidColor"]["color"]["rgba"][3]
        > cells[1]["rectangle"]["material"]["solidColor"]["color"]["rgba"][3]
    )
    (rec,) = _layer(packets, "recommended_release")
    assert rec["name"] == "recommended termination" and rec["position"]["cartographicDegrees"] == [
        -104.2,
        39.3,
        25000.0,
    ]


def test_conjunction_shows_both_objects_around_tca(real_scene: dict[str, Any]) -> None:
    cat = real_scene["cat"]
    a, b = cat.elements[0], cat.elements[1]
    event = {"tca": "2026-05-30T13:00:00Z", "primary": a.norad_id, "secondary": b.norad_id, "primary_name": a.name,
             "secondary_name": b.name, "miss_distance_m": 1234.0, "pc": 1e-5}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sw.SkywardenWarning)
        packets = scene_czml(scenario.START, 1.0, catalog=cat, conjunctions=[event], max_satellites=0)
    _validate(packets)
    prim = next(p for p in packets if p["id"] == "conj-0-primary")
    assert prim["availability"] == "2026-05-30T12:50:00Z/2026-05-30T13:10:00Z"
    tca = next(p for p in packets if p["id"] == "conj-0-tca")
    samples = np.asarray(prim["position"]["cartographicDegrees"]).reshape(-1, 4)
    mid = samples[np.argmin(np.abs(samples[:, 0] - 600.0))]
    np.testing.assert_allclose(tca["position"]["cartographicDegrees"], mid[1:], atol=1e-6)
    assert tca["properties"]["miss_distance_m"] == 1234.0


def test_a_stored_track_record_draws_like_the_track(real_scene: dict[str, Any]) -> None:
    """The service keeps tracks as ``GET /tracks/{id}`` records; the scene draws them identically."""
    from skywarden.service.reports_api import track_record

    trk = real_scene["tracks"][0]
    rec = track_record(trk)
    rep = trk.reports
    rec["raw"] = {
        "time": [str(t) for t in rep.time],
        "lat": rep.lat_deg,
        "lon": rep.lon_deg,
        "alt_m": rep.alt_m,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sw.SkywardenWarning)
        from_obj = scene_czml(scenario.START, scenario.HOURS, tracks=[trk])
        from_rec = scene_czml(scenario.START, scenario.HOURS, tracks=[rec])
    _validate(from_rec)
    a = {p["id"]: p for p in from_obj}
    b = {p["id"]: p for p in from_rec}
    assert a.keys() == b.keys()
    key = f"track-{trk.id}"
    np.testing.assert_allclose(
        a[key]["position"]["cartographicDegrees"], b[key]["position"]["cartographicDegrees"], atol=1e-6
    )
    assert a[key]["properties"]["class"] == b[key]["properties"]["class"]
    fixes = [k for k in a if k.startswith("fix-")]
    assert fixes and all(a[k]["position"] == b[k]["position"] for k in fixes)


def test_tracks_with_repeated_time_stamps_still_validate(shared_data: Path) -> None:
    """NBP3's RTTY log holds fixes relayed twice with one time stamp; CZML samples must increase."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sw.SkywardenWarning)
        tracks = list(
            sw.track_reports(sw.read_reports(shared_data / scenario.FLIGHTS[2], date=scenario.DATE))
        )
        packets = scene_czml(scenario.START, scenario.HOURS, tracks=tracks)
    assert any(np.any(np.diff(t.time.astype("int64")) == 0) for t in tracks)  # the case is really there
    _validate(packets)
    for p in _layer(packets, "track"):
        seconds = np.asarray(p["position"]["cartographicDegrees"]).reshape(-1, 4)[:, 0]
        assert np.all(np.diff(seconds) > 0)


def test_degree_5_interpolation_between_samples_stays_on_the_orbit(
    real_scene: dict[str, Any], shared_data: Path
) -> None:
    """What Cesium draws between the 120 s samples (Lagrange, degree 5, Earth-fixed Cartesian) against
    skyfield at the mid-sample times: within 100 m for a LEO imager (about 1 s of flight)."""
    from pyproj import Transformer
    from scipy.interpolate import BarycentricInterpolator
    from skyfield.api import EarthSatellite, load
    from skyfield.framelib import itrs

    ts = load.timescale(builtin=True)
    el = real_scene["cat"].elements[0]
    p = next(p for p in real_scene["packets"] if p["id"] == f"sat-{el.norad_id}")
    assert p["position"]["interpolationDegree"] == 5
    s = np.asarray(p["position"]["cartographicDegrees"]).reshape(-1, 4)
    to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    xyz = np.column_stack(to_ecef.transform(s[:, 1], s[:, 2], s[:, 3]))
    lines = (shared_data / scenario.CATALOG).read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("1 ") and int(ln[2:7]) == el.norad_id)
    sat = EarthSatellite(lines[k], lines[k + 1], ts=ts)
    epoch = sw.parse_time(p["position"]["epoch"])
    for i in (10, 60, 120):
        window = slice(i - 2, i + 4)  # six samples around the interval [i, i + 1]
        mid = 0.5 * (s[i, 0] + s[i + 1, 0])
        got = BarycentricInterpolator(s[window, 0], xyz[window])(mid)
        want = sat.at(ts.from_datetime(epoch + timedelta(seconds=float(mid)))).frame_xyz(itrs).m
        assert np.linalg.norm(got - want) < 100.0
