"""Writing termination plans and footprints: JSON, GeoJSON and CZML, each with its assumptions.

GeoJSON (``FeatureCollection`` with ``assumptions``, ``limits``, ``windows`` and
``recommendation`` as foreign members): footprint polygons of the recommended termination
(``kind: "footprint"``, ``level`` 0.5/0.9/0.99), one ``Point`` per candidate termination time
(``kind: "candidate"``, properties ``time``, ``ec``, ``max_individual_risk``, ``within_limits``…),
the recommended release and mean impact points, and the track (``kind: "track"``).
CZML: the track as a path, candidates as points coloured green (within limits) or red, the
footprint polygons, and the recommendation; the assumptions go in the document description.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OptionError
from ..export import czml, geojson
from ..export.jsonable import to_jsonable
from .dispersion import DEFAULT_LEVELS, Dispersion
from .termination import TerminationPlan

__all__ = ["FORMATS", "footprint_features", "plan_geojson", "write_plan"]

FORMATS = (".json", ".geojson", ".czml")
_GREEN = (40, 180, 80, 255)
_RED = (220, 40, 40, 255)
_LEVEL_COLORS = {0.5: (220, 40, 40, 140), 0.9: (255, 140, 0, 110), 0.99: (255, 220, 0, 80)}


def footprint_features(disp: Dispersion, levels: tuple[float, ...] = DEFAULT_LEVELS) -> list[dict[str, Any]]:
    """GeoJSON polygon features of the footprint contours of a dispersion."""
    feats = []
    for c in disp.footprint(levels):
        for k, rings in enumerate(c["polygons"]):
            feats.append(geojson.feature(
                geojson.polygon(rings),
                {"kind": "footprint", "level": c["level"], "part": k, "area_km2": round(c["area_km2"], 4)},
            ))  # fmt: skip
    return feats


def plan_geojson(plan: TerminationPlan, track: tuple[Any, Any, Any, Any] | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollection of a termination plan (see the module docstring)."""
    feats: list[dict[str, Any]] = []
    if plan.best_dispersion is not None:
        feats.extend(footprint_features(plan.best_dispersion))
    for c in plan.candidates:
        feats.append(
            geojson.feature(geojson.point(c.lon, c.lat, c.alt_m), {"kind": "candidate", **c.as_dict()})
        )
    rec = plan.recommendation
    if rec is not None:
        feats.append(
            geojson.feature(
                geojson.point(rec["lon"], rec["lat"], rec["alt_m"]), {"kind": "recommended_release", **rec}
            )
        )
        feats.append(
            geojson.feature(
                geojson.point(rec["impact_lon"], rec["impact_lat"]), {"kind": "recommended_mean_impact"}
            )
        )
    if track is not None:
        _, lat, lon, alt = track
        lat2, lon2, alt2 = np.atleast_2d(lat), np.atleast_2d(lon), np.atleast_2d(alt)
        for m in range(min(lat2.shape[0], 50)):
            ok = np.isfinite(lat2[m]) & np.isfinite(lon2[m])
            if ok.sum() >= 2:
                feats.append(geojson.feature(
                    geojson.line_string(lon2[m][ok], lat2[m][ok], alt2[m][ok]), {"kind": "track", "member": m}
                ))  # fmt: skip
    d = plan.as_dict()
    return geojson.feature_collection(
        feats,
        windows=d["windows"],
        recommendation=d["recommendation"],
        limits=d["limits"],
        assumptions=d["assumptions"],
    )


def _plan_czml(plan: TerminationPlan, track: tuple[Any, Any, Any, Any] | None) -> list[dict[str, Any]]:
    times = [c.time for c in plan.candidates]
    start, end = times[0], times[-1]
    if track is not None:
        start, end = np.asarray(track[0])[0], np.asarray(track[0])[-1]
    doc = czml.document("skywarden termination plan", start, end)
    doc["description"] = json.dumps(to_jsonable(plan.as_dict()["assumptions"]))
    packets: list[dict[str, Any]] = [doc]
    if track is not None:
        t, lat, lon, alt = track
        lat2, lon2, alt2 = np.atleast_2d(lat), np.atleast_2d(lon), np.atleast_2d(alt)
        for m in range(min(lat2.shape[0], 50)):
            packets.append(
                czml.path_packet(f"track-{m}", f"track member {m}", np.asarray(t), lat2[m], lon2[m], alt2[m])
            )
    for i, c in enumerate(plan.candidates):
        packets.append(czml.point_packet(
            f"candidate-{i}", f"{c.as_dict()['time']} Ec={c.ec:.2e}", c.lat, c.lon, c.alt_m,
            color=_GREEN if c.within_limits else _RED, label=False,
            description=json.dumps(to_jsonable(c.as_dict())),
        ))  # fmt: skip
    if plan.best_dispersion is not None:
        for level in plan.best_dispersion.footprint():
            for k, rings in enumerate(level["polygons"]):  # CZML: outer ring (holes not drawn)
                ring = rings[0]
                packets.append(czml.polygon_packet(
                    f"footprint-{level['level']:g}-{k}", f"footprint {level['level']:.0%}", ring,
                    color=_LEVEL_COLORS.get(level["level"], (255, 80, 80, 90)),
                ))  # fmt: skip
    if plan.recommendation is not None:
        r = plan.recommendation
        packets.append(
            czml.point_packet("recommended", f"recommended {r['time']}", r["lat"], r["lon"], r["alt_m"])
        )
    return packets


def write_plan(
    plan: TerminationPlan, path: str | Path, track: tuple[Any, Any, Any, Any] | None = None
) -> Path:
    """Write ``plan`` as ``.json`` (windows), ``.geojson`` (footprint + candidates) or ``.czml``."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise OptionError("output suffix", suffix, FORMATS)
    if suffix == ".json":
        p.write_text(json.dumps(to_jsonable(plan.as_dict()), indent=2, allow_nan=False), encoding="utf-8")
        return p
    if suffix == ".geojson":
        return geojson.write(p, plan_geojson(plan, track))
    return czml.write(p, _plan_czml(plan, track))
