"""``POST /sites``, ``GET /sites``, ``GET /sites/{id}``: protected sites (point or GeoJSON polygon).

A site is checked by the library's :class:`skywarden.Site` (latitude/longitude ranges, polygon
closure and self-intersection), so the service and ``--sites`` files accept the same sites.
:func:`site_from_row` turns a stored row back into a :class:`skywarden.Site` for queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sites import Site
from ..store.models import SiteRow
from .auth import OperatorDep, ViewerDep
from .context import MAX_DB_ID, CtxDep, IdPath, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES

__all__ = ["SiteIn", "SiteOut", "get_site_row", "register", "router", "site_from_row"]

router = APIRouter(prefix="/sites", tags=["sites"])


class PolygonIn(BaseModel):
    """A GeoJSON Polygon: one closed outer ring of ``[lon_deg, lat_deg]`` positions."""

    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(min_length=1, max_length=1)


class SiteIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Pueblo"])
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees (WGS84).", examples=[38.3])
    lon: float = Field(ge=-180, le=360, description="Longitude, degrees east.", examples=[-104.6])
    alt_m: float = Field(default=0.0, ge=-500, le=10000, description="Height above the ellipsoid, m.")
    radius_km: float = Field(default=0.0, ge=0, le=5000, description="Extent around the point, km.")
    polygon: PolygonIn | None = Field(default=None, description="Optional GeoJSON Polygon outline.")


class SiteOut(BaseModel):
    id: int
    name: str
    lat: float
    lon: float
    alt_m: float
    radius_km: float
    polygon: dict[str, Any] | None = None
    created_at: datetime


def site_from_row(row: SiteRow) -> Site:
    """The library :class:`~skywarden.Site` of a stored site (named by its stored name)."""
    if row.polygon is not None:
        poly = Site.from_polygon(row.name, row.polygon["coordinates"][0], alt_m=row.alt_m)
        return Site(
            name=row.name,
            lat_deg=row.lat,
            lon_deg=row.lon,
            alt_m=row.alt_m,
            radius_m=max(row.radius_km * 1000.0, poly.radius_m),
            polygon_lonlat_deg=poly.polygon_lonlat_deg,
        )
    return Site(
        name=row.name, lat_deg=row.lat, lon_deg=row.lon, alt_m=row.alt_m, radius_m=row.radius_km * 1000.0
    )


def get_site_row(session: Session, site_id: int) -> SiteRow:
    """The stored site or a 404."""
    row = session.get(SiteRow, site_id) if 1 <= site_id <= MAX_DB_ID else None
    if row is None:
        raise HTTPException(404, f"no site with id {site_id}")
    return row


def _out(row: SiteRow) -> SiteOut:
    return SiteOut(
        id=row.id,
        name=row.name,
        lat=row.lat,
        lon=row.lon,
        alt_m=row.alt_m,
        radius_km=row.radius_km,
        polygon=row.polygon,
        created_at=row.created_at,
    )


@router.post("", status_code=201, response_model=SiteOut, summary="Add a site")
def post_site(body: SiteIn, session: SessionDep, ctx: CtxDep, who: OperatorDep) -> SiteOut:
    row = SiteRow(
        name=body.name,
        lat=body.lat,
        lon=body.lon,
        alt_m=body.alt_m,
        radius_km=body.radius_km,
        polygon=body.polygon.model_dump() if body.polygon else None,
    )
    site_from_row(row)  # the library's checks (ValidationError → 422 with the reason)
    session.add(row)
    session.commit()
    ctx.events.publish("site.added", {"site_id": row.id})
    return _out(row)


@router.get("", response_model=list[SiteOut], summary="List sites")
def list_sites(session: SessionDep, who: ViewerDep) -> list[SiteOut]:
    return [_out(r) for r in session.scalars(select(SiteRow).order_by(SiteRow.id))]


@router.get("/{site_id}", response_model=SiteOut, summary="One site")
def get_site(site_id: IdPath, session: SessionDep, who: ViewerDep) -> SiteOut:
    return _out(get_site_row(session, site_id))


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
