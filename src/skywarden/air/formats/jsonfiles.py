"""JSON report readers: SondeHub-style telemetry and GeoJSON points/lines with times.

SondeHub (radiosonde and amateur telemetry, sondehub.org): frames with ``datetime`` (ISO 8601
UTC), ``lat``, ``lon``, ``alt`` (metres, GNSS), an id in ``serial`` or ``payload_callsign``,
and optionally ``vel_h`` (m/s), ``vel_v`` (m/s, up) and ``heading`` (deg); the radiosonde
``type`` (``RS41``, ``DFM``, ``M10``…) goes to ``category`` (identity evidence: a balloon). Accepted shapes: a
list of frames, ``{serial: [frames]}`` or ``{serial: {time: frame}}`` (the telemetry API).

GeoJSON: ``Point`` features with a time in ``properties`` (``time``, ``timestamp`` or
``datetime``) and ``LineString`` features with per-vertex ``properties.times`` (or
``coordTimes``, the togeojson spelling). Altitude is the third coordinate (metres) or
``properties.alt_m``; the id is ``properties.id``, ``properties.name`` or the feature ``id``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ReportFormatError
from ..table import Reports
from ._common import RowSink, iso_to_datetime64

__all__ = ["read_geojson", "read_sondehub"]


def _load(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportFormatError(
            f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, expected="a JSON document"
        ) from None


def _num(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"not a finite number: {value!r}")
    return out


def _sondehub_frames(data: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(data, list):
        for frame in data:
            yield "", frame
    elif isinstance(data, dict):
        for serial, value in data.items():
            items = value.values() if isinstance(value, dict) else value
            if not isinstance(items, list) and not hasattr(items, "__iter__"):
                yield str(serial), value
                continue
            for frame in items:
                yield str(serial), frame
    else:
        raise TypeError(type(data).__name__)


def read_sondehub(path: Path, text: str, **_: Any) -> Reports:
    """Read SondeHub-style telemetry JSON (record numbers stand in for line numbers)."""
    data = _load(path, text)
    sink = RowSink(path)
    times: list[np.datetime64] = []
    try:
        frames = list(_sondehub_frames(data))
    except TypeError:
        raise ReportFormatError(
            "expected a list of telemetry frames or {serial: frames}",
            path=path,
            expected='[{"datetime": "2023-04-22T14:35:35Z", "lat": 39.6, "lon": -104.0, "alt": 28071}]',
            got=text[:80],
        ) from None
    for number, (serial, frame) in enumerate(frames, start=1):
        key = "frame"
        try:
            if not isinstance(frame, dict):
                raise ValueError(f"expected an object, got {type(frame).__name__}")
            key = "datetime"
            t = iso_to_datetime64(str(frame.get("datetime", frame.get("time_received"))))
            key = "lat"
            lat = _num(frame.get("lat"))
            key = "lon"
            lon = _num(frame.get("lon"))
            key = "alt"
            alt = _num(frame.get("alt"))
            if not (-90 <= lat <= 90 and -180 <= lon <= 360):
                raise ValueError(f"latitude/longitude out of range ({lat}, {lon})")
            vel = [math.nan, math.nan, math.nan]
            if frame.get("vel_h") is not None and frame.get("heading") is not None:
                h = math.radians(_num(frame["heading"]))
                vel[0], vel[1] = _num(frame["vel_h"]) * math.sin(h), _num(frame["vel_h"]) * math.cos(h)
            if frame.get("vel_v") is not None:
                vel[2] = _num(frame["vel_v"])
        except Exception as exc:
            sink.reject(number, f"record {number}, field {key!r}: {exc}")
            continue
        ident = frame.get("serial") or frame.get("payload_callsign") or serial
        times.append(t)
        kind = frame.get("type") or frame.get("subtype") or ""
        sink.add(lat=lat, lon=lon, alt=alt, vel=vel, id=str(ident or ""), line=number, cat=str(kind))
    return sink.build(
        np.array(times, dtype="datetime64[ns]"),
        object_id=np.array(sink.rows.get("id", []), dtype=object),
        alt_datum="gps",
        vel_enu_m_s=np.array(sink.rows.get("vel", []), dtype=np.float64).reshape(-1, 3),
        source=f"{path.name} (sondehub)",
        category=np.array(sink.rows.get("cat", []), dtype=object),
    )


_TIME_KEYS = ("time", "timestamp", "datetime")


def read_geojson(path: Path, text: str, **_: Any) -> Reports:
    """Read GeoJSON points/lines with times (feature numbers stand in for line numbers)."""
    data = _load(path, text)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        raise ReportFormatError(
            "expected a GeoJSON FeatureCollection or Feature",
            path=path,
            field="type",
            expected='{"type": "FeatureCollection", "features": [...]}',
            got=text[:80],
        )
    sink = RowSink(path)
    times: list[np.datetime64] = []
    for number, feat in enumerate(features, start=1):
        try:
            props = feat.get("properties") or {}
            geom = feat.get("geometry") or {}
            ident = str(props.get("id", props.get("name", feat.get("id", ""))) or "")
            if geom.get("type") == "Point":
                coords = [geom["coordinates"]]
                stamp = next((props[k] for k in _TIME_KEYS if k in props), None)
                if stamp is None:
                    raise ValueError(f"Point without a time in properties ({'/'.join(_TIME_KEYS)})")
                stamps = [stamp]
            elif geom.get("type") == "LineString":
                coords = geom["coordinates"]
                given = props.get("times", props.get("coordTimes"))
                if not isinstance(given, list) or len(given) != len(coords):
                    raise ValueError("LineString needs properties.times with one time per vertex")
                stamps = given
            else:
                raise ValueError(f"geometry type {geom.get('type')!r} is not Point or LineString")
            rows = []
            for c, s in zip(coords, stamps, strict=True):
                alt = _num(c[2]) if len(c) > 2 else _num(props.get("alt_m", math.nan))
                lon, lat = _num(c[0]), _num(c[1])
                if not (-90 <= lat <= 90):
                    raise ValueError(f"latitude out of range: {lat}")
                rows.append((iso_to_datetime64(str(s)), lat, lon, alt))
        except Exception as exc:
            sink.reject(number, f"feature {number}: {exc}")
            continue
        for t, lat, lon, alt in rows:
            times.append(t)
            sink.add(lat=lat, lon=lon, alt=alt, id=ident, line=number)
    return sink.build(
        np.array(times, dtype="datetime64[ns]"),
        object_id=np.array(sink.rows.get("id", []), dtype=object),
        source=f"{path.name} (geojson)",
    )
