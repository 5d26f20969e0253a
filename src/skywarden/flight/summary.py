"""The summaries ``skywarden predict`` / ``backtrack`` print and the service's jobs return: one
definition each, so the command line, ``--json`` and the HTTP API agree.

* :func:`prediction_summary` — member status counts; for an ensemble each event's dispersion
  (:func:`~skywarden.flight.ensemble.landing_dispersion`: mean point, CEP50/90, 1σ ellipse) and,
  when members are still flying at the end, the arrival dispersion there; for one member each
  event's time and position; the end point of the first member.
* :func:`contour_times` — when to draw position contours: the given offsets (``24h``) or ISO
  times, else every 24 h of the flight (an ensemble of at least three members only).
* :func:`backtrack_summary` and :func:`launch_cell_features` — the launch time range, run and
  launch counts and the ten most probable launch cells, and those cells as GeoJSON squares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from ..export import geojson
from ..timeutil import parse_duration, to_datetime64
from .ensemble import arrival_dispersion, landing_dispersion

__all__ = ["backtrack_summary", "contour_times", "launch_cell_features", "prediction_summary"]


def prediction_summary(pred: Any) -> dict[str, Any]:
    """The ``summary`` of ``skywarden predict --json`` for a :class:`~skywarden.flight.Prediction`."""
    summary: dict[str, Any] = {"status": {s: int((pred.status == s).sum()) for s in set(pred.status)}}
    for name, ev in pred.events.items():
        if not np.isfinite(ev["lat_deg"]).any():
            continue
        if pred.n_members > 1:
            summary[f"{name}_dispersion"] = landing_dispersion(pred, name)
        elif ev["lat_deg"].size:
            summary[name] = {k: ev[k][0] for k in ("time", "lat_deg", "lon_deg", "alt_m")}
    if pred.n_members > 1 and np.any(pred.status == "time_limit"):  # still flying at the end
        summary["arrival_dispersion"] = arrival_dispersion(pred, pred.times[-1])
    summary["end"] = {"time": pred.end_time[0], "lat_deg": pred.end_lat_deg[0], "lon_deg": pred.end_lon_deg[0],
                      "alt_m": pred.end_alt_m[0]}  # fmt: skip
    return summary


def contour_times(start: Any, specs: Sequence[str], hours: float, n_members: int) -> list[Any]:
    """Contour times from offsets after ``start`` (``"24h"``) or absolute ISO times; with no
    ``specs``, every 24 h of a ``hours``-long flight (or its end), for ensembles of ≥ 3 members."""
    t0 = to_datetime64(start)
    items = list(specs)
    if not items:
        if n_members < 3:
            return []
        items = [f"{h}h" for h in range(24, int(hours) + 1, 24)] or [f"{hours}h"]
    out = []
    for s in items:
        try:
            out.append(t0 + np.timedelta64(round(parse_duration(s).total_seconds() * 1e9), "ns"))
        except InputError:
            out.append(to_datetime64(s))
    return out


def backtrack_summary(res: Any, cell_deg: float) -> dict[str, Any]:
    """The ``summary`` of ``skywarden backtrack --json``: launch time range, runs, launches and the
    ten most probable ``cell_deg`` launch cells (:meth:`Backtrack.probability_map`)."""
    cells = res.probability_map(cell_deg)
    return {
        "launch_time_range": res.launch_time_range(),
        "n_runs": int(res.paths.n_members),
        "n_launches": int(res.launch_lat_deg.size),
        "top_cells": cells[:10],
    }


def launch_cell_features(cells: Sequence[dict[str, Any]], cell_deg: float) -> list[dict[str, Any]]:
    """GeoJSON squares (``kind = launch_probability_cell``) for launch-probability cells."""
    half = cell_deg / 2.0
    return [
        geojson.feature(
            geojson.polygon([[(c["lon_deg"] - half, c["lat_deg"] - half), (c["lon_deg"] + half, c["lat_deg"] - half),
                              (c["lon_deg"] + half, c["lat_deg"] + half), (c["lon_deg"] - half, c["lat_deg"] + half)]]),
            {"kind": "launch_probability_cell", "probability": c["probability"]},
        )
        for c in cells
    ]  # fmt: skip
