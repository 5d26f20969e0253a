"""Reading position report files: :func:`read_reports` (sniffs or takes the format, one table).

The table itself, :class:`~skywarden.air.table.Reports`, lives in :mod:`skywarden.air.table`
(re-exported here); the per-format readers in :mod:`skywarden.air.formats` build it. Rows that
cannot be read are never fatal: each becomes a :class:`RejectedRow` in ``Reports.rejected``, and
:func:`read_reports` emits ONE :class:`~skywarden.errors.DataQualityWarning` with the count per
file. Files whose times carry no date (EOSS ``HH:MM:SS``, NBP3 ``HHMMSS``) need ``date=``;
without it a :class:`~skywarden.errors.ReportFormatError` names the file and the flag.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import DataQualityWarning
from .formats import read_file
from .table import ALT_DATUMS, RejectedRow, Reports, concat, with_rejected

__all__ = ["ALT_DATUMS", "RejectedRow", "Reports", "concat", "read_reports", "with_rejected"]


def read_reports(
    paths: str | Path | Sequence[str | Path],
    *,
    format: str | None = None,
    date: Any = None,
    lon_sign: str = "auto",
    mapping: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> Reports:
    """Read one or more report files into one :class:`Reports` table, time-sorted.

    Parameters
    ----------
    paths:
        File path(s). Formats may differ between files.
    format:
        One of :data:`skywarden.air.formats.FORMATS` (``"plain"``, ``"eoss"``, ``"nbp3"``,
        ``"csv"``, ``"geojson"``, ``"sondehub"``, ``"aprs"``, ``"adsb"``); ``None`` sniffs it.
    date:
        UTC date (``"2023-04-22"``) for files whose times are time-of-day only.
    lon_sign:
        ``"auto"`` (trust the file, except NBP3 logs whose unsigned longitudes are made west
        with a warning), ``"as-is"``, ``"west"`` (negate positive longitudes) or ``"east"``.
    mapping:
        For ``format="csv"``: a :class:`~skywarden.air.formats.CsvMapping`, a dict, or a
        TOML/JSON file path with ``columns`` and ``units`` tables.
    progress:
        Optional ``callback(files_done, files_total)``.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    parts: list[Reports] = []
    for i, path in enumerate(items):
        part = read_file(Path(path), format=format, date=date, lon_sign=lon_sign, mapping=mapping)
        if part.rejected:
            first = "; ".join(str(r) for r in part.rejected[:3])
            warnings.warn(
                f"{path}: {len(part.rejected)} row(s) could not be read and were skipped (first: {first})",
                DataQualityWarning,
                stacklevel=2,
            )
        parts.append(part)
        if progress is not None:
            progress(i + 1, len(items))
    return concat(parts).sorted()
