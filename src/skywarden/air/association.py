"""Multi-object association of reports without ids: global nearest neighbour (GNN) with M-of-N
confirmation, coasting and deletion.

Reports are grouped into scans (``scan_s`` bins). At each scan every live track is predicted
with a constant-velocity model (decoupled ENU axes, as in :mod:`skywarden.air.kalman`); the
cost of report j for track i is the normalised innovation squared d² (chi-square, 3 dof);
pairs above ``gate_nis`` are forbidden and the assignment minimising the total cost is found
with the Hungarian algorithm (``scipy.optimize.linear_sum_assignment``). Confirmed tracks are
served first, then tentative ones, so clutter near a confirmed object cannot steal its report.
A report left over starts a tentative track (position only, wide velocity prior up to
``max_speed_m_s``); it is confirmed after ``confirm_m`` hits within its first ``confirm_n``
scans, otherwise dropped as clutter. A confirmed track coasts (predicted, not updated) through
missed scans and is deleted after ``max_coast_s`` without a report.

Stone Soup's terms: predictor = CV Kalman, hypothesiser = Mahalanobis distance with gate,
data associator = GNN, initiator = single-point + M-of-N, deleter = time-based.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["AssociationConfig", "AssociationResult", "associate"]

_BIG = 1e12


@dataclass(frozen=True)
class AssociationConfig:
    """Parameters of :func:`associate` (units in names)."""

    q_m2_s3: tuple[float, float, float] = (2.0, 2.0, 1.0)
    meas_sigma_m: tuple[float, float, float] = (15.0, 15.0, 20.0)
    gate_nis: float = 16.3  # chi2(3) 99.9 %
    max_speed_m_s: float = 300.0
    confirm_m: int = 3
    confirm_n: int = 5
    max_coast_s: float = 120.0
    scan_s: float = 1.0


@dataclass
class AssociationResult:
    """Report indices per confirmed track (time order), the clutter indices and per-track
    birth scan (0 = present in the first scan)."""

    tracks: list[np.ndarray]
    clutter: np.ndarray
    birth_scan: list[int]
    n_scans: int
    stats: dict[str, int] = field(default_factory=dict)


class _Tracks:
    """Struct-of-arrays state of the live tracks: x (m, 3, 2), P (m, 3, 2, 2)."""

    def __init__(self) -> None:
        self.x = np.zeros((0, 3, 2))
        self.p = np.zeros((0, 3, 2, 2))
        self.hits = np.zeros(0, np.int64)
        self.age = np.zeros(0, np.int64)  # scans since birth
        self.last_t = np.zeros(0)
        self.confirmed = np.zeros(0, bool)
        self.birth = np.zeros(0, np.int64)
        self.members: list[list[int]] = []

    def __len__(self) -> int:
        return len(self.hits)

    def keep(self, mask: np.ndarray) -> list[list[int]]:
        gone = [m for m, k in zip(self.members, mask, strict=True) if not k]
        for name in ("x", "p", "hits", "age", "last_t", "confirmed", "birth"):
            setattr(self, name, getattr(self, name)[mask])
        self.members = [m for m, k in zip(self.members, mask, strict=True) if k]
        return gone


def associate(
    t_s: np.ndarray,
    z_enu_m: np.ndarray,
    config: AssociationConfig = AssociationConfig(),
    progress: Callable[[int, int], None] | None = None,
) -> AssociationResult:
    """Associate time-sorted ENU reports (no ids) into tracks. See the module docstring."""
    cfg = config
    q = np.asarray(cfg.q_m2_s3)
    r = np.asarray(cfg.meas_sigma_m) ** 2
    v0 = (cfg.max_speed_m_s / 2.0) ** 2
    scan = np.floor((t_s - t_s[0]) / cfg.scan_s).astype(np.int64) if len(t_s) else np.zeros(0, np.int64)
    bounds = np.flatnonzero(np.diff(scan)) + 1
    starts = np.concatenate([[0], bounds]) if len(t_s) else np.zeros(0, np.int64)
    stops = np.concatenate([bounds, [len(t_s)]]) if len(t_s) else np.zeros(0, np.int64)
    trk = _Tracks()
    finished: list[tuple[list[int], int]] = []
    clutter: list[int] = []
    t_prev = float(t_s[0]) if len(t_s) else 0.0
    n_scans = len(starts)
    for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
        t_now = float(np.mean(t_s[a:b]))
        dt = t_now - t_prev
        t_prev = t_now
        if len(trk):  # predict all
            trk.x[:, :, 0] += dt * trk.x[:, :, 1]
            p = trk.p
            p00 = p[..., 0, 0] + 2 * dt * p[..., 0, 1] + dt * dt * p[..., 1, 1] + q * dt**3 / 3
            p01 = p[..., 0, 1] + dt * p[..., 1, 1] + q * dt**2 / 2
            p11 = p[..., 1, 1] + q * dt
            p[..., 0, 0], p[..., 0, 1], p[..., 1, 0], p[..., 1, 1] = p00, p01, p01, p11
            trk.age += 1
        # deletion before association: coasted too long, or not confirmed within N scans
        dead_tentative = ~trk.confirmed & (trk.age >= cfg.confirm_n)
        dead_coast = trk.confirmed & (t_now - trk.last_t > cfg.max_coast_s)
        if np.any(dead_tentative | dead_coast):
            finished.extend(
                (m, int(bb)) for m, bb, d in zip(trk.members, trk.birth, dead_coast, strict=True) if d
            )
            for members, d in zip(trk.members, dead_tentative, strict=True):
                if d:
                    clutter.extend(members)
            trk.keep(~(dead_tentative | dead_coast))
        z = z_enu_m[a:b]
        free = np.ones(b - a, bool)
        for stage in (True, False):
            rows = np.flatnonzero(trk.confirmed == stage)
            cols = np.flatnonzero(free)
            if len(rows) == 0 or len(cols) == 0:
                continue
            s = trk.p[rows, :, 0, 0][:, None, :] + r[None, None, :]
            y = z[cols][None, :, :] - trk.x[rows, :, 0][:, None, :]
            d2 = np.sum(y * y / s, axis=2)
            cost = np.where(d2 <= cfg.gate_nis, d2, _BIG)
            ri, ci = linear_sum_assignment(cost)
            ok = cost[ri, ci] < _BIG
            ri, ci = rows[ri[ok]], cols[ci[ok]]
            if len(ri) == 0:
                continue
            sv = trk.p[ri, :, 0, 0] + r
            yv = z[ci] - trk.x[ri, :, 0]
            g0 = trk.p[ri, :, 0, 0] / sv
            g1 = trk.p[ri, :, 1, 0] / sv
            pr = trk.p[ri].copy()
            trk.x[ri, :, 0] += g0 * yv
            trk.x[ri, :, 1] += g1 * yv
            trk.p[ri, :, 0, 0] = pr[..., 0, 0] - g0 * pr[..., 0, 0]
            trk.p[ri, :, 0, 1] = pr[..., 0, 1] - g0 * pr[..., 0, 1]
            trk.p[ri, :, 1, 0] = trk.p[ri, :, 0, 1]
            trk.p[ri, :, 1, 1] = pr[..., 1, 1] - g1 * pr[..., 0, 1]
            trk.hits[ri] += 1
            trk.last_t[ri] = t_now
            for i_trk, j in zip(ri.tolist(), ci.tolist(), strict=True):
                trk.members[i_trk].append(a + j)
            free[ci] = False
        trk.confirmed |= trk.hits >= cfg.confirm_m
        # births from leftovers
        new = np.flatnonzero(free)
        if len(new):
            n_new = len(new)
            x = np.zeros((n_new, 3, 2))
            x[:, :, 0] = z[new]
            p = np.zeros((n_new, 3, 2, 2))
            p[:, :, 0, 0] = r
            p[:, :, 1, 1] = v0
            trk.x = np.concatenate([trk.x, x])
            trk.p = np.concatenate([trk.p, p])
            trk.hits = np.concatenate([trk.hits, np.ones(n_new, np.int64)])
            trk.age = np.concatenate([trk.age, np.zeros(n_new, np.int64)])
            trk.last_t = np.concatenate([trk.last_t, np.full(n_new, t_now)])
            trk.confirmed = np.concatenate([trk.confirmed, np.zeros(n_new, bool)])
            trk.birth = np.concatenate([trk.birth, np.full(n_new, k, np.int64)])
            trk.members.extend([[a + int(j)] for j in new])
        if progress is not None and (k % 100 == 0 or k == n_scans - 1):
            progress(k + 1, n_scans)
    for mem, born, conf in zip(trk.members, trk.birth, trk.confirmed, strict=True):
        if conf:
            finished.append((mem, int(born)))
        else:
            clutter.extend(mem)
    finished.sort(key=lambda mb: mb[0][0])
    return AssociationResult(
        tracks=[np.asarray(m, np.int64) for m, _ in finished],
        clutter=np.sort(np.asarray(clutter, np.int64)),
        birth_scan=[b for _, b in finished],
        n_scans=n_scans,
        stats={"tracks": len(finished), "clutter_reports": len(clutter), "scans": n_scans},
    )
