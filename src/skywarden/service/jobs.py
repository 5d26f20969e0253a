"""Jobs: ``POST /jobs``, ``GET /jobs/{id}``, ``GET /jobs/{id}/result``, ``DELETE /jobs/{id}``.

A job is validated (:mod:`.jobs_kinds`, readable 422 on bad params), its stored inputs are
resolved (wind ids → files, catalog id → a file, track id → its last smoothed fix or its path),
and it is persisted as ``queued`` before the ``202`` answer, then run by the
:class:`~.jobs_pool.WorkerPool` in a child process. State (``queued``, ``running``,
``succeeded``, ``failed``, ``cancelled``), ``progress`` (0–1, from the library's progress
callback, else coarse stages) and the result are written to the store as they change.

Restart safety: at start-up every job found ``queued`` or ``running`` (the server stopped or was
killed under it) is queued again — jobs are deterministic given their parameters and seed — unless
it has already been started ``job_max_attempts`` times, in which case it is marked ``failed`` with
the reason. No job vanishes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFoundError, ValidationError
from ..store.models import CatalogRow, TrackRow, WindRow, utcnow
from ..store.models_watch import JOB_STATES, JobResultRow, JobRow
from . import metrics
from .auth import OperatorDep, ViewerDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES
from .jobs_kinds import result_formats, validate_params
from .jobs_pool import JobOutcome, WorkerPool

__all__ = ["JobManager", "register", "router"]

log = logging.getLogger(__name__)

JobIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="A job id.")]

_MEDIA = {"json": "application/json", "geojson": "application/geo+json", "czml": "application/json"}


class JobIn(BaseModel):
    kind: Literal["predict", "backtrack", "hazard", "screen", "reach"]
    params: dict[str, Any] = Field(default_factory=dict)


class JobOut(BaseModel):
    id: int
    kind: str
    state: str
    progress: float
    error: str | None
    params: dict[str, Any]
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result_formats: list[str]


def job_dict(row: JobRow) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "state": row.state, "progress": row.progress, "error": row.error,
        "params": row.params, "attempts": row.attempts, "created_at": row.created_at,
        "started_at": row.started_at, "finished_at": row.finished_at,
        "result_formats": list(result_formats(row.kind)) if row.state == "succeeded" else [],
    }  # fmt: skip


def _pydantic_message(exc: PydanticValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())) or "params"
        parts.append(f"params.{where}: {err.get('msg', '')}")
    return "; ".join(parts)


# -- resolving stored inputs -----------------------------------------------------------------


def _wind_paths(session: Session, ids: list[Any]) -> list[str]:
    paths = []
    for wid in ids:
        row = session.get(WindRow, int(wid)) if str(wid).isdigit() else None
        if row is None:
            raise NotFoundError(
                f"params.winds: wind {wid!r} does not exist (POST /winds first; GET /winds lists them)"
            )
        paths.append(row.path)
    return paths


def _track_row(session: Session, track_id: Any) -> TrackRow:
    row = session.get(TrackRow, str(track_id))
    if row is None:
        raise NotFoundError(f"params.track: track {track_id!r} does not exist (GET /tracks lists them)")
    return row


def _track_fix(row: TrackRow) -> dict[str, Any]:
    res = row.result or {}
    fix = res.get("last_fix") or {}
    try:
        return {
            "lat": float(fix["lat_deg"] if "lat_deg" in fix else fix["lat"]),
            "lon": float(fix["lon_deg"] if "lon_deg" in fix else fix["lon"]),
            "alt_m": float(fix["alt_m"]),
            "time": str(fix["time"]),
        }
    except (KeyError, TypeError, ValueError):
        raise ValidationError(f"params.track: track {row.id!r} has no last fix yet") from None


def _track_path(row: TrackRow) -> list[dict[str, Any]]:
    fixes = (row.result or {}).get("fixes") or (row.result or {}).get("smoothed") or []
    out = []
    for f in fixes:
        out.append({"time": str(f["time"]), "lat": float(f.get("lat_deg", f.get("lat"))),
                    "lon": float(f.get("lon_deg", f.get("lon"))), "alt_m": float(f["alt_m"])})  # fmt: skip
    if len(out) < 2:
        raise ValidationError(f"params.track: track {row.id!r} has fewer than 2 smoothed fixes")
    return out


_CATALOG_SUFFIX = {"tle": ".tle", "3le": ".tle", "omm-json": ".json", "omm-xml": ".xml", "omm-csv": ".csv",
                   "omm-kvn": ".kvn", "json": ".json", "xml": ".xml", "csv": ".csv", "kvn": ".kvn"}  # fmt: skip


def catalog_file(ctx: ServiceContext, session: Session, catalog_id: Any = None) -> tuple[int, str]:
    """``(id, path)`` of a stored catalog (the newest when ``catalog_id`` is None), as a file the
    library can read (written once under ``data_dir/catalogs``)."""
    if catalog_id is None:
        row = session.scalars(select(CatalogRow).order_by(CatalogRow.id.desc()).limit(1)).first()
        if row is None:
            raise NotFoundError("no catalog is stored yet (POST /catalogs or POST /catalogs/refresh)")
    else:
        row = session.get(CatalogRow, int(catalog_id)) if str(catalog_id).isdigit() else None
        if row is None:
            raise NotFoundError(f"catalog {catalog_id!r} does not exist")
    folder = FilePath(ctx.settings.data_dir) / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{row.id}-{row.content_sha256[:12]}{_CATALOG_SUFFIX.get(row.format.lower(), '.tle')}"
    if not path.exists():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(row.text, encoding="utf-8")
        tmp.replace(path)
    return row.id, str(path)


def resolve_inputs(
    ctx: ServiceContext, session: Session, kind: str, params: dict[str, Any]
) -> dict[str, Any]:
    """The plain inputs a worker needs (see :mod:`.jobs_kinds`)."""
    inputs: dict[str, Any] = {}
    if params.get("winds"):
        inputs["wind_paths"] = _wind_paths(session, list(params["winds"]))
    if kind in ("predict", "backtrack", "reach"):
        inputs["fix"] = (
            params["fix"] if params.get("fix") else _track_fix(_track_row(session, params["track"]))
        )
    elif kind == "hazard":
        inputs["path"] = (
            params["path"] if params.get("path") else _track_path(_track_row(session, params["track"]))
        )
    elif kind == "screen":
        inputs["catalog_id"], inputs["catalog_path"] = catalog_file(ctx, session, params.get("catalog"))
    return inputs


# -- the manager ----------------------------------------------------------------------------


class JobManager:
    """Owns the worker pool of one app and keeps the ``jobs`` table in step with it."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.max_attempts = int(getattr(ctx.settings, "job_max_attempts", 3))
        self.pool = WorkerPool(
            self._on_progress, self._on_finish, max_workers=ctx.settings.job_workers,
            dask=ctx.settings.dask_scheduler,
        )  # fmt: skip
        self.warm_up_task: Any = None

    def _update(self, job_id: int, **fields: Any) -> None:
        with self.ctx.sessions() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                return
            for k, v in fields.items():
                setattr(row, k, v)
            s.commit()

    def refresh_metrics(self) -> None:
        with self.ctx.sessions() as s:
            counts = dict(s.execute(select(JobRow.state, func.count()).group_by(JobRow.state)).all())
        for state in JOB_STATES:
            metrics.JOBS.labels(state).set(counts.get(state, 0))

    async def _on_progress(self, job_id: str, fraction: float) -> None:
        import asyncio

        await asyncio.to_thread(self._update, int(job_id), progress=round(fraction, 4))

    async def _on_finish(self, job_id: str, outcome: JobOutcome) -> None:
        import asyncio

        await asyncio.to_thread(self._finish, int(job_id), outcome)

    def _finish(self, job_id: int, outcome: JobOutcome) -> None:
        with self.ctx.sessions() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                return
            if row.state != "cancelled":  # a cancelled job stays cancelled whatever the child did
                row.state = outcome.state
                row.error = outcome.error
                row.error_status = outcome.status_code
                if outcome.state == "succeeded" and outcome.result is not None:
                    row.progress = 1.0
                    s.merge(JobResultRow(job_id=job_id, result=outcome.result))
            row.finished_at = utcnow()
            s.commit()
        self.refresh_metrics()

    def start_job(self, job_id: int) -> None:
        """Mark ``running`` (one more attempt) and hand to the pool (call on the event loop)."""
        with self.ctx.sessions() as s:
            row = s.get(JobRow, job_id)
            if row is None or row.state not in ("queued", "running"):
                return  # cancelled meanwhile
            row.state, row.attempts, row.started_at, row.progress = "running", row.attempts + 1, utcnow(), 0.0
            s.commit()
            kind, params, inputs = row.kind, row.params, row.inputs
        self.pool.submit(str(job_id), kind, params, inputs)
        self.refresh_metrics()

    def recover(self) -> None:
        """Re-queue jobs left ``queued``/``running`` by a stopped or killed server (module docstring)."""
        with self.ctx.sessions() as s:
            rows = list(
                s.scalars(select(JobRow).where(JobRow.state.in_(("queued", "running"))).order_by(JobRow.id))
            )
            for row in rows:
                if row.attempts >= self.max_attempts:
                    row.state = "failed"
                    row.error = (
                        f"interrupted: the server stopped while the job was running, {row.attempts} time(s); "
                        f"not restarted again (job_max_attempts = {self.max_attempts})"
                    )
                    row.finished_at = utcnow()
            s.commit()
            again = [r for r in rows if r.state in ("queued", "running")]
        for row in again:
            log.info("job %s (%s) found %s at start-up: queued again", row.id, row.kind, row.state)
            self.start_job(row.id)
        self.refresh_metrics()


