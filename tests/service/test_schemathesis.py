"""schemathesis against the service's own OpenAPI schema (every operation, SQLite and
PostgreSQL): no 5xx except the documented 502 of the downloaders, status codes, content types
and bodies as the schema declares.

Requests carry an admin token so generated inputs reach the endpoints' own validation (the
auth layer is covered by test_auth_routes). Outbound HTTP (CelesTrak, NOMADS, webhook targets)
is answered by respx with 503, so nothing leaves the machine. The SSE stream is left out (it
does not end).
"""

from __future__ import annotations

from typing import Any

import pytest
import respx
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from skywarden.service import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SKIP_PATHS = ("/alerts/stream",)


def _request_kwargs(case: Any) -> dict[str, Any]:
    kw = case.as_transport_kwargs(base_url="http://testserver")
    out = {k: kw[k] for k in ("method", "url", "headers", "params", "json", "files") if kw.get(k) is not None}
    if kw.get("files"):  # requests-style → httpx-style multipart parts, contents as bytes
        items = kw["files"].items() if isinstance(kw["files"], dict) else kw["files"]
        parts = []
        for field, value in items:
            fname, content = (value[0], value[1]) if isinstance(value, tuple) else ("file", value)
            if not isinstance(content, bytes):
                content = content.read() if hasattr(content, "read") else str(content).encode()
            parts.append((field, (fname or "file", content)))
        out["files"] = parts
    if kw.get("data") is not None:
        data = kw["data"]
        if isinstance(data, dict):
            out["data"] = data
        else:
            out["content"] = data if isinstance(data, bytes) else str(data).encode()
    return out


# Operations are tested in groups by their first path segment (one test each, so a failure names
# its resource); test_groups_cover_every_operation keeps the list complete.
GROUPS = ["healthz", "metrics", "tokens", "sites", "catalogs", "zones", "winds", "reports", "tracks",
          "jobs", "watches", "alerts", "webhooks", "web"]  # fmt: skip


def _group(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first if first in GROUPS else "web"


def test_groups_cover_every_operation(app: Any) -> None:
    schema = schemathesis.openapi.from_dict(app.openapi())
    paths = {r.ok().path for r in schema.get_all_operations()}
    assert len(paths) > 15
    unknown = {p for p in paths if p.strip("/").split("/", 1)[0] not in GROUPS and p not in ("/",)}
    assert not unknown or all(_group(p) == "web" for p in unknown)


@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS)
def test_openapi_schema_holds(group: str, migrated_url: str, settings: Any, tokens: dict[str, str]) -> None:
    app = create_app(
        db_url=migrated_url,
        settings=settings.model_copy(update={"rate_limit_per_s": 1e6, "rate_limit_burst": 10**6}),
    )
    schema = schemathesis.openapi.from_dict(app.openapi())
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if _group(op.path) == group and op.path not in SKIP_PATHS]
    with (
        respx.mock(assert_all_called=False) as mock,
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        mock.route(host__regex=r"^(?!testserver$).*").respond(503)
        mock.route(host="testserver").pass_through()
        for op in ops:

            @given(case=op.as_strategy())
            @hypothesis_settings(
                max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
            )
            def run(case: Any) -> None:
                kwargs = _request_kwargs(case)
                kwargs["headers"] = {**kwargs.get("headers", {}), **auth}
                response = client.request(**kwargs)
                if response.status_code == 502:  # a downloader answering "no network, no cache": documented
                    return
                case.validate_response(response, checks=CHECKS)

            run()
    app.state.ctx.engine.dispose()
