"""Every Prometheus metric of the service, in one registry (``GET /metrics``).

Defined once at import (prometheus-client metrics are process-global objects), so several apps
in one test process share them; counters only grow. Feature modules import and update them:

* ``REQUESTS`` / ``LATENCY`` — updated by :class:`MetricsMiddleware` per route template;
* ``JOBS`` — gauge of jobs by state (the jobs module sets it);
* ``ALERTS_SENT`` / ``ALERTS_FAILED`` — webhook deliveries (the alerts/webhooks modules count);
* ``REPORTS_INGESTED`` / ``QUERY_CACHE`` — the core service.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = [
    "ALERTS_FAILED",
    "ALERTS_SENT",
    "CONTENT_TYPE_LATEST",
    "JOBS",
    "LATENCY",
    "QUERY_CACHE",
    "REGISTRY",
    "REPORTS_INGESTED",
    "REQUESTS",
    "MetricsMiddleware",
    "render",
]

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "skywarden_http_requests",
    "HTTP requests by method, route and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "skywarden_http_request_duration_seconds",
    "HTTP request latency by method and route.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
JOBS = Gauge("skywarden_jobs", "Jobs by state.", ["state"], registry=REGISTRY)
ALERTS_SENT = Counter("skywarden_alerts_sent", "Alert deliveries that succeeded.", registry=REGISTRY)
ALERTS_FAILED = Counter("skywarden_alerts_failed", "Alert delivery attempts that failed.", registry=REGISTRY)
REPORTS_INGESTED = Counter(
    "skywarden_reports_ingested",
    "Position reports accepted (and rejected) by POST /reports.",
    ["outcome"],
    registry=REGISTRY,
)
QUERY_CACHE = Counter(
    "skywarden_query_cache", "Overflight/quiet query cache lookups by result.", ["result"], registry=REGISTRY
)


def render() -> bytes:
    """The registry in the Prometheus text exposition format."""
    return generate_latest(REGISTRY)


class MetricsMiddleware:
    """Pure ASGI middleware: counts requests and times them by route template (not raw path)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            REQUESTS.labels(method, template, str(status["code"])).inc()
            LATENCY.labels(method, template).observe(time.perf_counter() - start)
