"""Reading prediction GeoJSON and tracks; fuzzing the prediction reader."""

from __future__ import annotations

import contextlib
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.errors import ParseError, SkywardenError
from skywarden.hazard.tracks import read_prediction, read_track

GOOD = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[-100, 40, 18000], [-99.9, 40, 18000],
                                                                               [-99.8, 40.1, 18000]]},
         "properties": {"kind": "member_track", "times": ["2020-01-01T00:00:00Z", "2020-01-01T00:10:00Z",
                                                          "2020-01-01T00:20:00Z"]}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[-100, 40, 18000], [179.9, 40, 1]]},
         "properties": {"kind": "member_track", "times": ["2020-01-01T00:05:00Z", "2020-01-01T00:15:00Z"]}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-100, 40]}, "properties": {"kind": "event"}},
    ],
    "assumptions": {"wind_source": ["x.nc"]},
}  # fmt: skip


def test_members_on_union_time_grid(tmp_path):
    f = tmp_path / "p.geojson"
    f.write_text(json.dumps(GOOD))
    (t, lat, lon, _alt), info = read_prediction(f)
    assert t.size == 5 and lat.shape == (2, 5)
    assert np.isnan(lat[1, 0]) and np.isnan(lat[1, -1])  # outside the second member's span
    assert lat[0, 1] == pytest.approx(40.0) and lon[0, 1] == pytest.approx(-99.95)
    assert info["wind_source"] == ["x.nc"]


def test_plain_csv_track(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text(
        "time,lat,lon,alt_m\n2020-01-01T00:00:00Z,40,-100,1000\n2020-01-01T00:01:00Z,40.01,-100,1300\n"
    )
    (t, lat, _lon, alt), info = read_track(f)
    assert t.size == 2 and lat.shape == (1, 2) and alt[0, 1] == 1300.0
    assert info["reports"] == 2


def test_bad_times_are_reported(tmp_path):
    bad = json.loads(json.dumps(GOOD))
    bad["features"][0]["properties"]["times"] = ["2020-01-01T00:00:00Z"]
    f = tmp_path / "p.geojson"
    f.write_text(json.dumps(bad))
    with pytest.raises(ParseError, match=r"features\[0\]\.properties\.times"):
        read_prediction(f)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), st.integers(0, len(json.dumps(GOOD))).map(lambda k: json.dumps(GOOD)[:k].encode()),
                      st.recursive(st.none() | st.integers() | st.text(max_size=5),
                                   lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                                   max_leaves=8).map(lambda o: json.dumps({"type": "FeatureCollection", "features": o}).encode())))  # fmt: skip
def test_fuzz_prediction_reader(tmp_path, data):
    f = tmp_path / "fuzz.geojson"
    f.write_bytes(data)
    with contextlib.suppress(SkywardenError):
        read_prediction(f)
