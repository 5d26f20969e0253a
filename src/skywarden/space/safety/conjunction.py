"""Conjunction screening: every close approach within a distance threshold over a time window.

Pipeline (all-vs-all, or targets-vs-all):

1. **Grid.** The catalog is propagated with :func:`skywarden.space.orbit.propagate.propagate` (TEME,
   with velocities) on a grid ``step_s`` apart covering the half-open window ``[start, end)``,
   in time chunks sized to a memory budget (the 26k × 1440 × 3 positions plus velocities are
   never held at once; consecutive chunks share their boundary step so no interval is lost).
2. **Candidates.** For every grid interval, pairs whose separation *could* fall below the
   threshold somewhere inside the interval are found by astroz's compiled
   ``screen_candidates`` (PyPI ``astroz``): a spatial-hash sweep over the sampled states that
   pads the threshold with a bound on the motion between samples (|v|·Δt plus the curvature
   term), so an encounter between samples is not missed. This stage is astroz's code run on
   OUR propagated arrays.
3. **TCA refinement (ours).** In each candidate interval ``[a, b]`` the time of closest
   approach is the root of ``f(t) = d/dt ½|r_rel|² = r_rel·v_rel``, bracketed when
   ``f(a) < 0 < f(b)``. A safeguarded Newton iteration (``f' = |v_rel|² + r_rel·a_rel`` with
   two-body accelerations; bisection whenever a step leaves the bracket) runs on exact
   python-sgp4 states (``Satrec.sgp4_array``, grouped per object), to |Δt| < 1 ms.
   Intervals without a sign change hold no interior minimum (the minimum lies in a
   neighbouring interval, which is also a candidate) and are dropped.
4. **Events.** Roots inside ``[start, end)`` with miss distance ≤ threshold become
   :class:`Conjunction` records: both objects, TCA, miss distance, relative speed, the miss
   vector (secondary − primary) in the primary's RTN frame, both TEME states, and a Pc from the
   default TLE covariance model (``covariance_source="default-tle-model"``, see
   :mod:`skywarden.space.safety.covariance`) with the combined hard-body radius ``hbr_m``.

One object SGP4 cannot propagate never stops the screen: the grid steps where it fails are left
out (its state there is parked far away so it cannot be a candidate; an object that decays at
hour 20 is still screened before that) and one :class:`~skywarden.errors.DataQualityWarning`
gives the count of affected objects.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ...constants import WGS72_MU_KM3_S2
from ...errors import DataQualityWarning, InputError, NotFoundError
from ...timeutil import datetime64_to_jd, parse_duration, parse_time
from ..catalog.elements import Elements
from ..orbit.backends.base import exact_satrecs
from .covariance import (
    DEFAULT_TLE_COVARIANCE_SOURCE,
    default_tle_covariance,
    rtn_matrix,
    rtn_to_inertial,
    tle_sigma_class_for,
)

__all__ = [
    "DEFAULT_SCREEN_HBR_M",
    "Conjunction",
    "colocated_groups",
    "refine_tca",
    "screen",
    "screen_chunk_steps",
    "screen_part",
]

log = logging.getLogger(__name__)

DEFAULT_SCREEN_HBR_M = 20.0
"""Combined hard-body radius for the screening Pc, m (same default as CDM recomputation)."""

_MU_KM3_S2 = WGS72_MU_KM3_S2  # the GM SGP4 uses, km³/s²
_STATE_BUDGET_BYTES = 192 * 1024 * 1024
_NEWTON_STEPS = 30
_TCA_TOL_S = 1e-3
_FAR_AWAY_KM = 1e8
_HERMITE_MARGIN_KM = 1.0  # far above the interpolation error (mm)


def screen_chunk_steps(n_objects: int) -> int:
    """Grid times the screen propagates as one batch for ``n_objects`` objects: as many as fit
    the state budget (192 MiB at 96 bytes per object and time), clipped to [2, 720]. A Dask job
    that slices the grid on these edges gets bit-identical states to the in-process screen."""
    return int(np.clip(_STATE_BUDGET_BYTES // max(n_objects * 96, 1), 2, 720))


@dataclass(frozen=True, eq=False)
class Conjunction:
    """One close approach. Distances in m, speeds in m/s, states TEME (m, m/s), TCA aware UTC.

    ``miss_rtn_m`` is the secondary's position minus the primary's in the primary's RTN frame
    (R = r/|r|, N = r×v/|r×v|, T = N×R); ``relative_velocity_rtn_m_s`` likewise. ``pc`` uses the
    default TLE covariance model (``covariance_source``) and the combined radius ``hbr_m``.
    """

    tca: datetime
    primary: int
    secondary: int
    primary_name: str
    secondary_name: str
    miss_distance_m: float
    relative_speed_m_s: float
    miss_rtn_m: tuple[float, float, float]
    relative_velocity_rtn_m_s: tuple[float, float, float]
    r1_m: np.ndarray = field(repr=False)
    v1_m_s: np.ndarray = field(repr=False)
    r2_m: np.ndarray = field(repr=False)
    v2_m_s: np.ndarray = field(repr=False)
    pc: float = math.nan
    hbr_m: float = DEFAULT_SCREEN_HBR_M
    covariance_source: str = DEFAULT_TLE_COVARIANCE_SOURCE
    cov1_rtn_m2: np.ndarray | None = field(default=None, repr=False)
    """Primary's 3×3 RTN position covariance used for ``pc`` (default TLE model), m²."""
    cov2_rtn_m2: np.ndarray | None = field(default=None, repr=False)
    """Secondary's 3×3 RTN position covariance used for ``pc``, m²."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the contract of ``skywarden conjunctions --json``)."""
        return {
            "tca": self.tca,
            "primary": self.primary,
            "secondary": self.secondary,
            "primary_name": self.primary_name,
            "secondary_name": self.secondary_name,
            "miss_distance_m": self.miss_distance_m,
            "relative_speed_m_s": self.relative_speed_m_s,
            "miss_r_m": self.miss_rtn_m[0],
            "miss_t_m": self.miss_rtn_m[1],
            "miss_n_m": self.miss_rtn_m[2],
            "pc": self.pc,
            "hbr_m": self.hbr_m,
            "covariance_source": self.covariance_source,
        }


