"""GeoJSON and CZML writers: RFC 7946 antimeridian cutting and ring orientation, CZML samples."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from skywarden.export import czml, geojson


def test_line_crossing_the_antimeridian_is_split_with_interpolated_crossing() -> None:
    # From (179.5 E, 50 N) to (179.5 W, 52 N): the crossing is halfway, at 51 N (RFC 7946 §3.1.9).
    geom = geojson.line_string([179.5, -179.5], [50.0, 52.0], [1000.0, 3000.0])
    assert geom["type"] == "MultiLineString"
    east, west = geom["coordinates"]
    assert east[-1] == [180.0, 51.0, 2000.0]
    assert west[0] == [-180.0, 51.0, 2000.0]


def test_line_not_crossing_stays_a_line_string_and_drops_nan() -> None:
    geom = geojson.line_string([10.0, 11.0, np.nan, 12.0, 13.0], [0.0, 1.0, np.nan, 2.0, 3.0])
    assert geom["type"] == "MultiLineString"  # the NaN gap breaks the path
    geom = geojson.line_string([10.0, 11.0], [0.0, 1.0])
    assert geom == {"type": "LineString", "coordinates": [[10.0, 0.0], [11.0, 1.0]]}


def test_polygon_closed_and_counter_clockwise() -> None:
    poly = geojson.polygon([[(0, 0), (0, 1), (1, 1), (1, 0)]])  # clockwise, open
    ring = poly["coordinates"][0]
    assert ring[0] == ring[-1]
    area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))
    assert area2 > 0


def test_feature_properties_are_json_safe(tmp_path: Path) -> None:
    fc = geojson.feature_collection(
        [geojson.feature(geojson.point(1, 2), {"t": np.datetime64("2026-01-01T00:00:00"), "x": np.nan})],
        assumptions=["calm air"],
    )
    path = geojson.write(tmp_path / "a.geojson", fc)
    back = json.loads(path.read_text())
    assert back["features"][0]["properties"] == {"t": "2026-01-01T00:00:00Z", "x": None}
    assert back["assumptions"] == ["calm air"]


def test_czml_path_samples_are_seconds_from_epoch(tmp_path: Path) -> None:
    times = np.array(
        ["2026-01-01T00:00:00", "2026-01-01T00:01:00", "2026-01-01T00:02:00"], dtype="datetime64[ns]"
    )
    pkt = czml.path_packet("b1", "balloon", times, [1.0, 1.1, np.nan], [2.0, 2.1, 2.2], [100.0, 200.0, 300.0])
    assert pkt["availability"] == "2026-01-01T00:00:00Z/2026-01-01T00:01:00Z"
    assert pkt["position"]["cartographicDegrees"] == [0.0, 2.0, 1.0, 100.0, 60.0, 2.1, 1.1, 200.0]
    doc = czml.document("test", times[0], times[-1])
    path = czml.write(tmp_path / "a.czml", [doc, pkt, czml.point_packet("s", "site", 1.0, 2.0)])
    packets = json.loads(path.read_text())
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"


@pytest.mark.parametrize("ceiling", [None, 18_000.0])
def test_czml_polygon(ceiling: float | None) -> None:
    pkt = czml.polygon_packet("z", "zone", [(0, 0), (1, 0), (1, 1)], floor_m=0.0, ceiling_m=ceiling)
    assert len(pkt["polygon"]["positions"]["cartographicDegrees"]) == 9
    assert ("extrudedHeight" in pkt["polygon"]) == (ceiling is not None)


def test_path_packet_keeps_one_sample_per_time_in_time_order():
    # Real logs relay one fix through several receivers (the NBP3 log repeats time stamps), and
    # czml3 and Cesium need strictly increasing sample times: the first sample of each time stays.
    times = np.array(
        ["2026-01-01T00:01:00", "2026-01-01T00:00:00", "2026-01-01T00:01:00", "2026-01-01T00:02:00"],
        dtype="datetime64[ns]",
    )
    pkt = czml.path_packet("p", "p", times, [1.0, 0.0, 9.0, 2.0], [10.0, 10.0, 10.0, 10.0], 1000.0)
    samples = np.asarray(pkt["position"]["cartographicDegrees"]).reshape(-1, 4)
    assert samples[:, 0].tolist() == [0.0, 60.0, 120.0]
    assert samples[:, 2].tolist() == [0.0, 1.0, 2.0]  # lat: the first fix at 00:01 (1.0), not 9.0
