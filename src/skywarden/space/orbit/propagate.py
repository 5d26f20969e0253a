"""Whole-catalog SGP4 propagation to TEME, ITRS or WGS84 geodetic, in bounded memory.

:func:`propagate` returns one :class:`Ephemeris` with arrays shaped
``(n_objects, n_times, 3)``; :func:`iter_propagate` yields the same content block by block for
consumers that stream (the CLI writes Parquet/CSV that way, so the 26k-object catalog × 1440
steps never needs its 900 MB of positions at once).

Memory budget: work proceeds in blocks of ``block_objects`` objects (default 256) × as many
times as fit ``max_chunk_bytes`` (default 64 MiB) at :data:`BYTES_PER_OBJECT_STEP` (98 bytes:
TEME positions, velocities and codes, plus the backend's scratch copy of the same). 256 objects
× 1440 steps is 36 MB, so a day at one-minute steps is one time block per object block and
``propagate`` writes straight into its result. Peak memory is the returned arrays
(``propagate``: 24 bytes per object-step for positions, +24 with velocities, +1 for codes) plus
one block; with :func:`iter_propagate` it is one block — the 26k catalog × 1440 steps (900 MB of
positions) streams through with a measured 31 MiB peak (``tests/space/test_propagate.py``).

SGP4 initialisation (``sgp4init`` per object, astroz batches) happens once per
:class:`Propagator`; :func:`propagate` makes a throw-away one, so callers that propagate the
same catalog repeatedly should keep a ``Propagator``.

Bad elements never abort a run: an object-time that SGP4 cannot compute gets python-sgp4's
error code (see :mod:`skywarden.space.orbit.backends.base`) and NaN position/velocity, and the call
emits ONE :class:`~skywarden.errors.DataQualityWarning` with counts per code.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import DataQualityWarning, InputError, OptionError
from ...timeutil import datetime64_to_jd, to_datetime64
from ..catalog.elements import Elements
from .backends import SGP4_ERROR_MEANINGS, PropagationBackend, get_backend
from .frames import FRAMES, gmst82_rad, rotate_in_place

__all__ = [
    "BYTES_PER_OBJECT_STEP",
    "DEFAULT_CHUNK_BYTES",
    "Ephemeris",
    "Propagator",
    "iter_propagate",
    "propagate",
]

DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024
"""Default working-memory budget per block, bytes."""

BYTES_PER_OBJECT_STEP = 98
"""Working bytes per object-step in one block: TEME r + v + code (49) and a backend scratch copy."""
_UNITS = {
    "teme": ("km", "km", "km"),
    "itrs": ("km", "km", "km"),
    "geodetic": ("deg", "deg", "km"),
}
_COMPONENTS = {
    "teme": ("x_km", "y_km", "z_km"),
    "itrs": ("x_km", "y_km", "z_km"),
    "geodetic": ("lat_deg", "lon_deg", "alt_km"),
}


@dataclass(frozen=True, eq=False)
class Ephemeris:
    """Positions of many objects at many times (a whole result or one block of it).

    ``positions``: ``(n_objects, n_times, 3)`` float64 — TEME or ITRS x, y, z in km, or
    geodetic ``(lat_deg, lon_deg, alt_km)`` (WGS84, longitude in [-180, 180)).
    ``velocities``: same shape, km/s, TEME for ``frame="teme"`` and ITRS (Earth-fixed
    derivative) for ``"itrs"`` and ``"geodetic"``; None unless requested.
    ``errors``: uint8 ``(n_objects, n_times)`` python-sgp4 codes, 0 = good; rows with a code are
    NaN. ``times``: ``datetime64[ns]`` UTC. ``norad_ids``: int64 per object, input order.
    ``object_start`` / ``time_start`` place a block inside the whole request.
    """

    positions: np.ndarray
    velocities: np.ndarray | None
    errors: np.ndarray
    times: np.ndarray
    norad_ids: np.ndarray
    frame: str
    backend: str
    object_start: int = 0
    time_start: int = 0

    @property
    def units(self) -> tuple[str, str, str]:
        """Units of the three position components."""
        return _UNITS[self.frame]

    @property
    def components(self) -> tuple[str, str, str]:
        """Column names of the three position components, with units (``x_km``/``lat_deg``…)."""
        return _COMPONENTS[self.frame]

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_objects, n_times)``."""
        return (self.positions.shape[0], self.positions.shape[1])

    @property
    def valid(self) -> np.ndarray:
        """Boolean ``(n_objects, n_times)``: True where SGP4 succeeded."""
        return self.errors == 0

    def to_frame(self) -> Any:
        """A long ``pandas.DataFrame``: one row per (object, time), object-major.

        Columns: ``norad_id``, ``time`` (UTC timestamp), the three components with units
        (:attr:`components`), ``vx_km_s``… when velocities are present, and ``error_code``.
        """
        import pandas as pd

        n_obj, n_t = self.shape
        data: dict[str, Any] = {
            "norad_id": np.repeat(self.norad_ids, n_t),
            "time": pd.DatetimeIndex(np.tile(self.times, n_obj)).tz_localize("UTC"),
        }
        flat = self.positions.reshape(-1, 3)
        for k, name in enumerate(self.components):
            data[name] = flat[:, k]
        if self.velocities is not None:
            vflat = self.velocities.reshape(-1, 3)
            for k, name in enumerate(("vx_km_s", "vy_km_s", "vz_km_s")):
                data[name] = vflat[:, k]
        data["error_code"] = self.errors.reshape(-1)
        return pd.DataFrame(data)


