"""Webhooks: registration (admin role) and the durable, retried, signed delivery loop.

``POST /webhooks {"url", "secret"}`` checks the target with the SSRF guard
(:func:`.webhooks_sign.check_webhook_url`; ``allow_private_webhooks`` lifts it) and stores it;
``GET /webhooks`` lists them (never the secret); ``DELETE /webhooks/{id}`` removes one;
``GET /webhooks/{id}/deliveries`` shows the delivery states.

Delivery: every alert gets one ``webhook_deliveries`` row per active webhook, written in the
same transaction as the alert (:func:`.alerts.record_firings`). :class:`DeliveryLoop` sends due
rows (``state = pending`` and ``next_attempt_at ≤ now``) as a JSON ``POST`` signed as described in
:mod:`.webhooks_sign` and records the outcome in the row: a 2xx answer → ``delivered``; anything
else (other status, timeout, refused connection, SSRF refusal at send time) → ``attempts + 1`` and
``next_attempt_at = now + backoff_s · 2^(attempts − 1)`` (capped at ``backoff_max_s``) until
``max_attempts``, then ``failed``. Because the row is the only record of what is left to do, a
restart resumes exactly where the last committed state left off: nothing is lost, and a delivery
acknowledged by the receiver is never sent again. (A kill *during* an HTTP request, before the
answer was committed, can repeat that one attempt; receivers de-duplicate on the
``X-Skywarden-Delivery`` header, which is the same on every attempt.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, FastAPI, Path, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from ..errors import NotFoundError
from ..store.models import utcnow
from ..store.models_watch import AlertRow, DeliveryRow, WebhookRow
from . import metrics
from .alerts import alert_dict, get_hub
from .auth import AdminDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES
from .webhooks_sign import check_webhook_url, signed_headers

__all__ = ["DeliveryLoop", "register", "router", "webhook_body"]

log = logging.getLogger(__name__)


class WebhookIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, examples=["https://hooks.example.org/skywarden"])
    secret: str = Field(min_length=16, max_length=200, description="HMAC key (≥ 16 characters).")


class WebhookOut(BaseModel):
    id: int
    url: str
    active: bool
    created_at: datetime


class DeliveryOut(BaseModel):
    id: int
    alert_id: int
    webhook_id: int
    state: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


def _hook_out(row: WebhookRow) -> dict[str, Any]:
    return {"id": row.id, "url": row.url, "active": row.active, "created_at": row.created_at}


WebhookIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="A webhook id.")]

router = APIRouter(tags=["webhooks"])


@router.post(
    "/webhooks", status_code=status.HTTP_201_CREATED, response_model=WebhookOut, summary="Add a webhook"
)
def add_webhook(body: WebhookIn, who: AdminDep, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    check_webhook_url(body.url, allow_private=ctx.settings.allow_private_webhooks)
    row = WebhookRow(
        url=body.url, secret=body.secret, active=True, created_by=who.token_id, created_at=utcnow()
    )
    session.add(row)
    session.commit()
    return _hook_out(row)


@router.get("/webhooks", response_model=list[WebhookOut], summary="List webhooks (secrets never shown)")
def list_webhooks(_who: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    return [_hook_out(r) for r in session.scalars(select(WebhookRow).order_by(WebhookRow.id))]


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a webhook")
def delete_webhook(webhook_id: WebhookIdPath, _who: AdminDep, session: SessionDep) -> None:
    row = session.get(WebhookRow, webhook_id)
    if row is None:
        raise NotFoundError(f"webhook {webhook_id} does not exist")
    session.delete(row)
    session.commit()


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=list[DeliveryOut],
    summary="Delivery states of a webhook",
)
def list_deliveries(webhook_id: WebhookIdPath, _who: AdminDep, session: SessionDep) -> list[DeliveryRow]:
    if session.get(WebhookRow, webhook_id) is None:
        raise NotFoundError(f"webhook {webhook_id} does not exist")
    q = select(DeliveryRow).where(DeliveryRow.webhook_id == webhook_id).order_by(DeliveryRow.id)
    return list(session.scalars(q))


def webhook_body(alert: dict[str, Any]) -> bytes:
    """The delivery body: ``{"event": "alert", "alert": {…}}``, compact JSON, UTF-8."""
    return json.dumps({"event": "alert", "alert": alert}, separators=(",", ":"), sort_keys=True).encode()


class DeliveryLoop:
    """Background task that sends due deliveries (see the module docstring)."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        backoff_s: float = 5.0,
        backoff_max_s: float = 3600.0,
        max_attempts: int = 10,
        timeout_s: float = 10.0,
        batch: int = 50,
        idle_poll_s: float = 2.0,
    ) -> None:
        self.ctx = ctx
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        self.batch = batch
        self.idle_poll_s = idle_poll_s
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False, trust_env=False)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="skywarden-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    def _due(self) -> tuple[list[tuple[int, str, str, int, int, dict[str, Any]]], float | None]:
        """Due deliveries ``(id, url, secret, attempts, alert_id, alert)`` and seconds to the next one."""
        now = utcnow()
        with self.ctx.sessions() as s:
            q = (
                select(DeliveryRow, WebhookRow, AlertRow)
                .join(WebhookRow, DeliveryRow.webhook_id == WebhookRow.id)
                .join(AlertRow, DeliveryRow.alert_id == AlertRow.id)
                .where(DeliveryRow.state == "pending", DeliveryRow.next_attempt_at <= now)
                .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
                .limit(self.batch)
            )
            due = [(d.id, w.url, w.secret, d.attempts, a.id, alert_dict(a)) for d, w, a in s.execute(q)]
            nxt = s.scalar(
                select(func.min(DeliveryRow.next_attempt_at)).where(DeliveryRow.state == "pending")
            )
        wait = None
        if nxt is not None:
            if nxt.tzinfo is None:  # SQLite returns naive UTC
                from datetime import UTC

                nxt = nxt.replace(tzinfo=UTC)
            wait = max(0.0, (nxt - utcnow()).total_seconds())
        return due, wait

    async def _run(self) -> None:
        hub = get_hub(self.ctx)
        while True:
            hub.delivery_wakeup.clear()
            try:
                due, wait = await asyncio.to_thread(self._due)
                if due:
                    await asyncio.gather(*(self._send(*d) for d in due))
                    continue
            except Exception:
                log.exception("webhook delivery loop error")
                wait = 5.0
            # idle: poll every idle_poll_s too (alerts stored by another process wake nobody here)
            timeout = self.idle_poll_s if wait is None else min(max(wait, 0.05), self.idle_poll_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hub.delivery_wakeup.wait(), timeout)

    async def _send(
        self, delivery_id: int, url: str, secret: str, attempts: int, alert_id: int, alert: dict[str, Any]
    ) -> None:
        body = webhook_body(alert)
        status_code: int | None = None
        error: str | None = None
        try:
            await asyncio.to_thread(
                check_webhook_url, url, allow_private=self.ctx.settings.allow_private_webhooks
            )
            assert self._client is not None
            resp = await self._client.post(
                url, content=body, headers=signed_headers(secret, body, delivery_id=delivery_id)
            )
            status_code = resp.status_code
            if not 200 <= resp.status_code < 300:
                error = f"HTTP {resp.status_code}"
        except Exception as exc:  # refused, timeout, SSRF refusal: all retried
            error = f"{type(exc).__name__}: {exc}"[:500]
        await asyncio.to_thread(self._record, delivery_id, attempts + 1, status_code, error)

    def _record(self, delivery_id: int, attempts: int, status_code: int | None, error: str | None) -> None:
        with self.ctx.sessions() as s:
            row = s.get(DeliveryRow, delivery_id)
            if row is None:
                return
            row.attempts = attempts
            row.last_status = status_code
            row.last_error = error
            if error is None:
                row.state = "delivered"
                row.delivered_at = utcnow()
                metrics.ALERTS_SENT.inc()
            else:
                metrics.ALERTS_FAILED.inc()
                if attempts >= self.max_attempts:
                    row.state = "failed"
                else:
                    delay = min(self.backoff_s * 2 ** (attempts - 1), self.backoff_max_s)
                    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
                log.info("webhook delivery %s attempt %s failed: %s", delivery_id, attempts, error)
            s.commit()


def register(app: FastAPI, ctx: ServiceContext) -> None:
    """Include the routes and run the delivery loop for the app's lifetime."""
    s = ctx.settings
    loop = DeliveryLoop(
        ctx,
        backoff_s=float(getattr(s, "webhook_backoff_s", 5.0)),
        backoff_max_s=float(getattr(s, "webhook_backoff_max_s", 3600.0)),
        max_attempts=int(getattr(s, "webhook_max_attempts", 10)),
    )
    ctx.extras["webhooks"] = loop
    app.include_router(router, responses=COMMON_RESPONSES)

    async def startup() -> None:
        loop.start()

    ctx.on_startup(startup)
    ctx.on_shutdown(loop.stop)
