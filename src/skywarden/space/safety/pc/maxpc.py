"""Maximum possible Pc when no covariance is known (Alfano 2005).

Reference: S. Alfano, "Relating position uncertainty to maximum conjunction probability",
Journal of the Astronautical Sciences 53(2), 193–205 (2005). With only the miss distance ``d``
and the combined hard-body radius ``R`` known, the covariance that maximises Pc is sought: for an
encounter-plane covariance of fixed aspect ratio ``AR = σ_major/σ_minor`` whose MAJOR axis lies
along the miss vector (the worst orientation: for R ≪ d the density at the miss point is then
``AR·e⁻¹/(π d²)`` at best, against ``e⁻¹/(π·AR·d²)`` across it), Pc(σ) rises and then falls as
σ grows; its peak is the maximum Pc. For an isotropic covariance (AR = 1, the default) and
R ≪ d the peak has the closed form ``Pc_max = R² / (e · d²)`` at ``σ = d/√2``. The maximum grows
with AR (towards the one-dimensional limit), so state the aspect ratio you assume.

Here the peak is found numerically (bounded Brent search on log σ) with the exact
:func:`~.foster.pc_2d_foster` integral, so it holds for any R/d and AR.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ....errors import InputError
from .foster import pc_2d_foster

__all__ = ["max_pc_2d"]


def _pc_at(log_sigma: float, d: float, r: float, ar: float) -> float:
    s = np.exp(log_sigma)
    cov = np.array([[[(ar * s) ** 2, 0.0], [0.0, s**2]]])
    return float(pc_2d_foster(np.array([[d, 0.0]]), cov, np.array([r]))[0])


def max_pc_2d(miss_distance_m: Any, hbr_m: Any, aspect_ratio: float = 1.0) -> np.ndarray:
    """Maximum Pc over all covariances of the given aspect ratio; arrays broadcast; returns array."""
    from scipy.optimize import minimize_scalar  # imported here: keeps `import skywarden` light

    if not aspect_ratio >= 1.0:
        raise InputError(f"aspect_ratio must be >= 1 (major/minor σ); got {aspect_ratio!r}")
    d_arr, r_arr = np.broadcast_arrays(np.asarray(miss_distance_m, float), np.asarray(hbr_m, float))
    out = np.full(d_arr.shape, np.nan)
    for idx in np.ndindex(d_arr.shape):
        d, r = float(d_arr[idx]), float(r_arr[idx])
        if not (np.isfinite(d) and np.isfinite(r)) or r <= 0:
            out[idx] = 0.0 if np.isfinite(d) and np.isfinite(r) else np.nan
            continue
        if d <= r:
            out[idx] = 1.0  # the disk covers the nominal position: Pc → 1 as σ → 0
            continue
        scale = max(d, r)
        res = minimize_scalar(
            lambda ls, d=d, r=r: -_pc_at(ls, d, r, aspect_ratio),
            bounds=(np.log(scale * 1e-3 / aspect_ratio), np.log(scale * 1e3)),
            method="bounded",
            options={"xatol": 1e-6},
        )
        out[idx] = -float(res.fun)
    return out
