"""astroz backend: SIMD SGP4 (Zig) for near-earth objects, threaded SDP4 for deep space.

astroz's own ``Constellation`` reorders its output (SGP4 objects, then SDP4, then rejected
ones; see ``Constellation.satnums``). This backend builds astroz's native records itself, one
per element set and in the caller's order, so the output is in catalog order without a copy:
the SIMD batch gets one record per row, with the block's first near-earth record standing in
for deep-space and rejected rows (astroz's SGP4 batch refuses deep-space records); those rows
are then overwritten by threaded SDP4 and python-sgp4 respectively. The stand-ins cost ~5 %
extra SGP4 work on the active catalog but save a scatter of every row (a full extra pass
over memory). Blocks that are mostly deep space batch their near-earth rows compactly and
scatter them instead. Batching differently changes astroz's results by micrometres only.

Times: astroz's SGP4 batch takes minutes relative to a reference plus a per-object epoch
offset. Both are computed here from python-sgp4's split epoch (``jdsatepoch + jdsatepochF``)
and the split request times, so no sub-millisecond precision is lost in a single float JD.

Error codes: the SIMD path only writes NaN when SGP4 fails. Rows that contain NaN, and objects
SGP4 rejected at initialisation, are recomputed with python-sgp4 (``Satrec.sgp4_array``),
which gives the real code for every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sgp4.api import Satrec

from ...catalog.elements import Elements
from .base import PropagationBackend, code_silent_failures, sgp4init_args

__all__ = ["AstrozBackend"]

_STAND_IN_MIN_FRACTION = 0.5  # below this share of near-earth rows, batch them compactly instead


@dataclass
class _Prepared:
    args: list[tuple[Any, ...]]  # sgp4init arguments + split epoch (python-sgp4 fallback rows)
    sgp4_rows: np.ndarray  # rows handled by the SIMD SGP4 batch
    sdp4_rows: np.ndarray  # deep-space rows handled by threaded SDP4
    other_rows: np.ndarray  # rows astroz rejected at init: python-sgp4 computes their codes
    constellation: Any  # one record per row; stand-ins on deep-space / rejected rows
    sdp4_natives: list[Any]
    epoch_jd: np.ndarray  # split epoch (jd, fr) per row of the SIMD batch (stand-ins: theirs)
    epoch_fr: np.ndarray
    compact: bool  # True: the batch holds only the SGP4 rows (scattered into place afterwards)


def _perigee_km(e: Elements) -> float:
    """Mean perigee altitude (km); −inf for elements without a valid orbit."""
    try:
        value = e.perigee_km
    except (ValueError, ZeroDivisionError, OverflowError):
        return -np.inf
    return float(value) if np.isfinite(value) else -np.inf


class AstrozBackend(PropagationBackend):
    """astroz 0.17 (``Sgp4Constellation`` + ``sdp4_batch_propagate_into``); WGS72 like python-sgp4."""

    name = "astroz"

    def __init__(self) -> None:
        self._scratch: dict[str, np.ndarray] = {}

    def _buffer(self, key: str, shape: tuple[int, ...]) -> np.ndarray:
        """A reusable C-contiguous float64 scratch array (avoids page-faulting fresh memory per block).

        One instance is not meant to be shared between threads.
        """
        size = int(np.prod(shape))
        buf = self._scratch.get(key)
        if buf is None or buf.size < size:
            buf = self._scratch[key] = np.empty(size)
        return buf[:size].reshape(shape)

    @classmethod
    def available(cls) -> bool:
        try:
            import astroz._astroz  # noqa: F401
        except ImportError:  # pragma: no cover - astroz is a dependency; kept for slim installs
            return False
        return True

    def prepare(self, elements: Sequence[Elements]) -> Any:
        from astroz import _astroz

        args = sgp4init_args(elements)
        natives = []
        for a in args:
            nat = _astroz.Satrec()
            nat.sgp4init(_astroz.WGS72, *a[1:13])
            natives.append(nat)
        deep = np.array([n.is_deep_space for n in natives], dtype=bool)
        ok = np.array([n.error == 0 for n in natives], dtype=bool)
        # Any record whose initialisation already failed (SGP4 or SDP4, e.g. perigee inside the
        # Earth at epoch: code 6) goes to python-sgp4, which reports its code at every time.
        # astroz's init does not run SGP4's epoch "decayed" check (code 6), so records whose mean
        # perigee is within 100 km of the surface or below (none in a healthy catalog) are
        # initialised once with python-sgp4 as well, and its verdict is used.
        low = np.array([_perigee_km(e) < 100.0 for e in elements], dtype=bool)
        for i in np.flatnonzero(low & ok).tolist():
            ref = Satrec()
            ref.sgp4init(*args[i][:13])
            ok[i] = ref.error == 0
        sgp4_rows = np.flatnonzero(~deep & ok)
        sdp4_rows = np.flatnonzero(deep & ok)
        other_rows = np.flatnonzero(~ok)
        constellation = None
        epoch_jd = np.array([a[13] for a in args], dtype=np.float64)
        epoch_fr = np.array([a[14] for a in args], dtype=np.float64)
        compact = sgp4_rows.size < _STAND_IN_MIN_FRACTION * len(natives)
        if sgp4_rows.size and compact:  # mostly deep space: SGP4 rows only, scattered afterwards
            constellation = _astroz.Sgp4Constellation(
                [natives[i] for i in sgp4_rows], gravity_model=_astroz.WGS72
            )
            epoch_jd, epoch_fr = epoch_jd[sgp4_rows], epoch_fr[sgp4_rows]
        elif sgp4_rows.size:
            stand_in = int(sgp4_rows[0])
            usable = ~deep & ok
            constellation = _astroz.Sgp4Constellation(
                [nat if use else natives[stand_in] for nat, use in zip(natives, usable, strict=True)],
                gravity_model=_astroz.WGS72,
            )
            epoch_jd[~usable] = epoch_jd[stand_in]
            epoch_fr[~usable] = epoch_fr[stand_in]
        return _Prepared(
            args=args,
            sgp4_rows=sgp4_rows,
            sdp4_rows=sdp4_rows,
            other_rows=other_rows,
            constellation=constellation,
            sdp4_natives=[natives[i] for i in sdp4_rows],
            epoch_jd=epoch_jd,
            epoch_fr=epoch_fr,
            compact=compact,
        )

    def propagate_teme(
        self,
        prepared: Any,
        jd: np.ndarray,
        fr: np.ndarray,
        r_out: np.ndarray,
        v_out: np.ndarray | None,
    ) -> np.ndarray:
        from astroz import _astroz

        p: _Prepared = prepared
        n_obj, n_t = r_out.shape[0], r_out.shape[1]
        jd = np.ascontiguousarray(jd, dtype=np.float64)
        fr = np.ascontiguousarray(fr, dtype=np.float64)
        errors = np.zeros((n_obj, n_t), dtype=np.uint8)
        suspects = [p.other_rows]  # rows to hand to python-sgp4 for their error codes
        if p.constellation is not None:
            minutes = ((jd - jd[0]) + (fr - fr[0])) * 1440.0
            offsets = ((jd[0] - p.epoch_jd) + (fr[0] - p.epoch_fr)) * 1440.0
            if p.compact:
                r_blk = self._buffer("r", (p.sgp4_rows.size, n_t, 3))
                v_blk = None if v_out is None else self._buffer("v", (p.sgp4_rows.size, n_t, 3))
            else:
                r_blk, v_blk = r_out, v_out
            p.constellation.propagate_into(
                minutes, r_blk, v_blk, epoch_offsets=offsets, satellite_mask=None,
                output="teme", reference_jd=0.0, time_major=False,
            )  # fmt: skip
            nan_rows = np.flatnonzero(np.isnan(r_blk[:, :, 0]).any(axis=1))
            if p.compact:
                suspects.append(p.sgp4_rows[nan_rows])
                r_out[p.sgp4_rows] = r_blk
                if v_out is not None:
                    v_out[p.sgp4_rows] = v_blk
            else:
                suspects.append(np.intersect1d(nan_rows, p.sgp4_rows, assume_unique=True))
        if p.sdp4_natives:
            r_deep = self._buffer("r_deep", (len(p.sdp4_natives), n_t, 3))
            v_deep = self._buffer("v_deep", (len(p.sdp4_natives), n_t, 3))
            _astroz.sdp4_batch_propagate_into(p.sdp4_natives, jd, fr, r_deep, v_deep)
            suspects.append(p.sdp4_rows[np.isnan(r_deep[:, :, 0]).any(axis=1)])
            r_out[p.sdp4_rows] = r_deep
            if v_out is not None:
                v_out[p.sdp4_rows] = v_deep
        # python-sgp4 gives the codes (and its own states) wherever astroz gave NaN.
        rows = np.unique(np.concatenate(suspects))
        for row in rows.tolist():
            sat = Satrec()
            sat.sgp4init(*p.args[row][:13])
            sat.jdsatepoch, sat.jdsatepochF = p.args[row][13], p.args[row][14]
            e, r, v = sat.sgp4_array(jd, fr)
            errors[row] = e
            r_out[row] = r
            if v_out is not None:
                v_out[row] = v
        if rows.size:
            no_kozai = np.array([p.args[row][11] for row in rows.tolist()], dtype=np.float64)
            sub = errors[rows]
            code_silent_failures(sub, r_out[rows], no_kozai)
            errors[rows] = sub
        return errors
