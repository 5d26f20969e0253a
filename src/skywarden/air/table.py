"""Position reports: one typed, columnar table for every input format (:class:`Reports`).

The readers (:mod:`skywarden.air.formats`) build it; :func:`skywarden.air.reports.read_reports`
reads files into it. This module imports neither, so there is no import cycle.

A :class:`Reports` table holds N position reports of air objects, one numpy array per column:

=================  ================  ==========================================================
column             dtype             meaning
=================  ================  ==========================================================
``time``           datetime64[ns]    time of the fix, UTC
``object_id``      object (str)      callsign / ICAO address / serial; ``""`` when unknown
``lat_deg``        float64           WGS84 latitude, degrees
``lon_deg``        float64           WGS84 longitude, degrees east, [-180, 180)
``alt_m``          float64           altitude, metres (datum in ``alt_datum``)
``alt_datum``      object (str)      ``"gps"`` (geometric, GNSS), ``"pressure"`` (barometric,
                                     ISA pressure altitude) or ``"unknown"``
``vel_enu_m_s``    float64 (N, 3)    reported velocity East, North, Up, m/s; NaN if not given
``h_acc_m``        float64           stated horizontal accuracy (1-sigma-ish), m; NaN if none
``v_acc_m``        float64           stated vertical accuracy, m; NaN if none
``source``         object (str)      file name and receiver/log the row came from
``line``           int64             1-based line (or record) number in the source; 0 if none
``category``       object (str)      identity evidence: ADS-B emitter category (``"A7"``), APRS
                                     symbol (``"/O"``) or radiosonde type; ``""`` if none
=================  ================  ==========================================================

Rows that cannot be read are never fatal: each becomes a :class:`RejectedRow` (line number and
reason) in ``Reports.rejected``; :func:`read_reports` emits ONE
:class:`~skywarden.errors.DataQualityWarning` with the count per file.

:func:`read_reports` picks the reader from ``format=`` or sniffs it from the file (see
:mod:`skywarden.air.formats`). Files whose times carry no date (EOSS ``HH:MM:SS``, NBP3
``HHMMSS``) need ``date=``; without it a :class:`~skywarden.errors.ReportFormatError` names the
file and the flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..geo import wrap_lon_deg

__all__ = ["ALT_DATUMS", "RejectedRow", "Reports", "concat", "with_rejected"]

ALT_DATUMS = ("gps", "pressure", "unknown")
"""Valid values of ``Reports.alt_datum``."""


@dataclass(frozen=True)
class RejectedRow:
    """A row that could not be read: where it was and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass
