"""The map's HTTP surface: the page, its static files, CesiumJS, and ``GET /czml/scene``.

``GET /czml/scene?start=…&hours=…&step_s=…&site_id=…&catalog_id=…&kind=…&max_gsd_m=…&adiz=…``
(viewer token) answers one CZML document (``application/json``) built by
:func:`skywarden.zones.scene.scene_czml` from what the store holds: the newest catalog (or
``catalog_id``), the sites (all, or the ``site_id`` list), the built-in ADIZ (``adiz``: ``all``,
``none`` or country codes) and user zones, the stored tracks (``GET /tracks/{id}`` records)
with their raw reports, and the results of finished ``predict``/``backtrack``/``hazard`` jobs (their GeoJSON
renderings) and ``screen`` jobs (conjunctions). Library warnings (stale element sets…) are
returned in the document packet's ``description``. Answers are cached per inputs and store state.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import numpy as np
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFoundError, SkywardenWarning
from ..service.auth import ViewerDep
from ..service.context import CtxDep, ServiceContext, SessionDep
from ..service.errors import COMMON_RESPONSES
from ..store.models import CatalogRow, ReportRow, SiteRow, TrackRow, ZoneRow
from . import CESIUM_DIR, NPM_INSTALL, STATIC_DIR, cesium_installed

__all__ = ["CSP", "install", "router"]

router = APIRouter(tags=["web map"])

#: The page may load and call only its own origin (no request may leave the host); Cesium needs
#: ``blob:`` workers, ``data:`` images and WebAssembly compilation.
CSP = (
    "default-src 'self'; script-src 'self' blob: 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' data: blob:; worker-src 'self' blob:; "
    "child-src 'self' blob:; frame-src 'self' blob: about:; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}
_CACHE_SIZE = 16


class _WebState:
    """Per-app cache of finished scenes (by inputs and store state)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scenes: OrderedDict[str, bytes] = OrderedDict()


def _state(ctx: ServiceContext) -> _WebState:
    st = ctx.extras.get("web")
    if st is None:
        st = ctx.extras["web"] = _WebState()
    return st  # type: ignore[no-any-return]


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The map page (no data in it: it asks for a token first)."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=_PAGE_HEADERS)


def _catalog(ctx: ServiceContext, session: Session, catalog_id: int | None) -> tuple[int, Any] | None:
    """(id, catalog) through the catalogs feature's loader and cache; None when none is stored."""
    from ..service.catalogs import newest_catalog_id, resolve_catalog

    if catalog_id is None and newest_catalog_id(ctx, session) is None:
        return None
    row, catalog = resolve_catalog(ctx, session, catalog_id)
    return row.id, catalog


def _zones(ctx: ServiceContext, session: Session, adiz: str) -> list[Any]:
    """Built-in ADIZ (``adiz``: all | none | country codes) and every user zone (zones feature)."""
    from ..service.zones_api import user_zones
    from ..zones.airspace import builtin_adiz

    zones: list[Any] = [] if adiz == "none" else builtin_adiz(None if adiz == "all" else adiz)
    return [*zones, *user_zones(ctx, session)]


def _tracks(session: Session) -> list[dict[str, Any]]:
    """The stored tracks (the ``GET /tracks/{id}`` records) with their raw reports under ``raw``."""
    out: list[dict[str, Any]] = []
    for row in session.scalars(select(TrackRow).order_by(TrackRow.id)):
        rec = dict(row.result)
        rec.setdefault("id", row.id)
        reports = session.execute(
            select(ReportRow.t_unix_s, ReportRow.lat, ReportRow.lon, ReportRow.alt_m)
            .where(ReportRow.object_id == row.id)
            .order_by(ReportRow.t_unix_s)
        ).all()
        if reports:
            t, lat, lon, alt = (np.asarray(c, dtype=np.float64) for c in zip(*reports, strict=True))
            times = (t * 1e9).astype("int64").astype("datetime64[ns]")
            rec["raw"] = {"time": [str(x) for x in times], "lat": lat, "lon": lon, "alt_m": alt}
        out.append(rec)
    return out


def _cell_features(fc: dict[str, Any], js: Any) -> list[dict[str, Any]]:
    """Launch-probability cells of a backtrack job as GeoJSON squares (the CLI writes them into its
    GeoJSON; a job keeps the most likely cells in ``json.summary.top_cells``)."""
    if any(f.get("properties", {}).get("kind") == "launch_probability_cell" for f in fc.get("features", [])):
        return []
    cells = (js or {}).get("summary", {}).get("top_cells", []) if isinstance(js, dict) else []
    out = []
    for c in cells:
        h = float(c["cell_deg"]) / 2.0
        lat, lon = float(c["lat_deg"]), float(c["lon_deg"])
        ring = [
            [lon - h, lat - h],
            [lon + h, lat - h],
            [lon + h, lat + h],
            [lon - h, lat + h],
            [lon - h, lat - h],
        ]
        out.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {"kind": "launch_probability_cell", **c}})  # fmt: skip
    return out


