"""Paths to test against sites, zones and links: observed tracks or predicted ensembles.

:class:`Paths` holds one or many members on a shared time axis: ``times`` ``(n_times,)``
datetime64[ns] UTC and ``lat_deg``/``lon_deg``/``alt_m`` ``(n_members, n_times)`` with NaN where
a member has no position (before it starts, after it lands). Sources:

* :func:`paths_from_tracks` — :class:`skywarden.air.track.Track` objects (one member per track);
* :func:`paths_from_prediction` — a :class:`skywarden.flight.predict.Prediction` in memory;
* :func:`read_track_files` — any file the tracking side reads (``skywarden track``'s formats,
  including the plain CSV ``time,lat,lon,alt_m``), tracked and smoothed first;
* :func:`read_prediction` — a file written by ``skywarden predict``: its CSV (every member:
  ``member,time_utc,lat_deg,lon_deg,alt_m,status`` after ``#`` comment lines) or its GeoJSON
  (``member_track`` LineStrings with ``properties.times``; vertices inserted where a line was cut
  at the antimeridian are dropped again).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, ParseError
from ..timeutil import to_datetime64

__all__ = ["Paths", "paths_from_prediction", "paths_from_tracks", "read_prediction", "read_track_files"]


@dataclass(frozen=True)
class Paths:
    """Members on a shared time axis (see the module docstring)."""

    times: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    labels: list[str]
    kind: str  # "track" or "prediction"
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def n_members(self) -> int:
        return int(self.lat_deg.shape[0])

    def member(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(times, lat, lon, alt)`` of member ``m`` without its NaN samples."""
        ok = np.isfinite(self.lat_deg[m]) & np.isfinite(self.lon_deg[m])
        return self.times[ok], self.lat_deg[m, ok], self.lon_deg[m, ok], self.alt_m[m, ok]


def _align(
    members: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, ...]:
    times = np.unique(np.concatenate([m[0] for m in members]).astype("datetime64[ns]"))
    shape = (len(members), times.size)
    lat, lon, alt = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for k, (t, la, lo, al) in enumerate(members):
        idx = np.searchsorted(times, t.astype("datetime64[ns]"))
        lat[k, idx], lon[k, idx], alt[k, idx] = la, lo, al
    return times, lat, lon, alt


def paths_from_tracks(tracks: Sequence[Any]) -> Paths:
    """One member per :class:`~skywarden.air.track.Track` (smoothed positions)."""
    if not tracks:
        raise NotFoundError("no tracks to use: the track files gave no confirmed track")
    members = [(t.time, t.lat_deg, t.lon_deg, t.alt_m) for t in tracks]
    times, lat, lon, alt = _align(members)
    return Paths(times, lat, lon, alt, [str(t.id) for t in tracks], "track")


def paths_from_prediction(prediction: Any) -> Paths:
    """Members of a :class:`~skywarden.flight.predict.Prediction` (each with its end point)."""
    members = [prediction.member_path(m) for m in range(prediction.n_members)]
    times, lat, lon, alt = _align(members)
    return Paths(
        times, lat, lon, alt, [f"member {m}" for m in range(len(members))], "prediction",
        dict(prediction.assumptions),
    )  # fmt: skip


def read_track_files(
    files: Sequence[str | Path], *, format: str | None = None, date: str | None = None, lon_sign: str = "auto"
) -> Paths:
    """Read position-report files, track them (filter + smoother), one member per track."""
    from ..air import read_reports, track_reports

    reports = read_reports([Path(f) for f in files], format=format, date=date, lon_sign=lon_sign)
    result = track_reports(reports)
    return paths_from_tracks(list(result))


def _strip_cut_vertices(geometry: dict[str, Any]) -> list[list[float]]:
    if geometry["type"] == "LineString":
        return list(geometry["coordinates"])
    parts = geometry["coordinates"]
    out: list[list[float]] = []
    for k, part in enumerate(parts):
        pts = list(part)
        if k > 0 and abs(pts[0][0]) == 180.0:
            pts = pts[1:]
        if k < len(parts) - 1 and abs(pts[-1][0]) == 180.0:
            pts = pts[:-1]
        out.extend(pts)
    return out


def read_prediction(path: str | Path) -> Paths:
    """Read a ``skywarden predict`` output (CSV with every member, or GeoJSON member tracks)."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"prediction file not found: {p}")
    text = p.read_text(encoding="utf-8-sig")
    members: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    labels: list[str] = []
    assumptions: dict[str, Any] = {}
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(
                exc.msg, path=p, line=exc.lineno, expected="GeoJSON from skywarden predict"
            ) from None
        assumptions = dict(data.get("assumptions") or {})
        for feat in data.get("features", []):
            props = feat.get("properties") or {}
            if props.get("kind") != "member_track":
                continue
            coords = _strip_cut_vertices(feat["geometry"])
            times = props.get("times") or []
            if len(times) != len(coords):
                raise ParseError(
                    f"member {props.get('member')}: {len(coords)} vertices but {len(times)} times",
                    path=p,
                    field="properties.times",
                    expected="one ISO 8601 time per vertex",
                )
            arr = np.asarray(coords, dtype=np.float64)
            alt = arr[:, 2] if arr.shape[1] > 2 else np.zeros(len(arr))
            members.append((to_datetime64(times), arr[:, 1], arr[:, 0], alt))
            labels.append(f"member {props.get('member')}")
    else:
        lines = text.splitlines()
        comments = [ln[1:].strip() for ln in lines if ln.startswith("#")]
        for c in comments:
            try:
                assumptions.update(json.loads(c))
            except (json.JSONDecodeError, TypeError, ValueError):
                continue
        body = "\n".join(ln for ln in lines if not ln.startswith("#"))
        reader = csv.DictReader(io.StringIO(body))
        need = {"member", "time_utc", "lat_deg", "lon_deg", "alt_m"}
        if reader.fieldnames is None or not need <= set(reader.fieldnames):
            raise ParseError(
                "not a skywarden prediction CSV", path=p, expected="columns " + ",".join(sorted(need)),
                got=",".join(reader.fieldnames or []),
            )  # fmt: skip
        rows: dict[str, list[tuple[str, float, float, float]]] = {}
        for line_no, row in enumerate(reader, start=2 + len(comments)):
            try:
                rows.setdefault(row["member"], []).append(
                    (row["time_utc"], float(row["lat_deg"]), float(row["lon_deg"]), float(row["alt_m"]))
                )
            except (TypeError, ValueError):
                raise ParseError(
                    "bad number", path=p, line=line_no, expected="lat_deg,lon_deg,alt_m numbers"
                ) from None
        for member, items in rows.items():
            t = to_datetime64([r[0] for r in items])
            members.append(
                (
                    t,
                    np.array([r[1] for r in items]),
                    np.array([r[2] for r in items]),
                    np.array([r[3] for r in items]),
                )
            )
            labels.append(f"member {member}")
    if not members:
        raise ParseError(
            "no member tracks found", path=p, expected="output of skywarden predict (.csv or .geojson)"
        )
    times, lat, lon, alt = _align(members)
    return Paths(times, lat, lon, alt, labels, "prediction", assumptions)
