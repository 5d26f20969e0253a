"""Where can an altitude-controlled balloon go? Reachable regions and earliest arrival over a site.

A steerable balloon cannot push sideways; it chooses the wind by choosing its altitude. Given an
altitude band, maximum climb / descent rates and optionally a budget (number of maneuvers,
total altitude change — ballast and vent), :func:`reachable_region` finds every place the
balloon can be within ``hours`` of a fix, by a pruned grid search over altitude schedules
(:mod:`skywarden.flight.reach_grid`): the band is discretised into levels, a cloud of states is
advanced ``step_s`` at a time by the flight kernel, and states that share a member, level and
``resolution_km`` grid bin are merged keeping the one with the most budget left (dominance).

Wind uncertainty: with a wind field that has ensemble members, every member is searched; with
one member and ``wind_sigma_m_s > 0``, ``members − 1`` perturbed copies of the field are made
(member 0 is the field itself) by adding to each level an independent constant
``N(0, wind_sigma_m_s)`` offset to u and to v. Each grid bin then carries the fraction of
members that reach it: the probability-weighted region.

Time: single-time wind files (most GFS/ERA5 downloads used here) are held constant over the
whole horizon; a multi-time field is interpolated within its valid times and held at its first
/ last time outside them. Both assumptions are written into :attr:`ReachResult.assumptions`.

"Reachable within T" is the union of the bins occupied at any step up to T; it therefore grows
with T by construction. :func:`earliest_arrival` finds the first step at which some state is
within ``radius_km`` of a site, recovers that state's altitude schedule through the parent
pointers, and says whether passive drift at the start altitude (one schedule among the others,
integrated separately without pruning) would have come as close.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..geo import geodesic_inverse, wrap_lon_deg
from ..timeutil import isoformat, to_datetime64
from ..weather.winds import WindField
from .reach_arrival import Arrival, earliest_arrival
from .reach_grid import KM_PER_DEG, Cloud, bin_boxes, bin_index, propagate_cloud

__all__ = [
    "Arrival",
    "ReachResult",
    "SteeringLimits",
    "earliest_arrival",
    "perturbed_members",
    "reachable_region",
]


@dataclass(frozen=True)
class SteeringLimits:
    """What an altitude-controlled balloon can do.

    Attributes:
        alt_min_m, alt_max_m: altitude band, m (geometric, as the wind field's level heights).
        n_levels: number of equally spaced levels across the band (ignored when
            ``level_step_m`` is given).
        level_step_m: level spacing, m; levels are the multiples of it inside the band (so two
            bands share their common levels, which keeps nested bands' regions nested).
        max_climb_m_s, max_descent_m_s: largest vertical rates, m/s (> 0).
        max_maneuvers: largest number of maneuvers (a maneuver is a run of consecutive steps
            moving in one vertical direction); None = unlimited.
        max_total_change_m: ballast / vent budget as the total altitude change allowed, m;
            None = unlimited.
    """

    alt_min_m: float = 15_000.0
    alt_max_m: float = 21_000.0
    n_levels: int = 10
    level_step_m: float | None = None
    max_climb_m_s: float = 1.0
    max_descent_m_s: float = 1.0
    max_maneuvers: int | None = None
    max_total_change_m: float | None = None

    def __post_init__(self) -> None:
        if (
            not (math.isfinite(self.alt_min_m) and math.isfinite(self.alt_max_m))
            or self.alt_max_m < self.alt_min_m
        ):
            raise ValidationError(
                f"altitude band {self.alt_min_m}:{self.alt_max_m} m is not a band; expected MIN:MAX, e.g. 15000:21000"
            )
        if not (self.max_climb_m_s > 0 and self.max_descent_m_s > 0):
            raise ValidationError("max_climb_m_s and max_descent_m_s must be > 0 m/s")
        if self.n_levels < 1 or (self.level_step_m is not None and not self.level_step_m > 0):
            raise ValidationError("n_levels must be ≥ 1 and level_step_m > 0")
        if self.max_maneuvers is not None and not 0 <= self.max_maneuvers <= 60:
            raise ValidationError(f"max_maneuvers must be 0…60; got {self.max_maneuvers}")
        if self.max_total_change_m is not None and self.max_total_change_m < 0:
            raise ValidationError("max_total_change_m must be ≥ 0 m")

    def levels_m(self) -> np.ndarray:
        """The band's levels, m, increasing."""
        if self.level_step_m is not None:
            s = self.level_step_m
            lv = (
                np.arange(math.ceil(self.alt_min_m / s - 1e-9), math.floor(self.alt_max_m / s + 1e-9) + 1) * s
            )
            if lv.size == 0:
                raise ValidationError(f"no multiple of level_step_m={s} m inside the band")
            return lv.astype(np.float64)
        if self.n_levels == 1 or self.alt_max_m == self.alt_min_m:
            return np.array([0.5 * (self.alt_min_m + self.alt_max_m)])
        return np.linspace(self.alt_min_m, self.alt_max_m, self.n_levels)

    def describe(self) -> dict[str, Any]:
        return {
            "alt_band_m": [self.alt_min_m, self.alt_max_m],
            "levels_m": [float(x) for x in self.levels_m()],
            "max_climb_m_s": self.max_climb_m_s,
            "max_descent_m_s": self.max_descent_m_s,
            "max_maneuvers": self.max_maneuvers,
            "max_total_change_m": self.max_total_change_m,
        }


@dataclass(eq=False)
class ReachResult:
    """Result of :func:`reachable_region`.

    Attributes:
        cloud: every kept state, step by step (:class:`~skywarden.flight.reach_grid.Cloud`).
        times: time of each step, datetime64[ns] UTC, ``(n_steps + 1,)``.
        n_members: number of wind members searched.
        resolution_km: grid bin size, km.
        passive_lat_deg, passive_lon_deg: passive drift at the start altitude per member and
            step, ``(n_members, n_steps + 1)``, NaN after leaving the field.
        assumptions: settings, wind description, time-hold assumption.
    """

    cloud: Cloud
    times: np.ndarray
    n_members: int
    resolution_km: float
    passive_lat_deg: np.ndarray
    passive_lon_deg: np.ndarray
    limits: SteeringLimits
    start: dict[str, Any]
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def res_deg(self) -> float:
        return self.resolution_km / KM_PER_DEG

    def _step(self, time: Any) -> int:
        if time is None:
            return self.times.size - 1
        t = _t64(time)
        k = int(np.searchsorted(self.times, t, side="right")) - 1
        if k < 0:
            raise ValidationError(f"{isoformat(t)} is before the start {isoformat(self.times[0])}")
        return min(k, self.times.size - 1)

    def bins(self, time: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Bins reachable by ``time`` (default: the horizon) → ``(row, column, probability)``,
        the probability being the fraction of members that reach the bin."""
        k = self._step(time)
        c = self.cloud
        lat = np.concatenate(c.lat_deg[: k + 1]).astype(np.float64)
        lon = np.concatenate(c.lon_deg[: k + 1]).astype(np.float64)
        mem = np.concatenate(c.member[: k + 1]).astype(np.int64)
        iy, ix = bin_index(lat, lon, self.res_deg)
        # one int64 key per (row, column, member): 1-D uniques sort an order of magnitude faster
        # than row-wise np.unique(axis=0), with the same (row, column) order
        n_cols = math.ceil(360.0 / self.res_deg) + 1
        n_mem = int(mem.max()) + 1 if mem.size else 1
        cell = iy * n_cols + ix
        visits = np.unique(cell * n_mem + mem)
        cells, counts = np.unique(visits // n_mem, return_counts=True)
        return cells // n_cols, cells % n_cols, counts / self.n_members

    def area_km2(self, time: Any = None, min_probability: float = 0.0) -> float:
        """Area of the region reachable by ``time`` with probability above ``min_probability``,
        km² (bins are about ``resolution_km`` square)."""
        iy, ix, p = self.bins(time)
        boxes = bin_boxes(iy[p > min_probability], ix[p > min_probability], self.res_deg)
        lat_c = np.radians(0.5 * (boxes[:, 1] + boxes[:, 3]))
        return float(
            np.sum((boxes[:, 2] - boxes[:, 0]) * np.cos(lat_c) * (boxes[:, 3] - boxes[:, 1])) * KM_PER_DEG**2
        )

    def polygons(self, time: Any = None, min_probability: float = 0.0) -> Any:
        """The region as a shapely (Multi)Polygon in (lon_deg, lat_deg), bins whose probability
        exceeds ``min_probability`` merged."""
        import shapely

        iy, ix, p = self.bins(time)
        sel = p > min_probability
        iy, ix = iy[sel], ix[sel]
        if iy.size == 0:
            return shapely.geometry.Polygon()
        # merge runs of adjacent columns in a row first (far fewer boxes to union)
        order = np.lexsort((ix, iy))
        iy, ix = iy[order], ix[order]
        brk = np.concatenate([[True], (iy[1:] != iy[:-1]) | (ix[1:] != ix[:-1] + 1)])
        start = np.flatnonzero(brk)
        stop = np.concatenate([start[1:], [iy.size]]) - 1
        b0 = bin_boxes(iy[start], ix[start], self.res_deg)
        b1 = bin_boxes(iy[stop], ix[stop], self.res_deg)
        boxes = shapely.box(b0[:, 0], b0[:, 1], b1[:, 2], b0[:, 3])
        return shapely.union_all(boxes, grid_size=1e-9)

    def distance_to_region_km(self, lat_deg: Any, lon_deg: Any, time: Any = None) -> np.ndarray:
        """Distance (km) from points to the nearest state reachable by ``time`` in any member
        (0 when a point's own bin is reachable)."""
        k = self._step(time)
        la = np.atleast_1d(np.asarray(lat_deg, np.float64))
        lo = np.atleast_1d(np.asarray(lon_deg, np.float64))
        lat = np.concatenate(self.cloud.lat_deg[: k + 1]).astype(np.float64)
        lon = np.concatenate(self.cloud.lon_deg[: k + 1]).astype(np.float64)
        iy, ix, _ = self.bins(time)
        occupied = set(zip(iy.tolist(), ix.tolist(), strict=True))
        py, px = bin_index(la, lo, self.res_deg)
        out = np.empty(la.size)
        for i in range(la.size):
            if (int(py[i]), int(px[i])) in occupied:
                out[i] = 0.0
                continue
            _, _, d = geodesic_inverse(np.full(lat.size, la[i]), np.full(lat.size, lo[i]), lat, lon)
            out[i] = float(np.min(d)) / 1000.0
        return out

    # ------------------------------------------------------------------ exports
    def _snapshots(self, every_hours: float | None) -> list[np.datetime64]:
        """Snapshot times: every ``every_hours`` after the start, then the last step's time."""
        end = self.times[-1]
        if not every_hours:
            return [end]
        every = np.timedelta64(round(every_hours * 3600e9), "ns")
        out = []
        t = self.times[0] + every
        while t < end:
            out.append(t)
            t = t + every
        return [*out, end]

    def to_geojson(
        self, *, every_hours: float | None = 6.0, probabilities: Sequence[float] = (0.0, 0.5, 0.9)
    ) -> dict[str, Any]:
        """A FeatureCollection: for each snapshot time (every ``every_hours`` and the horizon)
        and each probability threshold present, the region reachable by that time."""
        from ..export import geojson

        feats = []
        thresholds = [0.0] if self.n_members == 1 else list(probabilities)
        for when in self._snapshots(every_hours):
            for pmin in thresholds:
                geom = self.polygons(when, pmin)
                if geom.is_empty:
                    continue
                props = {
                    "kind": "reachable_region",
                    "time": when,
                    "start": self.times[0],
                    "hours": float((when - self.times[0]) / np.timedelta64(1, "s")) / 3600.0,
                    "min_probability": pmin,
                    "area_km2": self.area_km2(when, pmin),
                }
                feats.append(geojson.feature(_geometry(geom), props))
        feats.append(
            geojson.feature(
                geojson.point(self.start["lon_deg"], self.start["lat_deg"], self.start["alt_m"]),
                {"kind": "start", "time": self.times[0]},
            )
        )
        return geojson.feature_collection(feats, assumptions=self.assumptions)

    def to_czml(self, *, every_hours: float | None = 6.0) -> list[dict[str, Any]]:
        """CZML: the region reachable by each snapshot time, shown from that time until the next."""
        from ..export import czml

        steps = self._snapshots(every_hours)
        packets = [czml.document("skywarden reachable region", self.times[0], self.times[-1])]
        for n, when in enumerate(steps):
            geom = self.polygons(when, 0.0)
            end = steps[n + 1] if n + 1 < len(steps) else self.times[-1] + np.timedelta64(1, "s")
            parts = list(getattr(geom, "geoms", [geom]))
            for j, poly in enumerate(parts):
                if poly.is_empty:
                    continue
                packets.append(
                    czml.polygon_packet(
                        f"reach-{n}-{j}",
                        f"reachable by {isoformat(when)}",
                        list(poly.exterior.coords),
                        floor_m=self.limits.alt_min_m,
                        ceiling_m=self.limits.alt_max_m,
                        availability=(when, end),
                    )
                )
        return packets

    def summary(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end_time": self.times[-1],
            "hours": self.assumptions.get("hours"),
            "last_step_hours": float((self.times[-1] - self.times[0]) / np.timedelta64(1, "s")) / 3600.0,
            "members": self.n_members,
            "area_km2": self.area_km2(),
            "states_kept": self.cloud.n_states,
            "states_left_field": self.cloud.left_domain,
            "limits": self.limits.describe(),
        }


def _t64(time: Any) -> np.datetime64:
    """One time → a ``datetime64[ns]`` scalar (UTC)."""
    return np.datetime64(np.asarray(to_datetime64(time), dtype="datetime64[ns]").reshape(()).item(), "ns")


def _geometry(geom: Any) -> dict[str, Any]:
    from ..export import geojson

    polys = [g for g in getattr(geom, "geoms", [geom]) if not g.is_empty]
    rings = [
        geojson.polygon([list(p.exterior.coords), *[list(h.coords) for h in p.interiors]]) for p in polys
    ]
    if len(rings) == 1:
        return rings[0]
    return {"type": "MultiPolygon", "coordinates": [r["coordinates"] for r in rings]}


def perturbed_members(winds: WindField, members: int, wind_sigma_m_s: float, seed: int = 0) -> WindField:
    """A copy of a one-member field with ``members`` members: member 0 unchanged, the others
    with an independent ``N(0, wind_sigma_m_s)`` constant offset per level on u and on v."""
    if winds.n_members != 1:
        raise ValidationError("perturbed_members needs a one-member field")
    if members < 1 or wind_sigma_m_s < 0:
        raise ValidationError("members must be ≥ 1 and wind_sigma_m_s ≥ 0")
    rng = np.random.default_rng(seed)
    nl = winds.u_m_s.shape[2]
    du = rng.normal(0.0, wind_sigma_m_s, (members, 1, nl, 1, 1)).astype(np.float32)
    dv = rng.normal(0.0, wind_sigma_m_s, (members, 1, nl, 1, 1)).astype(np.float32)
    du[0] = 0.0
    dv[0] = 0.0
    return WindField(
        times=winds.times, pressure_pa=winds.pressure_pa, lat_deg=winds.lat_deg, lon_deg=winds.lon_deg,
        u_m_s=np.ascontiguousarray(winds.u_m_s + du), v_m_s=np.ascontiguousarray(winds.v_m_s + dv),
        alt_m=winds.alt_m, heights_source=winds.heights_source, sources=winds.sources,
        max_time_gap_s=winds.max_time_gap_s, model=winds.model,
    )  # fmt: skip


def _passive(winds: WindField, t0_s: float, span: tuple[float, float], lat: float, lon: float, alt: float,
             step_s: float, n_steps: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Passive drift at the start altitude for every member, one sample per step."""
    from .reach_grid import integrate_step

    n = winds.n_members
    la = np.full((n, n_steps + 1), np.nan)
    lo = np.full((n, n_steps + 1), np.nan)
    la[:, 0], lo[:, 0] = lat, lon
    cur_la, cur_lo = la[:, 0].copy(), lo[:, 0].copy()
    alive = np.ones(n, bool)
    mem = np.arange(n)
    a = np.full(n, alt)
    fa = winds.kernel_args()
    for k in range(n_steps):
        t = min(max(t0_s + k * step_s, span[0]), max(span[1] - step_s, span[0]))
        nla, nlo, ok = integrate_step(
            fa, mem[alive], t, cur_la[alive], cur_lo[alive], a[alive], a[alive], step_s
        )
        idx = np.flatnonzero(alive)
        cur_la[idx], cur_lo[idx] = nla, nlo
        alive[idx[~ok]] = False
        la[alive, k + 1] = cur_la[alive]
        lo[alive, k + 1] = np.asarray(wrap_lon_deg(cur_lo[alive]))
        if not alive.any():
            break
    return la, lo


def auto_step_s(levels_m: np.ndarray, limits: SteeringLimits) -> float:
    """Decision step that makes a full-rate move span one level: level spacing / the larger
    vertical rate, rounded up to whole seconds, kept within 60–1800 s (900 s for one level)."""
    if levels_m.size < 2:
        return 900.0
    spacing = float(np.min(np.diff(levels_m)))
    step = math.ceil(spacing / max(limits.max_climb_m_s, limits.max_descent_m_s) - 1e-6)
    return float(min(max(step, 60), 1800))


def reachable_region(
    winds: WindField,
    *,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    time: Any,
    hours: float,
    limits: SteeringLimits | None = None,
    step_s: float | None = None,
    resolution_km: float = 50.0,
    members: int = 1,
    wind_sigma_m_s: float = 0.0,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ReachResult:
    """Places an altitude-controlled balloon can reach within ``hours`` of a fix.

    ``(lat_deg, lon_deg, alt_m)`` at ``time`` (UTC) is the fix; ``limits`` the band, rates and
    budget (:class:`SteeringLimits`); ``step_s`` the decision step (default
    :func:`auto_step_s`: a full-rate move then spans exactly one level, and no state ends
    between levels), ``resolution_km`` the pruning grid. With a one-member field, ``members > 1`` and
    ``wind_sigma_m_s > 0`` give a probability-weighted region (module docstring).
    ``progress(done, total)`` counts steps.
    """
    lim = limits or SteeringLimits()
    levels = lim.levels_m()
    if step_s is None:
        step_s = auto_step_s(levels, lim)
    if not hours > 0 or not step_s > 0 or not resolution_km > 0:
        raise ValidationError(
            f"hours, step_s and resolution_km must be > 0; got {hours}, {step_s}, {resolution_km}"
        )
    if not 1 <= members <= 1000:
        raise ValidationError(f"members must be 1…1000; got {members}")
    if not -90.0 <= lat_deg <= 90.0:
        raise ValidationError(f"latitude {lat_deg} out of range −90…90")
    field_ = winds
    source = "wind-file members" if winds.n_members > 1 else "deterministic"
    if winds.n_members == 1 and members > 1 and wind_sigma_m_s > 0:
        field_ = perturbed_members(winds, members, wind_sigma_m_s, seed)
        source = f"{members} members: per-level constant N(0, {wind_sigma_m_s} m/s) offsets on u and v"
    t0 = _t64(time)
    t0_s = float(field_.seconds_since_t0(t0))
    tt = field_._grid["t_s"]
    span = (float(tt[0]), float(tt[-1]))
    n_steps = max(1, math.ceil(hours * 3600.0 / step_s - 1e-9))
    cloud = propagate_cloud(
        field_.kernel_args(), n_members=field_.n_members, t0_s=t0_s, time_span_s=span, lat_deg=float(lat_deg),
        lon_deg=float(wrap_lon_deg(lon_deg)), alt_m=float(alt_m), levels_m=levels, max_climb_m_s=lim.max_climb_m_s,
        max_descent_m_s=lim.max_descent_m_s, max_maneuvers=lim.max_maneuvers,
        max_total_change_m=lim.max_total_change_m, step_s=float(step_s), n_steps=n_steps,
        resolution_km=float(resolution_km), steady=field_.times.size == 1, progress=progress,
    )  # fmt: skip
    pla, plo = _passive(
        field_, t0_s, span, float(lat_deg), float(lon_deg), float(alt_m), float(step_s), n_steps
    )
    times = t0 + np.round(np.arange(n_steps + 1) * step_s * 1e9).astype("timedelta64[ns]")
    held = (
        "the single valid time is held constant over the whole horizon (steady wind)"
        if field_.times.size == 1
        else "linear between valid times; held at the first/last valid time outside them"
    )
    assumptions = {
        "kind": "reachable region (altitude-controlled balloon)",
        "start": {"lat_deg": lat_deg, "lon_deg": lon_deg, "alt_m": alt_m, "time_utc": isoformat(t0)},
        "hours": hours,
        "limits": lim.describe(),
        "method": (
            f"grid search over altitude schedules: decision step {step_s:g} s, states merged per member, "
            f"level and {resolution_km:g} km bin keeping the most budget left (dominance pruning); "
            "horizontal motion by the RK4 flight kernel with a constant vertical rate within each step"
        ),
        "region": "union of the bins occupied at any step up to the time (reachable *within* T)",
        "wind_time": held,
        "winds": winds.describe(),
        "ensemble": {"members": field_.n_members, "source": source, "seed": seed},
        "states_left_field": cloud.left_domain,
    }
    return ReachResult(
        cloud=cloud, times=times, n_members=field_.n_members, resolution_km=float(resolution_km),
        passive_lat_deg=pla, passive_lon_deg=plo, limits=lim,
        start={"lat_deg": float(lat_deg), "lon_deg": float(lon_deg), "alt_m": float(alt_m), "time": t0},
        assumptions=assumptions,
    )  # fmt: skip