def _elements_of(catalog: Any) -> list[Elements]:
    """The element sets of a ``Catalog`` (``.elements``) or of any sequence of ``Elements``."""
    items = getattr(catalog, "elements", catalog)
    if isinstance(items, Elements):
        items = [items]
    try:
        elements = list(items)
    except TypeError:
        raise InputError(
            f"catalog must be a Catalog or a sequence of Elements; got {type(catalog).__name__}"
        ) from None
    for i, el in enumerate(elements):
        if not isinstance(el, Elements):
            raise InputError(f"catalog item {i} is a {type(el).__name__}, expected Elements")
    return elements


def times_of(times: Any) -> np.ndarray:
    t64 = np.atleast_1d(to_datetime64(times)).astype("datetime64[ns]")
    if t64.ndim != 1:
        raise InputError(f"times must be one-dimensional; got shape {t64.shape}")
    if np.isnat(t64).any():
        raise InputError("times contain NaT; give UTC times such as 2026-03-19T12:00:00Z")
    return t64


class Propagator:
    """A catalog with SGP4 initialised once, for repeated propagation to different times.

    ``Propagator(catalog, backend="auto")`` does the per-object work (``sgp4init``, astroz
    batches) in blocks of ``block_objects`` objects; :meth:`propagate` and
    :meth:`iter_propagate` then only propagate. :func:`propagate` builds one per call, so reuse a
    ``Propagator`` when the same catalog is propagated many times (overflight searches,
    conjunction screening). Accepts a ``Catalog`` or any sequence of ``Elements``.
    """

    def __init__(
        self, catalog: Any, *, backend: str | PropagationBackend = "auto", block_objects: int = 256
    ) -> None:
        if block_objects < 1:
            raise InputError(f"block_objects must be at least 1; got {block_objects}")
        self.backend = get_backend(backend)
        self.elements = _elements_of(catalog)
        self.norad_ids = np.array([el.norad_id for el in self.elements], dtype=np.int64)
        n = len(self.elements)
        self._blocks = [
            (o0, min(o0 + block_objects, n), self.backend.prepare(self.elements[o0 : o0 + block_objects]))
            for o0 in range(0, n, block_objects)
        ]

    def __len__(self) -> int:
        return len(self.elements)

    def iter_propagate(
        self,
        times: Any,
        frame: str = "teme",
        *,
        velocities: bool = False,
        dut1_s: float = 0.0,
        max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        progress: Callable[[int, int], None] | None = None,
        _out: tuple[np.ndarray, np.ndarray | None] | None = None,
    ) -> Iterator[Ephemeris]:
        """Yield :class:`Ephemeris` blocks (object block by object block, then time blocks).

        Arguments as :func:`propagate`. Each block owns its arrays. The DataQualityWarning (if
        any) is emitted after the last block.
        """
        if frame not in FRAMES:
            raise OptionError("frame", frame, FRAMES)
        t64 = times_of(times)
        jd, fr = datetime64_to_jd(t64)
        theta = gmst82_rad(t64, dut1_s) if frame != "teme" else None
        n_obj, n_t = len(self.elements), t64.size
        widest = max((o1 - o0 for o0, o1, _ in self._blocks), default=1)
        if max_chunk_bytes < BYTES_PER_OBJECT_STEP * widest:
            raise InputError(
                f"max_chunk_bytes={max_chunk_bytes} cannot hold one time step of {widest} objects "
                f"({BYTES_PER_OBJECT_STEP * widest} bytes); raise it or lower block_objects"
            )
        t_block = max(min(n_t, max_chunk_bytes // (BYTES_PER_OBJECT_STEP * widest)), 1)
        total, done = n_obj * n_t, 0
        bad_steps: dict[int, int] = {}
        bad_objects: dict[int, int] = {}
        for o0, o1, prepared in self._blocks:
            worst = np.zeros(o1 - o0, dtype=np.uint8)
            for t0 in range(0, n_t, t_block):
                t1 = min(t0 + t_block, n_t)
                if _out is not None and t1 - t0 == n_t:  # whole rows: fill the caller's arrays
                    r = _out[0][o0:o1]
                    v = None if _out[1] is None else _out[1][o0:o1]
                else:
                    r = np.empty((o1 - o0, t1 - t0, 3))
                    v = np.empty_like(r) if velocities else None
                err = self.backend.propagate_teme(prepared, jd[t0:t1], fr[t0:t1], r, v)
                if err.any():
                    mask = err != 0
                    r[mask] = np.nan
                    if v is not None:
                        v[mask] = np.nan
                    codes, counts = np.unique(err[mask], return_counts=True)
                    for c, k in zip(codes.tolist(), counts.tolist(), strict=True):
                        bad_steps[c] = bad_steps.get(c, 0) + k
                    worst = np.maximum(worst, err.max(axis=1))
                if theta is not None:
                    rotate_in_place(r, v, theta[t0:t1], geodetic=frame == "geodetic")
                done += (o1 - o0) * (t1 - t0)
                if progress is not None:
                    progress(done, total)
                yield Ephemeris(
                    positions=r, velocities=v, errors=err, times=t64[t0:t1],
                    norad_ids=self.norad_ids[o0:o1], frame=frame, backend=self.backend.name,
                    object_start=o0, time_start=t0,
                )  # fmt: skip
            for c in worst[worst > 0].tolist():
                bad_objects[c] = bad_objects.get(c, 0) + 1
        if bad_steps:
            parts = [
                f"code {c} ({SGP4_ERROR_MEANINGS.get(c, 'unknown')}): {bad_steps[c]} steps"
                for c in sorted(bad_steps)
            ]
            warnings.warn(
                f"SGP4 failed for {sum(bad_objects.values())} of {n_obj} objects at some times; those "
                f"positions are NaN and Ephemeris.errors holds the codes: {'; '.join(parts)}",
                DataQualityWarning,
                stacklevel=3,
            )

    def propagate(
        self,
        times: Any,
        frame: str = "teme",
        *,
        velocities: bool = False,
        dut1_s: float = 0.0,
        max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        progress: Callable[[int, int], None] | None = None,
    ) -> Ephemeris:
        """The whole :class:`Ephemeris` (see :func:`propagate`)."""
        t64 = times_of(times)
        n_obj, n_t = len(self.elements), t64.size
        positions = np.empty((n_obj, n_t, 3))
        vel = np.empty((n_obj, n_t, 3)) if velocities else None
        errors = np.zeros((n_obj, n_t), dtype=np.uint8)
        for block in self.iter_propagate(
            t64, frame, velocities=velocities, dut1_s=dut1_s, max_chunk_bytes=max_chunk_bytes,
            progress=progress, _out=(positions, vel),
        ):  # fmt: skip
            o = slice(block.object_start, block.object_start + block.shape[0])
            t = slice(block.time_start, block.time_start + block.shape[1])
            if block.shape[1] != n_t:  # a time block: copy (whole rows were written in place)
                positions[o, t] = block.positions
                if vel is not None and block.velocities is not None:
                    vel[o, t] = block.velocities
            errors[o, t] = block.errors
        return Ephemeris(
            positions=positions, velocities=vel, errors=errors, times=t64, norad_ids=self.norad_ids,
            frame=frame, backend=self.backend.name,
        )  # fmt: skip


def _catalog_propagator(catalog: Any, frame: str, backend: str | PropagationBackend) -> Propagator:
    """``catalog`` itself when it is a :class:`Propagator` (``backend`` ignored), else a new one.

    ``frame`` is checked first, so a wrong frame fails before any SGP4 initialisation.
    """
    if frame not in FRAMES:
        raise OptionError("frame", frame, FRAMES)
    return catalog if isinstance(catalog, Propagator) else Propagator(catalog, backend=backend)


def iter_propagate(
    catalog: Any,
    times: Any,
    frame: str = "teme",
    *,
    velocities: bool = False,
    backend: str | PropagationBackend = "auto",
    dut1_s: float = 0.0,
    max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Ephemeris]:
    """Propagate block by block; yields :class:`Ephemeris` blocks that own their arrays.

    Same arguments as :func:`propagate`; ``catalog`` may also be a :class:`Propagator`.
    Peak memory is one block (``max_chunk_bytes``). The DataQualityWarning (if any) comes
    after the last block.
    """
    yield from _catalog_propagator(catalog, frame, backend).iter_propagate(
        times, frame, velocities=velocities, dut1_s=dut1_s, max_chunk_bytes=max_chunk_bytes, progress=progress
    )


def propagate(
    catalog: Any,
    times: Any,
    frame: str = "teme",
    *,
    velocities: bool = False,
    backend: str | PropagationBackend = "auto",
    dut1_s: float = 0.0,
    max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> Ephemeris:
    """Propagate a catalog with SGP4/SDP4 to ``times`` in ``frame``.

    Parameters
    ----------
    catalog
        A :class:`~skywarden.space.catalog.Catalog`, any sequence of
        :class:`~skywarden.space.catalog.elements.Elements` (one ``Elements`` also works), or a
        :class:`Propagator` (SGP4 already initialised: fastest for repeated calls).
    times
        UTC times: a ``datetime64`` array (see :func:`skywarden.time_grid`), a list of
        datetimes/ISO strings, or one time.
    frame
        ``"teme"`` (SGP4's native frame, km), ``"itrs"`` (Earth-fixed, km; GMST 1982, polar
        motion ignored) or ``"geodetic"`` (WGS84 ``lat_deg, lon_deg, alt_km``).
    velocities
        Also return velocities (km/s; ITRS for the Earth-fixed frames).
    backend
        ``"auto"`` (astroz when available, measured faster), ``"sgp4"`` (python-sgp4
        ``SatrecArray``, the reference) or ``"astroz"``. Ignored for a ``Propagator``.
    dut1_s
        UT1 − UTC in seconds for the Earth rotation angle (default 0: UT1 = UTC).
    max_chunk_bytes
        Working-memory budget per block (see the module docstring).
    progress
        Optional ``callback(done, total)`` in object-steps.

    Returns an :class:`Ephemeris` with arrays ``(n_objects, n_times, 3)`` in catalog order.
    Entries SGP4 cannot compute are NaN with their code in ``errors``; one
    :class:`~skywarden.errors.DataQualityWarning` gives the counts.
    """
    return _catalog_propagator(catalog, frame, backend).propagate(
        times, frame, velocities=velocities, dut1_s=dut1_s, max_chunk_bytes=max_chunk_bytes, progress=progress
    )
