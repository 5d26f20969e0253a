"""Which close approaches are real encounters: formation pairs, co-located objects and the headline.

A conjunction screen reports every approach below a distance threshold. Two kinds of pair meet
that test all day long without being news:

- **co-located** objects share one element set (docked modules, a servicing vehicle attached to
  its client; :func:`skywarden.space.safety.conjunction.colocated_groups`): zero distance by
  construction;
- **formation** pairs fly close together by design, e.g. TerraSAR-X and TanDEM-X in their helix
  formation a few hundred metres apart (DLR, TanDEM-X mission description: "close formation
  flight ... distances of a few hundred metres"); the screen lists them once per orbit at a
  relative speed near zero, and their Pc from a default TLE covariance is meaningless.

:func:`pair_motion` classifies a pair by propagating both objects on a grid over the screen
window (SGP4, TEME): it is a **formation** when the relative speed stays below
``max_relative_speed_m_s`` (default 10 m/s; a chance encounter in LEO is km/s) **and** the
separation stays below ``max_separation_km`` (default 20 km) at every grid time. Anything else is
an **encounter**. :func:`triage_conjunctions` applies it to a screen's events and orders the
encounters the way an analyst reads them first: highest Pc, then (among Pc ≈ 0) smallest miss
distance at high relative speed, slow non-formation approaches last.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...timeutil import parse_duration, parse_time, time_grid
from ..orbit.propagate import propagate
from .conjunction import Conjunction, colocated_groups

__all__ = [
    "FORMATION_MAX_RELATIVE_SPEED_M_S",
    "FORMATION_MAX_SEPARATION_KM",
    "ConjunctionTriage",
    "PairMotion",
    "headline_order",
    "pair_motion",
    "triage_conjunctions",
]

FORMATION_MAX_RELATIVE_SPEED_M_S = 10.0
"""A pair whose relative speed stays below this over the whole window can be a formation, m/s."""
FORMATION_MAX_SEPARATION_KM = 20.0
"""…if its separation also stays below this at every grid time, km."""
HIGH_RELATIVE_SPEED_M_S = 100.0
"""Below this relative speed a non-formation approach is ranked after the fast ones, m/s."""
PC_FLOOR = 1e-10
"""Pcs below this are treated as zero when ranking (order then follows miss distance)."""


@dataclass(frozen=True)
class PairMotion:
    """How two objects move relative to each other over a window.

    ``kind``: ``"co-located"`` (one element set), ``"formation"`` or ``"encounter"``.
    Separations in m, speeds in m/s, over ``n_times`` grid samples.
    """

    primary: int
    secondary: int
    primary_name: str
    secondary_name: str
    kind: str
    min_separation_m: float
    max_separation_m: float
    max_relative_speed_m_s: float
    n_times: int
    events: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "primary": self.primary,
            "secondary": self.secondary,
            "primary_name": self.primary_name,
            "secondary_name": self.secondary_name,
            "kind": self.kind,
            "min_separation_m": self.min_separation_m,
            "max_separation_m": self.max_separation_m,
            "max_relative_speed_m_s": self.max_relative_speed_m_s,
            "events": self.events,
        }


def pair_motion(
    catalog: Any,
    pairs: Iterable[tuple[int, int]],
    start: Any,
    duration: Any = "24h",
    *,
    step_s: float = 60.0,
    max_relative_speed_m_s: float = FORMATION_MAX_RELATIVE_SPEED_M_S,
    max_separation_km: float = FORMATION_MAX_SEPARATION_KM,
) -> list[PairMotion]:
    """Classify pairs of NORAD ids as ``co-located``, ``formation`` or ``encounter`` (module doc).

    Both objects are propagated with SGP4 in TEME on a ``step_s`` grid over
    ``[start, start + duration)``; grid times where either fails are left out.
    """
    elements = list(getattr(catalog, "elements", catalog))
    by_id = {el.norad_id: k for k, el in enumerate(elements)}
    pairs = [(int(a), int(b)) for a, b in pairs]
    colocated = {
        frozenset((a.norad_id, b.norad_id))
        for g in colocated_groups(elements)
        for a in g
        for b in g
        if a is not b
    }
    wanted = sorted({i for p in pairs for i in p})
    if not pairs:
        return []
    t0 = parse_time(start)
    span = parse_duration(duration)
    times = time_grid(t0, span, f"{step_s:g}s")
    eph = propagate([elements[by_id[i]] for i in wanted], times, "teme", velocities=True)
    assert eph.velocities is not None
    row = {i: k for k, i in enumerate(wanted)}
    out = []
    for a, b in pairs:
        dr = eph.positions[row[b]] - eph.positions[row[a]]
        dv = eph.velocities[row[b]] - eph.velocities[row[a]]
        sep = np.linalg.norm(dr, axis=-1) * 1e3
        speed = np.linalg.norm(dv, axis=-1) * 1e3
        ok = np.isfinite(sep) & np.isfinite(speed)
        sep, speed = sep[ok], speed[ok]
        if frozenset((a, b)) in colocated:
            kind = "co-located"
        elif sep.size and speed.max() < max_relative_speed_m_s and sep.max() < max_separation_km * 1e3:
            kind = "formation"
        else:
            kind = "encounter"
        out.append(
            PairMotion(
                primary=a,
                secondary=b,
                primary_name=elements[by_id[a]].name,
                secondary_name=elements[by_id[b]].name,
                kind=kind,
                min_separation_m=float(sep.min()) if sep.size else math.nan,
                max_separation_m=float(sep.max()) if sep.size else math.nan,
                max_relative_speed_m_s=float(speed.max()) if speed.size else math.nan,
                n_times=int(sep.size),
            )
        )
    return out


def headline_order(events: Iterable[Conjunction]) -> list[Conjunction]:
    """Encounters in the order an analyst looks at them: highest Pc first (Pc below
    :data:`PC_FLOOR` counts as zero), then fast approaches (≥ 100 m/s) by smallest miss distance,
    then slow ones by miss distance."""

    def key(e: Conjunction) -> tuple[float, bool, float]:
        pc = e.pc if math.isfinite(e.pc) and e.pc >= PC_FLOOR else 0.0
        return (-pc, e.relative_speed_m_s < HIGH_RELATIVE_SPEED_M_S, e.miss_distance_m)

    return sorted(events, key=key)


@dataclass(frozen=True)
class ConjunctionTriage:
    """A screen's events split into ``headline`` encounters (analyst order, see
    :func:`headline_order`) and the ``pairs`` that are formations or co-located (with how many
    events each produced; those events are in ``set_aside``)."""

    headline: list[Conjunction]
    pairs: list[PairMotion]
    set_aside: list[Conjunction] = field(default_factory=list)
    criteria: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "headline": [e.to_dict() for e in self.headline],
            "formations_and_colocated": [p.to_dict() for p in self.pairs],
            "set_aside_events": len(self.set_aside),
            "criteria": self.criteria,
        }


def triage_conjunctions(
    events: Sequence[Conjunction],
    catalog: Any,
    start: Any,
    duration: Any = "24h",
    *,
    step_s: float = 60.0,
    max_relative_speed_m_s: float = FORMATION_MAX_RELATIVE_SPEED_M_S,
    max_separation_km: float = FORMATION_MAX_SEPARATION_KM,
) -> ConjunctionTriage:
    """Split ``events`` (from :func:`skywarden.space.safety.conjunction.screen` over the same window) into
    headline encounters and formation/co-located pairs (module doc)."""
    pairs = sorted({(e.primary, e.secondary) for e in events})
    motions = pair_motion(
        catalog, pairs, start, duration, step_s=step_s,
        max_relative_speed_m_s=max_relative_speed_m_s, max_separation_km=max_separation_km,
    )  # fmt: skip
    kind = {(m.primary, m.secondary): m for m in motions}
    special = [e for e in events if kind[(e.primary, e.secondary)].kind != "encounter"]
    counts: dict[tuple[int, int], int] = {}
    for e in special:
        counts[(e.primary, e.secondary)] = counts.get((e.primary, e.secondary), 0) + 1
    flagged = [
        PairMotion(**{**m.__dict__, "events": counts.get((m.primary, m.secondary), 0)})
        for m in motions
        if m.kind != "encounter"
    ]
    encounters = [e for e in events if kind[(e.primary, e.secondary)].kind == "encounter"]
    return ConjunctionTriage(
        headline=headline_order(encounters),
        pairs=flagged,
        set_aside=special,
        criteria={
            "max_relative_speed_m_s": max_relative_speed_m_s,
            "max_separation_km": max_separation_km,
            "step_s": step_s,
        },
    )
