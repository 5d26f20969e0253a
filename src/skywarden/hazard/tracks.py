"""Reading the tracks a termination sweep runs along.

* :func:`read_prediction` — the GeoJSON written by ``skywarden predict -o F.geojson``
  (:mod:`skywarden.flight.output`): every ``member_track`` feature (a LineString of
  (lon, lat, alt_m) with ``properties.times``) becomes one ensemble member on the union of their
  times (NaN outside a member's span). A FeatureCollection of plain ``LineString`` features with
  ``properties.times`` works too.
* :func:`read_track` — any position-report file ``skywarden track`` reads
  (:func:`skywarden.air.reports.read_reports`: plain CSV ``time,lat,lon,alt_m``, EOSS, NBP3,
  SondeHub, APRS, GeoJSON …); with several objects in the file the one with most reports is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, ParseError, SkywardenError
from ..timeutil import to_datetime64

__all__ = ["SweepTrack", "read_prediction", "read_track"]

SweepTrack = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""``(times datetime64[ns], lat_deg, lon_deg, alt_m)``; positions ``(members, n_times)``."""


def read_prediction(path: str | Path) -> tuple[SweepTrack, dict[str, Any]]:
    """Member tracks of a prediction GeoJSON → ``(track, assumptions of the prediction)``."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"prediction file not found: {p}")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(
            f"not a JSON file ({exc})",
            path=p,
            expected="the GeoJSON written by `skywarden predict -o F.geojson`",
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ParseError(
            "not a GeoJSON FeatureCollection", path=p, field="type", expected="FeatureCollection"
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise ParseError("features must be a list", path=p, field="features", got=type(features).__name__)
    members: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for k, feat in enumerate(features):
        if not isinstance(feat, dict):
            continue
        raw_props, raw_geom = feat.get("properties"), feat.get("geometry")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        geom: dict[str, Any] = raw_geom if isinstance(raw_geom, dict) else {}
        if props.get("kind", "member_track") != "member_track" or geom.get("type") != "LineString":
            continue
        coords = geom.get("coordinates")
        times = props.get("times")
        where = f"features[{k}]"
        if (
            not isinstance(coords, list)
            or not isinstance(times, list)
            or len(times) != len(coords)
            or len(coords) < 2
        ):
            raise ParseError(
                "a track needs properties.times with one time per vertex (≥ 2)",
                path=p, field=f"{where}.properties.times", expected="ISO 8601 times, as many as coordinates",
            )  # fmt: skip
        try:
            xyz = np.array(
                [[float(c[0]), float(c[1]), float(c[2]) if len(c) > 2 else np.nan] for c in coords],
                dtype=np.float64,
            )
            t = np.asarray(to_datetime64([str(s) for s in times]), dtype="datetime64[ns]")
        except (TypeError, ValueError, IndexError, KeyError, SkywardenError) as exc:
            raise ParseError(
                f"bad coordinates or times ({exc})", path=p, field=where,
                expected="coordinates [lon, lat, alt_m] and ISO 8601 times",
            ) from None  # fmt: skip
        if np.isnat(t).any():
            raise ParseError(
                "missing time", path=p, field=f"{where}.properties.times", expected="ISO 8601 times"
            )
        order = np.argsort(t)
        t, xyz = t[order], xyz[order]
        if np.any(np.diff(t.astype(np.int64)) == 0):
            raise ParseError(
                "repeated time", path=p, field=f"{where}.properties.times", expected="distinct times"
            )
        members.append((t, xyz[:, 1], xyz[:, 0], xyz[:, 2]))
    if not members:
        raise ParseError(
            "no member_track LineString features", path=p, expected="a `skywarden predict` GeoJSON"
        )
    grid = np.unique(np.concatenate([m[0] for m in members]))
    gs = (grid - grid[0]) / np.timedelta64(1, "s")
    shape = (len(members), grid.size)
    lat, lon, alt = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    from ..geo import unwrap_lon_deg, wrap_lon_deg

    for i, (t, la, lo, z) in enumerate(members):
        ts = (t - grid[0]) / np.timedelta64(1, "s")
        lat[i] = np.interp(gs, ts, la, left=np.nan, right=np.nan)
        lon[i] = wrap_lon_deg(np.interp(gs, ts, unwrap_lon_deg(lo), left=np.nan, right=np.nan))
        alt[i] = np.interp(gs, ts, z, left=np.nan, right=np.nan)
    raw = data.get("assumptions")
    info: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
    return (grid, lat, lon, alt), info


def read_track(path: str | Path, **kwargs: Any) -> tuple[SweepTrack, dict[str, Any]]:
    """A flown/observed track from a report file (formats of ``skywarden track``)."""
    from ..air.reports import read_reports

    rep = read_reports(path, **kwargs)
    if len(rep.time) < 2:
        raise ParseError("a track needs at least two reports", path=path)
    ids, counts = np.unique(rep.object_id.astype(str), return_counts=True)
    obj = ids[int(np.argmax(counts))]
    sel = rep.object_id.astype(str) == obj
    t = rep.time[sel]
    keep = np.concatenate([[True], np.diff(t.astype(np.int64)) > 0])
    ok = keep & np.isfinite(rep.lat_deg[sel]) & np.isfinite(rep.lon_deg[sel]) & np.isfinite(rep.alt_m[sel])
    track = (t[ok], rep.lat_deg[sel][ok][None, :], rep.lon_deg[sel][ok][None, :], rep.alt_m[sel][ok][None, :])
    return track, {
        "track_file": Path(path).name,
        "object_id": str(obj),
        "reports": int(ok.sum()),
        "objects_in_file": int(ids.size),
    }
