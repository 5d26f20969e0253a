"""Watches: ``POST /watches``, ``GET /watches``, ``GET /watches/{id}``, ``DELETE /watches/{id}``,
and the engine that evaluates them when their inputs change and on a schedule.

Body: ``{"kind": "overflight"|"zone_entry"|"new_object"|"conjunction", "name"?, "params": {…}}``
(parameters in :mod:`.watches_eval`). Stored references: ``site`` (a site id), ``track`` (a
track id = the reports' object id), ``zone`` (``"<zone upload id>"`` for its first zone,
``"<upload id>/<zone id or name>"``, or a built-in ADIZ id such as ``US-ADIZ-CONUS``);
winds are the newest stored wind file unless ``params.winds`` lists wind ids.

:class:`WatchEngine` runs one evaluation at a time in a separate, long-lived evaluation process
(started from the same fork server as the job workers, so its predictions never hold the web
server's interpreter lock; its caches live as long as it does): it reads a
:class:`~.watches_eval.Snapshot` of the store (track versions from their reports, the winds
and catalog versions), evaluates every watch with a long-lived
:class:`~.watches_eval.WatchEvaluator` (so unchanged inputs cost nothing), and stores the
firings once each (:func:`.alerts.record_firings`), which wakes the SSE streams and webhooks.
It is woken by the event bus (``reports.ingested``, ``tracks.updated``, ``winds.added``,
``catalog.added``, ``zone.added``, ``site.added``), by a new watch, and every
``watch_interval_s`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, FastAPI, Path, status
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import NotFoundError, ValidationError
from ..store.models import ReportBatchRow, ReportRow, SiteRow, TrackRow, WindRow, ZoneRow, utcnow
from ..store.models_watch import AlertRow, WatchRow
from .alerts import get_hub, record_firings
from .auth import OperatorDep, ViewerDep
from .context import CtxDep, ServiceContext, SessionDep
from .errors import COMMON_RESPONSES
from .jobs import catalog_file
from .watches_eval import Snapshot, TrackInfo, WatchEvaluator, WatchRule, validate_watch

__all__ = ["WatchEngine", "build_snapshot", "register", "router"]

log = logging.getLogger(__name__)

_MAX_ID = 2**31 - 1  # INTEGER primary keys
WatchIdPath = Annotated[int, Path(ge=1, le=_MAX_ID, description="A watch id.")]

WATCH_EVENTS = (
    "reports.ingested",
    "tracks.updated",
    "winds.added",
    "catalog.added",
    "zone.added",
    "site.added",
)


class WatchIn(BaseModel):
    kind: Literal["overflight", "zone_entry", "new_object", "conjunction"]
    name: str = Field(default="", max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)


class WatchOut(BaseModel):
    id: int
    kind: str
    name: str
    params: dict[str, Any]
    created_at: datetime
    last_evaluated_at: datetime | None


def watch_dict(row: WatchRow) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "name": row.name, "params": row.params,
            "created_at": row.created_at, "last_evaluated_at": row.last_evaluated_at}  # fmt: skip


# -- snapshot of the store -------------------------------------------------------------------


def _track_info(
    session: Session,
    track_id: str,
    version: str,
    first_batch: int,
    want_track: bool,
    cache: dict[str, TrackInfo],
) -> TrackInfo:
    """The track's :class:`TrackInfo`; with ``want_track`` its :class:`skywarden.Track` rebuilt by
    the tracker from its stored reports. Reused from ``cache`` while ``version`` is unchanged."""
    import skywarden as sw

    hit = cache.get(track_id)
    if hit is not None and hit.version == version and (hit.track is not None or not want_track):
        return hit
    q = select(ReportRow.t_unix_s, ReportRow.lat, ReportRow.lon, ReportRow.alt_m).where(
        ReportRow.object_id == track_id
    )
    rows = session.execute(q.order_by(ReportRow.t_unix_s)).all()
    info = TrackInfo(id=track_id, version=version, track=None, first_batch_id=first_batch)
    t = np.array([r[0] for r in rows], dtype=float)
    info.first_time = datetime.fromtimestamp(float(t[0]), UTC)
    info.last_lat_deg, info.last_lon_deg = float(rows[-1][1]), float(rows[-1][2])
    if want_track:
        times = (t * 1e9).astype("int64").astype("datetime64[ns]")
        reports = sw.Reports.from_columns(
            times, [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows], object_id=track_id
        )
        tracks = list(sw.track_reports(reports))
        info.track = max(tracks, key=lambda tr: len(tr)) if tracks else None
    if len(cache) > 10_000:
        cache.clear()
    cache[track_id] = info
    return info


def _versions(session: Session, track_ids: set[str] | None) -> dict[str, tuple[str, int]]:
    """``{object id: (version, first batch id)}``; the version is report count + newest report id."""
    q = select(
        ReportRow.object_id, func.count(ReportRow.id), func.max(ReportRow.id), func.min(ReportRow.batch_id)
    )
    if track_ids is not None:
        q = q.where(ReportRow.object_id.in_(sorted(track_ids)))
    return {
        oid: (f"{n}:{last}", int(first))
        for oid, n, last, first in session.execute(q.group_by(ReportRow.object_id))
    }


def _zone_resolver(session: Session, cache: dict[str, Any] | None = None) -> Any:
    """``ref → Zone | None`` (module docstring); zone uploads do not change, so ``cache`` may be
    kept between rounds."""
    import skywarden as sw

    cache = {} if cache is None else cache

    def resolve(ref: str) -> Any:
        if ref in cache:
            return cache[ref]
        upload, _, which = ref.partition("/")
        zone = None
        if upload.isdigit() and int(upload) <= _MAX_ID:
            zones = cache.get(f"set:{upload}")
            if zones is None:
                row = session.get(ZoneRow, int(upload))
                zones = [] if row is None else _load_set(sw, row)
                if row is not None:
                    cache[f"set:{upload}"] = zones
            zone = next((z for z in zones if not which or which in (z.id, z.name)), None)
        else:
            with contextlib.suppress(Exception):
                zone = sw.builtin_adiz(ref)[0]
        cache[ref] = zone
        return zone

    return resolve


def _load_set(sw: Any, row: ZoneRow) -> list[Any]:
    with tempfile.TemporaryDirectory(prefix="skywarden-zone-") as tmp:
        path = FilePath(tmp) / "zones.geojson"
        path.write_text(json.dumps(row.geojson), encoding="utf-8")
        return list(sw.load_zones(path))


def _site_resolver(session: Session) -> Any:
    import skywarden as sw

    def resolve(ref: str) -> Any:
        row = session.get(SiteRow, int(ref)) if ref.isdigit() else None
        if row is None:
            return None
        return sw.Site(
            name=row.name, lat_deg=row.lat, lon_deg=row.lon, alt_m=row.alt_m, radius_m=row.radius_km * 1000.0
        )

    return resolve


def build_snapshot(
    ctx: ServiceContext,
    session: Session,
    rules: list[WatchRule],
    track_cache: dict[str, TrackInfo] | None = None,
    zone_cache: dict[str, Any] | None = None,
) -> Snapshot:
    """What one evaluation round sees (see the module docstring). ``track_cache`` keeps rebuilt
    tracks between rounds (keyed by id, reused while their version is unchanged)."""
    track_cache = {} if track_cache is None else track_cache
    snap = Snapshot(now=utcnow(), zone=_zone_resolver(session, zone_cache), site=_site_resolver(session))
    wind_ids: set[int] = set()
    want_tracks: set[str] = set()
    need_catalog = False
    for r in rules:
        if r.kind == "zone_entry":
            want_tracks.add(str(r.params.get("track")))
            wind_ids.update(int(w) for w in r.params.get("winds", []) if str(w).isdigit())
        elif r.kind in ("overflight", "conjunction"):
            need_catalog = True
    if any(r.kind == "zone_entry" for r in rules):
        q = select(WindRow)
        q = q.where(WindRow.id.in_(sorted(wind_ids))) if wind_ids else q.order_by(WindRow.id.desc()).limit(1)
        winds = sorted(session.scalars(q), key=lambda w: w.id)
        snap.wind_paths = [w.path for w in winds]
        snap.winds_version = ",".join(f"{w.id}:{w.content_sha256[:12]}" for w in winds) or None
    want_all = any(r.kind == "new_object" for r in rules)
    if want_tracks or want_all:
        versions = _versions(session, None if want_all else want_tracks)
        for oid, (version, first_batch) in versions.items():
            snap.tracks[oid] = _track_info(
                session, oid, version, first_batch, oid in want_tracks, track_cache
            )
    if want_all:
        flagged = select(TrackRow.id, TrackRow.result).where(TrackRow.id.in_(sorted(snap.tracks)))
        for tid, result in session.execute(flagged):
            if isinstance(result, dict) and result.get("new_object"):
                snap.tracks[tid].new_object = True
    if need_catalog:
        with contextlib.suppress(NotFoundError):
            cid, path = catalog_file(ctx, session)
            snap.catalog_version, snap.catalog_path = str(cid), path
    return snap


# -- the engine -------------------------------------------------------------------------------


class WatchEngine:
    """Evaluates all watches on events and on a schedule (module docstring)."""

    def __init__(self, ctx: ServiceContext, *, in_process: bool = False) -> None:
        self.ctx = ctx
        self.evaluator = WatchEvaluator()
        self.track_cache: dict[str, TrackInfo] = {}
        self.zone_cache: dict[str, Any] = {}
        self.interval_s = float(ctx.settings.watch_interval_s)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0
        self.last_round_s = 0.0
        #: False (the default): rounds run in a separate process (predictions hold the GIL, so
        #: in a thread they would stall the web server); True: in a thread of this process.
        self.in_process = in_process
        self._pool: Any = None

    def wake(self, *_args: Any) -> None:
        """Ask for an evaluation soon (thread-safe; an event-bus handler)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def evaluate_once(self, notify: bool = True) -> int:
        """One synchronous round over every watch; returns the number of new alerts."""
        import time

        t0 = time.perf_counter()
        with self.ctx.sessions() as s:
            q = select(WatchRow.id, WatchRow.kind, WatchRow.params).order_by(WatchRow.id)
            rules = [WatchRule(int(i), str(k), dict(p)) for i, k, p in s.execute(q)]
            if not rules:
                return 0
            snap = build_snapshot(self.ctx, s, rules, self.track_cache, self.zone_cache)
            fired = {(int(w), str(k)) for w, k in s.execute(select(AlertRow.watch_id, AlertRow.event_key))}
            firings = self.evaluator.evaluate(rules, snap, fired)
            new = record_firings(s, firings)
            evaluated = [r.id for r in rules]
            s.execute(update(WatchRow).where(WatchRow.id.in_(evaluated)).values(last_evaluated_at=utcnow()))
            s.commit()
        self.rounds += 1
        self.last_round_s = time.perf_counter() - t0
        if new:
            log.info("watch evaluation: %d new alert(s)", len(new))
            if notify:
                get_hub(self.ctx).notify()
        return len(new)

    def _executor(self) -> Any:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            from .jobs_pool import process_context

            url = self.ctx.engine.url.render_as_string(hide_password=False)
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=process_context(),
                initializer=_child_init,
                initargs=(url, self.ctx.settings.model_dump_json()),
            )
        return self._pool

    async def _round(self) -> None:
        if self.in_process:
            await asyncio.to_thread(self.evaluate_once)
            return
        from concurrent.futures.process import BrokenProcessPool

        loop = asyncio.get_running_loop()
        try:
            n = await loop.run_in_executor(self._executor(), _child_round)
        except BrokenProcessPool:
            log.error("the watch evaluation process died; starting a new one")
            self._pool = None
            return
        if n:
            get_hub(self.ctx).notify()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)
            self._wake.clear()
            try:
                await self._round()
            except Exception:
                log.exception("watch evaluation failed")

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._wake.set()  # evaluate once at start-up
        self._task = self._loop.create_task(self._run(), name="skywarden-watches")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


