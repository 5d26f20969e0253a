"""Multi-object association of reports without ids: global nearest neighbour (GNN) with M-of-N
confirmation, class-dependent coasting and deletion, per-report times.

Each live track keeps its state (decoupled ENU axes, ``[p, v]`` per axis) at the time of its
last update. Reports are grouped into scans (``scan_s`` bins) only to decide which reports
compete; every report is compared with every track **predicted to that report's own time** (a
fast aircraft moves 100 m in 0.4 s, so one time per scan would be wrong). The cost of report j
for track i is the normalised innovation squared d² (chi-square, 3 dof) plus ``ln det S`` (the
negative log-likelihood up to a constant, so a wide coasting gate does not beat a tight one);
pairs with d² above ``gate_nis`` are forbidden. Most scans have no conflicts (every report in at
most one gate and vice versa) and are assigned directly; conflicting blocks go to the Hungarian
algorithm (``scipy.optimize.linear_sum_assignment``). Confirmed tracks are served first, then
tentative ones, so clutter near a confirmed object cannot steal its report; a report still
left over that lies within ``recover_nis`` (10 sigma) of a confirmed aircraft-class track not
updated in this scan updates it (a manoeuvre or a glitch recovered, instead of a duplicate track being born).

Time stamps are uncertain too: receivers and archives round them (OpenSky state vectors to
1 s, i.e. 0.29 s rms), and resampled archives carry fixes up to a grid step old (a 5-s grid:
5/√12 = 1.4 s rms). A report taken ``δ`` late is displaced by ``v δ`` *along the velocity*,
so the gate's innovation covariance gets ``σt² (v vᵀ + Pvv)``: on the East/North block a
rank-1 term (d² and det S by Sherman-Morrison, not its diagonal alone, which halves the
along-track spread of a track heading NE and widens the cross-track one). ``σt`` is learnt per
track, since it is a property of the stream, not of the tracker: it starts at
``time_sigma_s`` and follows (rate ``time_learn_rate``, capped at ``time_sigma_max_s``) the
along-track innovation in excess of the position and process variance,
``(y∥² − S∥) / (|v|² + Pvv)``, once the track's speed is known (over 30 m/s, velocity variance
below a quarter of v²). One global large value would cut the gain of clean streams: linearly
interpolated samples with sharp corners then lose their track (traffic's qantas747, brussels_ils).

Barometric (pressure-datum) altitudes freeze and then jump: ADS-B baro on a zero-g parabola
holds for seconds and catches up by ~750 m in one report. For such reports (``pressure_alt``)
a report left over after the normal stages may still join a confirmed aircraft-class track
in the recovery stage with its vertical term in d² capped at ``baro_jump_nis``, and then
resets the track's altitude to the report rather than dragging it (horizontal position and
velocity update as usual). GNSS altitudes keep the full 3-D gate.

Process noise grows with the time since the last update, by class:

* white-noise acceleration ``q_m2_s3`` (small, both classes), plus
* a **manoeuvre / wind envelope**: over a silence ``dt`` the velocity may change by
  ``σv = min(accel · dt, vel_change)`` per axis (ENU), added as
  ``Q = σv² [[dt²/3, dt/2], [dt/2, 1]]``. A balloon — a confirmed track whose horizontal speed
  stays below ``balloon_max_speed_m_s`` and (for the envelope) whose altitude (frame z) is at
  least ``balloon_envelope_min_alt_m`` (z corrected for the tangent plane's drop), because lower down slow gliders and helicopters
  manoeuvre hard — drifts with the wind: its velocity change is capped at
  ``balloon_vel_change_m_s`` (the spread of the wind over hours to days, ~10 m/s horizontally at
  jet level; vertically a burst turns +5 m/s into −40 m/s). Its acceleration bound
  ``balloon_accel_m_s2`` is by default the aircraft's: over short gaps the cap, not the bound,
  keeps balloon gates small. Everything else uses the aircraft manoeuvre envelope
  ``aircraft_accel_m_s2`` (≈ 0.5 g turns) and ``aircraft_vel_change_m_s``.

Deletion: a confirmed balloon track after ``max_coast_balloon_s`` without a report (days: a
balloon's tracker may be silent for hours), any other after ``max_coast_s``. A report left over
starts a tentative track (position only, velocity prior up to ``max_speed_m_s``); it is
confirmed after ``confirm_m`` hits; it is dropped as clutter once it is ``confirm_n`` scans old
*and* has had no hit for ``tentative_gap_s`` (so a lone object reporting once a minute still
confirms, while 1 Hz clutter dies within seconds).

Stone Soup's terms: predictor = CV Kalman with class-dependent process noise, hypothesiser =
Mahalanobis distance with gate, data associator = GNN, initiator = single-point + M-of-N,
deleter = class-dependent time-based.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

try:  # numba is a dependency; the plain-Python loops are the same code, uncompiled
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

__all__ = ["AssociationConfig", "AssociationResult", "associate"]

_BIG = 1e12


@dataclass(frozen=True)
class AssociationConfig:
    """Parameters of :func:`associate` (units in names; see the module docstring)."""

    q_m2_s3: tuple[float, float, float] = (0.1, 0.1, 0.1)
    meas_sigma_m: tuple[float, float, float] = (15.0, 15.0, 20.0)
    gate_nis: float = 16.3  # chi2(3) 99.9 %
    max_speed_m_s: float = 300.0
    confirm_m: int = 3
    confirm_n: int = 5
    max_coast_s: float = 300.0
    scan_s: float = 1.0
    max_coast_balloon_s: float = 4 * 86_400.0
    tentative_gap_s: float = 5.0
    balloon_max_speed_m_s: float = 60.0
    balloon_envelope_min_alt_m: float = 5000.0
    time_sigma_s: float = 0.3
    time_sigma_max_s: float = 3.0
    time_learn_rate: float = 0.1
    baro_jump_nis: float = 9.0
    merge_every_scans: int = 10
    merge_recent_s: float = 10.0
    merge_time_s: float = 5.0
    recover_nis: float = 100.0
    balloon_accel_m_s2: tuple[float, float, float] = (5.0, 5.0, 3.0)
    balloon_vel_change_m_s: tuple[float, float, float] = (10.0, 10.0, 45.0)
    aircraft_accel_m_s2: tuple[float, float, float] = (5.0, 5.0, 3.0)
    aircraft_vel_change_m_s: tuple[float, float, float] = (150.0, 150.0, 40.0)


@dataclass
class AssociationResult:
    """Report indices per confirmed track (time order), the clutter indices, per-track birth
    scan (0 = present in the first scan) and per-track ``balloon`` flag (the process-noise
    class it ended in)."""

    tracks: list[np.ndarray]
    clutter: np.ndarray
    birth_scan: list[int]
    n_scans: int
    stats: dict[str, int] = field(default_factory=dict)
    balloon: list[bool] = field(default_factory=list)


class _Tracks:
    """Struct-of-arrays state of the live tracks at their last update time: x (m, 3, 2),
    P (m, 3, 2, 2), with preallocated capacity (grown by doubling)."""

    _ARRAYS = ("x", "p", "hits", "age", "last_t", "confirmed", "birth", "fast", "tj")

    def __init__(self) -> None:
        self.n = 0
        cap = 64
        self.x = np.zeros((cap, 3, 2))
        self.p = np.zeros((cap, 3, 2, 2))
        self.hits = np.zeros(cap, np.int64)
        self.age = np.zeros(cap, np.int64)
        self.last_t = np.zeros(cap)
        self.confirmed = np.zeros(cap, bool)
        self.birth = np.zeros(cap, np.int64)
        self.fast = np.zeros(cap, bool)
        self.tj = np.zeros(cap)
        self.members: list[list[int]] = []

    def __len__(self) -> int:
        return self.n

    def add(
        self, z: np.ndarray, r: np.ndarray, v0: float, t: np.ndarray, scan: int, idx: list[int], tj0: float
    ) -> None:
        k = len(z)
        need = self.n + k
        if need > len(self.hits):
            cap = max(need, 2 * len(self.hits))
            for name in self._ARRAYS:
                old = getattr(self, name)
                new = np.zeros((cap, *old.shape[1:]), old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        s = slice(self.n, need)
        self.x[s] = 0.0
        self.x[s, :, 0] = z
        self.p[s] = 0.0
        self.p[s, :, 0, 0] = r
        self.p[s, :, 1, 1] = v0
        self.hits[s] = 1
        self.age[s] = 0
        self.last_t[s] = t
        self.confirmed[s] = False
        self.birth[s] = scan
        self.fast[s] = False
        self.tj[s] = tj0
        self.members.extend([[j] for j in idx])
        self.n = need

    def keep(self, mask: np.ndarray) -> None:
        idx = np.flatnonzero(mask)
        m = len(idx)
        for name in self._ARRAYS:
            arr = getattr(self, name)
            arr[:m] = arr[idx]
        self.members = [self.members[i] for i in idx.tolist()]
        self.n = m


def _gate_loops(x, p, rows, cls, last_t, tz, z, rz, cols, env_a, env_v, q, tj, gate, baro, zcap):  # type: ignore[no-untyped-def]
    """d² and ln det S of every (track row, report col) pair, each track predicted to the
    report's own time. Horizontally the timing error is the rank-1 term ``σt² v vᵀ`` along the
    track's velocity (plus ``σt² Pvv``): d² and det S by Sherman-Morrison on the East/North
    block; vertically the axis alone. For a pressure-altitude report (``baro``) the vertical
    term is capped at ``zcap`` (``inf`` = no cap). A pair is first screened with a per-track
    bound on the East/North innovation (S at the scan's latest report time and the largest
    measurement variance; the marginal variance of each axis, so the bound holds for the
    rank-1 S too), which rejects most pairs in a few operations."""
    nr = rows.shape[0]
    nc = cols.shape[0]
    d2_out = np.full((nr, nc), np.inf)
    ld_out = np.zeros((nr, nc))
    t_max = tz[cols[0]]
    r_max = np.zeros(3)
    for jj in range(nc):
        j = cols[jj]
        t_max = max(t_max, tz[j])
        for a in range(3):
            r_max[a] = max(r_max[a], rz[j, a])
    xs = np.zeros((3, 2))
    ps = np.zeros((3, 3))
    bound = np.zeros(2)
    dd = np.zeros(3)
    yy = np.zeros(3)
    for ii in range(nr):
        i = rows[ii]
        c = cls[i]
        ts2 = tj[i]
        for a in range(3):
            xs[a, 0] = x[i, a, 0]
            xs[a, 1] = x[i, a, 1]
            ps[a, 0] = p[i, a, 0, 0]
            ps[a, 1] = p[i, a, 0, 1]
            ps[a, 2] = p[i, a, 1, 1]
        dtm = max(t_max - last_t[i], 0.0)
        for a in range(2):
            sv = min(env_a[c, a] * dtm, env_v[c, a])
            q00 = sv * sv * dtm * dtm / 3.0 + q[a] * dtm * dtm * dtm / 3.0
            vel2 = xs[a, 1] * xs[a, 1] + ps[a, 2]
            smax = ps[a, 0] + 2.0 * dtm * abs(ps[a, 1]) + dtm * dtm * ps[a, 2] + q00 + r_max[a] + ts2 * vel2
            bound[a] = np.sqrt(gate * smax)
        t_i = last_t[i]
        for jj in range(nc):
            j = cols[jj]
            dt = tz[j] - t_i
            if abs(z[j, 0] - xs[0, 0] - dt * xs[0, 1]) > bound[0]:
                continue
            if abs(z[j, 1] - xs[1, 0] - dt * xs[1, 1]) > bound[1]:
                continue
            for a in range(3):
                sv = min(env_a[c, a] * dt, env_v[c, a])
                q00 = sv * sv * dt * dt / 3.0 + q[a] * dt * dt * dt / 3.0
                dd[a] = ps[a, 0] + 2.0 * dt * ps[a, 1] + dt * dt * ps[a, 2] + q00 + rz[j, a] + ts2 * ps[a, 2]
                yy[a] = z[j, a] - (xs[a, 0] + dt * xs[a, 1])
            # East/North: S = D + σt² v vᵀ (Sherman-Morrison)
            syy = yy[0] * yy[0] / dd[0] + yy[1] * yy[1] / dd[1]
            swy = xs[0, 1] * yy[0] / dd[0] + xs[1, 1] * yy[1] / dd[1]
            sww = xs[0, 1] * xs[0, 1] / dd[0] + xs[1, 1] * xs[1, 1] / dd[1]
            den = 1.0 + ts2 * sww
            sz = dd[2] + ts2 * xs[2, 1] * xs[2, 1]
            d2z = yy[2] * yy[2] / sz
            if baro[j] and d2z > zcap:
                d2z = zcap
            d2 = syy - ts2 * swy * swy / den + d2z
            d2_out[ii, jj] = d2
            if d2 <= gate:
                ld_out[ii, jj] = np.log(dd[0] * dd[1] * den * sz)
    return d2_out, ld_out


def _update_loops(x, p, last_t, hits, tr, tc, cls, tz, z, rz, env_a, env_v, q, tj, tj_lim, baro, zcap):  # type: ignore[no-untyped-def]
    """Predict track ``tr[m]`` to the time of report ``tc[m]`` and update it (in place).

    Per axis, the timing error enters as ``σt² (v² + Pvv)`` on the diagonal (the state is
    decoupled by axis). Before the update the track's timing variance ``tj`` learns from the
    along-track innovation (see :func:`associate`). A pressure-altitude report whose vertical
    innovation exceeds ``zcap`` sigma² (a barometric jump after a freeze) resets the vertical
    position to the report instead of dragging the track."""
    y = np.zeros(3)
    s = np.zeros(3)
    pp = np.zeros((3, 3))
    xp = np.zeros((3, 2))
    for m in range(tr.shape[0]):
        i = tr[m]
        j = tc[m]
        c = cls[i]
        dt = tz[j] - last_t[i]
        ts2 = tj[i]
        for a in range(3):
            sv = min(env_a[c, a] * dt, env_v[c, a])
            sv2 = sv * sv
            q00 = sv2 * dt * dt / 3.0 + q[a] * dt * dt * dt / 3.0
            q01 = sv2 * dt / 2.0 + q[a] * dt * dt / 2.0
            q11 = sv2 + q[a] * dt
            pp[a, 0] = p[i, a, 0, 0] + 2.0 * dt * p[i, a, 0, 1] + dt * dt * p[i, a, 1, 1] + q00
            pp[a, 1] = p[i, a, 0, 1] + dt * p[i, a, 1, 1] + q01
            pp[a, 2] = p[i, a, 1, 1] + q11
            xp[a, 0] = x[i, a, 0] + dt * x[i, a, 1]
            xp[a, 1] = x[i, a, 1]
            y[a] = z[j, a] - xp[a, 0]
        # timing variance learnt from the along-track innovation of a track with a known velocity
        v2 = xp[0, 1] * xp[0, 1] + xp[1, 1] * xp[1, 1]
        pv = 0.5 * (pp[0, 2] + pp[1, 2])
        if v2 > tj_lim[2] and pv < tj_lim[3] * v2:
            along = (y[0] * xp[0, 1] + y[1] * xp[1, 1]) / np.sqrt(v2)
            base = 0.5 * (pp[0, 0] + rz[j, 0] + pp[1, 0] + rz[j, 1])
            e = max(along * along - base, 0.0) / (v2 + pv)
            ts2 = min(max(ts2 + tj_lim[4] * (e - ts2), tj_lim[0]), tj_lim[1])
            tj[i] = ts2
        for a in range(3):
            s[a] = pp[a, 0] + rz[j, a] + ts2 * (xp[a, 1] * xp[a, 1] + pp[a, 2])
        if baro[j] and y[2] * y[2] > zcap * s[2]:
            x[i, 2, 0] = z[j, 2]
            x[i, 2, 1] = xp[2, 1]
            p[i, 2, 0, 0] = rz[j, 2]
            p[i, 2, 0, 1] = 0.0
            p[i, 2, 1, 0] = 0.0
            p[i, 2, 1, 1] = pp[2, 2]
            na = 2
        else:
            na = 3
        for a in range(na):
            g0 = pp[a, 0] / s[a]
            g1 = pp[a, 1] / s[a]
            x[i, a, 0] = xp[a, 0] + g0 * y[a]
            x[i, a, 1] = xp[a, 1] + g1 * y[a]
            p[i, a, 0, 0] = pp[a, 0] - g0 * pp[a, 0]
            p[i, a, 0, 1] = pp[a, 1] - g0 * pp[a, 1]
            p[i, a, 1, 0] = p[i, a, 0, 1]
            p[i, a, 1, 1] = pp[a, 2] - g1 * pp[a, 1]
        last_t[i] = tz[j]
        hits[i] += 1


_gate: Any = njit(cache=True)(_gate_loops) if HAVE_NUMBA else _gate_loops
_update: Any = njit(cache=True)(_update_loops) if HAVE_NUMBA else _update_loops


def _stage_loops(
    x,
    p,
    last_t,
    hits,
    confirmed,
    fast,
    updated,
    free,
    want,
    fast_only,
    cls,
    tz,
    z,
    rz,
    env_a,
    env_v,
    q,
    tj,
    tj_lim,
    gate,
    baro,
    zcap,
):  # type: ignore[no-untyped-def]
    """One assignment stage: tracks with ``confirmed == want`` (and ``fast`` if ``fast_only``)
    not yet updated in this scan, against the free reports. Without conflicts (each gate holds
    at most one report and each report is in at most one gate) the pairs are updated here and
    ``done`` is True; otherwise nothing is changed and the caller solves the assignment on the
    returned ``d2``/``ln det S`` of ``rows`` × ``cols``."""
    n = x.shape[0]
    nr = 0
    rows = np.empty(n, np.int64)
    for i in range(n):
        if confirmed[i] == want and not updated[i] and (fast[i] or not fast_only):
            rows[nr] = i
            nr += 1
    rows = rows[:nr]
    nc = 0
    cols = np.empty(free.shape[0], np.int64)
    for j in range(free.shape[0]):
        if free[j]:
            cols[nc] = j
            nc += 1
    cols = cols[:nc]
    empty = np.zeros(0, np.int64)
    if nr == 0 or nc == 0:
        return empty, empty, True, rows, cols, np.zeros((0, 0)), np.zeros((0, 0))
    d2, ld = _gate(x, p, rows, cls, last_t, tz, z, rz, cols, env_a, env_v, q, tj, gate, baro, zcap)
    per_row = np.zeros(nr, np.int64)
    per_col = np.zeros(nc, np.int64)
    m = 0
    for ii in range(nr):
        for jj in range(nc):
            if d2[ii, jj] <= gate:
                per_row[ii] += 1
                per_col[jj] += 1
                m += 1
    if m == 0:
        return empty, empty, True, rows, cols, d2, ld
    if per_row.max() > 1 or per_col.max() > 1:
        return empty, empty, False, rows, cols, d2, ld
    tr = np.empty(m, np.int64)
    tc = np.empty(m, np.int64)
    k = 0
    for ii in range(nr):
        for jj in range(nc):
            if d2[ii, jj] <= gate:
                tr[k] = rows[ii]
                tc[k] = cols[jj]
                k += 1
    _update(x, p, last_t, hits, tr, tc, cls, tz, z, rz, env_a, env_v, q, tj, tj_lim, baro, zcap)
    for k in range(m):
        updated[tr[k]] = True
        free[tc[k]] = False
    return tr, tc, True, rows, cols, d2, ld


_stage: Any = njit(cache=True)(_stage_loops) if HAVE_NUMBA else _stage_loops


def _merge_pairs_loops(conf, x, sig_p, sig_v, last_t, t_now, merge_time_s):  # type: ignore[no-untyped-def]
    """Pairs (i, j) of ``conf`` tracks whose predicted states agree (see :func:`_merge_duplicates`;
    ``3 (σi + σj)`` bounds ``3 sqrt(σi² + σj²)`` from above)."""
    m = conf.shape[0]
    out = np.zeros((m * (m - 1) // 2 if m > 1 else 0, 2), np.int64)
    k = 0
    for ii in range(m):
        i = conf[ii]
        dti = t_now - last_t[i]
        for jj in range(ii + 1, m):
            j = conf[jj]
            dtj = t_now - last_t[j]
            same = True
            for a in range(3):
                dp = abs(x[i, a, 0] + dti * x[i, a, 1] - x[j, a, 0] - dtj * x[j, a, 1])
                if dp > 3.0 * (sig_p[i, a] + sig_p[j, a]) + merge_time_s * abs(x[i, a, 1]) + 30.0:
                    same = False
                    break
                if abs(x[i, a, 1] - x[j, a, 1]) > 3.0 * (sig_v[i, a] + sig_v[j, a]) + 5.0:
                    same = False
                    break
            if same:
                out[k, 0] = i
                out[k, 1] = j
                k += 1
    return out[:k]


_merge_pairs: Any = njit(cache=True)(_merge_pairs_loops) if HAVE_NUMBA else _merge_pairs_loops


def _merge_duplicates(trk: _Tracks, t_now: float, cfg: AssociationConfig) -> None:
    """Two confirmed tracks on one object (a duplicate born during a glitch, or two receivers
    with different latencies feeding one stream): when both were updated within
    ``merge_recent_s`` and their states, predicted to ``t_now``, agree in position within
    3 combined sigma + ``|v| · merge_time_s`` + 30 m and in velocity within 3 combined sigma +
    5 m/s, the younger track's reports go to the older one and it is dropped. (Two aircraft in
    close formation would be merged too.)"""
    n = trk.n
    conf = np.flatnonzero(trk.confirmed[:n] & (t_now - trk.last_t[:n] <= cfg.merge_recent_s))
    if len(conf) < 2:
        return
    sig_p = np.sqrt(trk.p[:n, :, 0, 0])
    sig_v = np.sqrt(trk.p[:n, :, 1, 1])
    pairs = _merge_pairs(conf, trk.x, sig_p, sig_v, trk.last_t, t_now, cfg.merge_time_s)
    if len(pairs) == 0:
        return
    drop = np.zeros(n, bool)
    for a, b in pairs.tolist():
        if drop[a] or drop[b]:
            continue
        old, young = (a, b) if trk.birth[a] <= trk.birth[b] else (b, a)
        trk.members[old].extend(trk.members[young])
        trk.hits[old] += trk.hits[young]
        drop[young] = True
    trk.keep(~drop)


def associate(
    t_s: np.ndarray,
    z_enu_m: np.ndarray,
    config: AssociationConfig = AssociationConfig(),
    progress: Callable[[int, int], None] | None = None,
    r_var_m2: np.ndarray | None = None,
    pressure_alt: np.ndarray | None = None,
) -> AssociationResult:
    """Associate time-sorted ENU reports (no ids) into tracks. See the module docstring.

    ``r_var_m2`` (n, 3): per-report measurement variances (m²), e.g. per source; default
    ``config.meas_sigma_m`` squared for every report. ``pressure_alt`` (n,) bool: the report's
    altitude is barometric (its freezes and jumps are tolerated, see the module docstring);
    default none is.
    """
    cfg = config
    n_rep = len(t_s)
    q = np.asarray(cfg.q_m2_s3, float)
    r_all = (
        np.broadcast_to(np.asarray(cfg.meas_sigma_m, float) ** 2, (n_rep, 3))
        if r_var_m2 is None
        else np.asarray(r_var_m2, float).reshape(n_rep, 3)
    )
    r_all = np.ascontiguousarray(r_all)
    env_a = np.array([cfg.balloon_accel_m_s2, cfg.aircraft_accel_m_s2], float)
    env_v = np.array([cfg.balloon_vel_change_m_s, cfg.aircraft_vel_change_m_s], float)
    t_s = np.ascontiguousarray(t_s, dtype=np.float64)
    z_enu_m = np.ascontiguousarray(z_enu_m, dtype=np.float64)
    v0 = (cfg.max_speed_m_s / 2.0) ** 2
    ts2 = cfg.time_sigma_s**2
    tj_lim = np.array(
        [ts2, max(cfg.time_sigma_max_s, cfg.time_sigma_s) ** 2, 30.0**2, 0.25, cfg.time_learn_rate]
    )
    baro_all = (
        np.zeros(n_rep, np.bool_) if pressure_alt is None else np.ascontiguousarray(pressure_alt, np.bool_)
    )
    scan = np.floor((t_s - t_s[0]) / cfg.scan_s).astype(np.int64) if n_rep else np.zeros(0, np.int64)
    zcap = (np.inf, np.inf, cfg.baro_jump_nis)  # per stage: vertical cap for pressure altitudes
    bounds = np.flatnonzero(np.diff(scan)) + 1
    starts = np.concatenate([[0], bounds]).astype(np.int64) if n_rep else np.zeros(0, np.int64)
    stops = np.concatenate([bounds, [n_rep]]).astype(np.int64) if n_rep else np.zeros(0, np.int64)
    trk = _Tracks()
    finished: list[tuple[list[int], int, bool]] = []
    clutter: list[int] = []
    n_scans = len(starts)
    for k, (a, b) in enumerate(zip(starts.tolist(), stops.tolist(), strict=True)):
        t_now = float(t_s[a])
        n = trk.n
        if n:
            trk.age[:n] += 1
            balloon = trk.confirmed[:n] & ~trk.fast[:n]
            silent = t_now - trk.last_t[:n]
            dead_tentative = (
                ~trk.confirmed[:n] & (trk.age[:n] >= cfg.confirm_n) & (silent > cfg.tentative_gap_s)
            )
            coast = np.where(balloon, cfg.max_coast_balloon_s, cfg.max_coast_s)
            dead_coast = trk.confirmed[:n] & (silent > coast)
            dead = dead_tentative | dead_coast
            if dead.any():
                for i in np.flatnonzero(dead).tolist():
                    if dead_coast[i]:
                        finished.append((trk.members[i], int(trk.birth[i]), bool(balloon[i])))
                    else:
                        clutter.extend(trk.members[i])
                trk.keep(~dead)
        tz = t_s[a:b]
        z = z_enu_m[a:b]
        rz = r_all[a:b]
        bz = baro_all[a:b]
        free = np.ones(b - a, bool)
        updated = np.zeros(trk.n, bool)
        n = trk.n
        # altitude over the frame's origin: z plus the drop of the tangent plane, d² / 2R
        horiz2 = trk.x[:n, 0, 0] ** 2 + trk.x[:n, 1, 0] ** 2
        high = trk.x[:n, 2, 0] + horiz2 / (2 * 6_371_000.0) >= cfg.balloon_envelope_min_alt_m
        cls = (~(trk.confirmed[:n] & ~trk.fast[:n] & high)).astype(np.int64)  # 0 balloon, 1 other
        for k_stage, (stage, gate) in enumerate(
            ((True, cfg.gate_nis), (False, cfg.gate_nis), (True, cfg.recover_nis))
        ):
            n = trk.n
            tr, tc, done, rows, cols, d2, logdet = _stage(
                trk.x[:n], trk.p[:n], trk.last_t[:n], trk.hits[:n], trk.confirmed[:n], trk.fast[:n],
                updated[:n], free, stage, k_stage == 2, cls, tz, z, rz, env_a, env_v, q, trk.tj[:n], tj_lim,
                gate, bz, zcap[k_stage],
            )  # fmt: skip
            if not done:
                ok = d2 <= gate
                cost = np.where(ok, d2 + logdet, _BIG)
                busy_r = np.flatnonzero(ok.any(axis=1))
                busy_c = np.flatnonzero(ok.any(axis=0))
                sub = cost[np.ix_(busy_r, busy_c)]
                sr, sc = linear_sum_assignment(sub)
                good = sub[sr, sc] < _BIG
                tr, tc = rows[busy_r[sr[good]]], cols[busy_c[sc[good]]]
                _update(trk.x, trk.p, trk.last_t, trk.hits, tr, tc, cls, tz, z, rz, env_a, env_v, q, trk.tj,
                        tj_lim, bz, zcap[k_stage])  # fmt: skip
                free[tc] = False
                updated[tr] = True
            for i_trk, j in zip(tr.tolist(), tc.tolist(), strict=True):
                trk.members[i_trk].append(a + j)
        n = trk.n
        trk.confirmed[:n] |= trk.hits[:n] >= cfg.confirm_m
        # a confirmed track whose speed is known to be aircraft-like leaves the balloon class
        speed = np.hypot(trk.x[:n, 0, 1], trk.x[:n, 1, 1])
        known = trk.p[:n, 0, 1, 1] < 100.0
        trk.fast[:n] |= trk.confirmed[:n] & known & (speed > cfg.balloon_max_speed_m_s)
        if k % cfg.merge_every_scans == 0:
            _merge_duplicates(trk, t_now, cfg)
        new = np.flatnonzero(free)
        if len(new):
            trk.add(z[new], rz[new], v0, tz[new], k, [a + int(j) for j in new], ts2)
        if progress is not None and (k % 100 == 0 or k == n_scans - 1):
            progress(k + 1, n_scans)
    n = trk.n
    for i in range(n):
        if trk.confirmed[i]:
            finished.append((trk.members[i], int(trk.birth[i]), not bool(trk.fast[i])))
        else:
            clutter.extend(trk.members[i])
    finished = [(sorted(m), b, f) for m, b, f in finished]
    finished.sort(key=lambda mb: mb[0][0])
    return AssociationResult(
        tracks=[np.asarray(m, np.int64) for m, _, _ in finished],
        clutter=np.sort(np.asarray(clutter, np.int64)),
        birth_scan=[b for _, b, _ in finished],
        n_scans=n_scans,
        stats={"tracks": len(finished), "clutter_reports": len(clutter), "scans": n_scans},
        balloon=[f for _, _, f in finished],
    )
