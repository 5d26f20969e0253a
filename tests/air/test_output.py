"""Track writers and the ``track --json`` summary as library calls (:mod:`skywarden.air.output`),
on the real EOSS-323 flight (shared data): the CSV rows are the smoothed fixes read back, the
GeoJSON line has one vertex per fix plus the burst and landing points the tracker found."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skywarden.air import read_reports, track_reports
from skywarden.air.output import tracking_summary, write_tracks
from skywarden.errors import OptionError

EOSS323 = "flights/eoss-323_2022-04-09_deertrail-co_1s.csv"
ONE_MICRODEGREE = 1e-6  # deg (the CSV writes 7 decimals)


def test_track_writers_round_trip(shared_data: Path, tmp_path: Path) -> None:
    reports = read_reports(shared_data / EOSS323, date="2022-04-09")
    result = track_reports(reports)
    (trk,) = list(result)
    summary = tracking_summary(reports, result)
    assert summary["reports"] == len(reports) and summary["tracks"][0]["id"] == trk.id
    rows = pd.read_csv(write_tracks(result, tmp_path / "t.csv"))
    assert len(rows) == len(trk.time)
    np.testing.assert_allclose(rows["lat"], trk.lat_deg, atol=ONE_MICRODEGREE)
    assert rows["time"].iloc[0].endswith("Z") and set(rows["class"]) == {trk.classification.label}
    gj = json.loads(write_tracks(result, tmp_path / "t.geojson").read_text())
    line = next(f for f in gj["features"] if f["geometry"]["type"] == "LineString")
    assert len(line["geometry"]["coordinates"]) == len(trk.time)
    events = {f["properties"].get("event"): f for f in gj["features"]}
    assert trk.burst is not None and events["burst"]["geometry"]["coordinates"][2] == pytest.approx(
        trk.burst.alt_m
    )
    cz = json.loads(write_tracks(result, tmp_path / "t.czml").read_text())
    assert cz[0]["id"] == "document" and cz[1]["id"] == trk.id
    with pytest.raises(OptionError):
        write_tracks(result, tmp_path / "t.kml")
