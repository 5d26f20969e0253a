"""Bulk storage of position reports and reading them back as a :class:`skywarden.Reports` table.

:func:`insert_reports` writes a whole table in one statement per backend: PostgreSQL ``COPY …
FROM STDIN`` through psycopg (``Cursor.copy`` / ``write_row``: no per-row SQL parsing or round
trip), SQLite ``executemany`` of one prepared ``INSERT``. Times are stored as Unix seconds (UTC,
float64: ~0.1 µs resolution today), NaN as NULL. :func:`load_reports` reads reports of some
objects (or of id-less reports) within a time range back, time-sorted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .models import ReportRow

__all__ = ["REPORT_COLUMNS", "insert_reports", "load_reports", "unix_seconds"]

REPORT_COLUMNS = (
    "batch_id", "object_id", "t_unix_s", "lat", "lon", "alt_m", "alt_datum",
    "vel_e_m_s", "vel_n_m_s", "vel_u_m_s", "h_acc_m", "v_acc_m", "line", "category",
)  # fmt: skip


def unix_seconds(times: np.ndarray) -> np.ndarray:
    """``datetime64`` (UTC) → float64 Unix seconds."""
    return np.asarray(times, dtype="datetime64[ns]").astype(np.int64) / 1e9


def _nullable(values: np.ndarray) -> list[float | None]:
    arr = np.asarray(values, dtype=float)
    return [None if not np.isfinite(v) else float(v) for v in arr.tolist()]


def _text(value: Any, limit: int) -> str:
    """Column text: at most ``limit`` characters, without NUL (PostgreSQL text cannot hold it)."""
    return str(value).replace("\x00", "")[:limit]


def _rows(batch_id: int, reports: Any) -> Iterable[tuple[Any, ...]]:
    n = len(reports)
    vel = np.asarray(reports.vel_enu_m_s, dtype=float).reshape(n, 3)
    cols = [
        [batch_id] * n,
        [_text(x, 200) for x in reports.object_id.tolist()],
        unix_seconds(reports.time).tolist(),
        np.asarray(reports.lat_deg, dtype=float).tolist(),
        np.asarray(reports.lon_deg, dtype=float).tolist(),
        np.asarray(reports.alt_m, dtype=float).tolist(),
        [_text(x, 16) for x in reports.alt_datum.tolist()],
        _nullable(vel[:, 0]),
        _nullable(vel[:, 1]),
        _nullable(vel[:, 2]),
        _nullable(reports.h_acc_m),
        _nullable(reports.v_acc_m),
        [int(x) for x in np.asarray(reports.line).tolist()],
        [_text(x, 16) for x in reports.category.tolist()],
    ]
    return zip(*cols, strict=True)


def insert_reports(session: Session, batch_id: int, reports: Any) -> int:
    """Insert every row of ``reports`` (a :class:`skywarden.Reports`) in bulk; returns the count.

    Runs in the session's transaction (the caller commits).
    """
    if len(reports) == 0:
        return 0
    rows = _rows(batch_id, reports)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY reports ({', '.join(REPORT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        session.execute(insert(ReportRow), [dict(zip(REPORT_COLUMNS, r, strict=True)) for r in rows])
    return len(reports)


def load_reports(
    session: Session,
    object_ids: Sequence[str],
    t_min_unix_s: float | None = None,
    t_max_unix_s: float | None = None,
) -> Any:
    """Stored reports of ``object_ids`` (``""`` = reports without id) as one time-sorted table."""
    from ..air import Reports

    t = ReportRow
    query = select(
        t.object_id, t.t_unix_s, t.lat, t.lon, t.alt_m, t.alt_datum, t.vel_e_m_s, t.vel_n_m_s, t.vel_u_m_s,
        t.h_acc_m, t.v_acc_m, t.line, t.category,
    ).where(t.object_id.in_(list(object_ids)))  # fmt: skip
    if t_min_unix_s is not None:
        query = query.where(t.t_unix_s >= t_min_unix_s)
    if t_max_unix_s is not None:
        query = query.where(t.t_unix_s <= t_max_unix_s)
    rows = session.execute(query.order_by(t.t_unix_s, t.id)).all()
    if not rows:
        return Reports.empty()
    cols = list(zip(*rows, strict=True))

    def num(i: int) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in cols[i]], dtype=float)

    times = (np.array(cols[1], dtype=float) * 1e9).round().astype(np.int64).astype("datetime64[ns]")
    return Reports.from_columns(
        times,
        num(2),
        num(3),
        num(4),
        object_id=np.array(cols[0], dtype=object),
        alt_datum=np.array(cols[5], dtype=object),
        vel_enu_m_s=np.stack([num(6), num(7), num(8)], axis=1),
        h_acc_m=num(9),
        v_acc_m=num(10),
        source="store",
        line=np.array(cols[11], dtype=np.int64),
        category=np.array(cols[12], dtype=object),
    )
