"""Alerts: storing each firing once, listing them, and streaming them as Server-Sent Events.

:func:`record_firings` inserts one ``alerts`` row per new ``(watch_id, event_key)`` (the unique
constraint decides, so a repeated evaluation or a second process never stores an event twice)
and, in the same transaction, one pending ``webhook_deliveries`` row per active webhook: the
outbox the delivery loop (:mod:`.webhooks`) works from. Then :class:`AlertHub` wakes the SSE
streams and the delivery loop.

``GET /alerts`` lists alerts (newest last; ``after_id`` pages forward). ``GET /alerts/stream`` is
an SSE stream (``text/event-stream``, W3C/WHATWG "Server-sent events"): each alert is one event::

    id: 42
    event: alert
    data: {"id": 42, "watch_id": 3, "kind": "zone_entry", "event_key": "…", …}

A client that reconnects with the ``Last-Event-ID`` header (browsers' ``EventSource`` do this
by themselves; ``?last_event_id=`` works too) first receives every alert with a larger id, so
nothing is missed across disconnects or server restarts. A comment line (``: keep-alive``) is
sent every ``keepalive_s`` seconds of silence.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..export.jsonable import to_jsonable
from ..store.models_watch import AlertRow, DeliveryRow, WebhookRow
from .auth import ViewerDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES
from .watches_eval import Firing

__all__ = ["AlertHub", "AlertOut", "alert_dict", "get_hub", "record_firings", "register", "router"]

log = logging.getLogger(__name__)


class AlertOut(BaseModel):
    id: int
    watch_id: int
    kind: str
    event_key: str
    summary: str
    details: dict[str, Any]
    created_at: str = Field(description="ISO 8601 UTC, e.g. 2026-12-04T16:28:28.241Z")


def alert_dict(row: AlertRow) -> dict[str, Any]:
    """The JSON of an alert (``GET /alerts``, SSE ``data``, webhook body ``alert``)."""
    out: dict[str, Any] = to_jsonable(
        {
            "id": row.id,
            "watch_id": row.watch_id,
            "kind": row.kind,
            "event_key": row.event_key,
            "summary": row.summary,
            "details": row.details,
            "created_at": row.created_at,
        }
    )
    return out


def record_firings(session: Session, firings: Iterable[Firing]) -> list[AlertRow]:
    """Store the new firings (one alert per ``(watch, event_key)``) and their deliveries; commit.

    Returns the alerts that are new. Already-known events are skipped without error.
    """
    new: list[AlertRow] = []
    firings = list(firings)
    known: set[tuple[int, str]] = set()
    watch_ids = sorted({f.watch_id for f in firings})
    for start in range(0, len(watch_ids), 500):  # one query per 500 watches, not one per firing
        chunk = watch_ids[start : start + 500]
        q = select(AlertRow.watch_id, AlertRow.event_key).where(AlertRow.watch_id.in_(chunk))
        known.update((int(w), str(k)) for w, k in session.execute(q))
    for f in firings:
        if (f.watch_id, f.event_key[:300]) in known:
            continue
        known.add((f.watch_id, f.event_key[:300]))
        row = AlertRow(
            watch_id=f.watch_id, kind=f.kind, event_key=f.event_key[:300], summary=f.summary,
            details=to_jsonable(f.details),
        )  # fmt: skip
        new.append(row)
    try:
        with session.begin_nested():
            session.add_all(new)
            session.flush()
    except IntegrityError:  # some were stored meanwhile by another process: one by one
        new = _one_by_one(session, new)
    if new:
        hooks = list(session.scalars(select(WebhookRow.id).where(WebhookRow.active.is_(True))))
        session.add_all([DeliveryRow(alert_id=row.id, webhook_id=h) for row in new for h in hooks])
    session.commit()
    return new


def _one_by_one(session: Session, rows: list[AlertRow]) -> list[AlertRow]:
    kept = []
    for row in rows:
        fresh = AlertRow(watch_id=row.watch_id, kind=row.kind, event_key=row.event_key, summary=row.summary,
                         details=row.details)  # fmt: skip
        try:
            with session.begin_nested():
                session.add(fresh)
                session.flush()
        except IntegrityError:
            continue
        kept.append(fresh)
    return kept


class AlertHub:
    """Wakes SSE streams and the delivery loop when alerts are stored (thread-safe ``notify``)."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()
        self.delivery_wakeup = asyncio.Event()

    def notify(self) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fire()
        else:
            loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()
        self.delivery_wakeup.set()

    def marker(self) -> asyncio.Event:
        """Take before reading the store; :meth:`wait` on it then misses no notification."""
        return self._event

    async def wait(self, event: asyncio.Event, timeout_s: float) -> bool:
        """Wait until a notification after ``event`` was taken (True) or the timeout (False)."""
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
        except TimeoutError:
            return False
        return True


