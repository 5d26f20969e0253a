"""3-D Monte Carlo Pc for encounters where the 2-D (straight-line) model fails.

Method (after Alfano 2009, "Satellite conjunction Monte Carlo analysis", AAS 09-233, and
NASA CARA's brute-force Monte Carlo): draw ``n_samples`` states of each object from its Gaussian
(6×6 covariance: position and velocity; 3×3: position only), propagate every sampled pair with
two-body motion (universal-variable Kepler solver, vectorised) and find the pair's own time of
closest approach near the nominal TCA by Newton iterations on ``d/dt |r_rel|² = 2 r_rel·v_rel``.
The pair counts as a hit when that minimum distance is below the combined hard-body radius;
Pc = hits / samples with a 95 % Wilson interval. Curved relative motion, velocity uncertainty
and long (slow) encounters are therefore all represented, unlike in the 2-D methods.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ....constants import WGS84_GM_M3_S2
from ..covariance import repair_covariance

__all__ = ["kepler_propagate", "pc_monte_carlo_3d"]

MU_EARTH_M3_S2 = WGS84_GM_M3_S2  # WGS84/EGM96 GM, m³/s² (skywarden.constants)
_NEWTON_TCA_STEPS = 12
_KEPLER_STEPS = 30


def _stumpff(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = np.empty_like(z)
    s = np.empty_like(z)
    pos, neg = z > 1e-6, z < -1e-6
    small = ~(pos | neg)
    sp = np.sqrt(z[pos])
    c[pos] = (1.0 - np.cos(sp)) / z[pos]
    s[pos] = (sp - np.sin(sp)) / sp**3
    sn = np.sqrt(-z[neg])
    c[neg] = (np.cosh(sn) - 1.0) / (-z[neg])
    s[neg] = (np.sinh(sn) - sn) / sn**3
    zs = z[small]
    c[small] = 0.5 - zs / 24.0 + zs**2 / 720.0
    s[small] = 1.0 / 6.0 - zs / 120.0 + zs**2 / 5040.0
    return c, s


def kepler_propagate(
    r_m: np.ndarray, v_m_s: np.ndarray, dt_s: np.ndarray, mu: float = MU_EARTH_M3_S2
) -> tuple[np.ndarray, np.ndarray]:
    """Two-body states after ``dt_s`` (N,) from (N, 3) states (m, m/s); universal variables.

    Curtis, *Orbital Mechanics for Engineering Students*, Algorithms 3.3–3.4.
    """
    r0 = np.linalg.norm(r_m, axis=-1)
    v0 = np.linalg.norm(v_m_s, axis=-1)
    vr0 = np.sum(r_m * v_m_s, axis=-1) / r0
    alpha = 2.0 / r0 - v0**2 / mu
    smu = np.sqrt(mu)
    chi = smu * np.abs(alpha) * dt_s
    for _ in range(_KEPLER_STEPS):
        z = alpha * chi**2
        c, s = _stumpff(z)
        f = r0 * vr0 / smu * chi**2 * c + (1.0 - alpha * r0) * chi**3 * s + r0 * chi - smu * dt_s
        fp = r0 * vr0 / smu * chi * (1.0 - z * s) + (1.0 - alpha * r0) * chi**2 * c + r0
        step = f / fp
        chi = chi - step
        if np.all(np.abs(step) < 1e-9 * np.maximum(np.abs(chi), 1.0)):
            break
    z = alpha * chi**2
    c, s = _stumpff(z)
    f = 1.0 - chi**2 / r0 * c
    g = dt_s - chi**3 / smu * s
    r = f[:, None] * r_m + g[:, None] * v_m_s
    rn = np.linalg.norm(r, axis=-1)
    fdot = smu / (rn * r0) * (z * s - 1.0) * chi
    gdot = 1.0 - chi**2 / rn * c
    v = fdot[:, None] * r_m + gdot[:, None] * v_m_s
    return r, v


def _sample(
    x: np.ndarray, v: np.ndarray, cov: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw n states; the covariance is factored by eigen-decomposition, negatives clipped to 0.

    Only eigenvalues below −1e-9 of the largest count as a real defect (one warning); smaller
    negatives are rounding noise of mixed-unit 6×6 matrices and are clipped silently.
    """
    dim = cov.shape[-1]
    c = 0.5 * (cov + cov.T)
    w, q = np.linalg.eigh(c)
    if w[0] < -1e-9 * max(abs(w[-1]), 1e-300):
        repair_covariance(c, floor=0.0)  # emits the one DataQualityWarning
    factor = q * np.sqrt(np.maximum(w, 0.0))[None, :]
    z = rng.standard_normal((n, dim)) @ factor.T
    rs = x[None, :] + z[:, :3]
    vs = v[None, :] + (z[:, 3:] if dim == 6 else 0.0)
    return rs, np.broadcast_to(vs, (n, 3)).copy()


