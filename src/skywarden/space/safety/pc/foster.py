"""Foster & Estes (1992) 2-D Pc: numerical integration of the Gaussian over the hard-body disk.

Reference: J. L. Foster and H. S. Estes, "A parametric analysis of orbital debris collision
probability and maneuver rate for space vehicles", NASA JSC-25898 (1992); the same integral is
NASA CARA's ``Pc2D_Foster``/``PcCircle``.

Numerics: in the principal axes of the projected covariance (σx ≤ σy, Gaussian mean (mx, my),
disk at the origin) the inner integral over y is exact::

    Pc = ∫_{-R}^{R} N(x; mx, σx) · ½[erf((√(R²−x²) − my)/(√2 σy)) + erf((√(R²−x²) + my)/(√2 σy))] dx

The outer integral runs over ``[−R, R] ∩ [mx − 12σx, mx + 12σx]`` (outside it the density is below
1e-32) with the substitution ``x = R sin φ``, which removes the square-root end-point
singularity, and a fixed 64-node Gauss–Legendre rule: vectorised over any number of events,
relative error below 1e-8 on smooth cases (checked against adaptive quadrature in the tests).
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf, erfc

from .base import PcMethod, principal_axes

__all__ = ["FosterMethod", "pc_2d_foster"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
_CLIP_SIGMA = 12.0


def erf_band(x: np.ndarray, hbr: np.ndarray, my: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """P(|y − my| chord) = ½[erf((h − |my|)/√2σy) + erf((h + |my|)/√2σy)], h = √(R² − x²).

    When the chord lies wholly on one side of the mean (h < |my|) both erf values are close to
    ±1 and their sum cancels catastrophically (a 1e-20 Pc came out 5 % low); there the same
    quantity is formed from the two upper tails, ½[erfc((|my| − h)/√2σy) − erfc((|my| + h)/√2σy)].
    """
    half = np.sqrt(np.maximum(hbr[:, None] ** 2 - x**2, 0.0))
    s = np.sqrt(2.0) * sy[:, None]
    a = (half - np.abs(my)[:, None]) / s
    b = (half + np.abs(my)[:, None]) / s
    with np.errstate(invalid="ignore"):
        inside = 0.5 * (erf(a) + erf(b))
        outside = 0.5 * (erfc(-a) - erfc(b))
    return np.where(a >= 0.0, inside, outside)


def pc_2d_foster(miss_m: np.ndarray, cov_m2: np.ndarray, hbr_m: np.ndarray) -> np.ndarray:
    """Foster Pc for (N, 2) miss vectors, (N, 2, 2) covariances (m²) and (N,) radii (m)."""
    mx, my, sx, sy = principal_axes(np.asarray(miss_m, float), np.asarray(cov_m2, float))
    hbr_in = np.asarray(hbr_m, dtype=float)
    infinite = np.isposinf(hbr_in)  # a disk covering the whole plane: Pc = 1 (CARA PcCircle)
    hbr = np.where(infinite, 1.0, hbr_in)
    sx_safe = np.where(sx > 0, sx, np.nan)
    lo = np.maximum(-hbr, mx - _CLIP_SIGMA * sx)
    hi = np.minimum(hbr, mx + _CLIP_SIGMA * sx)
    empty = ~(hi > lo) | ~(hbr > 0)
    phi_lo = np.arcsin(np.clip(lo / np.where(hbr > 0, hbr, 1.0), -1.0, 1.0))
    phi_hi = np.arcsin(np.clip(hi / np.where(hbr > 0, hbr, 1.0), -1.0, 1.0))
    half = 0.5 * (phi_hi - phi_lo)
    phi = 0.5 * (phi_hi + phi_lo)[:, None] + half[:, None] * _NODES[None, :]
    x = hbr[:, None] * np.sin(phi)
    jac = hbr[:, None] * np.cos(phi)
    dens = np.exp(-0.5 * ((x - mx[:, None]) / sx_safe[:, None]) ** 2) / (
        np.sqrt(2.0 * np.pi) * sx_safe[:, None]
    )
    integrand = dens * erf_band(x, hbr, my, sy) * jac
    pc = half * (integrand @ _WEIGHTS)
    pc = np.where(empty, 0.0, pc)
    bad = ~np.isfinite(mx) | ~np.isfinite(sy) | ~np.isfinite(hbr)
    return np.where(infinite, 1.0, np.where(bad, np.nan, np.clip(pc, 0.0, 1.0)))


class FosterMethod(PcMethod):
    """Foster & Estes (1992) numerical integration over the HBR disk."""

    name = "foster"

    def pc_2d(self, miss_m: np.ndarray, cov_m2: np.ndarray, hbr_m: np.ndarray) -> np.ndarray:
        return pc_2d_foster(miss_m, cov_m2, hbr_m)
