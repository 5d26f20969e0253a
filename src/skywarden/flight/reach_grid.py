"""The reachability search: a cloud of balloon states pushed through the wind, pruned on a grid.

State of one candidate balloon: ``(member, lat_deg, lon_deg, alt_m, level, maneuvers used,
last vertical direction, altitude change used in m)``. Every ``step_s`` each state may stay at
its level or move to any level whose altitude lies within ``max_climb_m_s·step_s`` above or
``max_descent_m_s·step_s`` below; the horizontal motion over the step is integrated by the
flight kernel (:func:`skywarden.flight._kernel.integrate`, RK4 on WGS84, one ``RATE`` stage per
state: a constant vertical rate from the old to the new altitude, so the wind of every altitude
crossed during the step is used).

Pruning by dominance: positions are binned on a near-equal-area grid (rows of
``resolution_km`` in latitude, each row cut into ``floor(360°·cos φ / Δφ)`` columns). Two states
of one member at one level in one bin are the same place; the one that used less of the
altitude budget dominates and is the only one kept (with a maneuver-count limit, the count and
the last direction are part of the bin key, so a state with fewer maneuvers left is never
pruned in favour of one with more). The representative keeps its exact (unsnapped) position,
so binning adds no drift; the price is that two schedules closer than one bin are merged.

Ties (equal budget) go to the state that has held its altitude longest, then to the one nearest
the bin centre; an arbitrary choice lets a schedule's representative creep backwards bin after
bin (the states that reached a level later lag behind), which was measured: a passive float at
16 km was lost by 90 km after 12 h on the real GFS field with 25 km bins, and kept within
0.1 km with this rule.

Steady wind (a single valid time): a state at a level and place where a state of the same
member already was, with no less budget used, is dropped for good — from the same place the
earlier one can do everything the later one can, only sooner. The "place" here is a bin of a
grid ``VISITED_REFINE`` (4) times finer than the pruning grid, kept in a compiled hash table
(:mod:`skywarden.flight._visited`); on the pruning grid itself this loses too much (a dropped state may
be a bin away from the earlier visitor, and the losses add up: half the region at 72 h).

The cloud is therefore bounded by ``members × levels × bins of the reachable area``, not by
the ``levels^steps`` schedules. Each step's states are kept (float32 positions, int32 parent
index) so that any state's altitude schedule can be recovered by following parents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from ..geo import wrap_lon_deg
from . import _kernel
from ._visited import VisitedTable
from .predict import KERNEL_DENSITY_TABLE

__all__ = ["KM_PER_DEG", "Cloud", "bin_boxes", "bin_index", "integrate_step", "propagate_cloud"]

KM_PER_DEG = 111.195  # km per degree of latitude on the 6371 km mean sphere (binning only)
_TAB0, _TABSTEP, _TAB = KERNEL_DENSITY_TABLE
_POLICY_STOP = 0  # the kernel's "stop" domain policy: a state leaving the field ends
VISITED_REFINE = 4  # the visited-bin grid is this many times finer than the pruning grid
VISITED_PRUNING = True  # switch for the ablation in bench/bench_reach.py and the tests


@dataclass
class Cloud:
    """All states of one run, step by step (``k = 0 … n_steps``).

    Attributes:
        lat_deg, lon_deg, alt_m: per step, float32 arrays of the kept states.
        member, level: per step, int16 arrays (``level`` −1 = off the level grid: the
            start altitude, or a climb/descent towards the band).
        parent: per step, int32 index into the previous step's arrays (−1 at step 0).
        used_m: per step, float32 altitude change used so far, m.
        maneuvers: per step, int16 maneuvers used so far.
        t_s: seconds since the wind field's first time at each step.
        left_domain: number of candidate states dropped because they left the wind field.
    """

    lat_deg: list[np.ndarray]
    lon_deg: list[np.ndarray]
    alt_m: list[np.ndarray]
    member: list[np.ndarray]
    level: list[np.ndarray]
    parent: list[np.ndarray]
    used_m: list[np.ndarray]
    maneuvers: list[np.ndarray]
    t_s: np.ndarray
    left_domain: int = 0

    @property
    def n_states(self) -> int:
        return int(sum(a.size for a in self.lat_deg))

    def schedule(self, step: int, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Follow parents back from state ``index`` at ``step`` → ``(t_s, lat, lon, alt)`` arrays
        from step 0 to ``step``."""
        idx = np.empty(step + 1, dtype=np.int64)
        i = index
        for k in range(step, -1, -1):
            idx[k] = i
            i = int(self.parent[k][i])
        lat = np.array([self.lat_deg[k][idx[k]] for k in range(step + 1)], dtype=np.float64)
        lon = np.array([self.lon_deg[k][idx[k]] for k in range(step + 1)], dtype=np.float64)
        alt = np.array([self.alt_m[k][idx[k]] for k in range(step + 1)], dtype=np.float64)
        return self.t_s[: step + 1].copy(), lat, lon, alt


