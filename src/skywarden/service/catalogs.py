"""``POST /catalogs`` (TLE/3LE/OMM upload), ``POST /catalogs/refresh`` (CelesTrak), ``GET /catalogs``.

An upload is parsed by the library's catalog reader (:func:`skywarden.space.load_catalog`, format
detected unless ``?format=`` is given); a file with no readable element set is a 400 naming the
line, a file with some bad records is stored with ``n_issues``. The text is kept in the
database with its SHA-256 (the same text twice is stored once: the answer is the existing row,
status 200) and materialised as ``<data_dir>/catalogs/<sha256>.txt`` for readers that need a
file (jobs). ``/catalogs/refresh`` goes through the library's cached CelesTrak downloader
(:func:`skywarden.space.fetch_gp`, cache under ``<data_dir>/celestrak``).

Queries use the newest catalog unless given ``catalog_id``: :func:`resolve_catalog` returns the
row and the loaded :class:`skywarden.Catalog` (a few loaded catalogs are kept in memory).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError, ParseError
from ..space.catalog import CATALOG_FORMATS, fetch_gp, load_catalog
from ..store.models import CatalogRow
from .auth import OperatorDep, ViewerDep
from .cache import QueryCache
from .context import MAX_DB_ID, CtxDep, IdPath, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES, ErrorBody
from .uploads import as_file, read_upload, safe_name, sha256_hex, store_file, upload_body
from .warn import collect_warnings

__all__ = ["CatalogOut", "catalog_path", "newest_catalog_id", "register", "resolve_catalog", "router"]

router = APIRouter(prefix="/catalogs", tags=["catalogs"])
_LOADED = "catalogs.loaded"
_NEWEST = "catalogs.newest"


class CatalogOut(BaseModel):
    id: int
    source: str
    format: str
    content_sha256: str
    n_objects: int
    n_issues: int
    created_at: datetime


class RefreshIn(BaseModel):
    group: str = Field(default="active", pattern=r"^[A-Za-z0-9_-]{1,40}$", examples=["active", "stations"])


def _out(row: CatalogRow) -> CatalogOut:
    return CatalogOut(
        id=row.id,
        source=row.source,
        format=row.format,
        content_sha256=row.content_sha256,
        n_objects=row.n_objects,
        n_issues=row.n_issues,
        created_at=row.created_at,
    )


def catalog_path(ctx: ServiceContext, row: CatalogRow) -> Path:
    """The catalog's text as a file under the data directory (written on first use)."""
    return store_file(Path(ctx.settings.data_dir) / "catalogs", row.text.encode("utf-8"), ".txt")


def _loaded(ctx: ServiceContext) -> QueryCache:
    cache = ctx.extras.get(_LOADED)
    if cache is None:
        cache = ctx.extras[_LOADED] = QueryCache(4)
    return cache


def newest_catalog_id(ctx: ServiceContext, session: Session) -> int | None:
    """The newest catalog's id (remembered in memory; this process is the only writer)."""
    if ctx.extras.get(_NEWEST) is None:
        ctx.extras[_NEWEST] = session.scalar(select(func.max(CatalogRow.id)))
    newest: int | None = ctx.extras[_NEWEST]
    return newest


def resolve_catalog(ctx: ServiceContext, session: Session, catalog_id: int | None) -> tuple[CatalogRow, Any]:
    """(row, loaded :class:`skywarden.Catalog`) of ``catalog_id`` or of the newest catalog; 404 if none."""
    cid = catalog_id if catalog_id is not None else newest_catalog_id(ctx, session)
    row = session.get(CatalogRow, cid) if cid is not None and 1 <= cid <= MAX_DB_ID else None
    if row is None:
        what = f"no catalog with id {catalog_id}" if catalog_id is not None else "no catalog stored yet"
        raise HTTPException(404, f"{what}; upload one with POST /catalogs or POST /catalogs/refresh")
    cache = _loaded(ctx)
    catalog = cache.get(row.id)
    if catalog is None:
        catalog, _ = collect_warnings(load_catalog, catalog_path(ctx, row), format=row.format)
        cache.put(row.id, catalog)
    return row, catalog


