"""``POST /reports`` (position reports, JSON or any file format ``skywarden track`` reads),
``GET /tracks`` and ``GET /tracks/{id}``.

Ingest: a JSON list ``[{"time", "lat", "lon", "alt_m", "id"?}]`` is checked row by row (a bad
row is rejected with its 1-based item number and reason, the rest are accepted); any other body
(CSV, EOSS, APRS, SondeHub, GeoJSON, … as text or multipart ``file``) goes through the library's
report readers (:func:`skywarden.read_reports`, ``?format=`` / ``?date=`` as in ``skywarden
track``), whose rejected rows carry line and reason. Accepted rows are stored in bulk
(:func:`skywarden.store.reports.insert_reports`: PostgreSQL ``COPY``).

Incremental tracking: after the answer is sent (a background task; a lock keeps updates in
order), the library tracker (:func:`skywarden.track_reports`) is re-run over the stored reports
of each object the batch touched, limited to ``retrack_window_h`` before the batch's last report,
and each resulting track replaces the stored one. Reports without ``id`` are re-tracked together
over the same window (the tracker associates them); their tracks are stored as ``anon-<n>``.
Each track stored answers ``GET /tracks/{id}`` with the ``skywarden track --json`` summary
(class, phases, burst, landing, last fix) plus the smoothed ``fixes``. Events:
``reports.ingested`` and then ``tracks.updated`` (see :mod:`.events`).
"""

from __future__ import annotations

import json
import math
import threading
from typing import Any

import numpy as np
from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..air import Reports, read_reports, track_reports
from ..errors import InputError, ParseError
from ..export.jsonable import to_jsonable
from ..store.models import ReportBatchRow, TrackRow, utcnow
from ..store.reports import insert_reports, load_reports, unix_seconds
from .auth import OperatorDep, ViewerDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES
from .metrics import REPORTS_INGESTED
from .uploads import as_file, read_upload, safe_name, upload_body
from .warn import collect_warnings

__all__ = ["IngestOut", "register", "retrack", "router", "track_record"]

router = APIRouter(tags=["reports"])
RETRACK_WINDOW_H = 48.0
_LOCK = threading.Lock()


class RejectedOut(BaseModel):
    line: int
    reason: str


class IngestOut(BaseModel):
    batch_id: int
    accepted: int
    rejected: list[RejectedOut]
    object_ids: list[str]


def _json_reports(items: Any) -> tuple[Reports, list[RejectedOut]]:
    """Row-by-row checks of a JSON list; accepted rows as a table, rejected with item number."""
    import pandas as pd

    if not isinstance(items, list):
        raise InputError('a JSON body must be a list of reports: [{"time", "lat", "lon", "alt_m", "id"?}]')
    rejected: list[RejectedOut] = []
    keep: list[int] = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rejected.append(RejectedOut(line=i, reason="not an object"))
            continue
        missing = [k for k in ("time", "lat", "lon", "alt_m") if k not in item]
        if missing:
            rejected.append(RejectedOut(line=i, reason=f"missing {', '.join(missing)}"))
            continue
        bad = [
            k
            for k in ("lat", "lon", "alt_m")
            if isinstance(item[k], bool) or not isinstance(item[k], int | float) or not math.isfinite(item[k])
        ]
        if bad:
            rejected.append(RejectedOut(line=i, reason=f"{', '.join(bad)} must be finite numbers"))
            continue
        if not (
            -90 <= item["lat"] <= 90 and -180 <= item["lon"] <= 360 and -1000 <= item["alt_m"] <= 100_000
        ):
            rejected.append(
                RejectedOut(line=i, reason="lat must be -90..90, lon -180..360, alt_m -1000..100000")
            )
            continue
        if "id" in item and item["id"] is not None and not isinstance(item["id"], str | int):
            rejected.append(RejectedOut(line=i, reason="id must be a string"))
            continue
        if not isinstance(item["time"], str):
            rejected.append(
                RejectedOut(line=i, reason="time must be an ISO 8601 string, e.g. 2026-12-04T12:00:00Z")
            )
            continue
        keep.append(i)
    rows = [items[i - 1] for i in keep]
    times = pd.to_datetime([r["time"] for r in rows], utc=True, errors="coerce", format="ISO8601")
    ok = ~np.asarray(times.isna())
    for i, good in zip(keep, ok, strict=True):
        if not good:
            rejected.append(RejectedOut(line=i, reason="time is not ISO 8601, e.g. 2026-12-04T12:00:00Z"))
    rows = [r for r, good in zip(rows, ok, strict=True) if good]
    lines = [i for i, good in zip(keep, ok, strict=True) if good]
    t = np.asarray(times[ok].tz_localize(None), dtype="datetime64[ns]")
    reports = Reports.from_columns(
        t,
        [float(r["lat"]) for r in rows],
        [float(r["lon"]) for r in rows],
        [float(r["alt_m"]) for r in rows],
        object_id=np.array([str(r.get("id") or "").replace("\x00", "")[:200] for r in rows], dtype=object),
        alt_datum="gps",
        source="json",
        line=np.array(lines, dtype=np.int64),
    )
    rejected.sort(key=lambda r: r.line)
    return reports, rejected


def _file_reports(
    data: bytes, name: str, fmt: str | None, date: str | None
) -> tuple[Reports, list[RejectedOut]]:
    with as_file(data, name) as path:
        reports, _ = collect_warnings(read_reports, path, format=fmt, date=date)
    rejected = [RejectedOut(line=r.line, reason=r.reason) for r in reports.rejected]
    return reports, rejected


