"""The propagation-backend interface: mean elements in, TEME states and SGP4 error codes out.

A backend turns a block of :class:`~skywarden.space.catalog.elements.Elements` into something it can
propagate (:meth:`PropagationBackend.prepare`), then fills caller-owned arrays with TEME
positions (km) and velocities (km/s) for a block of times given as split Julian dates
``jd + fr`` (UTC, python-sgp4 convention). It returns python-sgp4's error codes per
(object, time):

====  ==========================================================
code  meaning (python-sgp4 / Vallado ``sgp4`` ``error``)
====  ==========================================================
0     no error
1     mean elements: eccentricity ≥ 1 or < −0.001, or a < 0.95 er
2     mean motion less than 0
3     perturbed elements: eccentricity < 0 or > 1
4     semi-latus rectum < 0
5     epoch elements are sub-orbital (no longer produced)
6     satellite has decayed (radius < 1 Earth radius)
====  ==========================================================

python-sgp4 returns NaN with code 0 for a negative mean motion (Vallado's code only tests for
zero); :func:`code_silent_failures` gives such entries code 2, and any other non-finite state
without a code gets code 1, so a zero code always means finite states.

Backends never raise for one bad object and need not clear the positions of failed entries:
:func:`skywarden.propagate` turns every entry with a nonzero code into NaN. Frames, chunking,
ordering and warnings live in :mod:`skywarden.space.orbit.propagate`, so a backend stays small.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sgp4.api import WGS72, Satrec

from ....timeutil import datetime64_to_jd
from ...catalog.elements import Elements

__all__ = [
    "SGP4_ERROR_MEANINGS",
    "PropagationBackend",
    "code_silent_failures",
    "exact_satrecs",
    "sgp4init_args",
]

SGP4_ERROR_MEANINGS = {
    1: "mean elements out of range",
    2: "mean motion < 0",
    3: "perturbed eccentricity out of range",
    4: "semi-latus rectum < 0",
    5: "epoch elements sub-orbital",
    6: "decayed",
}
"""python-sgp4 error code → short meaning (see the module table)."""

_SGP4_EPOCH_JD = 2433281.5  # 1949-12-31 00:00 UT, the origin of sgp4init's epoch argument
_XPDOTP = 1440.0 / (2.0 * math.pi)  # rev/day per rad/min


def sgp4init_args(elements: Sequence[Elements]) -> list[tuple[Any, ...]]:
    """``sgp4init`` arguments for each element set, initialised exactly as ``twoline2rv`` would.

    Same unit conversions as :meth:`Elements.satrec` (WGS72, improved mode), with one
    difference: the epoch. ``twoline2rv`` keeps the split epoch ``jdsatepoch + jdsatepochF`` and
    passes ``sgp4init`` the float ``(jdsatepoch + jdsatepochF) − 2433281.5``; one ulp of that
    float (~0.3 µs) moves SDP4 states by millimetres and SGP4 states by up to 1 mm, above
    python-sgp4's 2e-7 km test tolerance. Each tuple is ``(whichconst, opsmode, satnum, epoch,
    bstar, ndot, nddot, ecco, argpo, inclo, mo, no_kozai, nodeo, jd, fr)``; the last two are the
    exact split epoch from the microsecond ``Elements.epoch`` (set them on the record).
    """
    stamps = np.array([el.epoch.replace(tzinfo=None) for el in elements], dtype="datetime64[us]")
    jd, fr = datetime64_to_jd(stamps)
    out = []
    for el, j, f in zip(elements, jd.tolist(), fr.tolist(), strict=True):
        out.append((
            WGS72, "i", el.norad_id if el.norad_id < 339_999 else 0, (j + f) - _SGP4_EPOCH_JD,
            el.bstar_per_er, el.mean_motion_dot / (_XPDOTP * 1440.0),
            el.mean_motion_ddot / (_XPDOTP * 1440.0 * 1440.0), el.eccentricity,
            math.radians(el.arg_perigee_deg), math.radians(el.inclination_deg),
            math.radians(el.mean_anomaly_deg), el.mean_motion_rev_day / _XPDOTP, math.radians(el.raan_deg),
            j, f,
        ))  # fmt: skip
    return out


def code_silent_failures(errors: np.ndarray, r: np.ndarray, no_kozai: np.ndarray) -> None:
    """Give a code to entries whose position is NaN but whose code is 0 (in place).

    ``errors`` ``(n, t)`` uint8, ``r`` ``(n, t, 3)``, ``no_kozai`` per object (rad/min): code 2
    when the mean motion is not positive, else code 1.
    """
    silent = np.isnan(r[:, :, 0]) & (errors == 0)
    if silent.any():
        rows = np.flatnonzero(silent.any(axis=1))
        for row in rows.tolist():
            errors[row][silent[row]] = 2 if not no_kozai[row] > 0.0 else 1


def exact_satrecs(elements: Sequence[Elements]) -> list[Satrec]:
    """python-sgp4 records for ``elements`` that match ``Satrec.twoline2rv`` bit for bit."""
    sats = []
    for args in sgp4init_args(elements):
        sat = Satrec()
        sat.sgp4init(*args[:13])
        sat.jdsatepoch, sat.jdsatepochF = args[13], args[14]
        sats.append(sat)
    return sats


class PropagationBackend(ABC):
    """SGP4/SDP4 for many objects at many times (see the module docstring for the contract)."""

    name: ClassVar[str]
    """Name used by ``propagate(..., backend=name)`` and the CLI's ``--backend``."""

    @classmethod
    def available(cls) -> bool:
        """Whether the backend's library can be imported here."""
        return True

    @abstractmethod
    def prepare(self, elements: Sequence[Elements]) -> Any:
        """Initialise SGP4 for ``elements`` (done once per object block, reused across times)."""

    @abstractmethod
    def propagate_teme(
        self,
        prepared: Any,
        jd: np.ndarray,
        fr: np.ndarray,
        r_out: np.ndarray,
        v_out: np.ndarray | None,
    ) -> np.ndarray:
        """Fill ``r_out`` (TEME km) and ``v_out`` (TEME km/s, when given) for times ``jd + fr``.

        ``r_out``/``v_out`` are C-contiguous ``(n_objects, n_times, 3)`` float64 arrays in the
        order of the prepared elements. Returns uint8 error codes ``(n_objects, n_times)``.
        """
