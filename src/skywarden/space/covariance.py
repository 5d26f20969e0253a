"""Position/velocity covariances for conjunction work: RTN ↔ inertial, repair, a default TLE model.

Frames
------
The RTN (radial, transverse, normal) frame of an object with inertial position ``r`` and velocity
``v`` has unit axes ``R = r/|r|``, ``N = r×v/|r×v|``, ``T = N×R`` (CCSDS 508.0-B-1 §3.5.5 calls
it RTN; other texts call it RSW or RIC). :func:`rtn_matrix` returns the 3×3 matrix whose rows are
R, T, N, so ``x_rtn = M @ x_inertial`` and ``C_inertial = Mᵀ C_rtn M``. A 6×6 covariance is
rotated block by block with the same matrix (the frame's rotation rate is not applied to the
velocity block, the convention CARA's Pc tools use for CDM covariances; Pc needs only the 3×3
position block anyway).

Repair
------
Covariances from CDMs are often slightly non-positive-definite after rounding (CARA's
``RemediateCovariance2x2`` handles the same problem). :func:`repair_covariance` clips negative
eigenvalues to a small floor and emits ONE :class:`~skywarden.errors.DataQualityWarning` with
the number of repaired matrices.

Default TLE covariance model (``covariance_source = "default-tle-model"``)
--------------------------------------------------------------------------
TLEs carry no covariance. When only TLEs exist, :func:`default_tle_covariance` supplies a
diagonal RTN position covariance whose 1-σ values grow linearly with element age::

    σ_k(age) = σ_k,0 + σ̇_k · |age_days|      k ∈ {R, T, N}

with the per-orbit-class values in :data:`TLE_SIGMA_MODEL`. The values are order-of-magnitude
numbers from published TLE accuracy assessments, NOT a fit to any one table:

* Flohrer, Krag & Klinkrad (2008), "Assessment and categorization of TLE orbit errors for the
  US SSN catalogue", AMOS Conference: errors are dominated by the along-track component, with
  LEO along-track σ of a few hundred metres at epoch; radial and cross-track σ are several
  times smaller.
* Kelso (2007), "Validation of SGP4 and IS-GPS-200D against GPS precision ephemerides",
  AAS 07-127: SGP4 with TLEs is good to about 1 km within a few days of epoch in LEO, and the
  along-track error grows by roughly a kilometre per day of propagation.

Every result computed from this model is marked ``covariance_source="default-tle-model"``; treat
the resulting Pc as a screening indicator, never as an operational collision probability.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import DataQualityWarning, InputError, OptionError

__all__ = [
    "DEFAULT_TLE_COVARIANCE_SOURCE",
    "TLE_SIGMA_MODEL",
    "default_tle_covariance",
    "inertial_to_rtn",
    "repair_covariance",
    "rtn_matrix",
    "rtn_to_inertial",
]

DEFAULT_TLE_COVARIANCE_SOURCE = "default-tle-model"
"""The ``covariance_source`` flag on every output that used :func:`default_tle_covariance`."""

# orbit class -> ((σR0, σT0, σN0) m at epoch, (σ̇R, σ̇T, σ̇N) m/day of element age)
TLE_SIGMA_MODEL: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "LEO": ((100.0, 500.0, 150.0), (50.0, 1000.0, 50.0)),
    "MEO": ((300.0, 1500.0, 300.0), (100.0, 1000.0, 100.0)),
    "HEO": ((1000.0, 5000.0, 1000.0), (300.0, 3000.0, 300.0)),
    "GEO": ((1000.0, 3000.0, 1000.0), (100.0, 1000.0, 100.0)),
}
"""Default TLE 1-σ model per orbit class, metres and metres/day (see the module docstring)."""

_EIGEN_FLOOR_M2 = 1e-10  # m², smallest eigenvalue kept after repair


def rtn_matrix(r: Any, v: Any) -> np.ndarray:
    """Rotation matrix (rows R, T, N) for inertial ``r``, ``v`` of shape (..., 3); returns (..., 3, 3).

    ``x_rtn = M @ x_inertial``. Units of r and v do not matter.
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    if r.shape[-1] != 3 or v.shape[-1] != 3:
        raise InputError(f"r and v must end in a 3-vector axis; got shapes {r.shape} and {v.shape}")
    rhat = r / np.linalg.norm(r, axis=-1, keepdims=True)
    h = np.cross(r, v)
    nhat = h / np.linalg.norm(h, axis=-1, keepdims=True)
    that = np.cross(nhat, rhat)
    return np.stack([rhat, that, nhat], axis=-2)


