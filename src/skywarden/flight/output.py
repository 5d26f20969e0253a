"""Writing predictions and backtracks: GeoJSON, CZML and CSV, each with its assumptions.

GeoJSON: one ``LineString`` (lon, lat, alt_m) per member with per-vertex ISO 8601 times in
``properties.times``, the mean track, ``Point`` features for key events (burst, float start,
landing, launch) and optional probability-contour polygons; the ``assumptions`` record is a
foreign member of the FeatureCollection. CZML: a document packet, one path packet per member
(with the assumptions in the document's description) and point packets for events. CSV: one row
per member and recorded time, preceded by ``#`` comment lines holding the assumptions as JSON.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OptionError
from ..export import czml, geojson
from ..export.jsonable import to_jsonable
from ..timeutil import isoformat
from .ensemble import mean_track
from .predict import Prediction

__all__ = ["FORMATS", "prediction_geojson", "write_prediction"]

FORMATS = (".geojson", ".json", ".czml", ".csv")
_MAX_TRACKS = 200  # members drawn as lines in GeoJSON/CZML; all members go to CSV


def _iso_list(times: np.ndarray) -> list[str | None]:
    return [None if np.isnat(t) else isoformat(t) for t in times]


def prediction_geojson(
    pred: Prediction,
    *,
    contours: list[dict[str, Any]] | None = None,
    extra_features: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection for a prediction (see the module docstring)."""
    feats: list[dict[str, Any]] = []
    for m in range(min(pred.n_members, _MAX_TRACKS)):
        t, lat, lon, alt = pred.member_path(m)
        if t.size < 2:
            continue
        feats.append(geojson.feature(
            geojson.line_string(lon, lat, alt),
            {"kind": "member_track", "member": m, "status": str(pred.status[m]), "times": _iso_list(t)},
        ))  # fmt: skip
    if pred.n_members > 1:
        mt = mean_track(pred)
        ok = np.isfinite(mt["lat_deg"])
        if ok.sum() >= 2:
            feats.append(geojson.feature(
                geojson.line_string(mt["lon_deg"][ok], mt["lat_deg"][ok], mt["alt_m"][ok]),
                {"kind": "mean_track", "times": _iso_list(mt["times"][ok]),
                 "n_members": mt["n_members"][ok].tolist()},
            ))  # fmt: skip
    for name, ev in pred.events.items():
        for m in range(min(pred.n_members, _MAX_TRACKS)):
            if np.isfinite(ev["lat_deg"][m]):
                feats.append(geojson.feature(
                    geojson.point(ev["lon_deg"][m], ev["lat_deg"][m], ev["alt_m"][m]),
                    {"kind": "event", "event": name, "member": m, "time": isoformat(ev["time"][m])},
                ))  # fmt: skip
    for c in contours or []:
        feats.append(geojson.feature(
            geojson.polygon([c["ring"]]),
            {"kind": "probability_contour", "time": c.get("time"), "level": c["level"],
             "area_km2": c.get("area_km2")},
        ))  # fmt: skip
    feats.extend(extra_features or [])
    meta: dict[str, Any] = {"assumptions": pred.assumptions}
    if summary:
        meta["summary"] = summary
    return geojson.feature_collection(feats, **meta)


def _czml(pred: Prediction) -> list[dict[str, Any]]:
    t_all = pred.times[~np.isnat(pred.times)]
    start, end = (t_all.min(), t_all.max()) if t_all.size else (pred.times[0], pred.times[0])
    doc = czml.document("skywarden prediction", start, end)
    doc["description"] = json.dumps(to_jsonable(pred.assumptions))
    packets = [doc]
    for m in range(min(pred.n_members, _MAX_TRACKS)):
        t, lat, lon, alt = pred.member_path(m)
        order = np.argsort(t)
        packets.append(czml.path_packet(
            f"member-{m}", f"member {m} ({pred.status[m]})", t[order], lat[order], lon[order], alt[order],
            show_point=pred.n_members == 1,
        ))  # fmt: skip
    for name, ev in pred.events.items():
        for m in range(min(pred.n_members, _MAX_TRACKS)):
            if np.isfinite(ev["lat_deg"][m]):
                packets.append(czml.point_packet(
                    f"{name}-{m}", name, ev["lat_deg"][m], ev["lon_deg"][m], ev["alt_m"][m],
                    label=pred.n_members == 1,
                ))  # fmt: skip
    return packets


def _csv(pred: Prediction, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        for line in json.dumps(to_jsonable(pred.assumptions), indent=1).splitlines():
            fh.write(f"# {line}\n")
        w = csv.writer(fh)
        w.writerow(["member", "time_utc", "lat_deg", "lon_deg", "alt_m", "status"])
        for m in range(pred.n_members):
            t, lat, lon, alt = pred.member_path(m)
            for k in range(t.size):
                w.writerow(
                    [m, isoformat(t[k]), f"{lat[k]:.6f}", f"{lon[k]:.6f}", f"{alt[k]:.1f}", pred.status[m]]
                )


def write_prediction(
    pred: Prediction,
    path: str | Path,
    *,
    contours: list[dict[str, Any]] | None = None,
    extra_features: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
) -> Path:
    """Write ``pred`` to ``path``; the format follows the suffix (:data:`FORMATS`)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise OptionError("output suffix", suffix or p.name, FORMATS)
    if suffix in (".geojson", ".json"):
        geojson.write(
            p, prediction_geojson(pred, contours=contours, extra_features=extra_features, summary=summary)
        )
    elif suffix == ".czml":
        czml.write(p, _czml(pred))
    else:
        _csv(pred, p)
    return p
