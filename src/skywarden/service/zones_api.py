"""``POST /zones`` (GeoJSON or OpenAir upload) and ``GET /zones`` (built-in ADIZ + user zones).

Uploads are read by the library's zone loaders (:func:`skywarden.load_zones`: GeoJSON
FeatureCollection/Feature or OpenAir, sniffed from the first character) so a file that works
with ``--zones`` works here, with the same error messages. The source text and its GeoJSON are
stored; :func:`user_zones` gives watches the :class:`skywarden.Zone` objects back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import builtin_adiz, load_zones, zones_to_geojson
from ..errors import ParseError
from ..store.models import ZoneRow
from .auth import OperatorDep, ViewerDep
from .context import CtxDep, IdPath, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES
from .uploads import as_file, read_upload, safe_name, upload_body
from .warn import collect_warnings

__all__ = ["ZoneSetOut", "all_zones", "register", "router", "user_zones"]

router = APIRouter(prefix="/zones", tags=["zones"])


class ZoneSetOut(BaseModel):
    """One uploaded zone file."""

    id: int
    name: str
    format: str
    zone_ids: list[str]
    created_at: datetime


def _read(text: str, fmt: str, name: str) -> list[Any]:
    suffix = {"geojson": ".geojson", "openair": ".txt"}.get(fmt, "")
    if fmt == "auto":
        suffix = ".geojson" if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") else ".txt"
    with as_file(text.encode("utf-8"), name, suffix) as path:
        zones, _ = collect_warnings(load_zones, path)
    if not zones:
        raise ParseError(
            "no zones found",
            path=name,
            expected="GeoJSON Polygon/MultiPolygon features or OpenAir AC/AN/DP blocks",
        )
    return list(zones)


def user_zones(ctx: ServiceContext, session: Session, zone_set_id: int | None = None) -> list[Any]:
    """The stored user zones (all uploads, or one), as :class:`skywarden.Zone` objects."""
    cache: dict[int, list[Any]] = ctx.extras.setdefault("zones.loaded", {})
    query = select(ZoneRow).order_by(ZoneRow.id)
    if zone_set_id is not None:
        query = query.where(ZoneRow.id == zone_set_id)
    out: list[Any] = []
    for row in session.scalars(query):
        if row.id not in cache:
            cache[row.id] = _read(row.text, row.format, row.name)
        out.extend(cache[row.id])
    return out


def all_zones(ctx: ServiceContext, session: Session) -> list[Any]:
    """Built-in ADIZ zones followed by every user zone."""
    return [*builtin_adiz(), *user_zones(ctx, session)]


@router.post(
    "",
    status_code=201,
    response_model=ZoneSetOut,
    summary="Upload zones (GeoJSON or OpenAir)",
    openapi_extra=upload_body(("application/geo+json", "application/json", "text/plain")),
)
async def post_zones(
    request: Request,
    session: SessionDep,
    ctx: CtxDep,
    who: OperatorDep,
    format: Literal["auto", "geojson", "openair"] = Query(
        "auto", description="Detected from the text if auto."
    ),
    name: str = Query("zones", max_length=200, description="A label (file name) for messages."),
) -> ZoneSetOut:
    data, filename = await read_upload(request)
    label = filename or safe_name(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("zone file is not UTF-8 text", path=label) from None
    zones = await run_in_threadpool(_read, text, format, label)
    fmt = format if format != "auto" else ("geojson" if text.lstrip()[:1] in ("{", "[") else "openair")
    row = ZoneRow(name=label[:200], format=fmt, text=text, geojson=zones_to_geojson(zones))
    session.add(row)
    session.commit()
    ctx.extras.setdefault("zones.loaded", {})[row.id] = zones
    ids = [z.id for z in zones]
    ctx.events.publish("zone.added", {"zone_set_id": row.id, "zone_ids": ids})
    return ZoneSetOut(id=row.id, name=row.name, format=row.format, zone_ids=ids, created_at=row.created_at)


@router.get(
    "",
    summary="All zones as a GeoJSON FeatureCollection (built-in ADIZ first, then user zones)",
    response_model=dict[str, Any],
)
def list_zones(session: SessionDep, ctx: CtxDep, who: ViewerDep) -> dict[str, Any]:
    feats = []
    for zone in builtin_adiz():
        feat = zone.to_feature()
        feat["properties"]["builtin"] = True
        feats.append(feat)
    for row in session.scalars(select(ZoneRow).order_by(ZoneRow.id)):
        for feat in row.geojson.get("features", []):
            feat["properties"] = {**feat.get("properties", {}), "builtin": False, "zone_set_id": row.id}
            feats.append(feat)
    from ..export.jsonable import to_jsonable

    result: dict[str, Any] = to_jsonable({"type": "FeatureCollection", "features": feats})
    return result


@router.get("/sets", response_model=list[ZoneSetOut], summary="Uploaded zone files")
def list_zone_sets(session: SessionDep, who: ViewerDep) -> list[ZoneSetOut]:
    return [
        ZoneSetOut(
            id=r.id,
            name=r.name,
            format=r.format,
            zone_ids=[str(f.get("id", "")) for f in r.geojson.get("features", [])],
            created_at=r.created_at,
        )
        for r in session.scalars(select(ZoneRow).order_by(ZoneRow.id))
    ]


@router.get("/sets/{zone_set_id}", response_model=dict[str, Any], summary="One uploaded zone file as GeoJSON")
def get_zone_set(zone_set_id: IdPath, session: SessionDep, who: ViewerDep) -> dict[str, Any]:
    row = session.get(ZoneRow, zone_set_id)
    if row is None:
        raise HTTPException(404, f"no zone set with id {zone_set_id}")
    return dict(row.geojson)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
