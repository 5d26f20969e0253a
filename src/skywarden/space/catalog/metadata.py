"""Object metadata from the UCS Satellite Database CSV, joined to a catalog by NORAD number.

The Union of Concerned Scientists database (release 1 May 2023 in the shared data) has one row
per operational satellite. Reading quirks handled here: a UTF-8 BOM before the header,
column names with stray spaces (`` Dry Mass (kg.) ``), several columns named ``Source`` (pandas
numbers them), a ``LEo`` typo in ``Class of Orbit`` (normalised to ``LEO``), blank trailing
rows, and a few NORAD numbers listed twice (the first row is kept). The path is a parameter:
the database is not shipped with skywarden.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataQualityWarning, NotFoundError, ParseError
from .elements import Elements

__all__ = ["UCS_COLUMNS", "join_metadata", "load_ucs", "select_by_purpose", "ucs_metadata"]

UCS_COLUMNS = {
    "name": "Name of Satellite, Alternate Names",
    "official_name": "Current Official Name of Satellite",
    "operator": "Operator/Owner",
    "country": "Country of Operator/Owner",
    "users": "Users",
    "purpose": "Purpose",
    "detailed_purpose": "Detailed Purpose",
    "orbit_class": "Class of Orbit",
    "orbit_type": "Type of Orbit",
    "cospar_id": "COSPAR Number",
    "launch_date": "Date of Launch",
}
"""skywarden column → UCS column (after stripping spaces from the UCS header)."""
_NORAD = "NORAD Number"
_ORBIT_CLASSES = {"LEO": "LEO", "MEO": "MEO", "GEO": "GEO", "ELLIPTICAL": "Elliptical"}


def load_ucs(path: str | Path) -> pd.DataFrame:
    """The UCS database as a table indexed by ``norad_id`` with the :data:`UCS_COLUMNS`.

    Rows without a usable NORAD number and repeated numbers are dropped with ONE
    :class:`DataQualityWarning` giving the counts; blank rows are ignored silently.
    """
    source = Path(path)
    if not source.is_file():
        raise NotFoundError(f"UCS database CSV not found: {source}")
    try:
        raw = pd.read_csv(source, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(
            f"not a readable CSV: {exc}",
            path=source,
            line=1,
            field="file",
            expected="the UCS Satellite Database CSV (UTF-8, comma-separated)",
        ) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in (_NORAD, *UCS_COLUMNS.values()) if c not in raw.columns]
    if missing:
        raise ParseError(
            f"missing column(s) {', '.join(map(repr, missing))}",
            path=source,
            line=1,
            field="header",
            expected=f"a header with {_NORAD!r} and {', '.join(UCS_COLUMNS.values())}",
            got=",".join(raw.columns[:8]),
        )
    raw = raw.apply(lambda column: column.str.strip())
    blank = (raw == "").all(axis=1)
    raw = raw.loc[~blank]
    numbers = pd.to_numeric(raw[_NORAD], errors="coerce")
    usable = numbers.notna() & (numbers % 1 == 0) & (numbers >= 0)
    table = raw.loc[usable, list(UCS_COLUMNS.values())].copy()
    table.columns = list(UCS_COLUMNS)
    table.index = pd.Index(numbers[usable].astype(np.int64), name="norad_id")
    repeated = table.index.duplicated(keep="first")
    table = table.loc[~repeated]
    table["orbit_class"] = table["orbit_class"].map(lambda v: _ORBIT_CLASSES.get(v.upper(), v))
    table = table.replace("", None)
    dropped_bad, dropped_dup = int((~usable).sum()), int(repeated.sum())
    if dropped_bad or dropped_dup:
        warnings.warn(
            f"{source}: {dropped_bad} row(s) without a NORAD number and {dropped_dup} repeated NORAD "
            "number(s) dropped (first row kept)",
            DataQualityWarning,
            stacklevel=2,
        )
    return table


def join_metadata(catalog: Iterable[Elements], table: pd.DataFrame) -> pd.DataFrame:
    """UCS metadata for each object of ``catalog``, in catalog order.

    Columns: ``norad_id``, ``catalog_name`` (the element set's name), ``in_ucs`` and the
    :data:`UCS_COLUMNS` (None where the object is not in the database), ``catalog_orbit_class``
    (from the elements, see :func:`skywarden.space.catalog.elements.orbit_class`).
    """
    items = list(catalog)
    ids = pd.Index(np.array([e.norad_id for e in items], dtype=np.int64), name="norad_id")
    joined = table.reindex(ids)
    joined = joined.astype(object).where(joined.notna(), None)
    joined.insert(0, "in_ucs", ids.isin(table.index))
    joined.insert(0, "catalog_name", [e.name for e in items])
    joined["catalog_orbit_class"] = [e.orbit_class for e in items]
    return joined.reset_index()


def ucs_metadata(ucs: str | Path | pd.DataFrame) -> dict[int, dict[str, Any]]:
    """``{norad_id: {column: value}}`` from the UCS table (a path or :func:`load_ucs` output).

    The ``metadata=`` mapping :func:`~skywarden.space.overflight.access_windows` takes (countries,
    operators and default sensor classes for imaging objects without a sensor-table row).
    """
    frame = ucs if isinstance(ucs, pd.DataFrame) else load_ucs(ucs)
    records: dict[Any, dict[Any, Any]] = frame.to_dict("index")
    return {int(k): {str(c): v for c, v in row.items()} for k, row in records.items()}


def select_by_purpose(catalog: Any, ucs: str | Path | pd.DataFrame, purpose: str) -> Any:
    """The objects of ``catalog`` whose UCS ``purpose`` contains ``purpose`` (case-insensitive).

    ``catalog`` is a :class:`~skywarden.space.catalog.Catalog` (its ``select`` keeps the order);
    objects not in the UCS database are left out. ``ucs`` is a path or :func:`load_ucs` output.
    """
    table = ucs if isinstance(ucs, pd.DataFrame) else load_ucs(ucs)
    meta = join_metadata(catalog, table)
    keep = meta["purpose"].fillna("").astype(str).str.contains(purpose, case=False).to_numpy()
    return catalog.select(ids=[int(i) for i in np.asarray(catalog.norad_ids)[keep]])
