"""Engines and sessions for the store: SQLite by default, PostgreSQL with ``postgresql+psycopg://``.

:func:`default_db_url` is a SQLite file in the user data directory (platformdirs), so
``skywarden serve`` works with no set-up. :func:`make_engine` applies the settings each backend
needs for a threaded web server: SQLite gets WAL journaling, ``busy_timeout`` and foreign keys
(and may be used from several threads); PostgreSQL gets a pool with pre-ping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ..errors import OptionError

__all__ = ["default_data_dir", "default_db_url", "make_engine", "make_sessionmaker", "redact_url"]

_DIALECTS = ("sqlite", "postgresql")


def default_data_dir() -> Path:
    """The service's data directory (wind files, the default SQLite store)."""
    return Path(platformdirs.user_data_dir("skywarden", appauthor=False))


def default_db_url() -> str:
    """``sqlite:///<user data dir>/skywarden.db`` (the directory is created on demand)."""
    return f"sqlite:///{default_data_dir() / 'skywarden.db'}"


def redact_url(url: str) -> str:
    """The URL with its password hidden (for logs and messages)."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default :func:`default_db_url`); only SQLite and PostgreSQL.

    A SQLite file's directory is created if missing.
    """
    url = url or default_db_url()
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _DIALECTS:
        raise OptionError("--db", redact_url(url), ["sqlite:///path.db", "postgresql+psycopg://user@host/db"])
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (rows are rendered after commit)."""
    return sessionmaker(engine, expire_on_commit=False)
