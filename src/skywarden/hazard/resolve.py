"""Risk limits decided with stated confidence: bounds on E_c and individual risk, adaptive sampling.

A Monte Carlo E_c or individual risk is an estimate; a limit test on the estimate alone passes a
cell with a true 2 % hit chance about half the time at 36 samples, and reports E_c = 0 (standard
error 0) when no sample happened to reach people. Here every number that is compared with a limit
comes with a one-sided bound at ``confidence`` (default 0.95), and the decision is one of
``pass`` (upper bounds within both limits), ``fail`` (a lower bound beyond a limit) or
``undecided``.

**Individual risk** of a grid cell: Σ_k count_k · p_kc · A_c,k / cell² with p_kc the probability
that a hazardous piece of class k lands in the cell, estimated by h_kc/n_k (hits / samples). Each
p_kc gets an exact Clopper–Pearson bound (binomial; ``betaincinv``), A_c,k its class's largest
(upper) or smallest (lower) hazardous casualty area, and the confidence is split by Bonferroni
over the K classes and the M populated cells looked at (cells reached by any sample, plus one for
"every other populated cell"): the bounds hold simultaneously over those cells. A populated cell
that no hazardous sample reached still has the upper bound Σ_k count_k·p_u(0, n_k)·A_c,k/cell²
(p_u(0, n) = 1 − (α/KM)^{1/n} ≈ ln(KM/α)/n: the rule of three, 3/n at 95 %, for one cell).

**E_c** = Σ_k count_k · E[c] with c = hazardous · density · A_c (· sheltering) per sample,
0 ≤ c ≤ c_max,k = A_c,k,max · D_max. With h_k ≥ 10 samples contributing (c > 0) the normal
bound mean ± z·se is used; with fewer, E[c] ≤ c_max,k · P(c > 0) ≤ c_max,k · p_u(h_k, n_k), and
the lower bound is 0. D_max is the largest density met on a 16 × 16 grid over the samples'
bounding box widened by half its size on every side, and at the samples: the assumption is that
the unsampled tail does not reach denser places than that neighbourhood.

**Adaptive sampling** (:func:`assess_until_resolved`): while undecided, the sample is doubled
(new independent draws merged into the old) until the decision is made or ``max_samples`` is
spent; then ``undecided`` is reported as such.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import betaincinv, ndtri

from ..errors import ValidationError
from .base import PopulationModel
from .casualty import FAA_450, RiskLimits, risk_parts
from .dispersion import Dispersion, from_local

__all__ = ["DECISIONS", "RiskBounds", "assess_until_resolved", "binomial_bounds", "risk_bounds"]

DECISIONS = ("pass", "fail", "undecided")
_PER_KM2_TO_PER_M2 = 1e-6
_NORMAL_MIN_HITS = 10
_GRID = 16


def binomial_bounds(k: Any, n: Any, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Clopper–Pearson bounds ``(lower, upper)`` on a binomial p from k successes in n
    trials, each at confidence 1 − ``alpha`` (exact: beta quantiles)."""
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = np.where(k >= n, 1.0, betaincinv(k + 1.0, np.maximum(n - k, 1e-300), 1.0 - alpha))
        lower = np.where(k <= 0, 0.0, betaincinv(np.maximum(k, 1e-300), n - k + 1.0, alpha))
    return np.asarray(lower), np.asarray(upper)


@dataclass(frozen=True)
class RiskBounds:
    """One-sided bounds at ``confidence`` and the decision against ``limits`` (see module docstring).

    Attributes: ``ec``, ``ec_lower``, ``ec_upper`` (expected casualties); ``individual``,
    ``individual_lower``, ``individual_upper`` (largest probability of casualty over populated
    cells); ``decision`` in :data:`DECISIONS`; ``confidence``; ``n_samples``; ``density_max_per_km2``
    (D_max of the neighbourhood); ``ec_method`` ("normal" or "binomial × c_max" per the hits).
    """

    ec: float
    ec_lower: float
    ec_upper: float
    individual: float
    individual_lower: float
    individual_upper: float
    decision: str
    confidence: float
    n_samples: int
    density_max_per_km2: float
    ec_method: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "ec_lower": self.ec_lower,
            "ec_upper": self.ec_upper,
            "individual_risk_lower": self.individual_lower,
            "individual_risk_upper": self.individual_upper,
            "decision": self.decision,
            "confidence": self.confidence,
            "samples": self.n_samples,
        }


