"""Maximum possible Pc when the covariance is unknown or untrusted (Alfano 2005).

Reference: S. Alfano, "Relating position uncertainty to maximum conjunction probability",
Journal of the Astronautical Sciences 53(2), 193–205 (2005). Given the miss distance ``d`` and
the combined hard-body radius ``R``, the covariance that maximises Pc is sought. Three maxima
are reported, and named, because they answer different questions:

1. **Maximum over size for a stated aspect ratio** (:func:`max_pc_2d`, JSON ``pc_max_size``).
   An encounter-plane covariance of aspect ratio ``AR = σ_major/σ_minor`` with its MAJOR axis
   along the miss vector (the worst orientation) and size σ (= σ_minor) scaled freely. For
   R ≪ d the Gaussian density at the miss point is ``exp(−d²/(2 AR² σ²)) / (2π AR σ²)``;
   with u = 1/σ² this is ``u e^{−u d²/(2 AR²)} / (2π AR)``, largest at u = 2 AR²/d², i.e.
   ``σ = d/(√2 AR)``, where it equals ``AR / (π e d²)``; times the disk area πR²::

       Pc_max(AR) = AR · R² / (e · d²)            (R ≪ d; AR = 1: Alfano's R²/(e d²))

   The numbers here come from the exact :func:`~.foster.pc_2d_foster` integral maximised over
   log σ (bounded Brent), so they hold for any R/d; the closed form is the test oracle.
   Pc_max grows linearly with AR, so state the aspect ratio: the CDM covariance's own aspect
   ratio when one is present, else the one you assume (default 1).
2. **Maximum over size of the covariance's own shape** (:func:`max_pc_scaled`, JSON
   ``pc_max_scaled_covariance``, only with a covariance): the projected covariance ``k²·C`` with
   its own aspect ratio *and orientation*, maximised over ``k``. For R ≪ d, with the Mahalanobis
   distance ``m² = dᵀC⁻¹d``, the peak is at ``k² = m²/2`` and equals ``R² / (e · m² · √det C)``.
   It is ≥ the Pc of the covariance as given (k = 1 is one of the candidates).
3. **Absolute bound over all shapes** (:func:`max_pc_absolute`, JSON ``pc_max_absolute``): the
   degenerate limit AR → ∞ (all uncertainty along the miss line). For any 2-D Gaussian the
   probability of the disk is at most the probability that the component along the miss
   direction lies in [d − R, d + R], a 1-D Gaussian N(0, σ²) whatever the covariance; so::

       Pc_abs = max_σ [Φ((d + R)/σ) − Φ((d − R)/σ)],   σ*² = 2 d R / ln((d + R)/(d − R))

   (setting the σ-derivative (d+R) φ((d+R)/σ) − (d−R) φ((d−R)/σ) to zero), which the
   degenerate covariance attains. For R ≪ d, σ* → d and Pc_abs → 2R / (d √(2π e)).
   Miss 1 km, HBR 10 m: AR 1 → 3.68e-5, AR 10 → 3.68e-4, absolute 4.84e-3.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import ndtr

from ....errors import InputError
from .foster import pc_2d_foster

__all__ = [
    "covariance_aspect_ratio",
    "max_pc_2d",
    "max_pc_absolute",
    "max_pc_scaled",
    "max_pc_small_radius",
    "max_pc_summary",
]


def _pc_at(log_sigma: float, d: float, r: float, ar: float) -> float:
    s = np.exp(log_sigma)
    cov = np.array([[[(ar * s) ** 2, 0.0], [0.0, s**2]]])
    return float(pc_2d_foster(np.array([[d, 0.0]]), cov, np.array([r]))[0])


def max_pc_small_radius(miss_distance_m: Any, hbr_m: Any, aspect_ratio: Any = 1.0) -> Any:
    """Alfano's closed form for R ≪ d: ``AR · R² / (e · d²)`` (see the module docstring)."""
    d, r, ar = (np.asarray(x, dtype=float) for x in (miss_distance_m, hbr_m, aspect_ratio))
    return ar * r**2 / (math.e * d**2)