def get_hub(ctx: ServiceContext) -> AlertHub:
    hub = ctx.extras.get("alerts")
    if hub is None:
        hub = ctx.extras["alerts"] = AlertHub()
    assert isinstance(hub, AlertHub)
    return hub


router = APIRouter(tags=["alerts"])


@router.get("/alerts", response_model=list[AlertOut], summary="List alerts (oldest first)")
def list_alerts(
    _who: ViewerDep,
    session: SessionDep,
    after_id: int = Query(0, ge=0, le=2**63 - 1, description="Only alerts with a larger id (paging)."),
    watch_id: int | None = Query(None, ge=0, le=2**31 - 1, description="Only this watch's alerts."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    q = select(AlertRow).where(AlertRow.id > after_id)
    if watch_id is not None:
        q = q.where(AlertRow.watch_id == watch_id)
    return [alert_dict(r) for r in session.scalars(q.order_by(AlertRow.id).limit(limit))]


def _after(ctx: ServiceContext, last_id: int, limit: int = 200) -> list[dict[str, Any]]:
    with ctx.sessions() as session:
        q = select(AlertRow).where(AlertRow.id > last_id).order_by(AlertRow.id).limit(limit)
        return [alert_dict(r) for r in session.scalars(q)]


def _sse(alert: dict[str, Any]) -> bytes:
    data = json.dumps(alert, separators=(",", ":"), allow_nan=False)
    return f"id: {alert['id']}\nevent: alert\ndata: {data}\n\n".encode()


async def _stream(
    request: Request, ctx: ServiceContext, last_id: int, keepalive_s: float
) -> AsyncIterator[bytes]:
    hub = get_hub(ctx)
    yield b"retry: 2000\n\n"
    while True:
        marker = hub.marker()
        rows = await asyncio.to_thread(_after, ctx, last_id)
        for alert in rows:
            last_id = alert["id"]
            yield _sse(alert)
        if len(rows) == 200:
            continue
        if await request.is_disconnected():
            return
        if not await hub.wait(marker, keepalive_s):
            yield b": keep-alive\n\n"


@router.get(
    "/alerts/stream",
    summary="Alerts as Server-Sent Events (resumable with Last-Event-ID)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "An endless event stream."}},
)
async def stream_alerts(
    request: Request,
    _who: ViewerDep,
    ctx: CtxDep,
    last_event_id: str | None = Header(None, description="Resume after this alert id (SSE reconnect)."),
    last_event_id_q: int | None = Query(
        None, alias="last_event_id", ge=0, le=2**63 - 1, description="Same, as a query."
    ),
    keepalive_s: float = Query(15.0, ge=0.5, le=300),
) -> StreamingResponse:
    start = last_event_id_q or 0
    if last_event_id and last_event_id.strip().isdigit() and len(last_event_id.strip()) < 19:
        start = int(last_event_id.strip())
    return StreamingResponse(
        _stream(request, ctx, start, keepalive_s),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def register(app: FastAPI, ctx: ServiceContext) -> None:
    """Include the routes; bind the hub to the server's event loop at start-up."""
    hub = get_hub(ctx)
    app.include_router(router, responses=COMMON_RESPONSES)

    async def startup() -> None:
        hub.loop = asyncio.get_running_loop()

    ctx.on_startup(startup)