def get_manager(ctx: ServiceContext) -> JobManager:
    mgr = ctx.extras.get("jobs")
    assert isinstance(mgr, JobManager), "the jobs feature is not registered"
    return mgr


router = APIRouter(tags=["jobs"])


@router.post("/jobs", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut, summary="Start a job")
def create_job(body: JobIn, who: OperatorDep, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    """Kinds: ``predict``, ``backtrack``, ``hazard``, ``screen``, ``reach`` (the CLI commands of the
    same names); ``params`` mirror their options (see the schemas in :mod:`skywarden.service.jobs_kinds`)."""
    try:
        model = validate_params(body.kind, body.params)
    except PydanticValidationError as exc:
        raise ValidationError(_pydantic_message(exc)) from None
    params = model.model_dump(mode="json", exclude_none=True)
    inputs = resolve_inputs(ctx, session, body.kind, params)
    row = JobRow(kind=body.kind, params=params, inputs=inputs, state="queued", progress=0.0, attempts=0,
                 created_by=who.token_id, created_at=utcnow())  # fmt: skip
    session.add(row)
    session.commit()
    mgr = get_manager(ctx)
    loop = ctx.events.loop
    if loop is not None:
        loop.call_soon_threadsafe(mgr.start_job, row.id)
    return job_dict(row)


@router.get("/jobs", response_model=list[JobOut], summary="List jobs (newest first)")
def list_jobs(
    _who: ViewerDep,
    session: SessionDep,
    state: str | None = Query(None, description=f"One of {', '.join(JOB_STATES)}."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    q = select(JobRow)
    if state is not None:
        q = q.where(JobRow.state == state)
    return [job_dict(r) for r in session.scalars(q.order_by(JobRow.id.desc()).limit(limit))]


def _job(session: Session, job_id: int) -> JobRow:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFoundError(f"job {job_id} does not exist")
    return row


@router.get("/jobs/{job_id}", response_model=JobOut, summary="A job's state, progress and error")
def get_job(job_id: JobIdPath, _who: ViewerDep, session: SessionDep) -> dict[str, Any]:
    return job_dict(_job(session, job_id))


@router.get(
    "/jobs/{job_id}/result",
    summary="A finished job's result (JSON; GeoJSON or CZML with ?format=)",
    responses={
        200: {"content": {"application/json": {}, "application/geo+json": {}}},
        409: {"description": "Not finished"},
    },
)
def get_result(
    job_id: JobIdPath,
    _who: ViewerDep,
    session: SessionDep,
    format: Literal["json", "geojson", "czml"] = Query("json", description="json | geojson | czml"),
) -> JSONResponse:
    row = _job(session, job_id)
    if row.state != "succeeded":
        detail = f"job {job_id} is {row.state}" + (f": {row.error}" if row.error else "") + "; no result"
        return JSONResponse(
            {"detail": detail, "error": "JobNotFinished", "state": row.state}, status_code=409
        )
    if format not in result_formats(row.kind):
        raise ValidationError(
            f"format {format!r} is not available for a {row.kind} job; valid: {list(result_formats(row.kind))}"
        )
    res = session.get(JobResultRow, job_id)
    if res is None:
        raise NotFoundError(f"job {job_id} has no stored result")
    return JSONResponse(res.result[format], media_type=_MEDIA[format])


@router.delete("/jobs/{job_id}", response_model=JobOut, summary="Cancel a job")
def cancel_job(job_id: JobIdPath, _who: OperatorDep, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    row = _job(session, job_id)
    if row.state in ("queued", "running"):
        row.state = "cancelled"
        row.error = "cancelled by request"
        row.finished_at = utcnow()
        session.commit()
        mgr = get_manager(ctx)
        loop = ctx.events.loop
        if loop is not None:
            loop.call_soon_threadsafe(mgr.pool.cancel, str(job_id))
            loop.call_soon_threadsafe(mgr.refresh_metrics)
    return job_dict(row)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    """Include the routes and own a worker pool for the app's lifetime."""
    mgr = JobManager(ctx)
    ctx.extras["jobs"] = mgr
    app.include_router(router, responses=COMMON_RESPONSES)

    async def startup() -> None:
        import asyncio

        mgr.warm_up_task = asyncio.get_running_loop().create_task(mgr.pool.warm_up())
        mgr.recover()

    async def shutdown() -> None:
        import contextlib

        if mgr.warm_up_task is not None:
            mgr.warm_up_task.cancel()
            with contextlib.suppress(BaseException):
                await mgr.warm_up_task
        await mgr.pool.shutdown()

    ctx.on_startup(startup)
    ctx.on_shutdown(shutdown)