class Reports:
    """A columnar table of position reports (see the module docstring for the columns)."""

    time: np.ndarray
    object_id: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    alt_datum: np.ndarray
    vel_enu_m_s: np.ndarray
    h_acc_m: np.ndarray
    v_acc_m: np.ndarray
    source: np.ndarray
    line: np.ndarray
    rejected: list[RejectedRow] = field(default_factory=list)
    category: Any = None

    def __post_init__(self) -> None:
        n = len(self.time)
        self.time = np.asarray(self.time, dtype="datetime64[ns]")
        for name in ("lat_deg", "lon_deg", "alt_m", "h_acc_m", "v_acc_m"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64).reshape(n))
        self.lon_deg = np.asarray(wrap_lon_deg(self.lon_deg), dtype=np.float64).reshape(n)
        self.vel_enu_m_s = np.asarray(self.vel_enu_m_s, dtype=np.float64).reshape(n, 3)
        for name in ("object_id", "alt_datum", "source"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=object).reshape(n))
        self.line = np.asarray(self.line, dtype=np.int64).reshape(n)
        cat = "" if self.category is None else self.category
        self.category = np.asarray(np.broadcast_to(np.asarray(cat, dtype=object), (n,)), dtype=object).copy()

    @classmethod
    def from_columns(
        cls,
        time: Any,
        lat_deg: Any,
        lon_deg: Any,
        alt_m: Any,
        *,
        object_id: Any = "",
        alt_datum: Any = "unknown",
        vel_enu_m_s: Any = None,
        h_acc_m: Any = np.nan,
        v_acc_m: Any = np.nan,
        source: Any = "",
        line: Any = 0,
        rejected: Iterable[RejectedRow] = (),
        category: Any = "",
    ) -> Reports:
        """Build a table; scalar column values are broadcast to every row."""
        t = np.asarray(time, dtype="datetime64[ns]").reshape(-1)
        n = len(t)

        def col(value: Any, dtype: Any) -> np.ndarray:
            arr = np.asarray(value, dtype=dtype)
            return np.full(n, value, dtype=dtype) if arr.ndim == 0 else arr.reshape(n)

        vel = np.full((n, 3), np.nan) if vel_enu_m_s is None else np.asarray(vel_enu_m_s, float)
        return cls(
            time=t,
            object_id=col(object_id, object),
            lat_deg=col(lat_deg, np.float64),
            lon_deg=col(lon_deg, np.float64),
            alt_m=col(alt_m, np.float64),
            alt_datum=col(alt_datum, object),
            vel_enu_m_s=vel,
            h_acc_m=col(h_acc_m, np.float64),
            v_acc_m=col(v_acc_m, np.float64),
            source=col(source, object),
            line=col(line, np.int64),
            rejected=list(rejected),
            category=col(category, object),
        )

    @classmethod
    def empty(cls) -> Reports:
        """A table with no rows."""
        return cls.from_columns(np.array([], "datetime64[ns]"), [], [], [])

    def __len__(self) -> int:
        return len(self.time)

    def _columns(self) -> dict[str, np.ndarray]:
        return {
            name: getattr(self, name)
            for name in (
                "time", "object_id", "lat_deg", "lon_deg", "alt_m", "alt_datum",
                "vel_enu_m_s", "h_acc_m", "v_acc_m", "source", "line", "category",
            )
        }  # fmt: skip

    def take(self, index: Any) -> Reports:
        """Rows selected by a boolean mask or an index array (``rejected`` is kept)."""
        cols = {k: v[index] for k, v in self._columns().items()}
        return Reports(**cols, rejected=list(self.rejected))

    def sorted(self) -> Reports:
        """Rows in time order (stable, so equal times keep file order)."""
        return self.take(np.argsort(self.time, kind="stable"))

    @property
    def ids(self) -> list[str]:
        """Distinct non-empty object ids, in order of first appearance."""
        seen: dict[str, None] = {}
        for value in self.object_id:
            if value:
                seen.setdefault(str(value), None)
        return list(seen)

    def deduplicate(self) -> tuple[Reports, int]:
        """Drop repeated packets (same id, time, position and altitude heard by several
        receivers); returns the table (time-sorted) and how many rows were dropped."""
        s = self.sorted()
        if len(s) == 0:
            return s, 0
        key = np.rec.fromarrays(
            [
                s.time.astype(np.int64),
                s.object_id.astype(str),
                np.round(s.lat_deg, 7),
                np.round(s.lon_deg, 7),
                np.round(np.nan_to_num(s.alt_m, nan=-1e9), 2),
            ]
        )
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        return s.take(keep), len(s) - len(keep)

    def to_csv(self, path: str | Path) -> Path:
        """Write the plain format (``time,lat,lon,alt_m,id``; ISO 8601 Z, ns precision kept to
        the microsecond) that :func:`read_reports` reads back with no flags."""
        from ..timeutil import isoformat

        out = Path(path)
        with out.open("w", encoding="utf-8", newline="") as fh:
            fh.write("time,lat,lon,alt_m,id\n")
            for t, lat, lon, alt, ident in zip(
                self.time, self.lat_deg, self.lon_deg, self.alt_m, self.object_id, strict=True
            ):
                fh.write(
                    f"{isoformat(t, timespec='microseconds')},{float(lat)!r},{float(lon)!r},"
                    f"{float(alt)!r},{ident}\n"
                )
        return out

    def to_pandas(self) -> Any:
        """A pandas DataFrame with one column per field (velocity as ``vel_e/n/u_m_s``)."""
        import pandas as pd

        cols: dict[str, Any] = {k: v for k, v in self._columns().items() if k != "vel_enu_m_s"}
        cols["vel_e_m_s"], cols["vel_n_m_s"], cols["vel_u_m_s"] = self.vel_enu_m_s.T
        return pd.DataFrame(cols)


def concat(parts: Sequence[Reports]) -> Reports:
    """Stack tables (rows and rejected rows) in the given order."""
    if not parts:
        return Reports.empty()
    cols = {name: np.concatenate([p._columns()[name] for p in parts]) for name in parts[0]._columns()}
    return Reports(**cols, rejected=[r for p in parts for r in p.rejected])


def with_rejected(reports: Reports, rejected: Iterable[RejectedRow]) -> Reports:
    """The same rows with more rejected rows attached."""
    return replace(reports, rejected=[*reports.rejected, *rejected])