def _neighbourhood_density_max(d: Dispersion, population: PopulationModel, dens_samples: np.ndarray) -> float:
    x0, x1 = float(np.min(d.x_m)), float(np.max(d.x_m))
    y0, y1 = float(np.min(d.y_m)), float(np.max(d.y_m))
    wx, wy = max(x1 - x0, 1000.0), max(y1 - y0, 1000.0)
    gx = np.linspace(x0 - 0.5 * wx, x1 + 0.5 * wx, _GRID)
    gy = np.linspace(y0 - 0.5 * wy, y1 + 0.5 * wy, _GRID)
    xx, yy = np.meshgrid(gx, gy)
    lat, lon = from_local(d.lat0_deg, d.lon0_deg, xx.ravel(), yy.ravel())
    grid = np.nan_to_num(population.density_per_km2(lat, lon), nan=0.0)
    return float(max(np.max(grid, initial=0.0), np.max(dens_samples, initial=0.0)))


def risk_bounds(
    dispersion: Dispersion,
    population: PopulationModel,
    limits: RiskLimits | None = None,
    *,
    confidence: float = 0.95,
    sheltering_factor: float = 1.0,
    cell_m: float = 1000.0,
    parts: dict[str, Any] | None = None,
) -> RiskBounds:
    """Bounds on E_c and individual risk at ``confidence`` and the pass/fail/undecided decision
    (``parts``: the intermediate arrays of :func:`~.casualty.risk_parts` for the same settings)."""
    if not 0.5 <= confidence < 1.0:
        raise ValidationError(f"confidence must lie in [0.5, 1); got {confidence}")
    lim = limits or FAA_450
    d = dispersion
    alpha = 1.0 - confidence
    if parts is None:
        parts = risk_parts(d, population, sheltering_factor=sheltering_factor, cell_m=cell_m, limits=lim)[1]
    haz = parts["hazardous"]
    dens = parts["density"]
    cache: list[float] = []

    def density_max() -> float:  # only needed where a class has few contributing samples
        if not cache:
            cache.append(_neighbourhood_density_max(d, population, dens))
        return cache[0]

    frags = d.payload.fragments
    n_k = np.bincount(d.fragment_index, minlength=len(frags)).astype(np.float64)
    count = np.array([f.count for f in frags], dtype=np.float64)
    present = n_k > 0
    k_cls = max(1, int(present.sum()))
    a_c = np.asarray(d.casualty_area_m2, dtype=np.float64)
    a_max = np.zeros(len(frags))
    a_min = np.zeros(len(frags))
    for i in np.flatnonzero(present):
        sel = d.fragment_index == i
        a_max[i] = float(np.max(a_c[sel]))
        h_sel = sel & haz
        a_min[i] = float(np.min(a_c[h_sel])) if h_sel.any() else 0.0
    # ---- E_c
    c = np.where(haz, dens * _PER_KM2_TO_PER_M2 * a_c * sheltering_factor, 0.0)
    z = float(ndtri(1.0 - alpha / k_cls))
    ec = ec_lo = ec_hi = 0.0
    methods = []
    for i in np.flatnonzero(present):
        sel = d.fragment_index == i
        ci = c[sel] * count[i]
        mean = float(ci.mean())
        hits = int(np.count_nonzero(ci > 0))
        ec += mean
        if hits >= _NORMAL_MIN_HITS:
            se = float(ci.std(ddof=1)) / math.sqrt(ci.size)
            ec_lo += max(0.0, mean - z * se)
            ec_hi += mean + z * se
            methods.append("normal")
        else:
            _, p_u = binomial_bounds(hits, ci.size, alpha / k_cls)
            c_max = count[i] * a_max[i] * density_max() * _PER_KM2_TO_PER_M2 * sheltering_factor
            ec_hi += max(mean, float(p_u) * c_max)
            methods.append("binomial × c_max")
    # ---- individual risk per cell (hazardous hits only), Bonferroni over classes and cells
    keys, inverse, populated = parts["keys"], parts["inverse"], parts["populated"]
    w_haz = np.where(haz, d.weight * a_c, 0.0)
    est: np.ndarray = (
        np.bincount(inverse, weights=w_haz, minlength=keys.shape[0]) / cell_m**2 * sheltering_factor
    )
    m_cells = int(populated.sum()) + 1
    a_split = alpha / (k_cls * m_cells)
    hi = np.zeros(keys.shape[0])
    lo = np.zeros(keys.shape[0])
    u0 = 0.0
    scale = sheltering_factor / cell_m**2
    for i in np.flatnonzero(present):
        cell_hits = np.bincount(inverse[(d.fragment_index == i) & haz], minlength=keys.shape[0])
        p_l, p_u = binomial_bounds(cell_hits, n_k[i], a_split)
        hi += count[i] * p_u * a_max[i] * scale
        lo += count[i] * p_l * a_min[i] * scale
        u0 += count[i] * float(binomial_bounds(0, n_k[i], a_split)[1]) * a_max[i] * scale
    near_people = bool(populated.any()) or density_max() > 0
    ind = float(np.max(np.where(populated, est, 0.0), initial=0.0))
    ind_hi = float(np.max(np.where(populated, hi, 0.0), initial=0.0))
    if near_people:
        ind_hi = max(ind_hi, u0)  # populated cells no hazardous sample reached
    ind_lo = float(np.max(np.where(populated, lo, 0.0), initial=0.0))
    if ec_lo > lim.ec_max or ind_lo > lim.individual_max:
        decision = "fail"
    elif ec_hi <= lim.ec_max and ind_hi <= lim.individual_max:
        decision = "pass"
    else:
        decision = "undecided"
    return RiskBounds(
        ec=float(ec), ec_lower=float(ec_lo), ec_upper=float(ec_hi), individual=ind, individual_lower=ind_lo,
        individual_upper=ind_hi,
        decision=decision, confidence=confidence, n_samples=d.n,
        density_max_per_km2=cache[0] if cache else float("nan"),
        ec_method=", ".join(sorted(set(methods))),
    )  # fmt: skip