def _parse(data: bytes, fmt: str | None, name: str) -> tuple[str, str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("catalog text is not UTF-8", path=name, expected="TLE/3LE/OMM text") from exc
    with as_file(text.encode("utf-8"), name) as path:
        catalog, _ = collect_warnings(load_catalog, path, format=fmt)
    if len(catalog) == 0:
        first = catalog.issues[0] if catalog.issues else None
        raise ParseError(
            first.message if first else "no element sets found",
            path=name,
            line=first.line if first else None,
            expected="TLE/3LE lines or OMM (XML, JSON, CSV, KVN) records",
        )
    from ..space.catalog import detect_format

    return text, fmt or detect_format(text, name), catalog


def _store(
    ctx: ServiceContext, session: Session, text: str, fmt: str, source: str, catalog: Any
) -> tuple[CatalogRow, bool]:
    digest = sha256_hex(text.encode("utf-8"))
    existing = session.scalar(select(CatalogRow).where(CatalogRow.content_sha256 == digest).limit(1))
    if existing is not None:
        return existing, False
    row = CatalogRow(
        source=source[:200],
        format=fmt,
        content_sha256=digest,
        n_objects=len(catalog),
        n_issues=len(catalog.issues),
        text=text,
    )
    session.add(row)
    session.commit()
    _loaded(ctx).put(row.id, catalog)
    ctx.extras[_NEWEST] = max(row.id, ctx.extras.get(_NEWEST) or 0)
    ctx.events.publish(
        "catalog.added", {"catalog_id": row.id, "n_objects": row.n_objects, "source": row.source}
    )
    return row, True


def _answer(row: CatalogRow, created: bool) -> JSONResponse:
    return JSONResponse(_out(row).model_dump(mode="json"), status_code=201 if created else 200)


@router.post(
    "",
    status_code=201,
    response_model=CatalogOut,
    summary="Upload a catalog (TLE/3LE/OMM as the body or multipart 'file')",
    responses={200: {"model": CatalogOut, "description": "The same text was stored before"}},
    openapi_extra=upload_body(("text/plain", "application/json", "application/xml", "text/csv")),
)
async def post_catalog(
    request: Request,
    session: SessionDep,
    ctx: CtxDep,
    who: OperatorDep,
    format: str | None = Query(None, description=f"One of {', '.join(CATALOG_FORMATS)}; detected if absent."),
    name: str = Query(
        "upload", max_length=200, description="A label (file name) for messages and the source."
    ),
) -> JSONResponse:
    data, filename = await read_upload(request)
    label = filename or safe_name(name)
    text, fmt, catalog = await run_in_threadpool(_parse, data, format, label)
    row, created = await run_in_threadpool(_store, ctx, session, text, fmt, f"upload:{label}", catalog)
    return _answer(row, created)


def _refresh(ctx: ServiceContext, session: Session, group: str) -> tuple[CatalogRow, bool]:
    path = fetch_gp(group=group, cache_dir=Path(ctx.settings.data_dir) / "celestrak")
    text = path.read_text(encoding="utf-8")
    catalog, _ = collect_warnings(load_catalog, path, format="omm-json")
    if len(catalog) == 0:
        raise InputError(f"CelesTrak group {group!r} returned no element sets")
    return _store(ctx, session, text, "omm-json", f"celestrak:{group}", catalog)


@router.post(
    "/refresh",
    status_code=201,
    response_model=CatalogOut,
    summary="Fetch a CelesTrak GP group (cached downloader) and store it as the newest catalog",
    responses={
        200: {"model": CatalogOut},
        502: {"model": ErrorBody, "description": "Download failed, no cache"},
    },
)
async def refresh_catalog(
    body: RefreshIn, session: SessionDep, ctx: CtxDep, who: OperatorDep
) -> JSONResponse:
    row, created = await run_in_threadpool(_refresh, ctx, session, body.group)
    return _answer(row, created)


@router.get("", response_model=list[CatalogOut], summary="List catalogs, newest first")
def list_catalogs(session: SessionDep, who: ViewerDep) -> list[CatalogOut]:
    return [_out(r) for r in session.scalars(select(CatalogRow).order_by(CatalogRow.id.desc()))]


@router.get("/{catalog_id}", response_model=CatalogOut, summary="One catalog (without its text)")
def get_catalog(catalog_id: IdPath, session: SessionDep, who: ViewerDep) -> CatalogOut:
    row = session.get(CatalogRow, catalog_id)
    if row is None:
        raise HTTPException(404, f"no catalog with id {catalog_id}")
    return _out(row)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