_CHILD: WatchEngine | None = None


def _child_init(db_url: str, settings_json: str) -> None:
    """Start-up of the watch evaluation process: its own engine, sessions and caches."""
    global _CHILD
    from ..store.db import make_engine, make_sessionmaker
    from .settings import ServiceSettings

    settings = ServiceSettings.model_validate_json(settings_json)
    engine = make_engine(db_url)
    ctx = ServiceContext(
        settings=settings, engine=engine, sessions=make_sessionmaker(engine), db_url=db_url, schema_version=""
    )
    _CHILD = WatchEngine(ctx, in_process=True)


def _child_round() -> int:
    """One evaluation round in the watch evaluation process (caches persist between rounds)."""
    assert _CHILD is not None, "the watch evaluation process was not initialised"
    return _CHILD.evaluate_once(notify=False)


def get_engine(ctx: ServiceContext) -> WatchEngine:
    engine = ctx.extras.get("watches")
    assert isinstance(engine, WatchEngine), "the watches feature is not registered"
    return engine


router = APIRouter(tags=["watches"])


@router.post("/watches", status_code=status.HTTP_201_CREATED, response_model=WatchOut, summary="Add a watch")
def create_watch(body: WatchIn, who: OperatorDep, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    try:
        model = validate_watch(body.kind, body.params)
    except PydanticValidationError as exc:
        msg = "; ".join(f"params.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValidationError(msg) from None
    params = model.model_dump(mode="json", exclude_none=True)
    if body.kind == "new_object" and "after_batch_id" not in params:
        params["after_batch_id"] = int(session.scalar(select(func.max(ReportBatchRow.id))) or 0)
    if body.kind == "overflight" and session.get(SiteRow, int(params["site"])) is None:
        raise NotFoundError(f"params.site: site {params['site']!r} does not exist (GET /sites lists them)")
    if body.kind == "zone_entry" and _zone_resolver(session)(str(params["zone"])) is None:
        raise NotFoundError(
            f"params.zone: zone {params['zone']!r} does not exist (GET /zones lists uploads and built-in ADIZ ids)"
        )
    row = WatchRow(
        kind=body.kind, name=body.name, params=params, created_by=who.token_id, created_at=utcnow()
    )
    session.add(row)
    session.commit()
    get_engine(ctx).wake()
    return watch_dict(row)


@router.get("/watches", response_model=list[WatchOut], summary="List watches")
def list_watches(_who: ViewerDep, session: SessionDep) -> list[dict[str, Any]]:
    return [watch_dict(r) for r in session.scalars(select(WatchRow).order_by(WatchRow.id))]


@router.get("/watches/{watch_id}", response_model=WatchOut, summary="One watch")
def get_watch(watch_id: WatchIdPath, _who: ViewerDep, session: SessionDep) -> dict[str, Any]:
    row = session.get(WatchRow, watch_id)
    if row is None:
        raise NotFoundError(f"watch {watch_id} does not exist")
    return watch_dict(row)


@router.delete("/watches/{watch_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a watch")
def delete_watch(watch_id: WatchIdPath, _who: OperatorDep, session: SessionDep) -> None:
    """Its alerts stay listed under ``GET /alerts``."""
    row = session.get(WatchRow, watch_id)
    if row is None:
        raise NotFoundError(f"watch {watch_id} does not exist")
    session.delete(row)
    session.commit()


def register(app: FastAPI, ctx: ServiceContext) -> None:
    """Include the routes, subscribe the engine to data changes, run the schedule."""
    engine = WatchEngine(ctx)
    ctx.extras["watches"] = engine
    app.include_router(router, responses=COMMON_RESPONSES)
    for kind in WATCH_EVENTS:
        ctx.events.subscribe(kind, engine.wake)

    async def startup() -> None:
        engine.start()

    ctx.on_startup(startup)
    ctx.on_shutdown(engine.stop)