def _rotate(cov: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``B C Bᵀ`` where B is block-diag(m, m) for 6×6 inputs, m for 3×3."""
    n = cov.shape[-1]
    if cov.shape[-2:] not in ((3, 3), (6, 6)):
        raise InputError(f"a covariance must be 3×3 or 6×6 (…, n, n); got shape {cov.shape}")
    if n == 6:
        b = np.zeros((*m.shape[:-2], 6, 6))
        b[..., :3, :3] = m
        b[..., 3:, 3:] = m
        m = b
    return m @ cov @ np.swapaxes(m, -1, -2)


def rtn_to_inertial(cov_rtn: Any, r: Any, v: Any) -> np.ndarray:
    """Rotate an RTN covariance (3×3 or 6×6, any units) of the object at ``r``, ``v`` to inertial."""
    m = rtn_matrix(r, v)
    return _rotate(np.asarray(cov_rtn, dtype=float), np.swapaxes(m, -1, -2))


def inertial_to_rtn(cov_inertial: Any, r: Any, v: Any) -> np.ndarray:
    """Rotate an inertial covariance (3×3 or 6×6) of the object at ``r``, ``v`` to its RTN frame."""
    return _rotate(np.asarray(cov_inertial, dtype=float), rtn_matrix(r, v))


def repair_covariance(
    cov: Any, *, floor: float = _EIGEN_FLOOR_M2, warn: bool = True
) -> tuple[np.ndarray, Any]:
    """Symmetrise and clip eigenvalues below ``floor`` (same units as ``cov``); (..., n, n) arrays.

    Returns ``(repaired, was_repaired)`` where ``was_repaired`` is a bool (array for stacks). Emits
    one :class:`DataQualityWarning` naming how many matrices were repaired when ``warn``.
    Matrices with non-finite entries are returned unchanged (callers turn them into NaN Pc).
    """
    c = np.asarray(cov, dtype=float)
    c = 0.5 * (c + np.swapaxes(c, -1, -2))
    finite = np.all(np.isfinite(c), axis=(-1, -2))
    safe = np.where(finite[..., None, None], c, np.eye(c.shape[-1]))
    w, q = np.linalg.eigh(safe)
    bad = finite & np.any(w < floor, axis=-1)
    if np.any(bad):
        clipped = (q * np.maximum(w, floor)[..., None, :]) @ np.swapaxes(q, -1, -2)
        c = np.where(bad[..., None, None], clipped, c)
        if warn:
            count = int(np.count_nonzero(bad))
            warnings.warn(
                f"{count} covariance matri{'x was' if count == 1 else 'ces were'} not positive definite; "
                f"negative eigenvalues were clipped to {floor:g} (eigenvalue clipping)",
                DataQualityWarning,
                stacklevel=2,
            )
    return c, (bool(bad) if np.ndim(bad) == 0 else bad)


def default_tle_covariance(age_days: Any, orbit_class: str = "LEO") -> np.ndarray:
    """Diagonal RTN position covariance, m², for TLEs of ``age_days`` (see the module docstring).

    ``age_days`` may be an array; returns shape (..., 3, 3).
    """
    if orbit_class not in TLE_SIGMA_MODEL:
        raise OptionError("orbit_class", orbit_class, TLE_SIGMA_MODEL)
    sigma0, rate = (np.asarray(x) for x in TLE_SIGMA_MODEL[orbit_class])
    age = np.abs(np.asarray(age_days, dtype=float))[..., None]
    sigma = sigma0 + rate * age
    out = np.zeros((*sigma.shape[:-1], 3, 3))
    idx = np.arange(3)
    out[..., idx, idx] = sigma**2
    return out
