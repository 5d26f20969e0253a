"""The encounter plane and the contract every collision-probability method follows.

Conventions (all SI): positions ``r_m`` (m), velocities ``v_m_s`` (m/s) and covariances
``cov_m2`` (m², m²/s, m²/s²) in one inertial frame, shape ``(3,)``/``(3, 3)`` or ``(6, 6)`` for
one event and ``(N, 3)``/``(N, 3, 3)``/``(N, 6, 6)`` for N events. Object 1 is the primary.

Short-term encounter model (Foster & Estes 1992; Chan 2008 ch. 3; Alfano 2005): near the time
of closest approach (TCA) both objects move on straight lines, the position errors are Gaussian,
fixed during the encounter and uncorrelated, so the combined covariance is ``C = C1 + C2``. The
problem then reduces to the *encounter plane* (B-plane) normal to the relative velocity
``v_rel = v2 − v1``: with ``r_rel = r2 − r1`` at TCA,

* ``e1 = r_rel⊥ / |r_rel⊥|`` (the miss direction, ``r_rel⊥`` the part of r_rel normal to v_rel),
* ``e2 = v̂_rel × e1``,

the miss vector is ``(|r_rel⊥|, 0)`` and the projected covariance ``P C Pᵀ`` (P = [e1; e2]).
Pc is the integral of that 2-D Gaussian over the disk of the combined hard-body radius (HBR)
centred on the miss vector. (NASA CARA's ``PcCircle`` places the miss point at ``|r_rel|``
instead of ``|r_rel⊥|``; the two agree for states at TCA, and the tests reproduce CARA's digits
with its convention.) :class:`PcMethod` implementations only see this 2-D problem.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import erfcinv

from ....constants import WGS84_GM_M3_S2
from ....errors import InputError
from ..covariance import repair_covariance

__all__ = [
    "Encounter2D",
    "PcMethod",
    "PcResult",
    "encounter_plane",
    "principal_axes",
    "short_term_valid",
    "usage_indicators",
]

_MU_EARTH_M3_S2 = WGS84_GM_M3_S2
EXTENDED_CUTOFF = 0.05
"""Largest acceptable CARA "Extended" usage indicator (CARA recommends a cutoff of 0.01–0.05)."""
OFFSET_CUTOFF = 0.01
"""Largest acceptable CARA "Offset" usage indicator (CARA's recommended cutoff)."""
_DURATION_GAMMA = 1e-16  # CARA's ConjDurationGamma


@dataclass(frozen=True)
class Encounter2D:
    """N encounters reduced to the encounter plane (all arrays have leading length N).

    ``miss_m`` (N, 2): miss vector in (e1, e2); ``cov_m2`` (N, 2, 2): combined projected covariance;
    ``hbr_m`` (N,): combined hard-body radius; ``miss_distance_m``/``relative_speed_m_s`` (N,);
    ``repaired`` (N,) True where the 2×2 covariance needed eigenvalue clipping;
    ``short_term`` (N,) False where the straight-line (2-D) assumption is doubtful.
    """

    miss_m: np.ndarray
    cov_m2: np.ndarray
    hbr_m: np.ndarray
    miss_distance_m: np.ndarray
    relative_speed_m_s: np.ndarray
    repaired: np.ndarray
    short_term: np.ndarray

    def __len__(self) -> int:
        return int(self.hbr_m.shape[0])


@dataclass(frozen=True)
class PcResult:
    """Collision probability of one or N encounters and how it was obtained.

    ``pc`` is a float for one event and an (N,) array for several; ``method`` names the algorithm;
    ``covariance_source`` is ``"provided"``, ``"default-tle-model"`` or ``"none"`` (max Pc);
    ``short_term`` is False where the 2-D (short-term, straight-line) assumption is doubtful and
    a 3-D/Monte Carlo estimate should be preferred; ``repaired`` is True where a non-positive-
    definite covariance was clipped.
    """

    pc: Any
    method: str
    miss_distance_m: Any
    relative_speed_m_s: Any
    hbr_m: Any
    covariance_source: str = "provided"
    short_term: Any = True
    repaired: Any = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numpy values left for :func:`~skywarden.export.jsonable.to_jsonable`)."""
        out = {
            "pc": self.pc,
            "method": self.method,
            "miss_distance_m": self.miss_distance_m,
            "relative_speed_m_s": self.relative_speed_m_s,
            "hbr_m": self.hbr_m,
            "covariance_source": self.covariance_source,
            "short_term": self.short_term,
            "covariance_repaired": self.repaired,
        }
        out.update(self.extra)
        return out


class PcMethod(ABC):
    """A 2-D collision-probability algorithm working in the encounter plane."""

    name: str = ""

    @abstractmethod
    def pc_2d(self, miss_m: np.ndarray, cov_m2: np.ndarray, hbr_m: np.ndarray) -> np.ndarray:
        """Pc for (N, 2) miss vectors, (N, 2, 2) covariances and (N,) radii; returns (N,)."""


def _as_batch(x: Any, tail: tuple[int, ...], name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.shape == tail:
        return a[None]
    if a.shape[1:] != tail:
        raise InputError(f"{name} must have shape {tail} or (N, {', '.join(map(str, tail))}); got {a.shape}")
    return a


def _position_block(cov: Any, name: str) -> np.ndarray:
    c = np.asarray(cov, dtype=float)
    if c.shape[-2:] == (6, 6):
        c = c[..., :3, :3]
    return _as_batch(c, (3, 3), name)


def principal_axes(miss_m: np.ndarray, cov_m2: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rotate to the covariance's principal axes: returns ``(mx, my, sx, sy)`` with sx ≤ sy (m)."""
    w, q = np.linalg.eigh(cov_m2)
    m = np.einsum("nji,nj->ni", q, miss_m)
    sx, sy = np.sqrt(np.maximum(w[:, 0], 0.0)), np.sqrt(np.maximum(w[:, 1], 0.0))
    return m[:, 0], m[:, 1], sx, sy


