"""Earliest arrival of an altitude-controlled balloon over a site, from a reach search.

:func:`earliest_arrival` scans the states of a :class:`~skywarden.flight.reach.ReachResult`
step by step for the first one within ``radius_km`` of the site (pyproj/GeographicLib geodesic
distance), recovers that state's altitude schedule through the parent pointers, and compares
with passive drift at the start altitude (integrated separately, without pruning).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ValidationError
from ..geo import geodesic_inverse

if TYPE_CHECKING:
    from .reach import ReachResult

__all__ = ["Arrival", "earliest_arrival"]


@dataclass(frozen=True)
class Arrival:
    """Earliest arrival over a site (see :func:`earliest_arrival`).

    Attributes:
        site_lat_deg, site_lon_deg, radius_km: the site and the radius counted as "over it".
        reachable: whether any schedule of the nominal member (0) gets within the radius.
        time: earliest arrival time (UTC, datetime64[ns]) for member 0, or NaT.
        schedule_times, schedule_alt_m, path_lat_deg, path_lon_deg: the schedule and path
            that gets there (one sample per search step; altitudes linear between samples).
        probability: fraction of members that can get within the radius in the horizon.
        member_times: earliest arrival per member (NaT where a member cannot).
        passive_arrives: whether passive drift at the start altitude gets within the radius.
        passive_time: its first time within the radius, or NaT.
        passive_min_distance_km: closest approach of the passive path, km.
    """

    site_lat_deg: float
    site_lon_deg: float
    radius_km: float
    reachable: bool
    time: np.datetime64
    schedule_times: np.ndarray
    schedule_alt_m: np.ndarray
    path_lat_deg: np.ndarray
    path_lon_deg: np.ndarray
    probability: float
    member_times: np.ndarray
    passive_arrives: bool
    passive_time: np.datetime64
    passive_min_distance_km: float

    def maneuvers(self) -> list[dict[str, Any]]:
        """The schedule as a list of ``{start, end, from_alt_m, to_alt_m}`` altitude changes."""
        out: list[dict[str, Any]] = []
        a, t = self.schedule_alt_m, self.schedule_times
        i = 0
        while i < a.size - 1:
            d = np.sign(round(float(a[i + 1] - a[i]), 3))
            if d == 0:
                i += 1
                continue
            j = i + 1
            while j < a.size - 1 and np.sign(round(float(a[j + 1] - a[j]), 3)) == d:
                j += 1
            out.append({"start": t[i], "end": t[j], "from_alt_m": float(a[i]), "to_alt_m": float(a[j])})
            i = j
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": {"lat_deg": self.site_lat_deg, "lon_deg": self.site_lon_deg, "radius_km": self.radius_km},
            "reachable": self.reachable,
            "earliest_time": None if np.isnat(self.time) else self.time,
            "probability": self.probability,
            "schedule": self.maneuvers(),
            "start_alt_m": float(self.schedule_alt_m[0]) if self.schedule_alt_m.size else None,
            "passive_arrives": self.passive_arrives,
            "passive_time": None if np.isnat(self.passive_time) else self.passive_time,
            "passive_min_distance_km": self.passive_min_distance_km,
        }


def earliest_arrival(
    result: ReachResult, site_lat_deg: float, site_lon_deg: float, radius_km: float = 25.0
) -> Arrival:
    """Earliest time the balloon can be within ``radius_km`` of a site, the schedule that gets
    it there (member 0), the fraction of members that can, and whether passive drift would."""
    if not radius_km > 0:
        raise ValidationError(f"radius_km must be > 0; got {radius_km}")
    c = result.cloud
    n = result.n_members
    first_step = np.full(n, -1)
    first_idx = np.full(n, -1)
    for k in range(len(c.lat_deg)):
        if c.lat_deg[k].size == 0 or np.all(first_step >= 0):
            continue
        la = c.lat_deg[k].astype(np.float64)
        lo = c.lon_deg[k].astype(np.float64)
        _, _, d = geodesic_inverse(np.full(la.size, site_lat_deg), np.full(la.size, site_lon_deg), la, lo)
        hit = np.asarray(d) <= radius_km * 1000.0
        if not hit.any():
            continue
        for m in np.unique(c.member[k][hit]):
            if first_step[m] < 0:
                cand = np.flatnonzero(hit & (c.member[k] == m))
                best = cand[np.argmin(c.used_m[k][cand])]
                first_step[m], first_idx[m] = k, best
    member_times = np.array(
        [result.times[s] if s >= 0 else np.datetime64("NaT", "ns") for s in first_step],
        dtype="datetime64[ns]",
    )
    empty = np.zeros(0)
    if first_step[0] >= 0:
        _, lat, lon, alt = c.schedule(int(first_step[0]), int(first_idx[0]))
        sched_t = result.times[: first_step[0] + 1]
    else:
        sched_t, lat, lon, alt = np.zeros(0, "datetime64[ns]"), empty, empty, empty
    pla, plo = result.passive_lat_deg[0], result.passive_lon_deg[0]
    ok = np.isfinite(pla)
    _, _, pd = geodesic_inverse(
        np.full(ok.sum(), site_lat_deg), np.full(ok.sum(), site_lon_deg), pla[ok], plo[ok]
    )
    pd = np.asarray(pd) / 1000.0
    p_hit = np.flatnonzero(pd <= radius_km)
    passive_time = result.times[np.flatnonzero(ok)[p_hit[0]]] if p_hit.size else np.datetime64("NaT", "ns")
    return Arrival(
        site_lat_deg=float(site_lat_deg), site_lon_deg=float(site_lon_deg), radius_km=float(radius_km),
        reachable=bool(first_step[0] >= 0), time=member_times[0], schedule_times=sched_t, schedule_alt_m=alt,
        path_lat_deg=lat, path_lon_deg=lon, probability=float(np.mean(first_step >= 0)), member_times=member_times,
        passive_arrives=bool(p_hit.size), passive_time=passive_time,
        passive_min_distance_km=float(pd.min()) if pd.size else math.nan,
    )  # fmt: skip
