"""A drifting balloon for the watch tests, made from real winds with the library.

The "truth" is a zero-pressure balloon flight (ascent at 5 m/s from 500 m, then float at 18 km)
launched from 40° N 100° W at 2010-10-26 12:00 UTC through the
real GFS analysis of that time (``winds/gfs_1deg_namerica_2010102612_pl.nc``), predicted by
:func:`skywarden.predict` without wind perturbations (10-minute output). Its first three hours
become position reports (``{"time", "lat", "lon", "alt_m", "id"}``, the ``POST /reports`` JSON
form) posted in batches. The zone is a box around where the truth is 10–12 h after launch,
1.6° × 1.6°, so a 20-member ensemble from the last report enters it with high probability.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

import skywarden as sw

WIND_FILE = "winds/gfs_1deg_namerica_2010102612_pl.nc"
LAUNCH = {"lat_deg": 40.0, "lon_deg": -100.0, "alt_m": 500.0, "time": "2010-10-26T12:00:00Z"}
REPORT_HOURS = 3.0
ZONE_BOX = (-95.6, 39.9, -94.0, 41.5)  # lon_min, lat_min, lon_max, lat_max (deg)


@cache
def truth(wind_path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    pred = sw.predict(
        sw.load_winds([Path(wind_path)]), profile="float", hours=14, step_s=60.0,
        ensemble=sw.EnsembleSettings(members=1, wind_sigma_m_s=0.0, seed=0), **LAUNCH,
    )  # fmt: skip
    return pred.times, pred.lat_deg[0], pred.lon_deg[0], pred.alt_m[0]


def report_batches(wind_path: Path, n_batches: int = 3, object_id: str = "B1") -> list[list[dict[str, Any]]]:
    """The first ``REPORT_HOURS`` of the truth as report JSON rows, split into ``n_batches``."""
    t, lat, lon, alt = truth(str(wind_path))
    keep = t <= t[0] + np.timedelta64(int(REPORT_HOURS * 3600), "s")
    rows = [
        {"time": sw.isoformat(t[i]), "lat": round(float(lat[i]), 6), "lon": round(float(lon[i]), 6),
         "alt_m": round(float(alt[i]), 1), "id": object_id}
        for i in np.flatnonzero(keep)
    ]  # fmt: skip
    return [list(b) for b in np.array_split(np.array(rows, dtype=object), n_batches)]


def zone_geojson(name: str = "Watch box") -> dict[str, Any]:
    x0, y0, x1, y1 = ZONE_BOX
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "BOX", "name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }


def truth_enters_zone(wind_path: Path) -> bool:
    """Check of the scenario itself: the truth path does pass through the box."""
    _t, lat, lon, _alt = truth(str(wind_path))
    x0, y0, x1, y1 = ZONE_BOX
    return bool(np.any((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)))
