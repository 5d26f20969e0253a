"""Sites: inline parsing, GeoJSON/CSV/TOML loading, validation messages, fuzzing.

Reference numbers: the polygon radius is checked against pyproj's geodesic (GeographicLib);
the centroid of a rectangle is its centre by symmetry.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from skywarden.errors import InputError, NotFoundError, ParseError, ValidationError
from skywarden.sites import Site, load_sites, parse_site

ONE_MILLIMETRE = 1e-3  # m
ONE_MICRODEGREE = 1e-6  # deg


def test_inline_site_with_and_without_altitude() -> None:
    s = parse_site("38.8,-104.7")
    assert (s.lat_deg, s.lon_deg, s.alt_m, s.radius_m) == (38.8, -104.7, 0.0, 0.0)
    s = parse_site(" Pueblo = 38.3, -104.6, 1430 ")
    assert s.name == "Pueblo"
    assert s.alt_m == 1430.0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("91,10", "latitude out of range"),
        ("10,181", "longitude out of range"),
        ("10", "lat,lon[,alt_m]"),
        ("a,b", "must be numbers"),
        ("10,20,30,40", "lat,lon[,alt_m]"),
        ("nan,10", "finite"),
    ],
)
def test_inline_site_errors_teach(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_site(text)
    assert fragment in str(info.value)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_geojson_points_and_polygon(tmp_path: Path) -> None:
    ring = [[-104.80, 38.70], [-104.60, 38.70], [-104.60, 38.90], [-104.80, 38.90], [-104.80, 38.70]]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "gate", "radius_m": 250}, "geometry": {"type": "Point", "coordinates": [-104.7, 38.8, 1900]}},
            {"type": "Feature", "properties": {"name": "base"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        ],
    }  # fmt: skip
    sites = load_sites(_write(tmp_path, "s.geojson", json.dumps(fc)))
    assert [s.name for s in sites] == ["gate", "base"]
    gate, base = sites
    assert gate.alt_m == 1900.0 and gate.radius_m == 250.0 and not gate.is_polygon
    assert base.is_polygon
    # Centroid of a lon/lat rectangle is its centre (symmetry).
    assert abs(base.lat_deg - 38.8) < ONE_MICRODEGREE
    assert abs(base.lon_deg - (-104.7)) < ONE_MICRODEGREE
    # Radius = the longest geodesic from the centre to a corner (pyproj / GeographicLib).
    _, _, d = Geod(ellps="WGS84").inv(
        [-104.7] * 4, [38.8] * 4, [-104.8, -104.6, -104.6, -104.8], [38.7, 38.7, 38.9, 38.9]
    )
    assert abs(base.radius_m - max(d)) < ONE_MILLIMETRE
    assert base.geojson_geometry()["type"] == "Polygon"


def test_geojson_bad_latitude_names_feature_and_field(tmp_path: Path) -> None:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "ok"}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
        {"type": "Feature", "properties": {"name": "north gate"}, "geometry": {"type": "Point", "coordinates": [10, 95]}},
    ]}  # fmt: skip
    with pytest.raises(ValidationError) as info:
        load_sites(_write(tmp_path, "s.geojson", json.dumps(fc)))
    msg = str(info.value)
    assert "feature 1" in msg and "north gate" in msg and "lat_deg" in msg and "out of range" in msg


def test_open_polygon_is_rejected(tmp_path: Path) -> None:
    ring = [[0, 0], [1, 0], [1, 1], [0, 1]]
    fc = {
        "type": "Feature",
        "properties": {"name": "open"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    with pytest.raises(ValidationError) as info:
        load_sites(_write(tmp_path, "s.json", json.dumps(fc)))
    assert "not closed" in str(info.value) and "open" in str(info.value)


def test_self_intersecting_polygon_is_rejected(tmp_path: Path) -> None:
    bowtie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    fc = {
        "type": "Feature",
        "properties": {"name": "bowtie"},
        "geometry": {"type": "Polygon", "coordinates": [bowtie]},
    }
    with pytest.raises(ValidationError) as info:
        load_sites(_write(tmp_path, "s.geojson", json.dumps(fc)))
    assert "self-intersection" in str(info.value).lower()
    assert "bowtie" in str(info.value)


def test_csv_and_toml(tmp_path: Path) -> None:
    csv_path = _write(tmp_path, "s.csv", "name,lat_deg,lon_deg,alt_m,radius_m\nA,10,20,5,100\nB,-10,-20,,\n")
    a, b = load_sites(csv_path)
    assert (a.name, a.lat_deg, a.lon_deg, a.alt_m, a.radius_m) == ("A", 10.0, 20.0, 5.0, 100.0)
    assert b.alt_m == 0.0
    toml_path = _write(
        tmp_path,
        "s.toml",
        '[[site]]\nname = "P"\nlat_deg = 1.5\nlon_deg = 2.5\n\n'
        '[[site]]\nname = "Q"\npolygon = [[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01], [0, 0]]\n',
    )
    p, q = load_sites(toml_path)
    assert p.lat_deg == 1.5 and q.is_polygon


def test_csv_bad_row_names_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "name,lat,lon\nA,10,20\nB,10,east\n")
    with pytest.raises(ValidationError) as info:
        load_sites(path)
    assert "s.csv:3" in str(info.value) and "lon_deg" in str(info.value)


def test_duplicate_names_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="duplicate"):
        load_sites(_write(tmp_path, "s.csv", "name,lat,lon\nA,1,2\nA,3,4\n"))
    with pytest.raises(NotFoundError):
        load_sites(tmp_path / "nope.geojson")
    with pytest.raises(ParseError, match="unknown site file type"):
        load_sites(_write(tmp_path, "s.kml", "<kml/>"))


def test_site_constructor_validates() -> None:
    with pytest.raises(ValidationError, match="lat_deg"):
        Site("x", 100.0, 0.0)
    with pytest.raises(ValidationError, match="radius_m"):
        Site("x", 0.0, 0.0, radius_m=-1.0)
    assert math.isclose(float(Site("x", 0.0, 0.0).ecef_m[0]), 6378137.0)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_inline_site_only_raises_input_errors(text: str) -> None:
    try:
        site = parse_site(text)
    except InputError:
        return
    assert -90.0 <= site.lat_deg <= 90.0 and -180.0 <= site.lon_deg <= 180.0


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".geojson", ".csv", ".toml"]))
def test_fuzz_site_files_garbage_and_binary(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"sites{suffix}"
    path.write_bytes(data)
    try:
        sites = load_sites(path)
    except InputError:
        return
    assert all(-90.0 <= s.lat_deg <= 90.0 for s in sites)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=0, max_value=200))
def test_fuzz_truncated_geojson(tmp_path_factory: pytest.TempPathFactory, cut: int) -> None:
    full = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Polygon",
         "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}]})  # fmt: skip
    path = tmp_path_factory.mktemp("trunc") / "s.geojson"
    path.write_text(full[:cut])
    try:
        load_sites(path)
    except InputError:
        return


def test_polygon_across_antimeridian_is_rejected() -> None:
    ring = [(179.5, 0.0), (-179.5, 0.0), (-179.5, 1.0), (179.5, 1.0), (179.5, 0.0)]
    with pytest.raises(ValidationError, match="antimeridian"):
        Site.from_polygon("dateline", ring)