def bin_index(lat_deg: np.ndarray, lon_deg: np.ndarray, res_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid bin ``(row, column)`` of positions; rows are ``res_deg`` of latitude, columns
    about ``res_deg`` of great-circle length (fewer columns towards the poles)."""
    n_rows = math.ceil(180.0 / res_deg)
    iy = np.clip(np.floor((np.asarray(lat_deg, np.float64) + 90.0) / res_deg), 0, n_rows - 1).astype(np.int64)
    lat_c = -90.0 + (iy + 0.5) * res_deg
    n_cols = np.maximum(1, np.floor(360.0 * np.cos(np.radians(lat_c)) / res_deg)).astype(np.int64)
    x = np.mod(np.asarray(lon_deg, np.float64) + 180.0, 360.0) / 360.0
    ix = np.minimum(np.floor(x * n_cols).astype(np.int64), n_cols - 1)
    return iy, ix


def bin_boxes(iy: np.ndarray, ix: np.ndarray, res_deg: float) -> np.ndarray:
    """``(n, 4)`` boxes ``(lon_min, lat_min, lon_max, lat_max)`` in degrees of bins."""
    lat0 = -90.0 + iy * res_deg
    lat_c = lat0 + 0.5 * res_deg
    n_cols = np.maximum(1, np.floor(360.0 * np.cos(np.radians(lat_c)) / res_deg))
    width = 360.0 / n_cols
    lon0 = -180.0 + ix * width
    return np.stack([lon0, lat0, lon0 + width, np.minimum(lat0 + res_deg, 90.0)], axis=1)


def integrate_step(
    fa: tuple[object, ...], member: np.ndarray, t_s: float, lat: np.ndarray, lon: np.ndarray,
    alt0: np.ndarray, alt1: np.ndarray, step_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """One step of the flight kernel for every candidate: altitude linear from ``alt0`` to
    ``alt1``. Returns end ``(lat, lon, ok)``; ``ok`` False where the state left the field."""
    n = lat.size
    par = np.zeros((n, 1, 8))
    par[:, 0, 0] = (alt1 - alt0) / step_s
    par[:, 0, 1] = alt1
    rec = np.empty((n, 2, 3))
    status = np.zeros(n, dtype=np.int64)
    events = np.full((n, 1, 4), np.nan)
    final = np.full((n, 4), np.nan)
    threads = numba.get_num_threads()
    if n < 64:
        numba.set_num_threads(1)
    try:
        _kernel.integrate(
            fa, np.ascontiguousarray(member, dtype=np.int64), float(t_s),
            np.ascontiguousarray(lat, dtype=np.float64), np.ascontiguousarray(lon, dtype=np.float64),
            np.ascontiguousarray(alt0, dtype=np.float64), np.array([_kernel.RATE], dtype=np.int64), par,
            float(step_s), 1, 1, _POLICY_STOP, True, 0.0, 1.0, 0, 0, _TAB, _TAB0, _TABSTEP,
            rec, status, events, final,
        )  # fmt: skip
    finally:
        numba.set_num_threads(threads)
    ok = status != _kernel.DOMAIN
    return final[:, 1], final[:, 2], ok


def propagate_cloud(
    field_args: tuple[object, ...],
    *,
    n_members: int,
    t0_s: float,
    time_span_s: tuple[float, float],
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    levels_m: np.ndarray,
    max_climb_m_s: float,
    max_descent_m_s: float,
    max_maneuvers: int | None,
    max_total_change_m: float | None,
    step_s: float,
    n_steps: int,
    resolution_km: float,
    steady: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Cloud:
    """Run the search (see the module docstring). ``time_span_s`` is the wind field's valid
    time span (s since its first time): steps beyond it use the field held at its end.
    ``steady``: the wind does not change with time (a single valid time), which allows the
    visited-bin pruning."""
    res_deg = resolution_km / KM_PER_DEG
    up = max_climb_m_s * step_s
    down = max_descent_m_s * step_s
    band_lo, band_hi = float(levels_m[0]), float(levels_m[-1])
    nl = levels_m.size
    tol = 1e-6
    members = np.arange(n_members, dtype=np.int16)
    cl = Cloud(
        lat_deg=[np.full(n_members, lat_deg, np.float32)], lon_deg=[np.full(n_members, lon_deg, np.float32)],
        alt_m=[np.full(n_members, alt_m, np.float32)], member=[members.copy()],
        level=[np.full(n_members, -1, np.int16)], parent=[np.full(n_members, -1, np.int32)],
        used_m=[np.zeros(n_members, np.float32)], maneuvers=[np.zeros(n_members, np.int16)],
        t_s=t0_s + step_s * np.arange(n_steps + 1),
    )  # fmt: skip
    # exact (float64) positions of the current states; the history keeps float32 copies
    lat = np.full(n_members, lat_deg)
    lon = np.full(n_members, lon_deg)
    alt = np.full(n_members, alt_m)
    last_dir = np.zeros(n_members, np.int8)
    age = np.zeros(n_members, np.int64)  # steps since the last altitude change
    # visited-bin pruning (steady wind only): the least budget ever used to be at a level in a
    # bin of a grid VISITED_REFINE times finer than the pruning grid (on the pruning grid itself
    # it merges too much: a dropped state can be a bin away from the one that visited before)
    n_md = 1 if max_maneuvers is None else (max_maneuvers + 1) * 3
    v_res = res_deg / VISITED_REFINE
    n_rows = math.ceil(180.0 / v_res)
    n_cols = math.floor(360.0 / v_res) + 1
    key_space = n_members * nl * n_rows * n_cols * n_md
    visited = VisitedTable() if steady and VISITED_PRUNING and key_space < 2**62 else None
    if progress is not None:
        progress(0, n_steps)
    for k in range(n_steps):
        mem, lev, par_idx = cl.member[k], cl.level[k], np.arange(lat.size)
        used, nman = cl.used_m[k].astype(np.float64), cl.maneuvers[k]
        # candidate targets of every state: stay; any level within reach above or below; and a
        # full-rate climb or descent ending between levels (an off-grid "transit" altitude,
        # from which the next step continues, reverses or stops on a level)
        all_idx = np.arange(alt.size)
        # staying is allowed on a level, or at the start altitude before any move (passive)
        stay = all_idx[(lev >= 0) | (used == 0.0)]
        c_src, c_alt1, c_lev = [stay], [alt[stay]], [lev[stay]]
        for j in range(nl):
            dz = levels_m[j] - alt
            ok = (dz <= up + tol) & (dz >= -down - tol) & (np.abs(dz) > tol)
            c_src.append(all_idx[ok])
            c_alt1.append(np.full(int(ok.sum()), levels_m[j]))
            c_lev.append(np.full(int(ok.sum()), j, np.int16))
        # full-rate moves that end between levels (inside the band, or towards it from outside)
        # (not when a level lies within 1 % of the step's full-rate move: that level is the move)
        near_up = np.any(np.abs(levels_m[None, :] - (alt + up)[:, None]) <= 0.01 * up + tol, axis=1)
        near_down = np.any(np.abs(levels_m[None, :] - (alt - down)[:, None]) <= 0.01 * down + tol, axis=1)
        t_up = all_idx[(alt + up < band_hi - tol) & ~near_up]
        t_down = all_idx[(alt - down > band_lo + tol) & ~near_down]
        c_src += [t_up, t_down]
        c_alt1 += [alt[t_up] + up, alt[t_down] - down]
        c_lev += [np.full(t_up.size, -1, np.int16), np.full(t_down.size, -1, np.int16)]
        src = np.concatenate(c_src)
        alt1 = np.concatenate(c_alt1)
        lev1 = np.concatenate(c_lev)
        dz = alt1 - alt[src]
        direction = np.sign(np.round(dz, 3)).astype(np.int8)
        new_used = used[src] + np.abs(dz)
        new_man = nman[src] + ((direction != 0) & (direction != last_dir[src])).astype(np.int16)
        keep = np.ones(src.size, bool)
        if max_total_change_m is not None:
            keep &= new_used <= max_total_change_m + tol
        if max_maneuvers is not None:
            keep &= new_man <= max_maneuvers
        src, alt1, lev1, direction = src[keep], alt1[keep], lev1[keep], direction[keep]
        new_used, new_man = new_used[keep], new_man[keep]
        # the field is held at its last (or first) valid time outside its time span
        t_lo, t_hi = time_span_s
        t_step = min(max(float(cl.t_s[k]), t_lo), max(t_hi - step_s, t_lo))
        nlat, nlon, ok = integrate_step(
            field_args, mem[src], t_step, lat[src], lon[src], alt[src], alt1, step_s
        )
        cl.left_domain += int(np.count_nonzero(~ok))
        src, alt1, lev1, direction = src[ok], alt1[ok], lev1[ok], direction[ok]
        new_used, new_man, nlat, nlon = new_used[ok], new_man[ok], nlat[ok], wrap_lon_deg(nlon[ok])
        cmem = mem[src].astype(np.int64)
        # dominance pruning: one state per (member, level, bin[, maneuvers, last direction])
        iy, ix = bin_index(nlat, nlon, res_deg)
        # off-grid states are told apart by their altitude (to the metre)
        lev_code = np.where(lev1 >= 0, lev1.astype(np.int64), nl + np.round(alt1).astype(np.int64))
        cols = [iy, ix, lev_code, cmem]
        if max_maneuvers is not None:
            cols += [new_man.astype(np.int64), direction.astype(np.int64)]
        # ties (equal budget) go to the state that has held its altitude longest, then to the
        # one nearest the bin centre: an arbitrary choice lets a schedule's representative
        # creep backwards bin after bin (states that arrived later at a level lag behind)
        box = bin_boxes(iy, ix, res_deg)
        off_c = np.hypot(
            (np.asarray(nlon) - 0.5 * (box[:, 0] + box[:, 2])) / (box[:, 2] - box[:, 0]),
            (nlat - 0.5 * (box[:, 1] + box[:, 3])) / res_deg,
        )
        new_age = np.where(direction == 0, age[src] + 1, 0)
        order = np.lexsort((off_c, -new_age, new_man, new_used, *cols))
        first = np.ones(order.size, bool)
        if order.size:
            same = np.ones(order.size - 1, bool)
            for c in cols:
                cs = c[order]
                same &= cs[1:] == cs[:-1]
            first[1:] = ~same
        sel = order[first]
        if visited is not None:
            # in a steady wind, a state at a level and bin where a state of the same member
            # already was, with no more budget used, can do nothing that one could not do
            # earlier: it is dominated (on-grid levels only; off-grid states are few)
            on = lev1[sel] >= 0
            s_on = sel[on]
            viy, vix = bin_index(nlat[s_on], np.asarray(nlon)[s_on], v_res)
            vkey = ((cmem[s_on] * nl + lev1[s_on]) * n_rows + viy) * n_cols + vix
            if max_maneuvers is not None:
                vkey = (
                    vkey * n_md + new_man[s_on].astype(np.int64) * 3 + (direction[s_on].astype(np.int64) + 1)
                )
            fresh = visited.update(vkey, new_used[s_on])
            sel = np.concatenate([s_on[fresh], sel[~on]])
        lat, lon, alt = nlat[sel], np.asarray(nlon)[sel], alt1[sel]
        last_dir = direction[sel]
        age = new_age[sel]
        cl.lat_deg.append(lat.astype(np.float32))
        cl.lon_deg.append(lon.astype(np.float32))
        cl.alt_m.append(alt.astype(np.float32))
        cl.member.append(mem[src][sel].astype(np.int16))
        cl.level.append(lev1[sel])
        cl.parent.append(par_idx[src][sel].astype(np.int32))
        cl.used_m.append(new_used[sel].astype(np.float32))
        cl.maneuvers.append(new_man[sel].astype(np.int16))
        if progress is not None:
            progress(k + 1, n_steps)
        if lat.size == 0:
            for _ in range(k + 1, n_steps):
                for name in ("lat_deg", "lon_deg", "alt_m", "used_m"):
                    getattr(cl, name).append(np.zeros(0, np.float32))
                for name in ("member", "level", "maneuvers"):
                    getattr(cl, name).append(np.zeros(0, np.int16))
                cl.parent.append(np.zeros(0, np.int32))
            break
    return cl
