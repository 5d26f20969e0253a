"""``GET /sites/{id}/overflight`` and ``GET /sites/{id}/quiet``: the library's overflight and
quiet-window searches (:func:`skywarden.overflight_records`, :func:`skywarden.quiet_records`,
the functions ``skywarden overflight --json`` / ``quiet --json`` print), answered with the same
JSON records.

Cache: answers are immutable functions of (catalog id, site id, start, hours, parameters) —
catalogs and sites are never edited, a new catalog gets a new id — so they are cached without
invalidation: an in-memory LRU (``query_cache_size`` entries of ready JSON bytes) in front of
the ``query_cache`` table (``persist_query_cache``), which survives restarts. A cache hit is
answered on the event loop without touching the database. ``start`` defaults to now (whole
seconds), so only requests that name ``start`` repeat exactly. ``X-Cache: hit|db|miss`` says
where an answer came from.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import IntegrityError

from ..export.jsonable import to_jsonable
from ..space import overflight_records, quiet_records
from ..store.models import QueryCacheRow
from ..timeutil import isoformat, parse_time, utc_now
from .auth import ViewerDep
from .catalogs import resolve_catalog
from .context import MAX_DB_ID, CtxDep, IdPath, ServiceContext
from .errors import COMMON_RESPONSES
from .metrics import QUERY_CACHE
from .sites import get_site_row, site_from_row
from .warn import collect_warnings

__all__ = ["register", "router"]

router = APIRouter(tags=["sites"])

_RECORDS = {"description": "JSON records, the fields of `skywarden overflight --json` / `quiet --json`"}
_START = Query(
    None, description="Window start, ISO 8601 UTC (default: now).", examples=["2026-12-04T00:00:00Z"]
)
_HOURS = Query(24.0, gt=0, le=24 * 14, description="Window length, hours.")
_KIND = Query(None, max_length=200, description="Sensor kinds, comma-separated (optical, sar, …, all).")
_GSD = Query(
    None, gt=0, le=1e6, description="Only sensors at least this sharp: ground sample distance ≤ this, m."
)
_CAT = Query(None, ge=1, le=MAX_DB_ID, description="Catalog id (default: the newest).")


def _key(name: str, ctx: ServiceContext, cid: int, site_id: int, params: dict[str, Any]) -> tuple[Any, ...]:
    return (name, cid, site_id, *sorted(params.items()))


def _compute(
    ctx: ServiceContext, name: str, site_id: int, catalog_id: int | None, start: str, params: dict[str, Any]
) -> tuple[tuple[Any, ...], bytes, str]:
    """(cache key, JSON bytes, source) — from the database copy or computed now."""
    with ctx.sessions() as session:
        site = site_from_row(get_site_row(session, site_id))
        row, catalog = resolve_catalog(ctx, session, catalog_id)
        key = _key(name, ctx, row.id, site_id, params)
        digest = hashlib.sha256(repr(key).encode()).hexdigest()
        if ctx.settings.persist_query_cache:
            stored = session.get(QueryCacheRow, digest)
            if stored is not None:
                return key, json.dumps(stored.result["records"]).encode(), "db"
        fn = overflight_records if name == "overflight" else quiet_records
        opts = {k: v for k, v in params.items() if k not in ("start", "hours") and v is not None}
        records, _warnings = collect_warnings(
            fn, catalog, site, start, timedelta(hours=params["hours"]), **opts
        )
        data = to_jsonable(records)
        if ctx.settings.persist_query_cache:
            session.add(
                QueryCacheRow(key=digest, catalog_id=row.id, site_id=site_id, result={"records": data})
            )
            try:
                session.commit()
            except IntegrityError:  # computed concurrently by another request
                session.rollback()
        return key, json.dumps(data).encode(), "miss"


async def _answer(
    ctx: ServiceContext,
    name: str,
    site_id: int,
    catalog_id: int | None,
    start: str | None,
    params: dict[str, Any],
) -> Response:
    start_iso = isoformat(parse_time(start) if start else utc_now().replace(microsecond=0))
    params = {"start": start_iso, **params}
    cid = catalog_id if catalog_id is not None else ctx.extras.get("catalogs.newest")
    if cid is not None:
        hit = ctx.query_cache.get(_key(name, ctx, cid, site_id, params))
        if hit is not None:
            QUERY_CACHE.labels("hit").inc()
            return Response(hit, media_type="application/json", headers={"X-Cache": "hit"})
    key, body, source = await run_in_threadpool(_compute, ctx, name, site_id, catalog_id, start_iso, params)
    QUERY_CACHE.labels(source).inc()
    ctx.query_cache.put(key, body)
    return Response(body, media_type="application/json", headers={"X-Cache": source})


@router.get(
    "/sites/{site_id}/overflight",
    response_model=list[dict[str, Any]],
    summary="Imaging-satellite access windows over a site (as `skywarden overflight --json`)",
    responses={200: _RECORDS},
)
async def get_overflight(
    site_id: IdPath,
    ctx: CtxDep,
    who: ViewerDep,
    start: str | None = _START,
    hours: float = _HOURS,
    kind: str | None = _KIND,
    max_gsd_m: float | None = _GSD,
    min_elevation_deg: float | None = Query(None, ge=0, le=90, description="Minimum elevation, deg."),
    catalog_id: int | None = _CAT,
) -> Response:
    params = {"hours": hours, "kind": kind, "max_gsd_m": max_gsd_m, "min_elevation_deg": min_elevation_deg}
    return await _answer(ctx, "overflight", site_id, catalog_id, start, params)


@router.get(
    "/sites/{site_id}/quiet",
    response_model=list[dict[str, Any]],
    summary="Quiet windows (no matching imager overhead) at a site (as `skywarden quiet --json`)",
    responses={200: _RECORDS},
)
async def get_quiet(
    site_id: IdPath,
    ctx: CtxDep,
    who: ViewerDep,
    start: str | None = _START,
    hours: float = _HOURS,
    kind: str | None = _KIND,
    max_gsd_m: float | None = _GSD,
    threats: str | None = Query(
        None, max_length=500, description="Threat rules KIND[:MAX_GSD_M], comma-separated."
    ),
    any_light: bool = Query(False, description="Optical sensors count at night too."),
    min_duration: str = Query(
        "0s", max_length=40, description="Shortest quiet window reported (e.g. 10min)."
    ),
    catalog_id: int | None = _CAT,
) -> Response:
    params = {
        "hours": hours,
        "kind": kind,
        "max_gsd_m": max_gsd_m,
        "threats": threats,
        "any_light": any_light,
        "min_duration": min_duration,
    }
    return await _answer(ctx, "quiet", site_id, catalog_id, start, params)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
