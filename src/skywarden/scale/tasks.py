"""What one Dask task runs on a worker: a call into the library's seam for one block.

Each function takes the scattered input (the worker's local copy of the catalog, site list or
wind field) plus the small description of its block, silences the library's per-call
:class:`~skywarden.errors.DataQualityWarning` (the client reports once for the whole job from
the counts these return) and returns plain picklable results.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import DataQualityWarning
from .cluster import unwrap

__all__ = [
    "access_task", "backtrack_task", "hazard_task", "predict_task", "propagate_task", "screen_task", "whole_task",
]  # fmt: skip


def propagate_task(
    elements: list[Any],
    o0: int,
    o1: int,
    times: np.ndarray,
    frame: str,
    velocities: bool,
    backend: str,
    dut1_s: float,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Objects ``[o0, o1)`` of the catalog: ``(positions, velocities, errors)`` as in ``Ephemeris``."""
    from ..space.orbit.propagate import propagate

    elements = unwrap(elements)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        eph = propagate(elements[o0:o1], times, frame, velocities=velocities, backend=backend, dut1_s=dut1_s)
    return eph.positions, eph.velocities, eph.errors


def access_task(
    elements: list[Any],
    sites: list[Any],
    block: int,
    o0: int,
    o1: int,
    s0: int,
    s1: int,
    options: dict[str, Any],
) -> Any:
    """Access-window arrays of objects ``[o0, o1)`` × sites ``[s0, s1)`` (an ``AccessParts``)."""
    from ..space.overflight.access import access_window_parts

    elements, sites = unwrap(elements), unwrap(sites)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return access_window_parts(elements[o0:o1], sites[s0:s1], block=block, site_start=s0, **options)


def screen_task(
    elements: list[Any],
    a: tuple[int, int],
    b: tuple[int, int] | None,
    steps: tuple[int, int],
    options: dict[str, Any],
) -> tuple[list[Any], np.ndarray]:
    """Conjunctions between block ``a`` and block ``b`` (``None``: inside ``a``) over grid
    intervals ``steps``; returns the events and the NORAD ids SGP4 failed for."""
    from ..space.safety.conjunction import screen_part

    elements = unwrap(elements)
    subset = elements[a[0] : a[1]]
    split = None
    if b is not None:
        subset = subset + elements[b[0] : b[1]]
        split = a[1] - a[0]
    return screen_part(subset, split=split, steps=steps, **options)  # type: ignore[no-any-return]


def predict_task(winds: Any, m0: int, m1: int, params: dict[str, Any]) -> Any:
    """Ensemble members ``[m0, m1)`` of a forward prediction (a ``Prediction`` piece)."""
    from ..flight.predict import predict

    return predict(unwrap(winds), members=(m0, m1), **params)


def backtrack_task(winds: Any, m0: int, m1: int, params: dict[str, Any]) -> Any:
    """Rows ``[m0, m1)`` (candidate × member) of a backtrack (a ``Backtrack`` piece)."""
    from ..flight.backtrack import backtrack

    return backtrack(unwrap(winds), members=(m0, m1), **params)


def hazard_task(inputs: Any, i0: int, i1: int) -> Any:
    """Candidates ``[i0, i1)`` of a termination sweep (``[(index, Candidate, Dispersion)]``);
    ``inputs`` holds the track, payload, wind field and sweep options, scattered once."""
    from ..hazard.termination import sweep_candidates

    p = dict(unwrap(inputs))
    track = (p.pop("times"), p.pop("lat_deg"), p.pop("lon_deg"), p.pop("alt_m"), p.pop("payload"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return sweep_candidates(*track, candidates=(i0, i1), **p)


def whole_task(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A job with no partitioned form, run as one task on a worker."""
    return fn(*args, **kwargs)
