"""``skywarden db upgrade|current``: create or migrate the service's store (Alembic)."""

from __future__ import annotations

import typer

from ._common import console

__all__ = ["register"]

db_app = typer.Typer(help="The service's database: create and migrate its schema.", no_args_is_help=True)

_DB_HELP = "Database URL (default: SQLite in the user data directory; PostgreSQL: postgresql+psycopg://…)."


@db_app.command("upgrade")
def upgrade(
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    revision: str = typer.Option("heads", "--revision", help="Target revision (default: newest)."),
) -> None:
    """Create the schema or migrate it to the newest revision."""
    from ..store import make_engine, redact_url
    from ..store import upgrade as do_upgrade

    engine = make_engine(db)
    try:
        rev = do_upgrade(engine, revision)
    finally:
        engine.dispose()
    console.print(f"{redact_url(str(engine.url))}: schema at revision {rev}", highlight=False, markup=False)


@db_app.command("current")
def current(db: str | None = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Show the database's schema revision and the newest one this skywarden knows."""
    from ..store import current_revision, head_revision, make_engine

    engine = make_engine(db)
    try:
        have = current_revision(engine)
    finally:
        engine.dispose()
    console.print(f"current: {have or '(empty)'}  newest: {head_revision()}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``skywarden db …``."""
    app.add_typer(db_app, name="db")
