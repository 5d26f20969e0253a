"""Watch evaluation at library level (no server): zone entry of a real drifting balloon,
re-prediction only when inputs change, new objects, and readable parameter errors.

Reference for the zone entry: the balloon's "truth" path (a float flight through the real GFS
analysis of 2010-10-26 12Z, see ``balloon_scenario``) enters the watch box; the watch predicts
from a track built by the tracker from the first three hours of that path and must find the
entry, with its median entry time within 1 h of the truth's.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError as PydanticValidationError

import skywarden as sw
from skywarden.errors import OptionError
from skywarden.service.watches_eval import Snapshot, TrackInfo, WatchEvaluator, WatchRule, validate_watch

sys.path.insert(0, str(Path(__file__).parent))
import balloon_scenario as scen


def build_track(rows: list[dict]) -> sw.Track:
    times = np.array([np.datetime64(r["time"].rstrip("Z"), "ns") for r in rows])
    reports = sw.Reports.from_columns(
        times, [r["lat"] for r in rows], [r["lon"] for r in rows], [r["alt_m"] for r in rows], object_id="B1"
    )
    (track,) = list(sw.track_reports(reports))
    return track


@pytest.fixture(scope="module")
def wind_path(shared_data: Path) -> Path:
    return shared_data / scen.WIND_FILE


@pytest.fixture(scope="module")
def zone(tmp_path_factory, wind_path) -> sw.Zone:
    path = tmp_path_factory.mktemp("zone") / "box.geojson"
    path.write_text(json.dumps(scen.zone_geojson()))
    (z,) = sw.load_zones(path)
    return z


def snapshot(
    wind_path: Path, zone: sw.Zone, tracks: dict[str, TrackInfo], winds_version: str = "w1"
) -> Snapshot:
    return Snapshot(
        now=datetime(2010, 10, 26, 15, tzinfo=UTC), tracks=tracks, winds_version=winds_version,
        wind_paths=[str(wind_path)], zone=lambda ref: zone if ref == "Z" else None,
    )  # fmt: skip


def test_zone_entry_of_a_drifting_balloon(wind_path, zone):
    assert scen.truth_enters_zone(wind_path)
    batches = scen.report_batches(wind_path, 3)
    rows = [r for b in batches for r in b]
    track = build_track(rows)
    ev = WatchEvaluator()
    rule = WatchRule(
        1, "zone_entry", {"track": "B1", "zone": "Z", "probability": 0.5, "hours": 12, "ensemble": 20}
    )
    firings = ev.evaluate([rule], snapshot(wind_path, zone, {"B1": TrackInfo("B1", "v3", track)}))
    assert len(firings) == 1
    f = firings[0]
    assert f.event_key == "track:B1:zone:Z" and f.kind == "zone_entry"
    assert f.details["probability"] >= 0.5 and f.details["n_members"] == 20
    # the truth enters the box at:
    t, lat, lon, _ = scen.truth(str(wind_path))
    x0, y0, x1, y1 = scen.ZONE_BOX
    inside = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    truth_entry = t[np.argmax(inside)]
    assert abs(f.details["most_likely"] - truth_entry) <= np.timedelta64(1, "h")

    # nothing changed: no new prediction; a new track version or new winds: one each
    assert ev.computed["prediction"] == 1
    ev.evaluate([rule], snapshot(wind_path, zone, {"B1": TrackInfo("B1", "v3", track)}))
    assert ev.computed["prediction"] == 1
    ev.evaluate([rule], snapshot(wind_path, zone, {"B1": TrackInfo("B1", "v4", track)}))
    assert ev.computed["prediction"] == 2
    ev.evaluate([rule], snapshot(wind_path, zone, {"B1": TrackInfo("B1", "v4", track)}, winds_version="w2"))
    assert ev.computed["prediction"] == 3


def test_zone_entry_does_not_fire_below_the_threshold_or_for_a_far_zone(wind_path, zone):
    track = build_track([r for b in scen.report_batches(wind_path, 1) for r in b])
    far = sw.Zone("FAR", "far away", _box(-80.0, 30.0, -79.0, 31.0))
    snap = snapshot(wind_path, zone, {"B1": TrackInfo("B1", "v1", track)})
    snap.zone = lambda ref: far
    rule = WatchRule(
        1, "zone_entry", {"track": "B1", "zone": "FAR", "probability": 0.1, "hours": 12, "ensemble": 10}
    )
    assert WatchEvaluator().evaluate([rule], snap) == []
    # unknown track or zone: skipped, never an exception
    rule2 = WatchRule(2, "zone_entry", {"track": "nope", "zone": "Z"})
    assert WatchEvaluator().evaluate([rule2], snapshot(wind_path, zone, {})) == []


def _box(x0: float, y0: float, x1: float, y1: float):
    from shapely.geometry import MultiPolygon, Polygon

    return MultiPolygon([Polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])])


def test_new_object_fires_for_tracks_first_seen_after_the_watch():
    snap = Snapshot(now=datetime(2026, 12, 4, tzinfo=UTC))
    snap.tracks = {
        "OLD": TrackInfo("OLD", "1", None, first_batch_id=3, last_lat_deg=40.0, last_lon_deg=-100.0),
        "NEW": TrackInfo("NEW", "1", None, first_batch_id=5, last_lat_deg=40.5, last_lon_deg=-99.0),
        "FLAG": TrackInfo(
            "FLAG", "1", None, new_object=True, first_batch_id=1, last_lat_deg=10.0, last_lon_deg=10.0
        ),
    }
    ev = WatchEvaluator()
    out = ev.evaluate([WatchRule(7, "new_object", {"after_batch_id": 4})], snap)
    assert sorted(f.event_key for f in out) == ["track:FLAG", "track:NEW"]
    region = {"type": "Polygon", "coordinates": [[[-101, 39], [-98, 39], [-98, 42], [-101, 42], [-101, 39]]]}
    out = ev.evaluate([WatchRule(8, "new_object", {"after_batch_id": 4, "region": region})], snap)
    assert [f.event_key for f in out] == ["track:NEW"]


def test_watch_parameters_are_validated_readably():
    with pytest.raises(OptionError, match="zone_entry"):
        validate_watch("zone_exit", {})
    with pytest.raises(PydanticValidationError, match="probability"):
        validate_watch("zone_entry", {"track": "B1", "zone": "Z", "probability": 1.5})
    with pytest.raises(PydanticValidationError, match=r"imager\.kind"):
        validate_watch("overflight", {"site": 1, "imager": {"kind": "radio"}})
    with pytest.raises(PydanticValidationError, match="norad_id"):
        validate_watch("conjunction", {"pc_threshold": 1e-4})
