"""Write ``src/skywarden/report/data/ne_110m_countries.geojson`` (the report maps' offline basemap).

Source: Natural Earth 1:110m Admin 0 – Countries (public domain, naturalearthdata.com), as shipped
in the pyogrio wheel's test fixtures (``pyogrio/tests/fixtures/naturalearth_lowres``, pyogrio
0.13.0). Only ``name``, ``iso_a3`` and the geometry are kept; coordinates rounded to 0.001°.
Run with an environment where pyogrio is installed::

    .venv/bin/python scripts/make_basemap.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import shapely

OUT = Path(__file__).resolve().parent.parent / "src/skywarden/report/data/ne_110m_countries.geojson"


def main() -> None:
    src = Path(pyogrio.__file__).parent / "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
    df = pyogrio.read_dataframe(src)
    feats = []
    for _, row in df.iterrows():
        geom = shapely.set_precision(row.geometry, 0.001)
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": row["name"], "iso_a3": row["iso_a3"]},
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    doc = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain); via pyogrio "
        f"{pyogrio.__version__} test fixtures naturalearth_lowres",
        "features": feats,
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    main()
