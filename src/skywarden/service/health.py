"""``GET /healthz`` (no auth) and ``GET /metrics`` (Prometheus text, no auth; keep it on loopback
or behind the proxy's access rules like any Prometheus endpoint)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel

from .context import CtxDep, ServiceContext
from .metrics import CONTENT_TYPE_LATEST, render

__all__ = ["register", "router"]

router = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str
    schema_version: str
    version: str


@router.get("/healthz", response_model=Health, summary="Liveness and schema version (no auth)")
def healthz(ctx: CtxDep) -> Health:
    from .. import __version__

    return Health(status="ok", schema_version=ctx.schema_version, version=__version__)


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics (text exposition format)",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics() -> Response:
    return Response(render(), media_type=CONTENT_TYPE_LATEST)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router)
