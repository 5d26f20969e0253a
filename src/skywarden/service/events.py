"""A small in-process event bus: surfaces publish data changes, watches subscribe.

Kinds published by the core service (payloads are plain JSON-able dicts)::

    catalog.added    {"catalog_id", "n_objects", "source"}
    site.added       {"site_id"}
    zone.added       {"zone_id", "names"}
    winds.added      {"wind_id", "source"}
    reports.ingested {"batch_id", "accepted", "object_ids": [...]}
    tracks.updated   {"track_ids": [...]}

``subscribe(kind, handler)`` takes a plain function or a coroutine function; ``kind="*"`` gets
everything. ``publish`` may be called from a worker thread (sync endpoints run in a thread
pool) or from the event loop: plain handlers run at once in the caller's thread, coroutine
handlers are scheduled on the service's event loop (set at start-up). A failing handler is
logged and never fails the request that published.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

__all__ = ["EventBus", "Handler"]

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], Any]


class EventBus:
    """Publish/subscribe by event kind; one per app (``app.state.ctx.events``)."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, kind: str, handler: Handler) -> None:
        """Call ``handler(kind, payload)`` for every event of ``kind`` (``"*"``: all kinds)."""
        with self._lock:
            self._handlers[kind].append(handler)

    def unsubscribe(self, kind: str, handler: Handler) -> None:
        with self._lock:
            if handler in self._handlers.get(kind, []):
                self._handlers[kind].remove(handler)

    def publish(self, kind: str, payload: dict[str, Any]) -> None:
        """Deliver an event to its subscribers (see the module docstring for threading)."""
        with self._lock:
            handlers = [*self._handlers.get(kind, []), *self._handlers.get("*", [])]
        for handler in handlers:
            try:
                if inspect.iscoroutinefunction(handler):
                    self._schedule(handler, kind, payload)
                else:
                    handler(kind, payload)
            except Exception:
                log.exception("event handler %r failed on %s", getattr(handler, "__name__", handler), kind)

    def _schedule(self, handler: Handler, kind: str, payload: dict[str, Any]) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            log.warning("no running event loop; dropped async handler for %s", kind)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(handler(kind, payload))
        else:
            asyncio.run_coroutine_threadsafe(handler(kind, payload), loop)
