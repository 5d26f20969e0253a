"""Offline coastlines and borders for report maps (no download at first use, unlike cartopy).

The outlines are Natural Earth 1:110m Admin 0 – Countries (public domain, naturalearthdata.com),
packaged in ``skywarden/report/data/ne_110m_countries.geojson`` (made by
``scripts/make_basemap.py``; provenance in ``skywarden/report/data/README.md``). Drawing country
polygons gives both the coastlines and the land borders. At 1:110m small islands (most of the
Aleutians) are missing: the maps say so in their captions.

Maps are plate carrée (lon/lat) with the aspect set to ``1 / cos(mid-latitude)``, centred on the
data so that an area across the antimeridian draws in one piece.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["BASEMAP_SOURCE", "centre_lon", "draw_basemap", "shift_lon"]

BASEMAP_SOURCE = "coastlines and borders: Natural Earth 1:110m Admin 0 (public domain)"


@lru_cache(maxsize=1)
def _rings() -> list[np.ndarray]:
    text = resources.files("skywarden").joinpath("report/data/ne_110m_countries.geojson").read_text("utf-8")
    rings: list[np.ndarray] = []
    for feat in json.loads(text)["features"]:
        geom = feat["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for poly in polys:
            rings.extend(np.asarray(ring, dtype=float) for ring in poly)
    return rings


def centre_lon(lon_deg: Any) -> float:
    """A central longitude for data that may cross the antimeridian (circular mean)."""
    lon = np.deg2rad(np.asarray(lon_deg, dtype=float))
    lon = lon[np.isfinite(lon)]
    if lon.size == 0:
        return 0.0
    return float(np.rad2deg(np.arctan2(np.sin(lon).mean(), np.cos(lon).mean())))


def shift_lon(lon_deg: Any, centre: float) -> np.ndarray:
    """Longitudes moved into ``[centre − 180, centre + 180)`` so a region plots continuously."""
    return (np.asarray(lon_deg, dtype=float) - centre + 180.0) % 360.0 - 180.0 + centre


def draw_basemap(ax: Any, extent: tuple[float, float, float, float], centre: float) -> None:
    """Land (filled) and outlines on ``ax`` for ``extent`` = (lon0, lon1, lat0, lat1) in shifted
    longitudes (see :func:`shift_lon`); sets limits and the aspect."""
    lon0, lon1, lat0, lat1 = extent
    for ring in _rings():
        x = shift_lon(ring[:, 0], centre)
        if np.ptp(x) > 180.0:  # a ring cut by the seam of this view: skip rather than smear it
            continue
        y = ring[:, 1]
        if x.max() < lon0 or x.min() > lon1 or y.max() < lat0 or y.min() > lat1:
            continue
        ax.fill(x, y, facecolor="#efeae0", edgecolor="#8a8170", linewidth=0.6, zorder=0)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / max(np.cos(np.deg2rad(0.5 * (lat0 + lat1))), 0.1))
    ax.set_facecolor("#dfeaf2")
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.grid(True, linewidth=0.3, color="#ffffff")
