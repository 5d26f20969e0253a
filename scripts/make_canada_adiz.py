"""Build the Canada ADIZ feature of ``src/skywarden/data/airspace/adiz.geojson`` from the
transcribed DAH points in ``src/skywarden/data/airspace/canada-adiz-2409-secondary.csv``.

Legs written "thence <westerly|easterly> along latitude N.." follow the parallel (densified every
0.25° of longitude); every other leg is a WGS84 geodesic densified every 10 km (the DAH does not
state a line type for the others; at the published precision the choice matters only on the long
Arctic legs, see the README). Run from the repository root::

    .venv/bin/python scripts/make_canada_adiz.py
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping

HERE = Path(__file__).resolve().parent.parent / "src" / "skywarden" / "data" / "airspace"
GEOD = Geod(ellps="WGS84")


def _leg(
    lat1: float, lon1: float, lat2: float, lon2: float, along_parallel: bool
) -> list[tuple[float, float]]:
    if along_parallel:
        n = max(2, int(abs(lon2 - lon1) / 0.25) + 1)
        return [(float(lo), lat1) for lo in np.linspace(lon1, lon2, n)][:-1]
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    n = int(dist // 10_000.0)
    mid = GEOD.npts(lon1, lat1, lon2, lat2, n) if n > 0 else []
    return [(lon1, lat1), *[(float(lo), float(la)) for lo, la in mid]]


def build() -> dict:
    rows = list(csv.DictReader((HERE / "canada-adiz-2409-secondary.csv").open(encoding="utf-8")))
    polys = []
    for part in ("a_north_and_east", "b_west"):
        pts = [r for r in rows if r["part"] == part]
        ring: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(pts):
            parallel = "along latitude" in a["source_text"]
            ring += _leg(
                float(a["lat_deg"]), float(a["lon_deg"]), float(b["lat_deg"]), float(b["lon_deg"]), parallel
            )
        ring.append(ring[0])
        poly = Polygon([(round(x, 6), round(y, 6)) for x, y in ring])
        assert poly.is_valid, part
        polys.append(poly if poly.exterior.is_ccw else Polygon(list(poly.exterior.coords)[::-1]))
    geom = MultiPolygon(polys)
    return {
        "type": "Feature",
        "geometry": mapping(geom),
        "properties": {
            "id": "CA-ADIZ",
            "name": "Canadian ADIZ (CADIZ)",
            "country": "Canada",
            "authority": "Department of National Defence / Transport Canada; published by NAV CANADA",
            "legal_reference": "Designated Airspace Handbook (DAH), ADIZ entry, AIRAC 2409 (effective 2024-09-05); "
            "Canadian Aviation Regulations s. 600.01",
            "source_url": "https://github.com/Klinkaroo/Klinkaroo.github.io/blob/"
            "e206bb07b4948effaf9bd03644c3deb9018d9227/assets/airspace-data/adiz/2409-adiz.txt",
            "source_date": "2024-09-05 (AIRAC 2409); boundary as changed 2018-05-24 (NAV CANADA AIC 2/18)",
            "lower_limit": "SFC",
            "upper_limit": "UNL",
            "published_points": 48,
            "boundary_status": "complete (secondary transcription)",
            "confidence": "medium",
            "confidence_reason": "a third-party transcription of the DAH entry (personal site, source not named), "
            "not checked against a DAH issue; 9 of its vertices coincide exactly with published 14 CFR 99.43/99.45 "
            "points where the CADIZ meets the U.S. ADIZ",
            "notes": "Two parts: (a) north and east - the Arctic Archipelago north of 69°50'N up to 86°N, and an "
            "offshore band along the Labrador, Newfoundland and Nova Scotia coasts; (b) west - an offshore band "
            "off British Columbia. Legs 'along latitude' follow the parallel; other legs are WGS84 geodesics "
            "(line type not stated in the transcription). The Canadian interior south of 69°50'N is not in the zone.",
        },
    }


def main() -> None:
    path = HERE / "adiz.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["id"] != "CA-ADIZ"] + [build()]
    for f in data["features"]:
        p = f["properties"]
        if p["country"] == "United States":
            p["confidence"] = "high"
            p["confidence_reason"] = "primary legal text (14 CFR 99, eCFR), read from one rendering"
        elif p["id"] == "CN-ADIZ-ECS":
            p["confidence"] = "medium"
            p["confidence_reason"] = "six published points verbatim; western edge approximated"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
