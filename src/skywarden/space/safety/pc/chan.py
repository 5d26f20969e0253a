"""Chan (1997, 2008) 2-D Pc: the equivalent-area series.

Reference: F. K. Chan, *Spacecraft Collision Probability*, The Aerospace Press / AIAA (2008),
ch. 4–5 (first published as "Collision probability analyses for Earth-orbiting satellites",
Adv. Astronaut. Sci. 96, 1997). The elliptical Gaussian is replaced by an isotropic one of the
same area (σ² = σx σy) and the disk by a disk of the same area in the scaled plane; the Rician
integral then has the convergent series::

    u = R² / (σx σy),   v = mx²/σx² + my²/σy²
    Pc = Σ_{m≥0} e^{−v/2} (v/2)^m / m! · [1 − e^{−u/2} Σ_{k=0}^{m} (u/2)^k / k!]

Each term is a Poisson probability times a Poisson tail, evaluated here with log-gamma and the
regularised incomplete gamma function (``1 − e^{−μ} Σ_{k≤m} μ^k/k! = P(m+1, μ)``), summed over
``m ∈ [λ − 12√λ − 12, λ + 12√λ + 12]`` (λ = v/2) so large miss distances need no huge series.
Chan's series is exact for isotropic covariances and an approximation (typically within a few
per cent of Foster when R ≪ σ) otherwise; it reproduces Chan's own published values for his 12
test cases and the other published cases to their printed digits, including where the
approximation collapses for very thin ellipses (``tests/space/test_pc_published.py``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc, gammaln

from .base import PcMethod, principal_axes

__all__ = ["ChanMethod", "pc_2d_chan"]

_SPREAD = 12.0


def pc_2d_chan(miss_m: np.ndarray, cov_m2: np.ndarray, hbr_m: np.ndarray) -> np.ndarray:
    """Chan series Pc for (N, 2) miss vectors, (N, 2, 2) covariances (m²) and (N,) radii (m)."""
    mx, my, sx, sy = principal_axes(np.asarray(miss_m, float), np.asarray(cov_m2, float))
    hbr_in = np.asarray(hbr_m, dtype=float)
    infinite = np.isposinf(hbr_in)  # a disk covering the whole plane: Pc = 1 (CARA PcCircle)
    hbr = np.where(infinite, 1.0, hbr_in)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = hbr**2 / (sx * sy)
        v = (mx / sx) ** 2 + (my / sy) ** 2
    ok = np.isfinite(u) & np.isfinite(v) & (hbr > 0)
    lam = np.where(ok, 0.5 * v, 0.0)
    mu = np.where(ok, 0.5 * u, 1.0)
    lo = np.floor(np.maximum(lam - _SPREAD * np.sqrt(lam) - _SPREAD, 0.0))
    width = int(np.ceil(np.max(2.0 * _SPREAD * np.sqrt(lam) + 2.0 * _SPREAD + 1.0, initial=1.0)))
    m = lo[:, None] + np.arange(width)[None, :]
    with np.errstate(divide="ignore"):
        log_pmf = (
            np.where(m > 0, m * np.log(np.maximum(lam[:, None], 1e-300)), 0.0)
            - lam[:, None]
            - gammaln(m + 1.0)
        )
    pc = np.sum(np.exp(log_pmf) * gammainc(m + 1.0, mu[:, None]), axis=1)
    pc = np.where(ok, np.clip(pc, 0.0, 1.0), np.where(np.isfinite(hbr) & ~(hbr > 0), 0.0, np.nan))
    return np.where(infinite, 1.0, pc)


class ChanMethod(PcMethod):
    """Chan's equivalent-area series."""

    name = "chan"

    def pc_2d(self, miss_m: np.ndarray, cov_m2: np.ndarray, hbr_m: np.ndarray) -> np.ndarray:
        return pc_2d_chan(miss_m, cov_m2, hbr_m)