def _results(session: Session) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """GeoJSON renderings of finished jobs and the conjunctions of screen jobs (when jobs exist)."""
    try:
        from ..store.models_watch import JobResultRow, JobRow
    except ImportError:  # the jobs feature is not installed
        return {}, []
    results: dict[str, Any] = {}
    conjunctions: list[dict[str, Any]] = []
    q = (
        select(JobRow.id, JobRow.kind, JobResultRow.result)
        .join(JobResultRow, JobResultRow.job_id == JobRow.id)
        .where(JobRow.state == "succeeded")
        .order_by(JobRow.id)
    )
    for job_id, kind, result in session.execute(q):
        if kind in ("predict", "backtrack", "hazard") and isinstance(result.get("geojson"), dict):
            fc = result["geojson"]
            if kind == "backtrack":
                fc = {**fc, "features": [*fc.get("features", []), *_cell_features(fc, result.get("json"))]}
            results[f"{kind}-{job_id}"] = fc
        elif kind == "screen" and isinstance(result.get("json"), list):
            conjunctions.extend(result["json"][:50])
    return results, conjunctions


def _stamp(session: Session) -> tuple[Any, ...]:
    """What the scene depends on in the store (changes invalidate the cached scene)."""
    parts: list[Any] = [
        session.scalar(select(func.max(ReportRow.id))),
        session.scalar(select(func.max(TrackRow.updated_at))),
    ]
    for model in (SiteRow, ZoneRow, CatalogRow):
        parts.append(session.scalar(select(func.count()).select_from(model)))
        parts.append(session.scalar(select(func.max(model.id))))
    try:
        from ..store.models_watch import JobRow

        parts.append(
            session.scalar(select(func.count()).select_from(JobRow).where(JobRow.state == "succeeded"))
        )
    except ImportError:
        pass
    return tuple(parts)


@router.get(
    "/czml/scene",
    responses={
        **COMMON_RESPONSES,
        200: {"content": {"application/json": {}}, "description": "A CZML document"},
    },
    response_class=Response,
)
def czml_scene(
    session: SessionDep,
    ctx: CtxDep,
    who: ViewerDep,
    start: str | None = Query(None, description="Clock start, ISO 8601 UTC (default: now, to the minute)."),
    hours: float = Query(6.0, gt=0, le=72, description="Clock length, hours."),
    step_s: float = Query(120.0, ge=10, le=600, description="Satellite position sampling, s."),
    site_id: list[int] | None = Query(None, description="Sites to show (default: all)."),
    catalog_id: int | None = Query(None, description="Catalog (default: the newest)."),
    kind: str = Query("all", description="Imager kind for access windows: optical|sar|ir|all."),
    max_gsd_m: float | None = Query(None, gt=0, description="Only windows with a GSD at most this, m."),
    adiz: str = Query("us", description="Built-in ADIZ: all | none | country codes (us,cn,ca)."),
    max_satellites: int = Query(300, ge=0, le=3000, description="Satellites drawn (imagers first)."),
) -> Response:
    """The map's scene as CZML (see the module docstring)."""
    from ..service.sites import site_from_row
    from ..timeutil import isoformat, parse_time
    from ..zones.scene import scene_czml

    st = _state(ctx)
    t0 = parse_time(start) if start else datetime.now(UTC).replace(second=0, microsecond=0)
    key = json.dumps(
        [
            isoformat(t0),
            hours,
            step_s,
            site_id,
            catalog_id,
            kind,
            max_gsd_m,
            adiz,
            max_satellites,
            _stamp(session),
        ],
        default=str,
    )
    with st.lock:
        cached = st.scenes.get(key)
    if cached is not None:
        return Response(cached, media_type="application/json")
    q = select(SiteRow).order_by(SiteRow.id)
    if site_id:
        q = q.where(SiteRow.id.in_(site_id))
    site_rows = list(session.scalars(q))
    if site_id and len(site_rows) != len(set(site_id)):
        missing = sorted(set(site_id) - {r.id for r in site_rows})
        raise NotFoundError(f"site {missing} does not exist; GET /sites lists them")
    cat = _catalog(ctx, session, catalog_id)
    results, conjunctions = _results(session)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkywardenWarning)
        packets = scene_czml(
            t0, hours, step_s=step_s, catalog=None if cat is None else cat[1],
            sites=[site_from_row(r) for r in site_rows], site_ids=[str(r.id) for r in site_rows],
            zones=_zones(ctx, session, adiz), tracks=_tracks(session), results=results,
            conjunctions=conjunctions, kind=kind, max_gsd_m=max_gsd_m, max_satellites=max_satellites,
        )  # fmt: skip
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, SkywardenWarning)})
    packets[0]["description"] = json.dumps(
        {
            "catalog_id": None if cat is None else cat[0],
            "warnings": notes,
            "site_ids": [r.id for r in site_rows],
        }
    )
    body = json.dumps(packets, separators=(",", ":"), allow_nan=False).encode("utf-8")
    with st.lock:
        st.scenes[key] = body
        while len(st.scenes) > _CACHE_SIZE:
            st.scenes.popitem(last=False)
    return Response(body, media_type="application/json")


async def _no_cesium(request: Request) -> JSONResponse:
    """``/cesium/…`` before ``npm ci``: a 503 naming the install command (static, no data)."""
    return JSONResponse(
        {
            "detail": f"CesiumJS is not installed: run `{NPM_INSTALL}` (or `make web`) and restart",
            "error": "not_installed",
        },
        status_code=503,
    )


def install(app: FastAPI, ctx: ServiceContext) -> None:
    """Register the map on ``app``: the router, ``/web`` static files and ``/cesium`` (CesiumJS)."""
    _state(ctx)
    app.include_router(router)
    app.mount("/web", StaticFiles(directory=STATIC_DIR), name="web-static")
    if cesium_installed():
        app.mount("/cesium", StaticFiles(directory=CESIUM_DIR), name="cesium")
    else:
        app.add_route("/cesium/{path:path}", _no_cesium, methods=["GET"], include_in_schema=False)
