"""Alembic environment: runs on the engine that :func:`skywarden.store.migrate.upgrade` passes."""

from __future__ import annotations

from alembic import context

from skywarden.store.db import make_engine
from skywarden.store.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
