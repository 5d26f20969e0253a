"""Alembic migrations shipped inside the package (``skywarden.store:migrations``).

``skywarden db upgrade [--db URL]`` calls :func:`upgrade`; the service calls
:func:`require_current` at start-up and refuses an empty or old schema with a message naming
that command. Revisions form one chain: ``0001`` (tokens, catalogs, sites, zones, winds,
reports, tracks, query cache) and later revisions on top of it (``down_revision`` = the previous
head). The schema version reported by ``/healthz`` is the database's current revision.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ..errors import SkywardenError

__all__ = ["SchemaError", "alembic_config", "current_revision", "head_revision", "require_current", "upgrade"]


class SchemaError(SkywardenError):
    """The database schema is missing or older than this version of skywarden."""

    status_code = 503


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config for the packaged scripts; ``engine`` is handed to ``env.py``."""
    cfg = Config()
    cfg.set_main_option("script_location", "skywarden.store:migrations")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest revision the package knows (one chain, so one head)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(sorted(heads))


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None for an empty (never upgraded) database."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def upgrade(engine: Engine, revision: str = "heads") -> str:
    """Migrate the database to ``revision`` (default: newest); returns the new revision."""
    command.upgrade(alembic_config(engine), revision)
    return current_revision(engine) or ""


def require_current(engine: Engine, url_hint: str = "") -> str:
    """The current revision; raise :class:`SchemaError` saying how to fix an empty/old schema."""
    have = current_revision(engine)
    want = head_revision()
    if have == want:
        return have
    fix = "skywarden db upgrade" + (f" --db {url_hint}" if url_hint else "")
    if have is None:
        raise SchemaError(f"the database has no skywarden schema; create it with: {fix}")
    raise SchemaError(f"the database schema is at revision {have}, this skywarden needs {want}; run: {fix}")