def max_pc_2d(miss_distance_m: Any, hbr_m: Any, aspect_ratio: Any = 1.0) -> np.ndarray:
    """Maximum Pc over covariance size for the given aspect ratio(s), major axis along the miss
    (the worst orientation); arrays broadcast; returns an array."""
    from scipy.optimize import minimize_scalar  # imported here: keeps `import skywarden` light

    d_arr, r_arr, ar_arr = np.broadcast_arrays(
        np.asarray(miss_distance_m, float), np.asarray(hbr_m, float), np.asarray(aspect_ratio, float)
    )
    if np.any(~(ar_arr >= 1.0) & np.isfinite(ar_arr)):
        raise InputError(f"aspect_ratio must be >= 1 (major/minor σ); got {aspect_ratio!r}")
    out = np.full(d_arr.shape, np.nan)
    for idx in np.ndindex(d_arr.shape):
        d, r, ar = float(d_arr[idx]), float(r_arr[idx]), float(ar_arr[idx])
        if not (np.isfinite(d) and np.isfinite(r) and np.isfinite(ar)):
            continue
        if r <= 0:
            out[idx] = 0.0
            continue
        if d <= r:
            out[idx] = 1.0  # the disk covers the nominal position: Pc → 1 as σ → 0
            continue
        # closed-form optimum σ = d/(√2·AR) for R ≪ d; search three decades either side
        guess = math.log(d / (math.sqrt(2.0) * ar))
        res = minimize_scalar(
            lambda ls, d=d, r=r, ar=ar: -_pc_at(ls, d, r, ar),
            bounds=(guess - math.log(1e3), guess + math.log(1e3)),
            method="bounded",
            options={"xatol": 1e-7},
        )
        out[idx] = -float(res.fun)
    return out


def max_pc_absolute(miss_distance_m: Any, hbr_m: Any) -> tuple[np.ndarray, np.ndarray]:
    """Absolute maximum Pc over every covariance (size, shape, orientation): the degenerate
    limit, ``(pc, sigma_m)`` with the maximising σ along the miss line (module docstring, 3)."""
    d, r = np.broadcast_arrays(np.asarray(miss_distance_m, float), np.asarray(hbr_m, float))
    d = np.asarray(d, dtype=float)
    r = np.asarray(r, dtype=float)
    pc = np.full(d.shape, np.nan)
    sigma = np.full(d.shape, np.nan)
    ok = np.isfinite(d) & np.isfinite(r)
    covers = ok & (d <= r) & (r > 0)
    pc[covers], sigma[covers] = 1.0, 0.0
    pc[ok & ~(r > 0)] = 0.0
    sel = ok & (d > r) & (r > 0)
    if sel.any():
        ds, rs = d[sel], r[sel]
        s = np.sqrt(2.0 * ds * rs / np.log1p(2.0 * rs / (ds - rs)))
        # upper-tail difference: no cancellation when both CDF values are close to 1
        pc[sel] = ndtr(-(ds - rs) / s) - ndtr(-(ds + rs) / s)
        sigma[sel] = s
    return pc, sigma


