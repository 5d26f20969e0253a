"""Bearer-token authentication, roles and per-token rate limiting, as FastAPI dependencies.

Roles are ordered ``viewer < operator < admin``: viewers read, operators change data and
watches, admins manage tokens and webhooks. Use the annotated dependencies on every endpoint::

    @router.get("/things")
    def list_things(who: ViewerDep): ...

    @router.post("/things")
    def add_thing(who: OperatorDep): ...

(or ``dependencies=[Depends(require_role("operator"))]`` on a router). A test walks
``app.routes`` and checks that every mutating route refuses anonymous and viewer callers.

Verification: ``Authorization: Bearer sw_<id>_<secret>`` → one row lookup by ``id`` and one
argon2 check (off the event loop; concurrent requests with the same token share one check). A
verified token is trusted for ``token_cache_ttl_s`` (keyed by a SHA-256 of the token, in memory
only) so hot paths do not pay argon2 per request; revoking through the API clears that cache at
once, ``skywarden admin revoke-token`` takes effect within the TTL. Tokens never appear in logs or errors.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..store.tokens import ROLES, verify_token
from .context import ServiceContext, ctx_of

__all__ = ["AdminDep", "OperatorDep", "Principal", "ViewerDep", "bearer", "require_role"]

bearer = HTTPBearer(auto_error=False, description="An API token from `skywarden admin create-token`.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's non-secret id, its role and name."""

    token_id: str
    role: str
    name: str

    def has(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def _verify(ctx: ServiceContext, token: str) -> Principal | None:
    with ctx.sessions() as session:
        row = verify_token(session, token)
        return None if row is None else Principal(row.id, row.role, row.name)


async def authenticate(ctx: ServiceContext, token: str) -> Principal | None:
    """The principal for ``token`` (cached for ``token_cache_ttl_s``), or None."""
    key = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    hit = ctx.token_cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[1] > now:
        principal: Principal = hit[0]
        return principal
    # Single flight: concurrent requests with the same token wait for one argon2 check.
    locks: dict[str, asyncio.Lock] = ctx.extras.setdefault("auth.locks", {})
    lock = locks.setdefault(key, asyncio.Lock())
    async with lock:
        hit = ctx.token_cache.get(key)
        if hit is not None and hit[1] > time.monotonic():
            cached: Principal = hit[0]
            return cached
        found = await anyio.to_thread.run_sync(_verify, ctx, token)
        if found is not None and ctx.settings.token_cache_ttl_s > 0:
            if len(ctx.token_cache) > 10_000:
                ctx.token_cache.clear()
            ctx.token_cache[key] = (found, time.monotonic() + ctx.settings.token_cache_ttl_s)
    if not lock.locked():
        locks.pop(key, None)
    return found


def _limit(ctx: ServiceContext, key: str) -> None:
    wait = ctx.limiter.take(key)
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "rate limit exceeded; retry later",
            headers={"Retry-After": ctx.limiter.retry_after_header(wait)},
        )


def require_role(role: str):  # type: ignore[no-untyped-def]
    """A dependency that authenticates the caller, checks ``role`` and applies the rate limit."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; valid: {ROLES}")

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        ctx = ctx_of(request)
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise _unauthorized("authentication required: send 'Authorization: Bearer <token>'")
        principal = await authenticate(ctx, credentials.credentials)
        if principal is None:
            client = request.client.host if request.client else "unknown"
            _limit(ctx, f"bad-token:{client}")
            raise _unauthorized("invalid or revoked token")
        _limit(ctx, f"token:{principal.token_id}")
        if not principal.has(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this needs the {role!r} role; the token has {principal.role!r}"
            )
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_{role}"
    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


require_viewer = require_role("viewer")
require_operator = require_role("operator")
require_admin = require_role("admin")

ViewerDep = Annotated[Principal, Depends(require_viewer)]
OperatorDep = Annotated[Principal, Depends(require_operator)]
AdminDep = Annotated[Principal, Depends(require_admin)]
