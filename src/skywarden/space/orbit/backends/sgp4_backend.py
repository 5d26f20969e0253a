"""The reference backend: python-sgp4's vectorised ``SatrecArray`` (Vallado's C++ SGP4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sgp4.api import SatrecArray

from ...catalog.elements import Elements
from .base import PropagationBackend, code_silent_failures, exact_satrecs

__all__ = ["Sgp4Backend"]


class Sgp4Backend(PropagationBackend):
    """python-sgp4 ``SatrecArray``: the reference every other backend is tested against.

    Each object is initialised as ``Satrec.twoline2rv`` would (:func:`.base.exact_satrecs`:
    ``sgp4init``, WGS72, improved mode); python-sgp4 reports error codes itself.
    """

    name = "sgp4"

    def prepare(self, elements: Sequence[Elements]) -> Any:
        sats = exact_satrecs(elements)
        return SatrecArray(sats), np.array([s.no_kozai for s in sats], dtype=np.float64)

    def propagate_teme(
        self,
        prepared: Any,
        jd: np.ndarray,
        fr: np.ndarray,
        r_out: np.ndarray,
        v_out: np.ndarray | None,
    ) -> np.ndarray:
        sat_array, no_kozai = prepared
        e, r, v = sat_array.sgp4(np.ascontiguousarray(jd), np.ascontiguousarray(fr))
        r_out[...] = r
        if v_out is not None:
            v_out[...] = v
        errors = np.asarray(e, dtype=np.uint8)
        code_silent_failures(errors, r, no_kozai)
        return errors
