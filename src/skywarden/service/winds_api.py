"""``POST /winds`` (GRIB2/NetCDF upload), ``POST /winds/refresh`` (NOAA GFS), ``GET /winds``.

Files are kept on disk as ``<data_dir>/winds/<sha256>.grib2|.nc`` and checked by loading them
with the library (:func:`skywarden.load_winds`); a file it cannot read is a 400 and is not kept.
The refresh downloads one GRIB2 file per forecast hour through the library's cached GFS
downloader (:func:`skywarden.weather.download_gfs`, cache ``<data_dir>/gfs``) and stores each.
:func:`wind_paths` gives jobs and watches the files of stored winds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import load_winds
from ..errors import ParseError, SkywardenError
from ..export.jsonable import to_jsonable
from ..store.models import WindRow
from ..weather import download_gfs
from .auth import OperatorDep, ViewerDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES, ErrorBody
from .uploads import read_upload, safe_name, sha256_hex, store_file, upload_body
from .warn import collect_warnings

__all__ = ["WindOut", "register", "router", "wind_paths"]

router = APIRouter(prefix="/winds", tags=["winds"])


class WindOut(BaseModel):
    id: int
    source: str
    content_sha256: str
    size_bytes: int
    summary: dict[str, Any]
    created_at: datetime


class GfsRefreshIn(BaseModel):
    run: str = Field(
        description="GFS run time (00/06/12/18 UTC), ISO 8601.", examples=["2026-12-04T00:00:00Z"]
    )
    forecast_hours: list[int] = Field(default=[0], min_length=1, max_length=40)
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="(lat_min, lat_max, lon_min, lon_max), degrees."
    )
    resolution: str = Field(default="1p00", examples=["1p00", "0p50", "0p25"])


def _out(row: WindRow) -> WindOut:
    return WindOut(
        id=row.id,
        source=row.source,
        content_sha256=row.content_sha256,
        size_bytes=row.size_bytes,
        summary=row.summary,
        created_at=row.created_at,
    )


def _suffix(data: bytes) -> str:
    if data[:4] == b"GRIB":
        return ".grib2"
    if data[:3] == b"CDF" or data[:8] == b"\x89HDF\r\n\x1a\n":
        return ".nc"
    raise ParseError(
        "not a wind file",
        field="body",
        expected="GRIB2 (starts with 'GRIB') or NetCDF (CDF/HDF5)",
        got=repr(data[:8]),
    )


def _summary(field: Any) -> dict[str, Any]:
    summary: dict[str, Any] = to_jsonable(
        {
            "model": field.model,
            "times": [field.times[0], field.times[-1]],
            "n_times": len(field.times),
            "n_levels": len(field.pressure_pa),
            "lat_deg": [float(field.lat_deg.min()), float(field.lat_deg.max())],
            "lon_deg": [float(field.lon_deg.min()), float(field.lon_deg.max())],
            "heights_source": field.heights_source,
        }
    )
    return summary


def _check(path: Path) -> dict[str, Any]:
    try:
        field, _ = collect_warnings(load_winds, path)
    except SkywardenError:
        raise
    except Exception as exc:  # the GRIB/NetCDF engines raise their own types on corrupt files
        raise ParseError(f"the wind file could not be read: {exc}", path=path.name) from None
    return _summary(field)


def _store(ctx: ServiceContext, session: Session, data: bytes, source: str) -> WindRow:
    folder = Path(ctx.settings.data_dir) / "winds"
    suffix = _suffix(data)
    digest = sha256_hex(data)
    existing = session.scalar(select(WindRow).where(WindRow.content_sha256 == digest).limit(1))
    if existing is not None:
        return existing
    path = store_file(folder, data, suffix)
    try:
        summary = _check(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    row = WindRow(
        source=source[:200], path=str(path), content_sha256=digest, size_bytes=len(data), summary=summary
    )
    session.add(row)
    session.commit()
    ctx.events.publish("winds.added", {"wind_id": row.id, "source": row.source})
    return row


def wind_paths(session: Session, wind_ids: list[int] | None = None) -> list[Path]:
    """Files of the given winds (all when None), oldest first; 404 for an unknown id."""
    rows = list(session.scalars(select(WindRow).order_by(WindRow.id)))
    if wind_ids is None:
        return [Path(r.path) for r in rows]
    by_id = {r.id: r for r in rows}
    missing = [i for i in wind_ids if i not in by_id]
    if missing:
        raise HTTPException(404, f"no winds with id {missing}")
    return [Path(by_id[i].path) for i in wind_ids]


@router.post(
    "",
    status_code=201,
    response_model=WindOut,
    summary="Upload a wind file (GRIB2 or NetCDF)",
    openapi_extra=upload_body(("application/octet-stream",), binary=True),
)
async def post_winds(
    request: Request,
    session: SessionDep,
    ctx: CtxDep,
    who: OperatorDep,
    name: str = Query("upload", max_length=200, description="A label for the source."),
) -> WindOut:
    data, filename = await read_upload(request)
    row = await run_in_threadpool(_store, ctx, session, data, f"upload:{filename or safe_name(name)}")
    return _out(row)


def _refresh(ctx: ServiceContext, session: Session, body: GfsRefreshIn) -> list[WindRow]:
    paths = download_gfs(
        body.run,
        body.forecast_hours,
        bbox=body.bbox,
        resolution=body.resolution,
        cache_dir=Path(ctx.settings.data_dir) / "gfs",
    )
    return [
        _store(ctx, session, p.read_bytes(), f"gfs:{body.run}:f{fh:03d}")
        for p, fh in zip(paths, body.forecast_hours, strict=True)
    ]


@router.post(
    "/refresh",
    status_code=201,
    response_model=list[WindOut],
    summary="Download GFS winds (cached downloader) and store them",
    responses={502: {"model": ErrorBody, "description": "Download failed, no cache"}},
)
async def refresh_winds(
    body: GfsRefreshIn, session: SessionDep, ctx: CtxDep, who: OperatorDep
) -> list[WindOut]:
    rows = await run_in_threadpool(_refresh, ctx, session, body)
    return [_out(r) for r in rows]


@router.get("", response_model=list[WindOut], summary="Stored winds")
def list_winds(session: SessionDep, who: ViewerDep) -> list[WindOut]:
    return [_out(r) for r in session.scalars(select(WindRow).order_by(WindRow.id))]


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