def assess_until_resolved(
    sample: Callable[[int, int], Dispersion],
    population: PopulationModel,
    limits: RiskLimits | None = None,
    *,
    n: int = 256,
    max_samples: int = 1024,
    confidence: float = 0.95,
    sheltering_factor: float = 1.0,
    cell_m: float = 1000.0,
) -> tuple[Dispersion, Any, RiskBounds]:
    """Sample ``n``, then double (``sample(n_more, batch)`` → a new independent dispersion, merged)
    while the decision is ``undecided`` and the total stays within ``max_samples``.

    Returns ``(dispersion, risk_estimate, bounds)`` for all samples drawn.
    """
    if n < 1 or max_samples < n:
        raise ValidationError(f"need 1 ≤ n ≤ max_samples; got n={n}, max_samples={max_samples}")
    disp = sample(n, 0)
    batch = 0
    kw: dict[str, Any] = {"sheltering_factor": sheltering_factor, "cell_m": cell_m, "limits": limits}
    while True:
        risk, parts = risk_parts(disp, population, **kw)
        b = risk_bounds(disp, population, limits, confidence=confidence, sheltering_factor=sheltering_factor,
                        cell_m=cell_m, parts=parts)  # fmt: skip
        more = disp.n
        if b.decision != "undecided" or disp.n + more > max_samples:
            break
        batch += 1
        disp = disp.merge(sample(more, batch))
    return disp, risk, b
