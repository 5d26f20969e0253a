"""The watch service's persistent store: SQLAlchemy 2 models and packaged Alembic migrations.

* :mod:`.models` — one declarative ``Base``; revision ``0001`` creates its core tables.
* :mod:`.db` — :func:`make_engine` (SQLite default in the user data dir, PostgreSQL via
  ``postgresql+psycopg://``) and :func:`make_sessionmaker`.
* :mod:`.migrate` — :func:`upgrade` (``skywarden db upgrade``), :func:`require_current`.
* :mod:`.tokens` — argon2-hashed bearer tokens.
* :mod:`.reports` — bulk report insert (PostgreSQL ``COPY``, SQLite ``executemany``).

Adding tables: put models on :class:`Base` in a new module here and a new revision file in
``migrations/versions/`` whose ``down_revision`` is the current head. Timestamps: use
:class:`~.models.UTCDateTime` (the app also converts every ``DateTime`` column to it at start-up,
:func:`~.models.ensure_utc_datetimes`, so SQLite answers ``…Z`` like PostgreSQL).
"""

from __future__ import annotations

from .db import default_data_dir, default_db_url, make_engine, make_sessionmaker, redact_url
from .migrate import SchemaError, current_revision, head_revision, require_current, upgrade
from .models import Base
from .tokens import ROLES, create_token, revoke_token, verify_token

__all__ = [
    "ROLES",
    "Base",
    "SchemaError",
    "create_token",
    "current_revision",
    "default_data_dir",
    "default_db_url",
    "head_revision",
    "make_engine",
    "make_sessionmaker",
    "redact_url",
    "require_current",
    "revoke_token",
    "upgrade",
    "verify_token",
]
