"""Store models of jobs, watches, alerts, webhooks and webhook deliveries (revision ``0002``).

* ``jobs``: one row per ``POST /jobs``; ``state`` is ``queued`` → ``running`` → ``succeeded`` |
  ``failed`` | ``cancelled``; ``progress`` 0–1; ``attempts`` counts starts (a job found
  ``running`` at start-up is re-queued until ``attempts`` reaches the limit, then failed with the
  reason). The result lives in ``job_results`` (one row, all renderings) so job listings stay small.
* ``watches``: a rule (``kind`` + ``params``); deleting a watch keeps its alerts.
* ``alerts``: one row per firing, unique on ``(watch_id, event_key)`` so the same event is stored
  once however often it is evaluated (the database enforces it, also across processes). The id is
  the Server-Sent Events id (``Last-Event-ID``).
* ``webhooks``: ``url`` and ``secret`` (kept to sign deliveries; never logged or returned).
* ``webhook_deliveries``: one row per ``(alert, webhook)`` (unique), with ``state`` ``pending`` |
  ``delivered`` | ``failed``, ``attempts``, ``next_attempt_at`` and the last error: the
  durable outbox the delivery loop works from, so a restart neither loses nor repeats an alert.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, BigId, utcnow

__all__ = ["AlertRow", "DeliveryRow", "JobResultRow", "JobRow", "WatchRow", "WebhookRow"]

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
DELIVERY_STATES = ("pending", "delivered", "failed")


class JobRow(Base):
    """A background job (see the module docstring)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobResultRow(Base):
    """The renderings of a finished job: ``{"json": …, "geojson"?: …, "czml"?: …}``."""

    __tablename__ = "job_results"
    job_id: Mapped[int] = mapped_column(Integer, ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class WatchRow(Base):
    """A watch rule."""

    __tablename__ = "watches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AlertRow(Base):
    """One firing of a watch, stored once per ``(watch_id, event_key)``."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    watch_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("watch_id", "event_key", name="uq_alerts_watch_event"),)


class WebhookRow(Base):
    """A webhook target (admin-managed)."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeliveryRow(Base):
    """The delivery of one alert to one webhook (the durable outbox)."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(BigId, ForeignKey("alerts.id", ondelete="CASCADE"))
    webhook_id: Mapped[int] = mapped_column(Integer, ForeignKey("webhooks.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        UniqueConstraint("alert_id", "webhook_id", name="uq_deliveries_alert_webhook"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
    )
