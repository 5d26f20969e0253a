"""CZML building blocks for the web map's scene, beside the generic ones in :mod:`.czml`.

Pure writers over plain data (arrays, numbers, ISO times): no domain imports, so the
foundation layer stays at the bottom. What they add to :mod:`.czml`:

* :func:`ellipse_packet` — a ground footprint that moves with a sampled position (sensor field
  of regard during an access window), semi-axes in metres (CZML ``ellipse``);
* :func:`line_packet` — a polyline between two other entities' positions by reference
  (``"sat-1#position"``), shown only over ``availability`` (the access line while a window is open);
* :func:`rectangle_packet` — a lon/lat cell (``wsenDegrees``), e.g. a launch-probability cell;
* :func:`interval_packet` — a time interval with no geometry (a quiet window), carried in
  ``properties`` for the timeline; :func:`set_path_window` — orbit-style lead/trail times;
* :func:`ramp_color` — a probability → RGBA colour ramp (transparent yellow → opaque red).

Every packet these functions return validates against czml3's pydantic models (tests/web).
Positions are ``cartographicDegrees`` (lon_deg, lat_deg, height_m on WGS84); colours RGBA 0–255.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..timeutil import isoformat
from .czml import Color
from .jsonable import to_jsonable

__all__ = [
    "KIND_COLORS",
    "cesium_properties",
    "ellipse_packet",
    "interval_ms",
    "interval_packet",
    "line_packet",
    "ramp_color",
    "rectangle_packet",
    "ring_lonlat",
    "set_path_window",
]

#: Satellite colours by sensor kind (the sensor table's kinds; "other" for everything else).
KIND_COLORS: dict[str, tuple[int, int, int, int]] = {
    "optical": (80, 200, 255, 255),
    "sar": (255, 120, 40, 255),
    "ir": (230, 80, 230, 255),
    "other": (170, 170, 170, 200),
}


def _rgba(color: Color) -> dict[str, list[int]]:
    c = [int(v) for v in color]
    if len(c) == 3:
        c.append(255)
    return {"rgba": c}


def interval_ms(start: Any, end: Any) -> str:
    """ISO 8601 interval ``start/end`` (UTC, ``Z``) to the millisecond (access windows are sub-second)."""
    return f"{isoformat(start, timespec='milliseconds')}/{isoformat(end, timespec='milliseconds')}"


def _common(
    packet: dict[str, Any],
    availability: tuple[Any, Any] | None,
    description: str | None,
    properties: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if availability is not None:
        packet["availability"] = interval_ms(*availability)
    if description:
        packet["description"] = description
    if properties:
        packet["properties"] = cesium_properties(properties)
    return packet


def ellipse_packet(
    id: str,
    name: str,
    times: np.ndarray,
    lat_deg: Any,
    lon_deg: Any,
    radius_m: float,
    *,
    color: Color = (80, 200, 255, 70),
    availability: tuple[Any, Any] | None = None,
    description: str | None = None,
    properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A circular ground footprint of ``radius_m`` following sampled ground positions.

    ``times`` datetime64 (UTC); positions on the ellipsoid (height 0). NaN samples dropped.
    """
    t = np.asarray(times).astype("datetime64[ns]")
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    ok = np.isfinite(lat) & np.isfinite(lon) & ~np.isnat(t)
    t, lat, lon = t[ok], lat[ok], lon[ok]
    packet: dict[str, Any] = {"id": id, "name": name}
    if t.size:
        seconds = (t - t[0]) / np.timedelta64(1, "s")
        samples = np.column_stack([seconds, lon, lat, np.zeros_like(lat)]).round(6).ravel().tolist()
        packet["position"] = {
            "epoch": isoformat(t[0], timespec="milliseconds"),
            "cartographicDegrees": samples,
            "interpolationAlgorithm": "LAGRANGE",
            "interpolationDegree": 1,
        }
        r = float(max(radius_m, 1.0))
        packet["ellipse"] = {
            "semiMajorAxis": r,
            "semiMinorAxis": r,
            "height": 0.0,
            "material": {"solidColor": {"color": _rgba(color)}},
            "outline": False,
        }
    return _common(packet, availability, description, properties)


def line_packet(
    id: str,
    name: str,
    from_id: str,
    to_id: str,
    *,
    color: Color = (255, 255, 0, 255),
    width_px: float = 1.5,
    availability: tuple[Any, Any] | None = None,
    description: str | None = None,
    properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A straight line between the positions of entities ``from_id`` and ``to_id`` (CZML references)."""
    packet: dict[str, Any] = {
        "id": id,
        "name": name,
        "polyline": {
            "positions": {"references": [f"{from_id}#position", f"{to_id}#position"]},
            "width": float(width_px),
            "arcType": "NONE",
            "material": {"solidColor": {"color": _rgba(color)}},
        },
    }
    return _common(packet, availability, description, properties)


def rectangle_packet(
    id: str,
    name: str,
    west_deg: float,
    south_deg: float,
    east_deg: float,
    north_deg: float,
    *,
    color: Color = (255, 0, 0, 120),
    availability: tuple[Any, Any] | None = None,
    description: str | None = None,
    properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A lon/lat cell on the ground (``wsenDegrees``)."""
    packet: dict[str, Any] = {
        "id": id,
        "name": name,
        "rectangle": {
            "coordinates": {
                "wsenDegrees": [float(west_deg), float(south_deg), float(east_deg), float(north_deg)]
            },
            "material": {"solidColor": {"color": _rgba(color)}},
        },
    }
    return _common(packet, availability, description, properties)


def interval_packet(
    id: str,
    name: str,
    start: Any,
    end: Any,
    *,
    properties: Mapping[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A time interval without geometry (e.g. a quiet window): ``availability`` plus ``properties``."""
    props = {
        "start": isoformat(start, timespec="milliseconds"),
        "end": isoformat(end, timespec="milliseconds"),
        **dict(properties or {}),
    }
    return _common({"id": id, "name": name}, (start, end), description, props)


def set_path_window(packet: dict[str, Any], lead_s: float, trail_s: float) -> dict[str, Any]:
    """Show ``lead_s`` ahead and ``trail_s`` behind the current time on a path packet (orbit view)."""
    if "path" in packet:
        packet["path"]["leadTime"] = float(lead_s)
        packet["path"]["trailTime"] = float(trail_s)
    return packet


def ramp_color(p: float, *, alpha_min: int = 60, alpha_max: int = 200) -> tuple[int, int, int, int]:
    """Probability ``p`` in [0, 1] → RGBA from pale yellow (low) to red (high)."""
    q = float(min(max(p, 0.0), 1.0))
    return (255, round(230 * (1.0 - q)), 0, round(alpha_min + (alpha_max - alpha_min) * q))


def cesium_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """Custom ``properties`` CesiumJS reads as plain values: numbers, text and booleans are kept,
    lists and objects become JSON text, ``None``/NaN are dropped (CesiumJS's CZML reader would take
    an object for an interval specification and fails on ``null``)."""
    out: dict[str, Any] = {}
    for key, value in to_jsonable(dict(props)).items():
        if value is None:
            continue
        out[str(key)] = json.dumps(value, allow_nan=False) if isinstance(value, list | dict) else value
    return out


def ring_lonlat(ring: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    """A polygon ring as ``(lon, lat)`` pairs (drops a height column, keeps order)."""
    return [(float(p[0]), float(p[1])) for p in ring]