def usage_indicators(
    r1_m: Any, v1_m_s: Any, r2_m: Any, v2_m_s: Any, cov_m2: Any
) -> tuple[np.ndarray, np.ndarray]:
    """CARA's rectilinear "Extended" and "Offset" indicators for the 2-D method, (N,) each.

    After NASA CARA ``UsageViolationPc2D.m`` (rectilinear part): with ``A`` the combined 3×3
    position covariance, the encounter's 1-σ time width is ``σ_t = 1/√(vᵀA⁻¹v)``, its centre
    ``T = −rᵀA⁻¹v / vᵀA⁻¹v`` and its half-duration ``Δτ = σ_t·√2·erfcinv(1e-16)``. Then
    ``Extended = min(1, 2Δτ / P_min)`` and ``Offset = min(1, max|T ± Δτ| / P_min)`` with P_min
    the shorter two-body period. Zero relative velocity gives 1 (a very bad violation).
    """
    r1, v1, r2, v2 = (np.atleast_2d(np.asarray(a, dtype=float)) for a in (r1_m, v1_m_s, r2_m, v2_m_s))
    a = np.asarray(cov_m2, dtype=float).reshape(-1, 3, 3)
    w, q = np.linalg.eigh(0.5 * (a + np.swapaxes(a, 1, 2)))
    w = np.maximum(w, 1e-12)
    ainv = (q / w[:, None, :]) @ np.swapaxes(q, 1, 2)
    r, v = r2 - r1, v2 - v1
    vav = np.einsum("ni,nij,nj->n", v, ainv, v)
    rav = np.einsum("ni,nij,nj->n", r, ainv, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_t = 1.0 / np.sqrt(vav)
        centre = np.where(vav > 0, -rav / vav, 0.0)
    dtau = sigma_t * np.sqrt(2.0) * erfcinv(_DURATION_GAMMA)
    periods = []
    for rr, vv in ((r1, v1), (r2, v2)):
        energy = 0.5 * np.sum(vv * vv, axis=-1) - _MU_EARTH_M3_S2 / np.linalg.norm(rr, axis=-1)
        sma = np.where(energy < 0, -_MU_EARTH_M3_S2 / (2.0 * np.where(energy < 0, energy, -1.0)), np.inf)
        periods.append(2.0 * np.pi * np.sqrt(sma**3 / _MU_EARTH_M3_S2))
    pmin = np.minimum(*periods)
    with np.errstate(invalid="ignore"):
        extended = np.where(np.isfinite(dtau), np.minimum(1.0, 2.0 * dtau / pmin), 1.0)
        offset = np.where(np.isfinite(dtau), np.minimum(1.0, (np.abs(centre) + dtau) / pmin), 1.0)
    return extended, offset


def short_term_valid(r1_m: Any, v1_m_s: Any, r2_m: Any, v2_m_s: Any, cov_m2: Any) -> np.ndarray:
    """True where the straight-line, short-term (2-D) model is acceptable by CARA's indicators.

    ``Extended ≤ 0.05`` and ``Offset ≤ 0.01`` (see :func:`usage_indicators`); ``cov_m2`` is the
    combined inertial 3×3 position covariance, (N, 3, 3) or (3, 3).
    """
    extended, offset = usage_indicators(r1_m, v1_m_s, r2_m, v2_m_s, cov_m2)
    return np.asarray((extended <= EXTENDED_CUTOFF) & (offset <= OFFSET_CUTOFF), dtype=bool)


def encounter_plane(
    r1_m: Any,
    v1_m_s: Any,
    cov1_m2: Any,
    r2_m: Any,
    v2_m_s: Any,
    cov2_m2: Any,
    hbr_m: Any,
    *,
    warn: bool = True,
) -> Encounter2D:
    """Reduce inertial states and covariances (one event or N) to the encounter plane.

    Covariances may be 3×3 or 6×6 (the position block is used). A non-positive-definite
    projected covariance is repaired by eigenvalue clipping with one warning for the batch.
    """
    r1, v1 = _as_batch(r1_m, (3,), "r1_m"), _as_batch(v1_m_s, (3,), "v1_m_s")
    r2, v2 = _as_batch(r2_m, (3,), "r2_m"), _as_batch(v2_m_s, (3,), "v2_m_s")
    c1, c2 = _position_block(cov1_m2, "cov1_m2"), _position_block(cov2_m2, "cov2_m2")
    n = r1.shape[0]
    if not all(a.shape[0] == n for a in (v1, r2, v2, c1, c2)):
        raise InputError("r1, v1, cov1, r2, v2, cov2 must all describe the same number of events")
    hbr = np.broadcast_to(np.asarray(hbr_m, dtype=float), (n,)).copy()
    c = c1 + c2
    rrel, vrel = r2 - r1, v2 - v1
    speed = np.linalg.norm(vrel, axis=-1)
    # Zero relative velocity (co-located copies of one orbit) leaves no encounter plane: any
    # plane is taken (z normal) and the event is flagged not-short-term by usage_indicators.
    vhat = np.where((speed > 0)[:, None], vrel / np.where(speed > 0, speed, 1.0)[:, None], [[0.0, 0.0, 1.0]])
    rperp = rrel - np.sum(rrel * vhat, axis=-1, keepdims=True) * vhat
    miss = np.linalg.norm(rperp, axis=-1)
    # A zero miss vector leaves e1 free: take any unit vector normal to v_rel.
    helper = np.where(np.abs(vhat[:, :1]) < 0.9, np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]))
    fallback = np.cross(vhat, helper)
    e1 = np.where((miss > 0)[:, None], rperp, fallback)
    e1 = e1 / np.linalg.norm(e1, axis=-1, keepdims=True)
    e2 = np.cross(vhat, e1)
    p = np.stack([e1, e2], axis=1)  # (N, 2, 3)
    cov2d = p @ c @ np.swapaxes(p, 1, 2)
    cov2d, repaired = repair_covariance(cov2d, floor=1e-12, warn=warn)
    miss_vec = np.stack([miss, np.zeros(n)], axis=1)
    return Encounter2D(
        miss_m=miss_vec,
        cov_m2=cov2d,
        hbr_m=hbr,
        miss_distance_m=np.linalg.norm(rrel, axis=-1),
        relative_speed_m_s=speed,
        repaired=np.atleast_1d(repaired),
        short_term=short_term_valid(r1, v1, r2, v2, c),
    )