def pc_monte_carlo_3d(
    r1_m: Any,
    v1_m_s: Any,
    cov1: Any,
    r2_m: Any,
    v2_m_s: Any,
    cov2: Any,
    hbr_m: float,
    *,
    n_samples: int = 100_000,
    seed: int | None = 0,
    window_s: float | None = None,
) -> tuple[float, tuple[float, float], int]:
    """Monte Carlo Pc of one encounter; returns ``(pc, (lo95, hi95), hits)``.

    States at the nominal TCA in one inertial frame (m, m/s); covariances 3×3 or 6×6 (m², m²/s,
    m²/s²). Each pair's TCA is searched within ``±window_s`` of the nominal TCA (default: a
    quarter of the shorter orbital period).
    """
    r1, v1, r2, v2 = (np.asarray(a, dtype=float).reshape(3) for a in (r1_m, v1_m_s, r2_m, v2_m_s))
    c1, c2 = np.asarray(cov1, dtype=float), np.asarray(cov2, dtype=float)
    rng = np.random.default_rng(seed)
    a_r1, a_v1 = _sample(r1, v1, c1, n_samples, rng)
    a_r2, a_v2 = _sample(r2, v2, c2, n_samples, rng)
    if window_s is None:
        periods = []
        for r, v in ((r1, v1), (r2, v2)):
            energy = 0.5 * v @ v - MU_EARTH_M3_S2 / np.linalg.norm(r)
            a = -MU_EARTH_M3_S2 / (2.0 * energy) if energy < 0 else np.inf
            periods.append(2.0 * np.pi * np.sqrt(a**3 / MU_EARTH_M3_S2))
        window_s = 0.25 * min(periods) if np.isfinite(min(periods)) else 3600.0
    t = np.zeros(n_samples)
    for _ in range(_NEWTON_TCA_STEPS):
        p1, q1 = kepler_propagate(a_r1, a_v1, t)
        p2, q2 = kepler_propagate(a_r2, a_v2, t)
        dr, dv = p2 - p1, q2 - q1
        acc1 = -MU_EARTH_M3_S2 * p1 / np.linalg.norm(p1, axis=-1, keepdims=True) ** 3
        acc2 = -MU_EARTH_M3_S2 * p2 / np.linalg.norm(p2, axis=-1, keepdims=True) ** 3
        f = np.sum(dr * dv, axis=-1)
        fp = np.sum(dv * dv, axis=-1) + np.sum(dr * (acc2 - acc1), axis=-1)
        step = np.where(fp > 0, f / np.where(fp > 0, fp, 1.0), 0.0)
        t = np.clip(t - step, -window_s, window_s)
        if np.all(np.abs(step) < 1e-6):
            break
    p1, _ = kepler_propagate(a_r1, a_v1, t)
    p2, _ = kepler_propagate(a_r2, a_v2, t)
    dmin = np.linalg.norm(p2 - p1, axis=-1)
    hits = int(np.count_nonzero(dmin < hbr_m))
    return hits / n_samples, _wilson(hits, n_samples), hits


def _wilson(hits: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a binomial proportion."""
    p = hits / n
    denom = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))
