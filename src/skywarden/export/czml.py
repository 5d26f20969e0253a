"""CZML (CesiumJS scene description) building blocks.

A CZML document is a JSON list of packets; the first is the ``document`` packet with the clock.
Positions use ``cartographicDegrees`` (lon_deg, lat_deg, height_m above the WGS84 ellipsoid);
sampled positions are ``[seconds_since_epoch, lon, lat, h, …]`` with an ISO 8601 ``epoch``.
Intervals are ISO 8601 ``start/end`` with ``Z`` (CZML guide: "Packet", "Position",
"Availability"). Colours are RGBA 0–255.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..timeutil import isoformat, to_datetime64
from .jsonable import to_jsonable

__all__ = ["document", "interval", "path_packet", "point_packet", "polygon_packet", "write"]

Color = Sequence[int]
_DEFAULT_COLOR: tuple[int, int, int, int] = (255, 200, 0, 255)


def interval(start: Any, end: Any) -> str:
    """ISO 8601 interval ``start/end`` (UTC, ``Z``)."""
    return f"{isoformat(start)}/{isoformat(end)}"


def document(name: str, start: Any, end: Any, *, multiplier: float = 60.0) -> dict[str, Any]:
    """The document packet with a clock looping over ``[start, end]``."""
    return {
        "id": "document",
        "name": name,
        "version": "1.0",
        "clock": {
            "interval": interval(start, end),
            "currentTime": isoformat(start),
            "multiplier": multiplier,
            "range": "LOOP_STOP",
            "step": "SYSTEM_CLOCK_MULTIPLIER",
        },
    }


def _rgba(color: Color | None) -> dict[str, list[int]]:
    c = list(color) if color is not None else list(_DEFAULT_COLOR)
    if len(c) == 3:
        c.append(255)
    return {"rgba": [int(v) for v in c]}


def path_packet(
    id: str,
    name: str,
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    *,
    color: Color | None = None,
    width_px: float = 2.0,
    description: str | None = None,
    properties: Mapping[str, Any] | None = None,
    show_point: bool = True,
) -> dict[str, Any]:
    """A moving object drawn with its path. Samples with NaN positions are dropped; samples are
    put in time order with one per time stamp (the first): CZML sample times must increase, and
    a track can hold two fixes with one time (relayed by two receivers).

    ``times`` are datetime64 / ISO strings (UTC); ``alt_m`` metres above the ellipsoid.
    """
    t = np.atleast_1d(to_datetime64(times)) if not isinstance(times, np.ndarray) else times
    t = t.astype("datetime64[ns]")
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    alt = np.broadcast_to(np.asarray(alt_m, dtype=np.float64), lat.shape)
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt) & ~np.isnat(t)
    t, lat, lon, alt = t[ok], lat[ok], lon[ok], alt[ok]
    order = np.argsort(t, kind="stable")
    t, lat, lon, alt = t[order], lat[order], lon[order], alt[order]
    first = np.ones(t.size, dtype=bool)
    first[1:] = t[1:] > t[:-1]
    t, lat, lon, alt = t[first], lat[first], lon[first], alt[first]
    if t.size == 0:
        return {"id": id, "name": name, "description": description or ""}
    epoch = t[0]
    seconds = (t - epoch) / np.timedelta64(1, "s")
    samples = np.column_stack([seconds, lon, lat, alt]).round(7).ravel().tolist()
    packet: dict[str, Any] = {
        "id": id,
        "name": name,
        "availability": interval(t[0], t[-1]),
        "position": {
            "epoch": isoformat(epoch, timespec="milliseconds"),
            "cartographicDegrees": samples,
            "interpolationAlgorithm": "LAGRANGE",
            "interpolationDegree": 1,
        },
        "path": {
            "material": {"solidColor": {"color": _rgba(color)}},
            "width": width_px,
            "leadTime": 0,
            "trailTime": float(seconds[-1] - seconds[0]) + 1.0,
            "resolution": 60,
        },
    }
    if show_point:
        packet["point"] = {"pixelSize": 6, "color": _rgba(color)}
    if description:
        packet["description"] = description
    if properties:
        packet["properties"] = to_jsonable(dict(properties))
    return packet


def point_packet(
    id: str,
    name: str,
    lat_deg: float,
    lon_deg: float,
    alt_m: float = 0.0,
    *,
    color: Color | None = None,
    availability: tuple[Any, Any] | None = None,
    description: str | None = None,
    label: bool = True,
) -> dict[str, Any]:
    """A fixed point (site, event) with an optional label and availability interval."""
    packet: dict[str, Any] = {
        "id": id,
        "name": name,
        "position": {"cartographicDegrees": [float(lon_deg), float(lat_deg), float(alt_m)]},
        "point": {"pixelSize": 9, "color": _rgba(color), "outlineWidth": 1},
    }
    if label:
        packet["label"] = {"text": name, "font": "12px sans-serif", "pixelOffset": {"cartesian2": [0, -16]}}
    if availability is not None:
        packet["availability"] = interval(*availability)
    if description:
        packet["description"] = description
    return packet


def polygon_packet(
    id: str,
    name: str,
    ring: Iterable[Sequence[float]],
    *,
    floor_m: float = 0.0,
    ceiling_m: float | None = None,
    color: Color | None = (255, 80, 80, 90),
    availability: tuple[Any, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A polygon from ``(lon_deg, lat_deg)`` pairs, extruded from ``floor_m`` to ``ceiling_m``."""
    flat: list[float] = []
    for p in ring:
        flat.extend([float(p[0]), float(p[1]), float(floor_m)])
    poly: dict[str, Any] = {
        "positions": {"cartographicDegrees": flat},
        "material": {"solidColor": {"color": _rgba(color)}},
        "height": float(floor_m),
        "outline": True,
    }
    if ceiling_m is not None:
        poly["extrudedHeight"] = float(ceiling_m)
    packet: dict[str, Any] = {"id": id, "name": name, "polygon": poly}
    if availability is not None:
        packet["availability"] = interval(*availability)
    if description:
        packet["description"] = description
    return packet


def write(path: str | Path, packets: Iterable[Mapping[str, Any]]) -> Path:
    """Write a CZML document (list of packets; the first should be :func:`document`)."""
    p = Path(path)
    p.write_text(json.dumps(list(packets), separators=(",", ":"), allow_nan=False), encoding="utf-8")
    return p
