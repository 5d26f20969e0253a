"""3-D Kalman filter and Rauch-Tung-Striebel smoother in a local ENU frame (metres, seconds).

Models (Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, 2001, §6.2): per axis the state is ``[p, v]`` (constant velocity, white-noise
acceleration of spectral density ``q`` m²/s³) or ``[p, v, a]`` (constant acceleration,
white-noise jerk, ``q`` m²/s⁵); Q is the discretised continuous white noise (the same matrix as
filterpy's ``Q_continuous_white_noise``). Positions are measured with independent per-axis
variances, so the 3-D filter with block-diagonal Q and diagonal R is exactly three decoupled
axis filters; the outlier gate uses the joint 3-D normalised innovation squared (NIS), which is
chi-square with 3 degrees of freedom.

Gaps need nothing special (Q grows with dt). Duplicate times give dt = 0 (two updates at one
time). Reports must be time-sorted (the tracker sorts them). A report whose NIS exceeds the
gate is not used (``accepted`` false, logged); after ``max_rejects`` consecutive rejections the
filter assumes a manoeuvre (balloon burst, aircraft turn), adds ``reseed_var_m2_s2`` to the
velocity variance and accepts the report.

The compiled path (numba ``@njit(cache=True)``) and a pure-numpy path (vectorised over the
three axes) are independent implementations; tests run both and require agreement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ValidationError

try:  # numba is a dependency; the numpy path exists for checking and for platforms without it
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

__all__ = [
    "AIRCRAFT",
    "BALLOON",
    "MODELS",
    "FilterResult",
    "MotionModel",
    "discrete_white_noise",
    "run_filter",
    "transition_matrix",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MotionModel:
    """A per-axis kinematic model with its process noise and outlier gate.

    ``order`` 2 = constant velocity (CV), 3 = constant acceleration (CA). ``q_enu`` is the
    white-noise spectral density per East/North/Up axis (m²/s³ for CV, m²/s⁵ for CA).
    ``gate_nis`` is the chi-square (3 dof) threshold on the normalised innovation;
    ``init_var`` are the initial variances of velocity (m²/s²) and acceleration (m²/s⁴).
    """

    name: str
    order: int
    q_enu: tuple[float, float, float]
    gate_nis: float = 25.0  # chi2(3) upper tail ≈ 1.6e-5
    max_rejects: int = 4
    reseed_var_m2_s2: float = 400.0
    init_var: tuple[float, float] = (400.0, 25.0)

    def __post_init__(self) -> None:
        if self.order not in (2, 3):
            raise ValidationError(f"order must be 2 (CV) or 3 (CA), got {self.order}")


BALLOON = MotionModel("balloon", 2, (0.5, 0.5, 5.0))
"""Free balloon, constant velocity: horizontal 0.5 m²/s³ (gusts, payload swing), vertical 5 m²/s³ so
that a burst (free fall) is followed, not gated out. Tuned on the EOSS-323/340 and NBP3 flights:
no gated outliers on EOSS, burst and landing found on all three."""
AIRCRAFT = MotionModel("aircraft", 3, (0.5, 0.5, 0.1), init_var=(10_000.0, 25.0))
"""Aircraft: constant acceleration with jerk noise for turns and climbs."""
MODELS = {"balloon": BALLOON, "aircraft": AIRCRAFT, "cv": BALLOON, "ca": AIRCRAFT}


def transition_matrix(dt_s: float, order: int) -> np.ndarray:
    """Per-axis state transition F for a CV (order 2) or CA (order 3) model."""
    if order == 2:
        return np.array([[1.0, dt_s], [0.0, 1.0]])
    return np.array([[1.0, dt_s, 0.5 * dt_s * dt_s], [0.0, 1.0, dt_s], [0.0, 0.0, 1.0]])


def discrete_white_noise(dt_s: float, order: int, q: float) -> np.ndarray:
    """Continuous white noise integrated over ``dt_s`` (Bar-Shalom 2001, eqs. 6.2.2-12, 6.2.3-8)."""
    t = dt_s
    if order == 2:
        return q * np.array([[t**3 / 3, t**2 / 2], [t**2 / 2, t]])
    return q * np.array(
        [[t**5 / 20, t**4 / 8, t**3 / 6], [t**4 / 8, t**3 / 3, t**2 / 2], [t**3 / 6, t**2 / 2, t]]
    )


@dataclass
class FilterResult:
    """Filter and smoother output; states are ``(n, 3 axes ENU, order)`` in m, m/s, m/s²."""

    t_s: np.ndarray
    x_filt: np.ndarray
    P_filt: np.ndarray
    x_smooth: np.ndarray
    P_smooth: np.ndarray
    accepted: np.ndarray
    nis: np.ndarray
    model: MotionModel
    vel_accepted: np.ndarray | None = None
    """Per report: True where its reported velocity was used."""

    @property
    def pos_enu_m(self) -> np.ndarray:
        return self.x_smooth[:, :, 0]

    @property
    def vel_enu_m_s(self) -> np.ndarray:
        return self.x_smooth[:, :, 1]

    @property
    def pos_sigma_m(self) -> np.ndarray:
        """1-sigma smoothed position uncertainty per axis, m."""
        return np.sqrt(np.maximum(self.P_smooth[:, :, 0, 0], 0.0))


# ---------------------------------------------------------------------------- numpy path
def _q_batch(dt: float, order: int, q: np.ndarray) -> np.ndarray:
    return q[:, None, None] * discrete_white_noise(dt, order, 1.0)[None]


def _filter_numpy(t, z, r, order, q, gate, max_rejects, reseed, v0, a0, zv, rv):  # type: ignore[no-untyped-def]
    n = len(t)
    k = order
    xf = np.zeros((n, 3, k))
    pf = np.zeros((n, 3, k, k))
    xp = np.zeros((n, 3, k))
    pp = np.zeros((n, 3, k, k))
    acc = np.zeros(n, dtype=np.bool_)
    vacc = np.zeros(n, dtype=np.bool_)
    nis = np.zeros(n)
    x = np.zeros((3, k))
    x[:, 0] = z[0]
    p = np.zeros((3, k, k))
    p[:, 0, 0] = r[0]
    p[:, 1, 1] = v0
    if k == 3:
        p[:, 2, 2] = a0
    xf[0], pf[0], xp[0], pp[0], acc[0] = x, p, x, p, True
    streak = 0
    for i in range(1, n):
        f = transition_matrix(t[i] - t[i - 1], k)
        x = x @ f.T
        p = f @ p @ f.T + _q_batch(t[i] - t[i - 1], k, q)
        y = z[i] - x[:, 0]
        s = p[:, 0, 0] + r[i]
        nis[i] = float(np.sum(y * y / s))
        ok = nis[i] <= gate
        if not ok and streak >= max_rejects:
            p[:, 1, 1] += reseed
            s = p[:, 0, 0] + r[i]
            ok = True
        xp[i], pp[i] = x, p
        if ok:
            gain = p[:, :, 0] / s[:, None]
            x = x + gain * y[:, None]
            p = p - gain[:, :, None] * p[:, None, 0, :]
            streak = 0
            acc[i] = True
            have = np.isfinite(zv[i])
            if have.any():  # velocity: scalar updates per axis after the position (diagonal R)
                yv = np.where(have, zv[i] - x[:, 1], 0.0)
                sv = p[:, 1, 1] + np.where(have, rv[i], 1.0)
                if float(np.sum(yv * yv / sv)) <= gate:
                    gain_v = np.where(have[:, None], p[:, :, 1] / sv[:, None], 0.0)
                    x = x + gain_v * yv[:, None]
                    p = p - gain_v[:, :, None] * p[:, None, 1, :]
                    vacc[i] = True
        else:
            streak += 1
        xf[i], pf[i] = x, p
    return xf, pf, xp, pp, acc, nis, vacc


def _smooth_numpy(t, xf, pf, xp, pp, order):  # type: ignore[no-untyped-def]
    n = len(t)
    xs = xf.copy()
    ps = pf.copy()
    for i in range(n - 2, -1, -1):
        f = transition_matrix(t[i + 1] - t[i], order)
        c = pf[i] @ f.T @ np.linalg.inv(pp[i + 1])
        xs[i] = xf[i] + np.einsum("aij,aj->ai", c, xs[i + 1] - xp[i + 1])
        ps[i] = pf[i] + c @ (ps[i + 1] - pp[i + 1]) @ np.transpose(c, (0, 2, 1))
    return xs, ps


# ---------------------------------------------------------------------------- compiled path
def _filter_loops(t, z, r, order, q, gate, max_rejects, reseed, v0, a0, zv, rv):  # type: ignore[no-untyped-def]
    n = t.shape[0]
    k = order
    xf = np.zeros((n, 3, k))
    pf = np.zeros((n, 3, k, k))
    xp = np.zeros((n, 3, k))
    pp = np.zeros((n, 3, k, k))
    acc = np.zeros(n, dtype=np.bool_)
    vacc = np.zeros(n, dtype=np.bool_)
    nis = np.zeros(n)
    gv = np.zeros(k)
    row = np.zeros(k)
    f = np.zeros((k, k))
    qm = np.zeros((k, k))
    tmp = np.zeros((k, k))
    y = np.zeros(3)
    s = np.zeros(3)
    for a in range(3):
        xf[0, a, 0] = z[0, a]
        pf[0, a, 0, 0] = r[0, a]
        pf[0, a, 1, 1] = v0
        if k == 3:
            pf[0, a, 2, 2] = a0
    xp[0] = xf[0]
    pp[0] = pf[0]
    acc[0] = True
    streak = 0
    for i in range(1, n):
        dt = t[i] - t[i - 1]
        f[:, :] = 0.0
        for j in range(k):
            f[j, j] = 1.0
        f[0, 1] = dt
        if k == 3:
            f[1, 2] = dt
            f[0, 2] = 0.5 * dt * dt
        for a in range(3):
            # unit-q process noise, scaled per axis below
            if k == 2:
                qm[0, 0] = dt**3 / 3.0
                qm[0, 1] = dt**2 / 2.0
                qm[1, 0] = dt**2 / 2.0
                qm[1, 1] = dt
            else:
                qm[0, 0] = dt**5 / 20.0
                qm[0, 1] = dt**4 / 8.0
                qm[0, 2] = dt**3 / 6.0
                qm[1, 1] = dt**3 / 3.0
                qm[1, 2] = dt**2 / 2.0
                qm[2, 2] = dt
                qm[1, 0] = qm[0, 1]
                qm[2, 0] = qm[0, 2]
                qm[2, 1] = qm[1, 2]
            for j in range(k):
                acc_x = 0.0
                for m in range(k):
                    acc_x += f[j, m] * xf[i - 1, a, m]
                xp[i, a, j] = acc_x
            for j in range(k):
                for m in range(k):
                    acc_x = 0.0
                    for l in range(k):  # noqa: E741
                        acc_x += f[j, l] * pf[i - 1, a, l, m]
                    tmp[j, m] = acc_x
            for j in range(k):
                for m in range(k):
                    acc_x = 0.0
                    for l in range(k):  # noqa: E741
                        acc_x += tmp[j, l] * f[m, l]
                    pp[i, a, j, m] = acc_x + q[a] * qm[j, m]
            y[a] = z[i, a] - xp[i, a, 0]
            s[a] = pp[i, a, 0, 0] + r[i, a]
        d2 = 0.0
        for a in range(3):
            d2 += y[a] * y[a] / s[a]
        nis[i] = d2
        ok = d2 <= gate
        if not ok and streak >= max_rejects:
            for a in range(3):
                pp[i, a, 1, 1] += reseed
                s[a] = pp[i, a, 0, 0] + r[i, a]
            ok = True
        if ok:
            streak = 0
            acc[i] = True
            for a in range(3):
                for j in range(k):
                    g = pp[i, a, j, 0] / s[a]
                    xf[i, a, j] = xp[i, a, j] + g * y[a]
                    for m in range(k):
                        pf[i, a, j, m] = pp[i, a, j, m] - g * pp[i, a, 0, m]
            # velocity: scalar updates per axis after the position (diagonal R), own gate
            d2v = 0.0
            any_v = False
            for a in range(3):
                if np.isfinite(zv[i, a]):
                    any_v = True
                    yva = zv[i, a] - xf[i, a, 1]
                    d2v += yva * yva / (pf[i, a, 1, 1] + rv[i, a])
            if any_v and d2v <= gate:
                vacc[i] = True
                for a in range(3):
                    if not np.isfinite(zv[i, a]):
                        continue
                    sva = pf[i, a, 1, 1] + rv[i, a]
                    yva = zv[i, a] - xf[i, a, 1]
                    for j in range(k):
                        gv[j] = pf[i, a, j, 1] / sva
                        row[j] = pf[i, a, 1, j]
                    for j in range(k):
                        xf[i, a, j] += gv[j] * yva
                        for m in range(k):
                            pf[i, a, j, m] -= gv[j] * row[m]
        else:
            streak += 1
            xf[i] = xp[i]
            pf[i] = pp[i]
    return xf, pf, xp, pp, acc, nis, vacc


def _inv_small(m, out):  # type: ignore[no-untyped-def]
    k = m.shape[0]
    if k == 2:
        det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
        out[0, 0] = m[1, 1] / det
        out[0, 1] = -m[0, 1] / det
        out[1, 0] = -m[1, 0] / det
        out[1, 1] = m[0, 0] / det
    else:
        c00 = m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]
        c01 = m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]
        c02 = m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]
        det = m[0, 0] * c00 + m[0, 1] * c01 + m[0, 2] * c02
        out[0, 0] = c00 / det
        out[1, 0] = c01 / det
        out[2, 0] = c02 / det
        out[0, 1] = (m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]) / det
        out[1, 1] = (m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]) / det
        out[2, 1] = (m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]) / det
        out[0, 2] = (m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]) / det
        out[1, 2] = (m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]) / det
        out[2, 2] = (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) / det


if HAVE_NUMBA:
    _inv_small = njit(cache=True)(_inv_small)


def _smooth_loops(t, xf, pf, xp, pp, order):  # type: ignore[no-untyped-def]
    n = t.shape[0]
    k = order
    xs = xf.copy()
    ps = pf.copy()
    f = np.zeros((k, k))
    inv = np.zeros((k, k))
    pft = np.zeros((k, k))
    c = np.zeros((k, k))
    dp = np.zeros((k, k))
    tmp = np.zeros((k, k))
    for i in range(n - 2, -1, -1):
        dt = t[i + 1] - t[i]
        f[:, :] = 0.0
        for j in range(k):
            f[j, j] = 1.0
        f[0, 1] = dt
        if k == 3:
            f[1, 2] = dt
            f[0, 2] = 0.5 * dt * dt
        for a in range(3):
            _inv_small(pp[i + 1, a], inv)
            for j in range(k):  # pft = Pf F^T
                for m in range(k):
                    v = 0.0
                    for l in range(k):  # noqa: E741
                        v += pf[i, a, j, l] * f[m, l]
                    pft[j, m] = v
            for j in range(k):  # C = Pf F^T Pp^-1
                for m in range(k):
                    v = 0.0
                    for l in range(k):  # noqa: E741
                        v += pft[j, l] * inv[l, m]
                    c[j, m] = v
            for j in range(k):
                v = 0.0
                for m in range(k):
                    v += c[j, m] * (xs[i + 1, a, m] - xp[i + 1, a, m])
                xs[i, a, j] = xf[i, a, j] + v
            for j in range(k):
                for m in range(k):
                    dp[j, m] = ps[i + 1, a, j, m] - pp[i + 1, a, j, m]
            for j in range(k):
                for m in range(k):
                    v = 0.0
                    for l in range(k):  # noqa: E741
                        v += c[j, l] * dp[l, m]
                    tmp[j, m] = v
            for j in range(k):
                for m in range(k):
                    v = 0.0
                    for l in range(k):  # noqa: E741
                        v += tmp[j, l] * c[m, l]
                    ps[i, a, j, m] = pf[i, a, j, m] + v
    return xs, ps


if HAVE_NUMBA:
    _filter_jit = njit(cache=True)(_filter_loops)

    _smooth_jit = njit(cache=True)(_smooth_loops)


def run_filter(
    t_s: Any,
    z_enu_m: Any,
    r_var_m2: Any,
    model: MotionModel = BALLOON,
    *,
    vel_enu_m_s: Any = None,
    vel_var_m2_s2: Any = None,
    accelerated: bool = True,
) -> FilterResult:
    """Filter and smooth time-sorted ENU position measurements, and velocities where reported.

    ``t_s`` (n,) seconds (non-decreasing), ``z_enu_m`` (n, 3) metres, ``r_var_m2`` (n, 3) or (3,)
    measurement variances (m²). ``vel_enu_m_s`` (n, 3) reported velocities in the same ENU axes
    (NaN where a report has none, per axis) with variances ``vel_var_m2_s2`` (n, 3) or (3,),
    m²/s²: after a report's position passes the gate, its velocity components update the state
    one by one (exactly the joint update, R being diagonal), unless their own normalised
    innovation exceeds the same gate (``FilterResult.vel_accepted``). ``accelerated=False`` runs
    the pure-numpy path.
    """
    t = np.ascontiguousarray(t_s, dtype=np.float64)
    z = np.ascontiguousarray(z_enu_m, dtype=np.float64).reshape(-1, 3)
    r = np.ascontiguousarray(np.broadcast_to(np.asarray(r_var_m2, np.float64), z.shape))
    if vel_enu_m_s is None:
        zv = np.full(z.shape, np.nan)
    else:
        zv = np.ascontiguousarray(np.asarray(vel_enu_m_s, dtype=np.float64).reshape(-1, 3))
        if zv.shape != z.shape:
            raise ValidationError(f"{len(zv)} velocities but {len(z)} positions")
    if vel_var_m2_s2 is None:
        if np.isfinite(zv).any():
            raise ValidationError("velocities need their variances (vel_var_m2_s2)")
        vel_var_m2_s2 = 1.0
    rv = np.ascontiguousarray(np.broadcast_to(np.asarray(vel_var_m2_s2, np.float64), z.shape))
    if len(t) != len(z):
        raise ValidationError(f"{len(t)} times but {len(z)} positions")
    if len(t) == 0:
        raise ValidationError("no measurements to filter")
    if np.any(np.diff(t) < 0):
        raise ValidationError("times must be sorted (non-decreasing)")
    q = np.asarray(model.q_enu, dtype=np.float64)
    args = (
        t,
        z,
        r,
        model.order,
        q,
        model.gate_nis,
        model.max_rejects,
        model.reseed_var_m2_s2,
        *model.init_var,
        zv,
        rv,
    )
    if accelerated and HAVE_NUMBA:
        xf, pf, xp, pp, acc, nis, vacc = _filter_jit(*args)
        xs, ps = _smooth_jit(t, xf, pf, xp, pp, model.order)
    else:
        xf, pf, xp, pp, acc, nis, vacc = _filter_numpy(*args)
        xs, ps = _smooth_numpy(t, xf, pf, xp, pp, model.order)
    n_bad = int(np.count_nonzero(~acc))
    if n_bad:
        log.info("kalman %s: %d of %d reports rejected by the chi-square gate", model.name, n_bad, len(t))
    n_vel = int(np.count_nonzero(np.isfinite(zv).any(axis=1) & acc))
    if n_vel and int(np.count_nonzero(vacc)) < n_vel:
        log.info("kalman %s: %d of %d reported velocities rejected by the gate", model.name,
                 n_vel - int(np.count_nonzero(vacc)), n_vel)  # fmt: skip
    return FilterResult(t, xf, pf, xs, ps, acc, nis, model, vacc)
