"""SQLAlchemy 2 models of the watch service's store (revision ``0001`` of the migrations).

One declarative :class:`Base` for every table; engineer-owned feature modules add their own
models on the same ``Base`` (and their own Alembic revision on top of ``0001``). Conventions:

* times are UTC: ``UTCDateTime()`` for bookkeeping columns, and Unix seconds (UTC,
  float) for the position reports so that bulk ingest (``COPY``) needs no timestamp parsing;
* integer surrogate keys, except tokens (a short random hex id, which is not secret) and tracks
  (the object id of the reports);
* large texts (catalogs) live in the database, large binary files (winds) on disk under the
  service's data directory with their SHA-256 in the row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ApiToken",
    "Base",
    "CatalogRow",
    "QueryCacheRow",
    "ReportBatchRow",
    "ReportRow",
    "SiteRow",
    "TrackRow",
    "UTCDateTime",
    "WindRow",
    "ZoneRow",
    "ensure_utc_datetimes",
    "utcnow",
]

#: BIGINT primary keys that still autoincrement on SQLite (which only does so for INTEGER).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always gives back timezone-aware UTC datetimes.

    PostgreSQL keeps the zone (``timestamptz``); SQLite stores naive text and would return naive
    datetimes, which then serialise without ``Z``. Values are converted to UTC on the way in and
    marked UTC on the way out, so both backends answer ``…Z``. Naive inputs are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ensure_utc_datetimes(metadata: Any) -> int:
    """Make every ``DateTime`` column of ``metadata`` a :class:`UTCDateTime` (returns how many
    were changed), so tables that feature modules declare with plain ``DateTime(timezone=True)``
    also answer aware UTC times on SQLite. Call before the first query on those tables."""
    changed = 0
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, DateTime) and not isinstance(column.type, UTCDateTime):
                column.type = UTCDateTime()
                changed += 1
    return changed


class Base(DeclarativeBase):
    """Declarative base of every skywarden table."""


class ApiToken(Base):
    """A bearer token: ``id`` is the non-secret prefix, ``secret_hash`` the argon2 hash."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CatalogRow(Base):
    """An uploaded or downloaded element-set catalog (its full text and SHA-256)."""

    __tablename__ = "catalogs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(16))
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    n_objects: Mapped[int] = mapped_column(Integer)
    n_issues: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SiteRow(Base):
    """A protected site: a point with ``radius_km`` or a GeoJSON polygon."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt_m: Mapped[float] = mapped_column(Float, default=0.0)
    radius_km: Mapped[float] = mapped_column(Float, default=0.0)
    polygon: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ZoneRow(Base):
    """User zones from one upload (GeoJSON or OpenAir): the source text and its GeoJSON."""

    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    geojson: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WindRow(Base):
    """A wind file (GRIB2/NetCDF) stored on disk under the data directory."""

    __tablename__ = "winds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000))
    content_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportBatchRow(Base):
    """One ``POST /reports`` call: how many rows were accepted and rejected."""

    __tablename__ = "report_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    format: Mapped[str] = mapped_column(String(32))
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportRow(Base):
    """One position report; ``t_unix_s`` is the time in Unix seconds (UTC); velocities East/North/Up
    and accuracies are NULL when the report had none; ``line`` is its line/item in the upload."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(Integer, ForeignKey("report_batches.id"))
    object_id: Mapped[str] = mapped_column(String(200))
    t_unix_s: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt_m: Mapped[float] = mapped_column(Float)
    alt_datum: Mapped[str] = mapped_column(String(16), default="unknown")
    vel_e_m_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    vel_n_m_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    vel_u_m_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    h_acc_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    v_acc_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    line: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(16), default="")

    __table_args__ = (Index("ix_reports_object_time", "object_id", "t_unix_s"),)


class TrackRow(Base):
    """The tracker's latest answer for one object (``result`` is the ``GET /tracks/{id}`` JSON)."""

    __tablename__ = "tracks"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    object_class: Mapped[str] = mapped_column(String(32), default="")
    n_reports: Mapped[int] = mapped_column(Integer, default=0)
    last_t_unix_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QueryCacheRow(Base):
    """A persisted answer of a cached query (overflight/quiet), keyed by a SHA-256 of its inputs."""

    __tablename__ = "query_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    catalog_id: Mapped[int] = mapped_column(Integer, index=True)
    site_id: Mapped[int] = mapped_column(Integer, index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
