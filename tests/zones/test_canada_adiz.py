"""Canada's ADIZ (CADIZ): shipped from a secondary transcription of the Designated Airspace Handbook
entry (AIRAC 2409) with a ``medium`` confidence grade.

Expected regions come from NAV CANADA AIC 2/18 as reported by the Flight Service Bureau
(flightservicebureau.org/expanded-canadian-adiz) and Vanguard Aug/Sep 2018 p. 16: from 24 May 2018
the CADIZ "will be expanded to include most of the Arctic Archipelago. For the east and west coasts,
the inner boundary will be moved offshore." So Arctic-island settlements are inside, coastal cities
and the interior outside, and the open sea off both coasts inside.
"""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from skywarden import builtin_adiz


@pytest.mark.parametrize(
    ("place", "lat", "lon", "inside"),
    [
        ("Resolute, Cornwallis Island", 74.70, -94.83, True),
        ("Grise Fiord, Ellesmere Island", 76.42, -82.90, True),
        ("Alert, Ellesmere Island", 82.50, -62.35, True),
        ("Labrador Sea off Nain", 56.5, -58.0, True),
        ("Atlantic SE of Nova Scotia", 42.0, -60.0, True),
        ("Pacific W of Vancouver Island", 50.5, -131.0, True),
        ("Halifax", 44.65, -63.57, False),
        ("St. John's", 47.56, -52.71, False),
        ("Vancouver", 49.28, -123.12, False),
        ("Iqaluit", 63.75, -68.52, False),
        ("Yellowknife", 62.45, -114.37, False),
        ("Toronto", 43.65, -79.38, False),
    ],
)
def test_cadiz_known_regions(place: str, lat: float, lon: float, inside: bool) -> None:
    (zone,) = builtin_adiz("ca")
    assert bool(zone.contains(lat, lon)) is inside, place


def test_cadiz_is_graded_medium_with_its_source() -> None:
    (zone,) = builtin_adiz("ca")
    assert zone.id == "CA-ADIZ" and zone.country == "Canada"
    assert zone.confidence == "medium"
    assert "transcription" in zone.confidence_reason
    assert "Designated Airspace Handbook" in zone.source and "Klinkaroo" in zone.source
    assert zone.geometry.is_valid and len(zone.geometry.geoms) == 2
    assert zone.provenance()["confidence"] == "medium"
    assert zone.to_feature()["properties"]["confidence"] == "medium"
    assert {z.confidence for z in builtin_adiz("us")} == {"high"}


def test_cadiz_junctions_match_the_published_us_points() -> None:
    """Where the CADIZ meets the U.S. ADIZ its vertices are the 14 CFR 99.43/99.45 points (an
    independent check of the transcription at those eight points)."""
    root = resources.files("skywarden").joinpath("data/airspace")
    ca = list(csv.DictReader(root.joinpath("canada-adiz-2409-secondary.csv").read_text("utf-8").splitlines()))
    us = list(csv.DictReader(root.joinpath("adiz-points.csv").read_text("utf-8").splitlines()))
    shared = {
        (round(float(c["lat_deg"]), 4), round(float(c["lon_deg"]), 4))
        for c in ca
        for u in us
        if abs(float(c["lat_deg"]) - float(u["lat_deg"])) < 1e-5
        and abs(float(c["lon_deg"]) - float(u["lon_deg"])) < 1e-5
    }
    # 75N 141W, 69°50'N 141W, 54°35'N 133W, 54N 136W (Alaska); 43°15'N 65°55'W, 39°30'N 63°45'W,
    # 48°20'N 132W, 48°20'N 128W, 48°30'N 125W (contiguous U.S.)
    assert len(shared) == 9