class _Evaluator:
    """Exact python-sgp4 TEME states of chosen objects at chosen times, grouped per object."""

    def __init__(self, elements: Sequence[Elements], jd0: float, fr0: float) -> None:
        self._elements = elements
        self._sats: dict[int, Any] = {}
        self._jd0, self._fr0 = jd0, fr0

    def __call__(self, obj: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        new = [int(k) for k in np.unique(obj).tolist() if int(k) not in self._sats]
        if new:
            self._sats.update(zip(new, exact_satrecs([self._elements[k] for k in new]), strict=True))
        r = np.full((obj.size, 3), np.nan)
        v = np.full((obj.size, 3), np.nan)
        order = np.argsort(obj, kind="stable")
        sorted_obj = obj[order]
        bounds = np.flatnonzero(np.diff(sorted_obj)) + 1
        for seg in np.split(order, bounds):
            if seg.size == 0:
                continue
            sat = self._sats[int(obj[seg[0]])]
            fr = self._fr0 + t_s[seg] / 86400.0
            e, rr, vv = sat.sgp4_array(np.full(seg.size, self._jd0), fr)
            ok = e == 0
            r[seg[ok]] = rr[ok]
            v[seg[ok]] = vv[ok]
        return r, v


def refine_tca(
    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    i: np.ndarray,
    j: np.ndarray,
    a_s: np.ndarray,
    b_s: np.ndarray,
    t_init: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root of ``r_rel·v_rel`` in each interval ``[a_s, b_s]`` for pairs ``(i, j)``.

    ``evaluate(objects, times_s)`` returns TEME states (km, km/s). Without ``t_init`` the ends
    are evaluated and intervals without ``f(a) < 0 ≤ f(b)`` are rejected; with ``t_init`` the
    caller vouches for the bracket and gives the starting point. Returns ``(t_s, ok, dist_km)``
    (``ok`` False: no bracketed minimum or failed propagation).
    """

    def f_and_fp(t: np.ndarray, sel: Any = slice(None)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r, v = evaluate(np.concatenate([i[sel], j[sel]]), np.concatenate([t, t]))
        n = t.size
        dr, dv = r[n:] - r[:n], v[n:] - v[:n]
        acc = -_MU_KM3_S2 * r / np.linalg.norm(r, axis=1, keepdims=True) ** 3
        da = acc[n:] - acc[:n]
        f = np.sum(dr * dv, axis=1)
        fp = np.sum(dv * dv, axis=1) + np.sum(dr * da, axis=1)
        return f, fp, np.linalg.norm(dr, axis=1)

    a, b = a_s.astype(float).copy(), b_s.astype(float).copy()
    if t_init is None:
        fa, _, da = f_and_fp(a)
        fb, _, _ = f_and_fp(b)
        ok = np.isfinite(fa) & np.isfinite(fb) & (fa < 0) & (fb >= 0)
        on_grid = np.isfinite(fa) & (fa == 0)  # the minimum sits exactly on the left sample
        t = 0.5 * (a + b)
        t[on_grid] = a[on_grid]
    else:
        ok = np.ones(a.size, dtype=bool)
        on_grid = np.zeros(a.size, dtype=bool)
        da = np.zeros(a.size)
        t = np.clip(t_init.astype(float), a, b)
    active = ok & ~on_grid
    for _ in range(_NEWTON_STEPS):
        if not active.any():
            break
        sel = np.flatnonzero(active)
        f, fp, _ = f_and_fp(t[sel], sel)
        neg = f < 0
        a[sel[neg]] = t[sel[neg]]
        b[sel[~neg]] = t[sel[~neg]]
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = t[sel] - f / fp
        inside = np.isfinite(newton) & (newton >= a[sel]) & (newton <= b[sel]) & (fp > 0)
        new_t = np.where(inside, newton, 0.5 * (a[sel] + b[sel]))
        step = np.abs(new_t - t[sel])
        t[sel] = new_t
        done = (step < _TCA_TOL_S) | (b[sel] - a[sel] < _TCA_TOL_S)
        active[sel[done | ~np.isfinite(f)]] = False
    _, _, dist = f_and_fp(t)
    dist = np.where(on_grid, da, dist)
    return t, ok & np.isfinite(dist), dist


def _hermite_prefilter(
    pos: np.ndarray, vel: np.ndarray, cand: np.ndarray, step_s: float, threshold_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cheap pre-refinement on the grid states: keep bracketed intervals, start Newton well.

    ``pos``/``vel`` are the chunk's time-major TEME states (km, km/s); ``cand`` holds
    (i, j, local step). The relative motion over one interval is the cubic Hermite interpolant
    of the end states (for SGP4 orbits its error over 60 s is below a centimetre:
    h⁴/384·|r⁗| with |r⁗| ≈ aω² ≈ 1e-5 m/s⁴ in LEO). Intervals whose range rate does not change
    sign from − to + hold no interior minimum; those whose interpolated minimum exceeds the
    threshold by more than :data:`_HERMITE_MARGIN_KM` cannot hold an event. Returns
    (mask of kept candidates, initial TCA offset within the interval, s).
    """
    i, j, k = cand[:, 0], cand[:, 1], cand[:, 2]
    fa = np.einsum("ni,ni->n", pos[k, j] - pos[k, i], vel[k, j] - vel[k, i])
    fb = np.einsum("ni,ni->n", pos[k + 1, j] - pos[k + 1, i], vel[k + 1, j] - vel[k + 1, i])
    keep = (fa < 0) & (fb >= 0)
    u_all = np.zeros(len(cand))
    sel = np.flatnonzero(keep)
    i, j, k = i[sel], j[sel], k[sel]
    ra, rb = pos[k, j] - pos[k, i], pos[k + 1, j] - pos[k + 1, i]
    va, vb = (vel[k, j] - vel[k, i]) * step_s, (vel[k + 1, j] - vel[k + 1, i]) * step_s
    # Hermite p(u) = c0 + c1 u + c2 u² + c3 u³ on u ∈ [0, 1]
    c0, c1 = ra, va
    c2 = 3.0 * (rb - ra) - 2.0 * va - vb
    c3 = 2.0 * (ra - rb) + va + vb
    lo, hi = np.zeros(sel.size), np.ones(sel.size)
    u = np.full(sel.size, 0.5)
    for _ in range(30):  # bisection on p·p' to ~1e-9 of the interval
        uu = u[:, None]
        p = c0 + uu * (c1 + uu * (c2 + uu * c3))
        dp = c1 + uu * (2.0 * c2 + 3.0 * uu * c3)
        neg = np.einsum("ni,ni->n", p, dp) < 0
        lo = np.where(neg, u, lo)
        hi = np.where(neg, hi, u)
        u = 0.5 * (lo + hi)
    uu = u[:, None]
    p = c0 + uu * (c1 + uu * (c2 + uu * c3))
    # Interpolation error grows as step⁴: 1 km of margin plus 100× the LEO estimate (1 cm at 60 s).
    margin_km = _HERMITE_MARGIN_KM + 1e-3 * (step_s / 60.0) ** 4
    keep[sel] = np.linalg.norm(p, axis=1) <= threshold_km + margin_km
    u_all[sel] = u
    return keep, u_all


def _target_mask(elements: Sequence[Elements], targets: Iterable[int] | None) -> np.ndarray | None:
    if targets is None:
        return None
    wanted = [int(t) for t in targets]
    if not wanted:
        return None
    index = {el.norad_id: k for k, el in enumerate(elements)}
    missing = [t for t in wanted if t not in index]
    if missing:
        raise NotFoundError(f"target NORAD id(s) {missing} are not in the catalog ({len(elements)} objects)")
    mask = np.zeros(len(elements), dtype=bool)
    mask[[index[t] for t in wanted]] = True
    return mask


class _GridPropagator:
    """Time-major TEME grid states (n_times, n_objects, 3) from the foundation's SGP4 backends.

    The backend (:func:`skywarden.space.orbit.backends.get_backend`) prepares the elements ONCE for
    the whole window; each call fills one chunk of grid steps. The backends write object-major
    arrays, transposed here for the candidate stage.
    """

    def __init__(
        self, elements: Sequence[Elements], start64: np.datetime64, step_s: float, backend: str
    ) -> None:
        from ..orbit.backends import get_backend

        self._engine = get_backend(backend)
        self._prepared = self._engine.prepare(list(elements))
        self._n = len(elements)
        self._start64 = start64
        self._step_ns = np.timedelta64(round(step_s * 1e9), "ns")

    def states(self, k0: int, k1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """States at grid steps [k0, k1): positions km, velocities km/s (time-major), failed (t, obj)."""
        times = self._start64 + self._step_ns * np.arange(k0, k1)
        jd, fr = datetime64_to_jd(times)
        r = np.empty((self._n, k1 - k0, 3))
        v = np.empty_like(r)
        err = self._engine.propagate_teme(self._prepared, jd, fr, r, v)
        bad = (err != 0) | ~np.all(np.isfinite(r), axis=2) | ~np.all(np.isfinite(v), axis=2)
        return np.ascontiguousarray(r.transpose(1, 0, 2)), np.ascontiguousarray(v.transpose(1, 0, 2)), bad.T


def screen(
    catalog: Any,
    start: Any,
    duration: Any = "24h",
    threshold_km: float = 5.0,
    *,
    targets: Iterable[int] | None = None,
    step_s: float = 60.0,
    backend: str = "auto",
    hbr_m: float = DEFAULT_SCREEN_HBR_M,
    progress: Callable[[int, int], None] | None = None,
    include_colocated: bool = False,
) -> list[Conjunction]:
    """Screen ``catalog`` over ``[start, start + duration)`` for approaches ≤ ``threshold_km``.

    ``catalog`` is a :class:`~skywarden.space.catalog.Catalog` or a sequence of
    :class:`~skywarden.space.catalog.elements.Elements`; ``targets`` (NORAD ids) restricts the screen to
    events involving them (one-/few-vs-all). ``step_s`` is the grid spacing (the candidate bound
    makes a coarser grid slower, never blind). Returns events sorted by TCA. ``progress(done,
    total)`` counts grid steps, then one more unit for the refinement.

    Objects that share one element set (modules and visiting vehicles docked to a station, a
    servicing vehicle attached to its client: the catalog gives them the host's elements, see
    :func:`colocated_groups`) follow one trajectory at zero distance; they are not screened
    against each other (that would add hundreds of zero-distance "events" a day per pair)
    unless ``include_colocated``. They are still screened against everything else.
    """
    elements: list[Elements] = list(getattr(catalog, "elements", catalog))
    t0, span_s = check_screen(start, duration, threshold_km, step_s)
    primary_mask = _target_mask(elements, targets)
    events, failed = _screen_core(
        elements, t0, span_s, threshold_km, primary_mask=primary_mask, step_s=step_s, backend=backend,
        hbr_m=hbr_m, progress=progress, include_colocated=include_colocated,
    )  # fmt: skip
    if failed.any():
        warnings.warn(
            f"{int(failed.sum())} of {len(elements)} objects could not be propagated at some or all grid "
            "times (SGP4 error: decayed or invalid elements); those times were left out of the screen",
            DataQualityWarning,
            stacklevel=2,
        )
    return events


def check_screen(start: Any, duration: Any, threshold_km: float, step_s: float) -> tuple[datetime, float]:
    if not threshold_km > 0:
        raise InputError(f"threshold_km must be positive; got {threshold_km!r}")
    if not step_s > 0:
        raise InputError(f"step_s must be positive; got {step_s!r}")
    t0 = parse_time(start)
    span_s = parse_duration(duration).total_seconds()
    if not span_s > 0:
        raise InputError(f"duration must be positive; got {duration!r}")
    return t0, span_s


def screen_part(
    catalog: Any,
    start: Any,
    duration: Any = "24h",
    threshold_km: float = 5.0,
    *,
    split: int | None = None,
    steps: tuple[int, int] | None = None,
    targets: Iterable[int] | None = None,
    step_s: float = 60.0,
    backend: str = "auto",
    hbr_m: float = DEFAULT_SCREEN_HBR_M,
    include_colocated: bool = False,
) -> tuple[list[Conjunction], np.ndarray]:
    """One independent piece of :func:`screen` (the seam :mod:`skywarden.scale` partitions on).

    ``catalog`` holds the objects of one block (``split=None``: every pair inside it) or of two
    blocks concatenated, the first ``split`` objects being block A (only pairs with one object
    in A and one in B are kept). ``steps=(k0, k1)`` restricts the screen to grid intervals
    ``[k0, k1)`` of the whole request ``[start, start + duration)`` (the grid, TCA offsets and
    the Newton iteration are exactly those of the whole request, so the union of the pieces is
    the whole screen's event list). ``targets`` as in :func:`screen`. Returns the events (sorted as
    :func:`screen` sorts) and the NORAD ids of objects SGP4 failed for (no warning is emitted:
    the caller reports once for the whole request).
    """
    elements: list[Elements] = list(getattr(catalog, "elements", catalog))
    t0, span_s = check_screen(start, duration, threshold_km, step_s)
    wanted = None if targets is None else {int(t) for t in targets}
    primary_mask = None
    if wanted:
        primary_mask = np.array([el.norad_id in wanted for el in elements], dtype=bool)
        if not primary_mask.any():
            return [], np.zeros(0, dtype=np.int64)
    events, failed = _screen_core(
        elements, t0, span_s, threshold_km, primary_mask=primary_mask, step_s=step_s, backend=backend,
        hbr_m=hbr_m, progress=None, include_colocated=include_colocated, split=split, steps=steps,
    )  # fmt: skip
    ids = np.array([el.norad_id for el in elements], dtype=np.int64)
    return events, ids[failed] if failed.size else np.zeros(0, dtype=np.int64)


def _screen_core(
    elements: list[Elements],
    t0: datetime,
    span_s: float,
    threshold_km: float,
    *,
    primary_mask: np.ndarray | None,
    step_s: float,
    backend: str,
    hbr_m: float,
    progress: Callable[[int, int], None] | None,
    include_colocated: bool,
    split: int | None = None,
    steps: tuple[int, int] | None = None,
) -> tuple[list[Conjunction], np.ndarray]:
    """The screen proper (see the module docstring); returns events and the failed-object mask."""
    n = len(elements)
    if n < 2:
        return [], np.zeros(n, dtype=bool)
    from astroz._astroz import screen_candidates

    n_steps = max(math.ceil(span_s / step_s), 1)
    k_first, k_last = (0, n_steps) if steps is None else (max(steps[0], 0), min(steps[1], n_steps))
    chunk = screen_chunk_steps(n)
    start64 = np.datetime64(t0.replace(tzinfo=None), "ns")
    failed = np.zeros(n, dtype=bool)
    found: list[np.ndarray] = []
    grid = _GridPropagator(elements, start64, step_s, backend)
    k0 = k_first
    while k0 < k_last:
        k1 = min(k0 + chunk, k_last)
        pos, vel, bad = grid.states(k0, k1 + 1)
        if bad.any():
            # SGP4 failed (decay, invalid elements) at these steps: park the object far away and
            # motionless there, a distinct place per object, so it cannot be a candidate.
            failed |= bad.any(axis=0)
            bad_k, objs = np.nonzero(bad)
            pos[bad_k, objs, :] = 0.0
            pos[bad_k, objs, 0] = _FAR_AWAY_KM * (objs + 1)
            vel[bad_k, objs, :] = 0.0
        cand = np.frombuffer(
            screen_candidates(pos, vel, n, step_s, float(threshold_km), primary_mask), dtype=np.uint32
        )
        cand = cand.reshape(-1, 3).astype(np.int64)
        if split is not None:  # two blocks: only the pairs across them
            cand = cand[(cand[:, 0] < split) != (cand[:, 1] < split)]
        keep, u = _hermite_prefilter(pos, vel, cand, step_s, float(threshold_km))
        cand = cand[keep]
        cand[:, 2] += k0
        found.append(np.column_stack([cand.astype(float), u[keep]]))
        del pos, vel
        if progress is not None:
            progress(k1, n_steps + 1)
        k0 = k1
    rows = np.concatenate(found) if found else np.empty((0, 4))
    # A chunk's last interval is also the next chunk's first: drop the duplicate rows.
    _, first = np.unique(rows[:, :3], axis=0, return_index=True)
    rows = rows[np.sort(first)]
    if not include_colocated and rows.size:
        group = _group_index(elements)
        same = (group[rows[:, 0].astype(np.int64)] == group[rows[:, 1].astype(np.int64)]) & (
            group[rows[:, 0].astype(np.int64)] >= 0
        )
        if same.any():
            log.info("screen: %d candidate intervals between co-located objects skipped", int(same.sum()))
        rows = rows[~same]
    cand, u0 = rows[:, :3].astype(np.int64), rows[:, 3]
    jd, fr = datetime64_to_jd(np.array([start64]))
    evaluator = _Evaluator(elements, float(jd[0]), float(fr[0]))
    i, j = cand[:, 0], cand[:, 1]
    a_s = cand[:, 2] * step_s
    t_s, ok, dist_km = refine_tca(evaluator, i, j, a_s, a_s + step_s, t_init=a_s + u0 * step_s)
    keep = ok & (dist_km <= threshold_km) & (t_s >= 0.0) & (t_s < span_s)
    i, j, t_s = i[keep], j[keep], t_s[keep]
    # Adjacent intervals can converge on the same root (a TCA on a grid point): keep one.
    if i.size:
        key = np.stack([i, j, np.round(t_s / _TCA_TOL_S / 10).astype(np.int64)], axis=1)
        _, first = np.unique(key, axis=0, return_index=True)
        i, j, t_s = i[first], j[first], t_s[first]
    events = _build_events(elements, evaluator, i, j, t_s, t0, primary_mask, hbr_m)
    if progress is not None:
        progress(n_steps + 1, n_steps + 1)
    return events, failed


def _colocation_key(el: Elements) -> tuple[Any, ...]:
    return (el.epoch, el.mean_motion_rev_day, el.eccentricity, el.inclination_deg, el.raan_deg,
            el.arg_perigee_deg, el.mean_anomaly_deg, el.bstar_per_er)  # fmt: skip


def colocated_groups(catalog: Any) -> list[list[Elements]]:
    """Groups of two or more objects with one and the same element set (epoch and all mean
    elements equal): docked modules and visiting vehicles, attached servicing vehicles."""
    groups: dict[tuple[Any, ...], list[Elements]] = {}
    for el in getattr(catalog, "elements", catalog):
        groups.setdefault(_colocation_key(el), []).append(el)
    return [g for g in groups.values() if len(g) > 1]


def _group_index(elements: Sequence[Elements]) -> np.ndarray:
    """Per object, the index of its co-located group, or −1 when it shares its elements with none."""
    keys: dict[tuple[Any, ...], int] = {}
    idx = np.array([keys.setdefault(_colocation_key(el), len(keys)) for el in elements], dtype=np.int64)
    counts = np.bincount(idx)
    return np.where(counts[idx] > 1, idx, -1)


def _build_events(
    elements: Sequence[Elements],
    evaluate: _Evaluator,
    i: np.ndarray,
    j: np.ndarray,
    t_s: np.ndarray,
    t0: datetime,
    primary_mask: np.ndarray | None,
    hbr_m: float,
) -> list[Conjunction]:
    from .pc import pc_2d_foster
    from .pc.base import encounter_plane

    if i.size == 0:
        return []
    if primary_mask is not None:  # the target is the primary
        swap = ~primary_mask[i] & primary_mask[j]
        i, j = np.where(swap, j, i), np.where(swap, i, j)
    r1, v1 = evaluate(i, t_s)
    r2, v2 = evaluate(j, t_s)
    r1, v1, r2, v2 = r1 * 1e3, v1 * 1e3, r2 * 1e3, v2 * 1e3
    m = rtn_matrix(r1, v1)
    miss_rtn = np.einsum("nij,nj->ni", m, r2 - r1)
    vrel_rtn = np.einsum("nij,nj->ni", m, v2 - v1)
    tcas = [t0 + timedelta(seconds=float(s)) for s in t_s]
    covs, covs_rtn = [], []
    t64 = np.array([np.datetime64(t.replace(tzinfo=None), "us") for t in tcas])
    for idx, (r, v) in ((i, (r1, v1)), (j, (r2, v2))):
        epochs = np.array([np.datetime64(elements[o].epoch.replace(tzinfo=None), "us") for o in idx.tolist()])
        ages = (t64 - epochs) / np.timedelta64(86_400_000_000, "us")
        classes = np.array([_sigma_class(elements[o]) for o in idx.tolist()])
        c = np.empty((idx.size, 3, 3))
        for cls in np.unique(classes):
            rows = classes == cls
            c[rows] = default_tle_covariance(ages[rows], cls)
        covs_rtn.append(c)
        covs.append(rtn_to_inertial(c, r, v))
    enc = encounter_plane(r1, v1, covs[0], r2, v2, covs[1], hbr_m, warn=False)
    pcs = pc_2d_foster(enc.miss_m, enc.cov_m2, enc.hbr_m)
    events = [
        Conjunction(
            tca=tcas[k],
            primary=elements[int(i[k])].norad_id,
            secondary=elements[int(j[k])].norad_id,
            primary_name=elements[int(i[k])].name,
            secondary_name=elements[int(j[k])].name,
            miss_distance_m=float(np.linalg.norm(r2[k] - r1[k])),
            relative_speed_m_s=float(np.linalg.norm(v2[k] - v1[k])),
            miss_rtn_m=(float(miss_rtn[k, 0]), float(miss_rtn[k, 1]), float(miss_rtn[k, 2])),
            relative_velocity_rtn_m_s=(float(vrel_rtn[k, 0]), float(vrel_rtn[k, 1]), float(vrel_rtn[k, 2])),
            r1_m=r1[k],
            v1_m_s=v1[k],
            r2_m=r2[k],
            v2_m_s=v2[k],
            pc=float(pcs[k]),
            hbr_m=float(hbr_m),
            cov1_rtn_m2=covs_rtn[0][k],
            cov2_rtn_m2=covs_rtn[1][k],
        )
        for k in range(i.size)
    ]
    events.sort(key=lambda e: (e.tca, e.primary, e.secondary))
    return events


def _sigma_class(el: Any) -> str:
    """Flohrer (2008) class of the default TLE covariance for one record (LEO when undefined)."""
    try:
        return tle_sigma_class_for(el)
    except InputError:
        return el.orbit_class if el.orbit_class in ("LEO", "MEO", "HEO", "GEO") else "LEO"
