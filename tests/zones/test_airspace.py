"""Airspace zones: the built-in ADIZ set, GeoJSON and OpenAir readers, antimeridian handling.

Reference points for the built-in ADIZ come from the point checks published with the data
(``skywarden/data/airspace/README.md``, "Checks done"), which were made against 14 CFR 99 text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from skywarden.errors import NotFoundError, ParseError, ValidationError
from skywarden.zones.airspace import builtin_adiz, load_zones, normalize_polygon, parse_altitude_limit

ONE_CENTIMETRE = 0.01  # m


@pytest.mark.parametrize(
    ("lat", "lon", "zone_id", "inside"),
    [
        (55.0, -170.0, "US-ADIZ-ALASKA", True),  # Bering Sea, where the 2023 balloon entered
        (61.218, -149.900, "US-ADIZ-ALASKA", False),  # Anchorage
        (51.88, -176.64, "US-ADIZ-ALASKA", True),  # Adak
        (52.93, 172.91, "US-ADIZ-ALASKA", True),  # Attu, west of 180°
        (21.307, -157.858, "US-ADIZ-HAWAII", False),  # Honolulu, in the inner-boundary hole
        (19.71, -155.09, "US-ADIZ-HAWAII", True),  # Hilo
        (13.5, 141.5, "US-ADIZ-GUAM", True),
        (30.0, -78.0, "US-ADIZ-CONUS", True),
        (25.76, -80.19, "US-ADIZ-CONUS", False),  # Miami
    ],
)
def test_builtin_adiz_published_point_checks(lat: float, lon: float, zone_id: str, inside: bool) -> None:
    (zone,) = builtin_adiz(zone_id)
    assert bool(zone.contains(lat, lon)) is inside


def test_adiz_groups_and_the_canada_gap() -> None:
    assert {z.id for z in builtin_adiz("us")} == {
        "US-ADIZ-CONUS", "US-ADIZ-ALASKA", "US-ADIZ-GUAM", "US-ADIZ-HAWAII",
    }  # fmt: skip
    assert [z.id for z in builtin_adiz("cn")] == ["CN-ADIZ-ECS"]
    assert [z.id for z in builtin_adiz("ca")] == ["CA-ADIZ"]  # tests/zones/test_canada_adiz.py
    with pytest.raises(NotFoundError, match="Japan's ADIZ is not built in"):
        builtin_adiz("us,jp")
    with pytest.raises(NotFoundError, match="built-in choices: us, cn, ca"):
        builtin_adiz("xx")
    assert all(z.floor_m == 0.0 and math.isinf(z.ceiling_m) for z in builtin_adiz())


@pytest.mark.parametrize(
    ("text", "metres", "ref"),
    [("SFC", 0.0, "AGL"), ("UNL", math.inf, "MSL"), ("FL180", 5486.4, "STD"), ("5000ft MSL", 1524.0, "MSL"),
     ("1500 ft AGL", 457.2, "AGL"), ("3000 m", 3000.0, "MSL"), ("2500", 762.0, "MSL")],
)  # fmt: skip
def test_altitude_limits(text: str, metres: float, ref: str) -> None:
    got, got_ref = parse_altitude_limit(text)
    assert got == pytest.approx(metres) and got_ref == ref


def test_bad_altitude_limit_lists_forms() -> None:
    with pytest.raises(ValidationError, match="FL180"):
        parse_altitude_limit("high")


def test_polygon_across_the_antimeridian_is_split_both_ways() -> None:
    for ring in (
        [(170, 50), (190, 50), (190, 60), (170, 60)],
        [(170, 50), (-170, 50), (-170, 60), (170, 60)],
    ):
        mp = normalize_polygon([ring])
        assert len(mp.geoms) == 2
        assert mp.area == pytest.approx(200.0)
        assert mp.bounds[0] == -180.0 and mp.bounds[2] == 180.0


def test_geojson_zone_file(tmp_path: Path) -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "TFR 1", "lower_limit": "SFC", "upper_limit": "FL180"},
             "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}},
        ],
    }  # fmt: skip
    path = tmp_path / "z.geojson"
    path.write_text(json.dumps(fc))
    (zone,) = load_zones(path)
    assert zone.ceiling_m == pytest.approx(5486.4)
    assert zone.contains([0.5, 0.5], [0.5, 0.5], [1000.0, 6000.0]).tolist() == [True, False]


def test_geojson_zone_errors_name_the_feature(tmp_path: Path) -> None:
    bowtie = {"type": "Feature", "properties": {"name": "bowtie"},
              "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}  # fmt: skip
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bowtie))
    zones = load_zones(path)  # made valid by splitting the self-intersection
    assert zones[0].geometry.is_valid
    point = {
        "type": "Feature",
        "properties": {"name": "pt"},
        "geometry": {"type": "Point", "coordinates": [0, 0]},
    }
    path.write_text(json.dumps(point))
    with pytest.raises(ValidationError, match=r"feature 0 \(pt\).*geometry"):
        load_zones(path)


OPENAIR = """\
* test file
AC R
AN R-TEST CIRCLE
AL GND
AH 10000ft MSL
V X=40:00:00 N 105:00:00 W
DC 10
AC P
AN P-SQUARE
AL FL50
AH UNL
DP 41:00:00 N 106:00:00 W
DP 41:00:00 N 105:00:00 W
DP 40:30:00 N 105:00:00 W
V X=40:30:00 N 105:30:00 W
V D=+
DB 40:30:00 N 105:00:00 W, 40:30:00 N 106:00:00 W
"""


def test_openair_circle_area_matches_the_geodesic_circle(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(OPENAIR)
    circle, square = load_zones(path)
    assert circle.name == "R-TEST CIRCLE" and circle.kind == "R"
    assert circle.ceiling_m == pytest.approx(3048.0)
    # Area of a 10 NM geodesic circle ≈ π r² (flat-Earth error ~ r²/R² ≈ 1e-5).
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(circle.geometry)
    assert abs(area) == pytest.approx(math.pi * (10 * 1852.0) ** 2, rel=2e-3)
    assert bool(circle.contains(40.0, -105.0)) and not bool(circle.contains(40.2, -105.0))
    # The clockwise arc about 40.5 N 105.5 W from its east to its west point bulges south.
    assert bool(square.contains(40.3, -105.5)) and not bool(square.contains(40.1, -105.5))


def test_openair_bad_coordinate_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("AC R\nAN X\nDP 95:00:00 N 010:00:00 E\n")
    with pytest.raises(ParseError, match=r"b.txt:3") as info:
        load_zones(path)
    assert "DD:MM:SS N" in str(info.value)


def test_contains_handles_nan_and_wrapped_longitudes() -> None:
    (alaska,) = builtin_adiz("US-ADIZ-ALASKA")
    got = alaska.contains(np.array([55.0, np.nan, 55.0]), np.array([-170.0, 0.0, 190.0]))
    assert got.tolist() == [True, False, True]