def covariance_aspect_ratio(cov_m2: Any) -> np.ndarray:
    """√(λ_max/λ_min) of (N, 2, 2) encounter-plane covariances (inf for a degenerate one)."""
    w = np.linalg.eigvalsh(np.asarray(cov_m2, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(w[..., -1] / np.where(w[..., 0] > 0, w[..., 0], 0.0))


def max_pc_scaled(miss_m: Any, cov_m2: Any, hbr_m: Any) -> tuple[np.ndarray, np.ndarray]:
    """Maximum over ``k`` of the Foster Pc of ``k²·C`` (the covariance's own shape and
    orientation, size free) for (N, 2) miss vectors, (N, 2, 2) covariances and (N,) radii;
    returns ``(pc, k)`` (module docstring, 2)."""
    from scipy.optimize import minimize_scalar

    miss = np.atleast_2d(np.asarray(miss_m, dtype=float))
    cov = np.asarray(cov_m2, dtype=float).reshape(-1, 2, 2)
    r = np.broadcast_to(np.asarray(hbr_m, dtype=float), (miss.shape[0],))
    pc = np.full(miss.shape[0], np.nan)
    scale = np.full(miss.shape[0], np.nan)
    for i in range(miss.shape[0]):
        c, m, ri = cov[i], miss[i], float(r[i])
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(m)) and np.isfinite(ri)):
            continue
        if np.linalg.eigvalsh(c)[0] <= 0:
            continue
        d = float(np.hypot(*m))
        if ri <= 0 or d <= ri:
            pc[i], scale[i] = (0.0, 1.0) if ri <= 0 else (1.0, 0.0)
            continue
        maha2 = float(m @ np.linalg.solve(c, m))
        guess = 0.5 * math.log(maha2 / 2.0)  # log k at the R ≪ d optimum k² = m²/2

        def neg(log_k: float, c: np.ndarray = c, m: np.ndarray = m, ri: float = ri) -> float:
            k2 = math.exp(2.0 * log_k)
            return -float(pc_2d_foster(m[None, :], (k2 * c)[None], np.array([ri]))[0])

        res = minimize_scalar(
            neg,
            bounds=(guess - math.log(1e3), guess + math.log(1e3)),
            method="bounded",
            options={"xatol": 1e-7},
        )
        pc[i], scale[i] = -float(res.fun), math.exp(float(res.x))
    return pc, scale


def max_pc_summary(
    miss_distance_m: Any,
    hbr_m: Any,
    aspect_ratio: float | None = None,
    *,
    miss_2d: Any = None,
    cov_2d: Any = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The three maxima of the module docstring for N events, named; returns ``(pc, fields)``.

    With encounter-plane ``miss_2d`` (N, 2) and ``cov_2d`` (N, 2, 2) the aspect ratio is the
    covariance's own and ``pc`` = max(``pc_max_size``, ``pc_max_scaled_covariance``) (≥ the Pc of
    the covariance as given); without, ``aspect_ratio`` (default 1) is stated and
    ``pc`` = ``pc_max_size``. ``pc_max_absolute`` bounds every covariance.
    """
    d = np.atleast_1d(np.asarray(miss_distance_m, dtype=float))
    r = np.broadcast_to(np.asarray(hbr_m, dtype=float), d.shape)
    absolute, sigma_abs = max_pc_absolute(d, r)
    fields: dict[str, Any] = {}
    if cov_2d is not None:
        ar = covariance_aspect_ratio(cov_2d)
        source = "covariance (encounter-plane projection of the combined covariance)"
        scaled, k = max_pc_scaled(miss_2d, cov_2d, r)
    else:
        if aspect_ratio is not None and not aspect_ratio >= 1.0:
            raise InputError(f"aspect_ratio must be >= 1 (major/minor σ); got {aspect_ratio!r}")
        ar = np.full(d.shape, 1.0 if aspect_ratio is None else float(aspect_ratio))
        source = "given" if aspect_ratio is not None else "assumed 1 (isotropic): no covariance, none given"
    size = max_pc_2d(d, r, np.where(np.isfinite(ar), ar, 1.0))
    size = np.where(np.isfinite(ar), size, absolute)  # degenerate covariance: the absolute bound
    pc = size if cov_2d is None else np.fmax(size, scaled)
    fields = {
        "pc_max_kind": "maximum over covariance size at the stated aspect ratio"
        + (" (max with the covariance's own shape scaled)" if cov_2d is not None else "")
        + " (Alfano 2005, JAS 53(2))",
        "aspect_ratio": ar,
        "aspect_ratio_source": source,
        "pc_max_size": size,
        "pc_max_absolute": absolute,
        "pc_max_absolute_sigma_m": sigma_abs,
        "pc_max_absolute_kind": "bound over all covariance shapes, sizes and orientations "
        "(degenerate limit: all uncertainty along the miss line)",
    }
    if cov_2d is not None:
        fields["pc_max_scaled_covariance"] = scaled
        fields["pc_max_covariance_scale"] = k
    return pc, fields
