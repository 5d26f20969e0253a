"""Token management for admins: ``POST /tokens``, ``GET /tokens``, ``DELETE /tokens/{id}``.

The token text is in the ``POST`` answer only; afterwards only its non-secret id is shown.
Revoking clears the verified-token cache so the token stops working at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from ..store.models import ApiToken
from ..store.tokens import create_token, revoke_token
from .auth import AdminDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES

__all__ = ["register", "router"]

router = APIRouter(prefix="/tokens", tags=["admin"])


class TokenIn(BaseModel):
    role: Literal["viewer", "operator", "admin"]
    name: str = Field(default="", max_length=200)


class TokenOut(BaseModel):
    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None


class NewToken(TokenOut):
    token: str = Field(description="The bearer token; shown only in this answer.")


def _out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id, name=row.name, role=row.role, created_at=row.created_at, revoked_at=row.revoked_at
    )


@router.post("", status_code=201, response_model=NewToken, summary="Create a token (shown once)")
def post_token(body: TokenIn, session: SessionDep, who: AdminDep) -> NewToken:
    row, text = create_token(session, body.role, body.name)
    session.commit()
    return NewToken(**_out(row).model_dump(), token=text)


@router.get("", response_model=list[TokenOut], summary="List tokens (ids only, never secrets)")
def list_tokens(session: SessionDep, who: AdminDep) -> list[TokenOut]:
    return [_out(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.created_at))]


@router.delete("/{token_id}", status_code=204, response_class=Response, summary="Revoke a token")
def delete_token(token_id: str, session: SessionDep, ctx: CtxDep, who: AdminDep) -> Response:
    if not revoke_token(session, token_id):
        raise HTTPException(404, f"no token with id {token_id!r}")
    session.commit()
    ctx.token_cache.clear()
    return Response(status_code=204)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
