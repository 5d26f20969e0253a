"""The FastAPI application factory: :func:`create_app`.

``create_app(db_url=..., settings=...)`` opens the store, refuses an empty or old schema
(:class:`skywarden.store.SchemaError`, naming ``skywarden db upgrade``), builds a
:class:`~.context.ServiceContext` on ``app.state.ctx`` and registers the feature modules.

Extension point: every name in :data:`FEATURE_MODULES` is a module ``skywarden.service.<name>``
with ``register(app: FastAPI, ctx: ServiceContext) -> None``; it includes its routers
(``app.include_router(router, responses=COMMON_RESPONSES)``), subscribes to the event bus
(``ctx.events.subscribe``) and adds start-up/shutdown coroutines (``ctx.on_startup``). Names in
:data:`OPTIONAL_MODULES` may be absent while they are being written; a missing one is logged.
The web map (``skywarden.web``) registers the same way, last, because it mounts ``/``.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import event

from .. import __version__
from ..store.db import make_engine, make_sessionmaker, redact_url
from ..store.migrate import require_current
from ..store.models import Base, ensure_utc_datetimes
from .cache import QueryCache
from .context import ServiceContext
from .errors import install_error_handlers
from .limits import BodySizeLimit
from .metrics import MetricsMiddleware
from .ratelimit import RateLimiter
from .settings import ServiceSettings

__all__ = ["FEATURE_MODULES", "OPTIONAL_MODULES", "create_app"]

log = logging.getLogger(__name__)

FEATURE_MODULES: list[str] = [
    "health",
    "tokens_api",
    "sites",
    "catalogs",
    "queries",
    "zones_api",
    "winds_api",
    "reports_api",
    "jobs",
    "watches",
    "alerts",
    "webhooks",
    "sse",
    "web",
]
OPTIONAL_MODULES = {
    "catalogs",
    "queries",
    "zones_api",
    "winds_api",
    "reports_api",
    "jobs",
    "watches",
    "alerts",
    "webhooks",
    "sse",
    "web",
}


def _feature(name: str) -> Any | None:
    full = f"skywarden.{name}" if name == "web" else f"{__name__.rsplit('.', 1)[0]}.{name}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if name in OPTIONAL_MODULES and exc.name == full:
            log.info("service feature %s not installed yet; skipped", name)
            return None
        raise


def create_app(
    db_url: str | None = None,
    settings: ServiceSettings | None = None,
    *,
    check_schema: bool = True,
) -> FastAPI:
    """The service as an ASGI app (run it with uvicorn, or in-process with httpx/TestClient)."""
    settings = settings or ServiceSettings()
    engine = make_engine(db_url)
    url = db_url or str(engine.url)
    try:
        schema = require_current(engine, url_hint=redact_url(url) if db_url else "") if check_schema else ""
    except BaseException:
        engine.dispose()
        raise
    ctx = ServiceContext(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        db_url=url,
        schema_version=schema,
        query_cache=QueryCache(settings.query_cache_size),
        limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
    )

    # A request thread still running at shutdown (an SSE poll in ``asyncio.to_thread``, a job's
    # progress update) checks its connection in AFTER ``engine.dispose()``: into the disposed
    # pool, which nobody closes, so the connection would be left to the garbage collector
    # (psycopg's "deleted while still open"). Once shut down, a checked-in connection is closed
    # (invalidated: should the app start again, the pool reconnects).
    shut = {"down": False}

    @event.listens_for(engine, "checkin")
    def _close_after_shutdown(dbapi_connection: Any, record: Any) -> None:
        if shut["down"] and dbapi_connection is not None:
            with contextlib.suppress(Exception):
                record.invalidate()  # closes it; a later checkout (after a restart) reconnects

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import asyncio

        ctx.events.loop = asyncio.get_running_loop()
        shut["down"] = False
        for hook in ctx.startup_hooks:
            await hook()
        try:
            yield
        finally:
            for hook in reversed(ctx.shutdown_hooks):
                try:
                    await hook()
                except Exception:
                    log.exception("shutdown hook failed")
            ctx.events.loop = None
            shut["down"] = True
            engine.dispose()  # close pooled connections now, not when the garbage collector finds them

    app = FastAPI(
        title="skywarden watch service",
        version=__version__,
        description="Air-and-space domain awareness as a service: catalogs, sites, overflights, reports, "
        "tracks, jobs, watches and alerts. Authenticate with `Authorization: Bearer <token>` "
        "(`skywarden admin create-token`).",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware)
    try:
        for name in FEATURE_MODULES:
            module = _feature(name)
            register = getattr(module, "register", None)
            if register is not None:
                register(app, ctx)
            elif module is not None and name not in OPTIONAL_MODULES:
                raise RuntimeError(f"service module {name} has no register(app, ctx)")
    except BaseException:
        engine.dispose()
        raise
    ensure_utc_datetimes(Base.metadata)  # every table, also those feature modules added: times …Z
    return app
