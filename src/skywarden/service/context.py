"""The per-app service context and the FastAPI dependencies that hand it out.

``app.state.ctx`` is a :class:`ServiceContext`; endpoints get what they need through
dependencies: ``SessionDep`` (a SQLAlchemy session, closed after the request) and ``CtxDep``.
Feature modules keep their own state in ``ctx.extras[<module name>]`` and register start-up /
shutdown coroutines with :meth:`ServiceContext.on_startup` / :meth:`ServiceContext.on_shutdown`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .cache import QueryCache
from .events import EventBus
from .ratelimit import RateLimiter
from .settings import ServiceSettings

__all__ = [
    "MAX_DB_ID",
    "CtxDep",
    "IdPath",
    "ServiceContext",
    "SessionDep",
    "ctx_of",
    "get_ctx",
    "get_session",
]

Hook = Callable[[], Awaitable[None]]


@dataclass
class ServiceContext:
    """Shared state of one app: settings, database, event bus, caches, limiter, hooks."""

    settings: ServiceSettings
    engine: Engine
    sessions: sessionmaker[Session]
    db_url: str
    schema_version: str
    events: EventBus = field(default_factory=EventBus)
    query_cache: QueryCache = field(default_factory=QueryCache)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    token_cache: dict[str, tuple[Any, float]] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    startup_hooks: list[Hook] = field(default_factory=list)
    shutdown_hooks: list[Hook] = field(default_factory=list)

    def on_startup(self, hook: Hook) -> None:
        """Run ``await hook()`` when the app starts (after the event loop exists)."""
        self.startup_hooks.append(hook)

    def on_shutdown(self, hook: Hook) -> None:
        """Run ``await hook()`` when the app stops (reverse order of registration)."""
        self.shutdown_hooks.append(hook)


def ctx_of(request: Request) -> ServiceContext:
    """The app's :class:`ServiceContext` (plain function)."""
    ctx: ServiceContext = request.app.state.ctx
    return ctx


async def get_ctx(request: Request) -> ServiceContext:
    """The app's :class:`ServiceContext` (a dependency; async so FastAPI does not hop to a thread)."""
    return ctx_of(request)


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request; the endpoint commits, the session is closed afterwards."""
    with ctx_of(request).sessions() as session:
        yield session


CtxDep = Annotated[ServiceContext, Depends(get_ctx)]
SessionDep = Annotated[Session, Depends(get_session)]

MAX_DB_ID = 2_147_483_647
"""Largest integer id (PostgreSQL INTEGER); larger path ids are a 422, never a database error."""
IdPath = Annotated[int, Path(ge=1, le=MAX_DB_ID, description="Integer id.")]
