"""GeoJSON (RFC 7946) building blocks.

Coordinates are ``[lon_deg, lat_deg]`` or ``[lon_deg, lat_deg, alt_m]`` (WGS84, altitude in
metres above the ellipsoid). Lines that cross the antimeridian are split there into a
``MultiLineString`` (RFC 7946 §3.1.9), with the crossing point interpolated on both sides, so
every viewer draws them the short way round. Times go in ``properties`` as ISO 8601 ``Z``
strings (a line's per-vertex times in ``properties["times"]``).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..geo import wrap_lon_deg
from .jsonable import to_jsonable

__all__ = [
    "feature",
    "feature_collection",
    "line_string",
    "point",
    "polygon",
    "split_antimeridian",
    "write",
]

_DECIMALS_DEG = 7  # 1e-7 deg ≈ 1 cm
_DECIMALS_M = 2


def _coord(lon: float, lat: float, alt: float | None) -> list[float]:
    out = [round(float(wrap_lon_deg(lon)), _DECIMALS_DEG), round(float(lat), _DECIMALS_DEG)]
    if alt is not None and math.isfinite(alt):
        out.append(round(float(alt), _DECIMALS_M))
    return out


def point(lon_deg: float, lat_deg: float, alt_m: float | None = None) -> dict[str, Any]:
    """A ``Point`` geometry."""
    return {"type": "Point", "coordinates": _coord(lon_deg, lat_deg, alt_m)}


def split_antimeridian(
    lon_deg: Sequence[float] | np.ndarray,
    lat_deg: Sequence[float] | np.ndarray,
    alt_m: Sequence[float] | np.ndarray | None = None,
) -> list[list[list[float]]]:
    """Split a path into parts that do not cross ±180°; NaN vertices are dropped (they break
    the path too). Returns a list of coordinate lists."""
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat = np.asarray(lat_deg, dtype=np.float64)
    alt = None if alt_m is None else np.asarray(alt_m, dtype=np.float64)
    parts: list[list[list[float]]] = []
    current: list[list[float]] = []
    prev: tuple[float, float, float | None] | None = None
    for i in range(lon.size):
        lo, la = float(wrap_lon_deg(lon[i])), float(lat[i])
        al = None if alt is None else float(alt[i])
        if not (math.isfinite(lo) and math.isfinite(la)):
            if len(current) > 1:
                parts.append(current)
            current, prev = [], None
            continue
        if prev is not None and abs(lo - prev[0]) > 180.0:
            # Crossing: interpolate latitude (and altitude) at the meridian ±180.
            p_lon, p_lat, p_alt = prev
            edge = 180.0 if p_lon > 0 else -180.0
            lo_unwrapped = lo + 360.0 if p_lon > 0 else lo - 360.0
            frac = (edge - p_lon) / (lo_unwrapped - p_lon)
            lat_x = p_lat + frac * (la - p_lat)
            alt_x = None if (al is None or p_alt is None) else p_alt + frac * (al - p_alt)
            current.append(_coord_edge(edge, lat_x, alt_x))
            if len(current) > 1:
                parts.append(current)
            current = [_coord_edge(-edge, lat_x, alt_x)]
        current.append(_coord(lo, la, al))
        prev = (lo, la, al)
    if len(current) > 1 or (len(current) == 1 and not parts):
        parts.append(current)
    return parts


def _coord_edge(lon_edge: float, lat: float, alt: float | None) -> list[float]:
    # ±180 kept as given (not wrapped), so each part ends exactly on its own side.
    out = [float(lon_edge), round(float(lat), _DECIMALS_DEG)]
    if alt is not None and math.isfinite(alt):
        out.append(round(float(alt), _DECIMALS_M))
    return out


def line_string(
    lon_deg: Sequence[float] | np.ndarray,
    lat_deg: Sequence[float] | np.ndarray,
    alt_m: Sequence[float] | np.ndarray | None = None,
) -> dict[str, Any]:
    """A ``LineString``, or a ``MultiLineString`` when the path crosses the antimeridian."""
    parts = split_antimeridian(lon_deg, lat_deg, alt_m)
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0]}
    return {"type": "MultiLineString", "coordinates": parts}


def polygon(
    rings: Iterable[Iterable[Sequence[float]]],
) -> dict[str, Any]:
    """A ``Polygon`` from rings of ``(lon_deg, lat_deg)`` pairs; the first ring is the outer one.

    Rings are closed if they are not already; the outer ring is made counter-clockwise and holes
    clockwise (RFC 7946 §3.1.6).
    """
    out = []
    for k, ring in enumerate(rings):
        pts = [[float(p[0]), float(p[1])] for p in ring]
        if pts and pts[0] != pts[-1]:
            pts.append(list(pts[0]))
        area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(pts))
        ccw = area2 > 0
        if (k == 0) != ccw:
            pts.reverse()
        out.append([[round(p[0], _DECIMALS_DEG), round(p[1], _DECIMALS_DEG)] for p in pts])
    return {"type": "Polygon", "coordinates": out}


def feature(
    geometry: Mapping[str, Any] | None, properties: Mapping[str, Any] | None = None, id: Any = None
) -> dict[str, Any]:
    """A ``Feature``; properties are made JSON-safe (datetimes → ISO 8601 Z, NaN → null)."""
    out: dict[str, Any] = {
        "type": "Feature",
        "geometry": dict(geometry) if geometry is not None else None,
        "properties": to_jsonable(dict(properties or {})),
    }
    if id is not None:
        out["id"] = id
    return out


def feature_collection(features: Iterable[Mapping[str, Any]], **metadata: Any) -> dict[str, Any]:
    """A ``FeatureCollection``; keyword arguments become foreign members (e.g. ``assumptions``)."""
    out: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    out.update(to_jsonable(metadata))
    return out


def write(path: str | Path, obj: Mapping[str, Any]) -> Path:
    """Write a GeoJSON object to ``path`` (UTF-8, compact); returns the path."""
    p = Path(path)
    p.write_text(json.dumps(obj, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    return p