def _ingest(
    ctx: ServiceContext, session: Session, reports: Reports, rejected: list[RejectedOut], fmt: str
) -> IngestOut:
    batch = ReportBatchRow(format=fmt[:32], accepted=len(reports), rejected=len(rejected))
    session.add(batch)
    session.flush()
    insert_reports(session, batch.id, reports)
    session.commit()
    REPORTS_INGESTED.labels("accepted").inc(len(reports))
    REPORTS_INGESTED.labels("rejected").inc(len(rejected))
    ids = sorted({str(x) for x in reports.object_id.tolist()})
    out = IngestOut(batch_id=batch.id, accepted=len(reports), rejected=rejected, object_ids=ids)
    ctx.events.publish(
        "reports.ingested", {"batch_id": batch.id, "accepted": len(reports), "object_ids": ids}
    )
    return out


def track_record(track: Any) -> dict[str, Any]:
    """``GET /tracks/{id}``: the ``track --json`` summary plus the smoothed fixes."""
    fixes = [
        {"time": t, "lat": la, "lon": lo, "alt_m": al, "vel_enu_m_s": list(v), "phase": ph}
        for t, la, lo, al, v, ph in zip(
            track.time, track.lat_deg.tolist(), track.lon_deg.tolist(), track.alt_m.tolist(),
            np.asarray(track.vel_enu_m_s).tolist(), [str(p) for p in track.phase], strict=True,
        )
    ]  # fmt: skip
    record: dict[str, Any] = to_jsonable({**track.summary(), "fixes": fixes})
    return record


def retrack(ctx: ServiceContext, object_ids: list[str], t_last_unix_s: float) -> list[str]:
    """Re-run the tracker for these objects (``""``: id-less reports) and store their tracks."""
    window_s = RETRACK_WINDOW_H * 3600.0
    updated: list[str] = []
    with _LOCK, ctx.sessions() as session:
        named = [i for i in object_ids if i]
        groups = [(named, False)] if named else []
        if "" in object_ids:
            groups.append(([""], True))
        for ids, anonymous in groups:
            reports = load_reports(session, ids, t_last_unix_s - window_s, None)
            if len(reports) == 0:
                continue
            result, _ = collect_warnings(track_reports, reports)
            for track in result:
                tid = f"anon-{track.id}" if anonymous else str(track.id)
                record = track_record(track)
                record["id"] = tid
                last = float(unix_seconds(np.asarray([track.time[-1]]))[0]) if len(track.time) else None
                session.execute(delete(TrackRow).where(TrackRow.id == tid))
                session.add(
                    TrackRow(
                        id=tid,
                        object_class=str(record.get("class") or "")[:32],
                        n_reports=int(record.get("n_reports") or 0),
                        last_t_unix_s=last,
                        result=record,
                        updated_at=utcnow(),
                    )
                )
                updated.append(tid)
        session.commit()
    if updated:
        ctx.events.publish("tracks.updated", {"track_ids": updated})
    return updated


def _retrack_batch(ctx: ServiceContext, reports: Reports) -> None:
    if len(reports):
        ids = sorted({str(x) for x in reports.object_id.tolist()})
        retrack(ctx, ids, float(unix_seconds(reports.time).max()))


@router.post(
    "/reports",
    status_code=201,
    response_model=IngestOut,
    summary="Ingest position reports (JSON list or a report file); tracks update after the answer",
    openapi_extra=upload_body(("application/json", "text/csv", "text/plain")),
)
async def post_reports(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    ctx: CtxDep,
    who: OperatorDep,
    format: str | None = Query(
        None, max_length=20, description="Report file format (as `skywarden track --format`)."
    ),
    date: str | None = Query(None, max_length=40, description="UTC date for time-of-day-only files."),
    name: str = Query("reports", max_length=200, description="A label (file name) used in messages."),
    track: bool = Query(True, description="Re-run the tracker for the objects in this batch."),
) -> IngestOut:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json") and format is None:
        body = await request.body()
        try:
            items = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ParseError(
                str(exc), path=name, expected='a JSON list [{"time", "lat", "lon", "alt_m", "id"?}]'
            ) from None
        reports, rejected = await run_in_threadpool(_json_reports, items)
        fmt = "json"
    else:
        data, filename = await read_upload(request)
        reports, rejected = await run_in_threadpool(
            _file_reports, data, filename or safe_name(name), format, date
        )
        fmt = format or "auto"
    out = await run_in_threadpool(_ingest, ctx, session, reports, rejected, fmt)
    if track:
        background.add_task(run_in_threadpool, _retrack_batch, ctx, reports)
    return out


class TrackSummary(BaseModel):
    id: str
    object_class: str
    n_reports: int
    last_fix: dict[str, Any] | None
    summary: dict[str, Any]


@router.get("/tracks", response_model=list[TrackSummary], summary="Tracks (summaries without fixes)")
def list_tracks(session: SessionDep, who: ViewerDep) -> list[TrackSummary]:
    out = []
    for row in session.scalars(select(TrackRow).order_by(TrackRow.id)):
        summary = {k: v for k, v in row.result.items() if k != "fixes"}
        out.append(
            TrackSummary(
                id=row.id,
                object_class=row.object_class,
                n_reports=row.n_reports,
                last_fix=summary.get("last_fix"),
                summary=summary,
            )
        )
    return out


@router.get(
    "/tracks/{track_id}", response_model=dict[str, Any], summary="One track: class, phases, fixes, last fix"
)
def get_track(track_id: str, session: SessionDep, who: ViewerDep) -> dict[str, Any]:
    row = session.get(TrackRow, track_id)
    if row is None:
        raise HTTPException(404, f"no track with id {track_id!r}")
    return dict(row.result)


def register(app: FastAPI, ctx: ServiceContext) -> None:
    app.include_router(router, responses=COMMON_RESPONSES)
