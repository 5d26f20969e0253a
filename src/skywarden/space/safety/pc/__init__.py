"""Collision probability (Pc) of a conjunction: 2-D Foster, Alfano and Chan, 3-D Monte Carlo, max Pc.

All inputs are SI and in one inertial frame: positions in m, velocities in m/s, covariances in
m² (3×3 position or 6×6 position/velocity). Every function accepts one event (``r`` of shape (3,))
or N events (``(N, 3)``) — except Monte Carlo, which is per event. See :mod:`.base` for the
encounter-plane reduction and the 2-D (short-term) assumptions, and each method's module for
its reference.

=============  ===========================================  ===========================
method         algorithm                                    reference
=============  ===========================================  ===========================
``foster``     numerical integration over the HBR disk      Foster & Estes 1992
``alfano``     error-function series (Simpson's rule)       Alfano 2005, JAS 53(1)
``chan``       equivalent-area Rician series                Chan 2008, ch. 4–5
``montecarlo`` 3-D sampling + two-body TCA per sample       Alfano 2009, AAS 09-233
``max``        maximum Pc when the covariance is unknown    Alfano 2005, JAS 53(2)
=============  ===========================================  ===========================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ....errors import InputError, OptionError
from ..covariance import rtn_to_inertial
from .alfano import AlfanoMethod, pc_2d_alfano
from .base import Encounter2D, PcMethod, PcResult, encounter_plane, short_term_valid
from .chan import ChanMethod, pc_2d_chan
from .foster import FosterMethod, pc_2d_foster
from .maxpc import max_pc_2d, max_pc_absolute, max_pc_summary
from .montecarlo import kepler_propagate, pc_monte_carlo_3d

__all__ = [
    "COVARIANCE_FRAMES",
    "METHODS",
    "AlfanoMethod",
    "ChanMethod",
    "Encounter2D",
    "FosterMethod",
    "PcMethod",
    "PcResult",
    "collision_probability",
    "encounter_plane",
    "kepler_propagate",
    "max_pc",
    "max_pc_absolute",
    "pc_2d_alfano",
    "pc_2d_chan",
    "pc_2d_foster",
    "pc_alfano",
    "pc_chan",
    "pc_foster",
    "pc_monte_carlo",
    "short_term_valid",
]

_2D_METHODS: dict[str, PcMethod] = {m.name: m for m in (FosterMethod(), AlfanoMethod(), ChanMethod())}
METHODS = ("foster", "alfano", "chan", "montecarlo", "max")
COVARIANCE_FRAMES = ("inertial", "rtn")
"""Valid ``method`` names for :func:`collision_probability` and ``skywarden pc --method``."""


def _scalar_or_array(values: np.ndarray, single: bool) -> Any:
    return float(values[0]) if single else values


def _pc_2d(method: str, r1, v1, c1, r2, v2, c2, hbr) -> Any:  # type: ignore[no-untyped-def]
    single = np.ndim(r1) == 1
    enc = encounter_plane(r1, v1, c1, r2, v2, c2, hbr)
    return _scalar_or_array(_2D_METHODS[method].pc_2d(enc.miss_m, enc.cov_m2, enc.hbr_m), single)


def pc_foster(r1_m: Any, v1_m_s: Any, cov1_m2: Any, r2_m: Any, v2_m_s: Any, cov2_m2: Any, hbr_m: Any) -> Any:
    """Foster & Estes (1992) 2-D Pc; float for one event, (N,) array for N."""
    return _pc_2d("foster", r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)


def pc_alfano(r1_m: Any, v1_m_s: Any, cov1_m2: Any, r2_m: Any, v2_m_s: Any, cov2_m2: Any, hbr_m: Any) -> Any:
    """Alfano (2005) error-function series 2-D Pc; float for one event, (N,) array for N."""
    return _pc_2d("alfano", r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)


def pc_chan(r1_m: Any, v1_m_s: Any, cov1_m2: Any, r2_m: Any, v2_m_s: Any, cov2_m2: Any, hbr_m: Any) -> Any:
    """Chan (2008) equivalent-area series 2-D Pc; float for one event, (N,) array for N."""
    return _pc_2d("chan", r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)


def pc_monte_carlo(
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
) -> float:
    """3-D Monte Carlo Pc of one encounter (see :mod:`.montecarlo`)."""
    return pc_monte_carlo_3d(r1_m, v1_m_s, cov1, r2_m, v2_m_s, cov2, hbr_m, n_samples=n_samples, seed=seed)[0]


def max_pc(miss_distance_m: Any, hbr_m: Any, aspect_ratio: float = 1.0) -> Any:
    """Maximum possible Pc with no covariance (Alfano 2005); float for scalars, array otherwise."""
    out = max_pc_2d(miss_distance_m, hbr_m, aspect_ratio)
    return float(out) if out.ndim == 0 else out


def collision_probability(
    r1_m: Any,
    v1_m_s: Any,
    cov1_m2: Any,
    r2_m: Any,
    v2_m_s: Any,
    cov2_m2: Any,
    hbr_m: Any,
    *,
    method: str = "foster",
    cov_frame: str = "inertial",
    hbr2_m: Any = None,
    covariance_source: str = "provided",
    n_samples: int = 100_000,
    seed: int | None = 0,
    aspect_ratio: float | None = None,
) -> PcResult:
    """Pc of one or N encounters with ``method`` in :data:`METHODS`, as a :class:`PcResult`.

    ``cov_frame`` says whether each covariance is given in the inertial frame of the states
    (``"inertial"``) or in that object's own RTN frame (``"rtn"``, as in CDMs); ``hbr2_m``, when
    given, is the secondary's radius and ``hbr_m`` the primary's (combined = sum).
    ``covariance_source`` is carried into the result (``"default-tle-model"`` when the caller
    used :func:`~skywarden.space.safety.covariance.default_tle_covariance`). With ``method="max"`` the
    covariances may be None (``covariance_source`` ``"none"``; ``aspect_ratio`` states the shape
    assumed, default 1) or given (only their shape is used: ``"provided-shape"``); ``pc`` is then
    the maximum over covariance size and ``extra`` names every maximum (``pc_max_size``,
    ``pc_max_scaled_covariance``, ``pc_max_absolute``, ``aspect_ratio`` …; see :mod:`.maxpc`).
    ``short_term`` in the result flags events where the 2-D model is doubtful; use
    ``method="montecarlo"`` for those.
    """
    if method not in METHODS:
        raise OptionError("method", method, METHODS)
    if cov_frame not in COVARIANCE_FRAMES:
        raise OptionError("cov_frame", cov_frame, COVARIANCE_FRAMES)
    if hbr2_m is not None:  # separate radii: the combined hard body is their sum
        hbr_m = np.asarray(hbr_m, dtype=float) + np.asarray(hbr2_m, dtype=float)
    if cov_frame == "rtn":
        cov1_m2 = None if cov1_m2 is None else rtn_to_inertial(cov1_m2, r1_m, v1_m_s)
        cov2_m2 = None if cov2_m2 is None else rtn_to_inertial(cov2_m2, r2_m, v2_m_s)
    single = np.ndim(r1_m) == 1
    if method == "max":
        r1, v1, r2, v2 = (np.atleast_2d(np.asarray(a, dtype=float)) for a in (r1_m, v1_m_s, r2_m, v2_m_s))
        rrel, vrel = r2 - r1, v2 - v1
        miss = np.linalg.norm(rrel, axis=-1)
        speed = np.linalg.norm(vrel, axis=-1)
        hbr = np.broadcast_to(np.asarray(hbr_m, float), miss.shape)
        shape = None
        if cov1_m2 is not None and cov2_m2 is not None:  # the covariances' shape only
            shape = encounter_plane(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)
        pc, fields = max_pc_summary(
            miss,
            hbr,
            aspect_ratio,
            miss_2d=None if shape is None else shape.miss_m,
            cov_2d=None if shape is None else shape.cov_m2,
        )
        return PcResult(
            pc=_scalar_or_array(pc, single),
            method="max",
            miss_distance_m=_scalar_or_array(miss, single),
            relative_speed_m_s=_scalar_or_array(speed, single),
            hbr_m=_scalar_or_array(np.asarray(hbr, float), single),
            covariance_source="none" if shape is None else "provided-shape",
            short_term=True,
            extra={
                k: _scalar_or_array(v, single) if isinstance(v, np.ndarray) else v for k, v in fields.items()
            },
        )
    if cov1_m2 is None or cov2_m2 is None:
        raise InputError(f"method {method!r} needs both covariances; use method='max' when none is known")
    enc = encounter_plane(r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, hbr_m)
    extra: dict[str, Any] = {}
    if method == "montecarlo":
        if not single:
            raise InputError("method 'montecarlo' takes one event at a time")
        pc_mc, (lo, hi), hits = pc_monte_carlo_3d(
            r1_m, v1_m_s, cov1_m2, r2_m, v2_m_s, cov2_m2, float(enc.hbr_m[0]), n_samples=n_samples, seed=seed
        )
        pc = np.array([pc_mc])
        extra = {"pc_95_low": lo, "pc_95_high": hi, "hits": hits, "samples": n_samples}
    else:
        pc = _2D_METHODS[method].pc_2d(enc.miss_m, enc.cov_m2, enc.hbr_m)
    return PcResult(
        pc=_scalar_or_array(pc, single),
        method=method,
        miss_distance_m=_scalar_or_array(enc.miss_distance_m, single),
        relative_speed_m_s=_scalar_or_array(enc.relative_speed_m_s, single),
        hbr_m=_scalar_or_array(enc.hbr_m, single),
        covariance_source=covariance_source,
        short_term=bool(enc.short_term[0]) if single else enc.short_term,
        repaired=bool(enc.repaired[0]) if single else enc.repaired,
        extra=extra,
    )
