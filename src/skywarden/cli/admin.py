"""``skywarden admin create-token|list-tokens|revoke-token``: manage the service's API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from ._common import console

__all__ = ["register"]

admin_app = typer.Typer(help="Service administration: API tokens.", no_args_is_help=True)

_DB_HELP = "Database URL (default: SQLite in the user data directory; PostgreSQL: postgresql+psycopg://…)."


@contextmanager
def _session(db: str | None) -> Iterator[Any]:
    """A session on a current-schema store; the engine is closed afterwards."""
    from ..store import make_engine, make_sessionmaker, require_current

    engine = make_engine(db)
    try:
        require_current(engine, url_hint=db or "")
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


@admin_app.command("create-token")
def create_token(
    role: str = typer.Option(
        ..., "--role", help="viewer (read), operator (change data), admin (tokens, webhooks)."
    ),
    name: str = typer.Option("", "--name", help="A label for the token."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Create a token; it is printed once, on the last line, and stored only as an argon2 hash."""
    from ..store import create_token as make

    with _session(db) as session:
        row, text = make(session, role, name)
        session.commit()
        console.print(f"token id {row.id} role {row.role}" + (f" name {name}" if name else ""), markup=False)
    typer.echo(text)


@admin_app.command("list-tokens")
def list_tokens(db: str | None = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """List tokens (ids, roles, names; never secrets)."""
    from sqlalchemy import select

    from ..store.models import ApiToken

    with _session(db) as session:
        for row in session.scalars(select(ApiToken).order_by(ApiToken.created_at)):
            state = "revoked" if row.revoked_at else "active"
            console.print(f"{row.id}  {row.role:<8} {state:<8} {row.name}", markup=False, highlight=False)


@admin_app.command("revoke-token")
def revoke_token(
    token_id: str = typer.Argument(..., help="The token id (the 12 hex characters after 'sw_')."),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Revoke a token (a running server stops accepting it within its token-cache TTL)."""
    from ..errors import NotFoundError
    from ..store import revoke_token as revoke

    with _session(db) as session:
        if not revoke(session, token_id):
            raise NotFoundError(f"no token with id {token_id!r}")
        session.commit()
    console.print(f"revoked {token_id}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``skywarden admin …``."""
    app.add_typer(admin_app, name="admin")
