"""Every route is checked, so a new route cannot slip through without authentication:
mutating routes (POST/PUT/PATCH/DELETE) refuse anonymous callers (401) and viewer tokens (403);
reading routes refuse anonymous callers unless they are on the short public list below."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Reads that need no token: liveness, metrics, the API docs and the web map's page.
PUBLIC_READS = {"/healthz", "/metrics", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/"}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path template, route) of every endpoint, through included routers
    (FastAPI ≥ 0.16x keeps included routers as branches; ``iter_route_contexts`` flattens them)."""
    out = []
    for route in iter_route_contexts(app.routes):
        if getattr(route, "dependant", None) is not None and route.methods:
            out.extend((method, route.path, route) for method in sorted(route.methods))
    return out


def _required_roles(route: Any) -> set[str]:
    roles = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        role = getattr(dep.call, "required_role", None)
        if role:
            roles.add(role)
        stack.extend(dep.dependencies)
    return roles


def test_every_mutating_route_needs_operator_or_admin(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    routes = [r for r in _routes(client.app) if r[0] in MUTATING]
    assert len(routes) >= 3  # sites, tokens at least: the walk really sees the routes
    for method, path, route in routes:
        roles = _required_roles(route)
        assert roles & {"operator", "admin"}, f"{method} {path} has no operator/admin dependency"
        url = _concrete(path)
        anon = client.request(method, url)
        assert anon.status_code == 401, f"{method} {path} answered {anon.status_code} to an anonymous caller"
        viewer = client.request(method, url, headers=headers["viewer"])
        assert viewer.status_code == 403, f"{method} {path} answered {viewer.status_code} to a viewer"


def test_every_reading_route_needs_a_token(client: TestClient) -> None:
    reads = [r for r in _routes(client.app) if r[0] in {"GET", "HEAD"} and r[1] not in PUBLIC_READS]
    assert len(reads) >= 3
    for method, path, route in reads:
        assert _required_roles(route), f"{method} {path} has no role dependency"
        r = client.request(method, _concrete(path))
        assert r.status_code == 401, f"{method} {path} answered {r.status_code} to an anonymous caller"


def test_admin_routes_refuse_operators(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    admin_only = [r for r in _routes(client.app) if "admin" in _required_roles(r[2])]
    assert admin_only
    for method, path, _route in admin_only:
        r = client.request(method, _concrete(path), headers=headers["operator"])
        assert r.status_code == 403, f"{method} {path} answered {r.status_code} to an operator"
