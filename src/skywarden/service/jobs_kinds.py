"""The job kinds of ``POST /jobs``: validated parameters and the library call each one makes.

A job is ``{"kind": "predict"|"backtrack"|"hazard"|"screen"|"reach", "params": {…}}``. Each kind
has a pydantic model here (its fields mirror the CLI options of the command of the same name,
with units in the names), and :func:`run_job` calls exactly the library function the CLI calls
(:func:`skywarden.predict`, :func:`skywarden.backtrack`, :func:`skywarden.termination_windows`,
:func:`skywarden.screen`, :func:`skywarden.reachable_region`). This module knows nothing about
HTTP or the database: it runs inside a worker process (see :mod:`.jobs_pool`).

Inputs that name stored objects (``winds`` ids, a ``catalog`` id, a ``track`` id) are resolved by
the service *before* the job is queued into plain ``inputs``: ``wind_paths`` (files),
``catalog_path`` (a file), ``fix`` (``{lat, lon, alt_m, time}``) and ``path`` (a list of
``{time, lat, lon, alt_m}``), so a worker never touches the database and a job never reads a file
the user named. The result is a dict of renderings: ``json`` always, ``geojson`` and ``czml``
where the CLI writes them too (``GET /jobs/{id}/result?format=``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .. import scale

__all__ = ["KINDS", "PARAMS", "FixParams", "JobParams", "result_formats", "run_job", "validate_params"]

Progress = Callable[[int, int], None]


def _check_time(value: str) -> str:
    from ..errors import SkywardenError
    from ..timeutil import parse_time

    try:
        parse_time(value)
    except SkywardenError as exc:
        raise ValueError(str(exc)) from None
    return value


def _check_duration(value: str) -> str:
    from ..errors import SkywardenError
    from ..timeutil import parse_duration

    try:
        parse_duration(value)
    except SkywardenError as exc:
        raise ValueError(str(exc)) from None
    return value


#: ISO 8601 UTC time text (checked with :func:`skywarden.parse_time` when the job is posted).
IsoTime = Annotated[
    str, Field(min_length=4, max_length=64, examples=["2010-10-26T12:00:00Z"]), AfterValidator(_check_time)
]
#: A duration such as ``90s``, ``30m``, ``6h``, ``2d`` (:func:`skywarden.parse_duration`).
Duration = Annotated[
    str, Field(min_length=1, max_length=32, examples=["6h"]), AfterValidator(_check_duration)
]
#: The integer id of a stored row (winds, catalogs).
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
#: A track id (the reports' object id).
TrackId = Annotated[str, Field(min_length=1, max_length=200)] | Annotated[int, Field(ge=0, le=2**63 - 1)]


class FixParams(BaseModel):
    """A position at a time: ``lat`` −90..90, ``lon`` −180..360 (deg), ``alt_m``, ``time`` ISO 8601 UTC."""

    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=360)
    alt_m: float = Field(default=0.0, ge=-500, le=60000)
    time: IsoTime


class JobParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FromFix(JobParams):
    """Start from ``fix`` or from the last smoothed fix of stored ``track`` (exactly one)."""

    fix: FixParams | None = None
    track: TrackId | None = Field(default=None, description="A track id from GET /tracks.")
    winds: list[RowId] = Field(min_length=1, max_length=16, description="Wind ids from POST /winds.")
    heights: Literal["auto", "file", "hypsometric", "standard"] = "auto"

    @model_validator(mode="after")
    def _one_start(self) -> _FromFix:
        if (self.fix is None) == (self.track is None):
            raise ValueError("give exactly one of fix {lat, lon, alt_m, time} or track (a track id)")
        return self


class PredictParams(_FromFix):
    profile: Literal["burst", "float"] = "burst"
    ensemble: int = Field(default=1, ge=1, le=2000)
    hours: float = Field(default=72.0, gt=0, le=720)
    step_s: float = Field(default=60.0, ge=0.1, le=3600)
    outside: Literal["stop", "clamp", "hold", "raise"] = "stop"
    wind_sigma_m_s: float = Field(default=2.0, ge=0, le=50)
    wind_tau: Duration = "6h"
    seed: int = 0
    levels: list[float] = Field(default=[0.5, 0.9], min_length=1, max_length=10)
    zone: dict[str, Any] | None = Field(default=None, description="GeoJSON polygon: chance of entering it.")


class BacktrackParams(_FromFix):
    hours: float = Field(gt=0, le=720)
    ensemble: int = Field(default=20, ge=1, le=2000)
    ascent_rate_m_s: float = Field(default=5.0, ge=0.1, le=50)
    ground_alt_m: float = 0.0
    candidate_step: Duration = "30m"
    step_s: float = Field(default=60.0, ge=0.1, le=3600)
    cell_deg: float = Field(default=0.5, gt=0, le=10)
    wind_sigma_m_s: float = Field(default=2.0, ge=0, le=50)
    seed: int = 0


class PathPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time: IsoTime
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=360)
    alt_m: float = Field(ge=-500, le=60000)


class HazardParams(JobParams):
    """Termination windows along ``path`` (points) or along stored ``track`` (exactly one)."""

    path: list[PathPoint] | None = Field(default=None, min_length=2, max_length=100_000)
    track: TrackId | None = None
    winds: list[RowId] = Field(default=[], max_length=16)
    heights: Literal["auto", "file", "hypsometric", "standard"] = "auto"
    payload: Literal["radiosonde", "heavy-gondola"]
    limits: Literal["faa450"] = "faa450"
    step: Duration = "10min"
    samples: int = Field(default=256, ge=8, le=100_000)
    seed: int = 0
    coast_range_km: float | None = Field(default=None, gt=0)
    sheltering: float = Field(default=1.0, gt=0, le=1)
    ground_alt_m: float = 0.0

    @model_validator(mode="after")
    def _one_path(self) -> HazardParams:
        if (self.path is None) == (self.track is None):
            raise ValueError("give exactly one of path [{time, lat, lon, alt_m}, …] or track (a track id)")
        return self


class ScreenParams(JobParams):
    catalog: RowId | None = Field(default=None, description="Catalog id; default the newest.")
    start: IsoTime
    duration: Duration = "24h"
    threshold_km: float = Field(default=5.0, gt=0, le=1000)
    targets: list[int] | None = Field(default=None, max_length=1000)
    step_s: float = Field(default=60.0, ge=1, le=600)
    hbr_m: float = Field(default=20.0, gt=0, le=1000)
    include_colocated: bool = False


class ReachParams(_FromFix):
    hours: float = Field(gt=0, le=240)
    alt_min_m: float = Field(default=15000.0, ge=0)
    alt_max_m: float = Field(default=21000.0, le=60000)
    max_rate_m_s: float = Field(default=1.0, gt=0, le=20)
    levels: int = Field(default=10, ge=2, le=100)
    max_maneuvers: int | None = Field(default=None, ge=0)
    budget_m: float | None = Field(default=None, ge=0)
    site: FixParams | None = Field(
        default=None, description="Earliest arrival over this point (time ignored)."
    )
    radius_km: float = Field(default=25.0, gt=0)
    resolution_km: float = Field(default=50.0, ge=1, le=1000)
    step_min: float | None = Field(default=None, gt=0)
    members: int = Field(default=1, ge=1, le=200)
    wind_sigma_m_s: float = Field(default=0.0, ge=0, le=50)
    every_hours: float = Field(default=6.0, gt=0)


PARAMS: dict[str, type[JobParams]] = {
    "predict": PredictParams,
    "backtrack": BacktrackParams,
    "hazard": HazardParams,
    "screen": ScreenParams,
    "reach": ReachParams,
}
KINDS = tuple(PARAMS)


def validate_params(kind: str, params: dict[str, Any]) -> JobParams:
    """Parse ``params`` for ``kind`` (pydantic ValidationError on bad input; OptionError on kind)."""
    from ..errors import OptionError

    if kind not in PARAMS:
        raise OptionError("kind", kind, list(KINDS))
    return PARAMS[kind].model_validate(params)


def result_formats(kind: str) -> tuple[str, ...]:
    """The ``?format=`` values ``GET /jobs/{id}/result`` offers for ``kind``."""
    return ("json",) if kind == "screen" else ("json", "geojson", "czml")


# -- running (inside a worker process) -------------------------------------------------------


def _jsonable(value: Any) -> Any:
    from ..export.jsonable import to_jsonable

    return json.loads(json.dumps(to_jsonable(value), allow_nan=False))


def _fix(inputs: dict[str, Any]) -> tuple[float, float, float, Any]:
    import skywarden as sw

    f = inputs["fix"]
    return float(f["lat"]), float(f["lon"]), float(f.get("alt_m", 0.0)), sw.parse_time(f["time"])


def _winds(inputs: dict[str, Any], heights: str) -> Any:
    import skywarden as sw

    paths = [Path(p) for p in inputs.get("wind_paths", [])]
    return sw.load_winds(paths, heights=heights) if paths else None


def _written(write: Callable[[Path], Any], suffix: str) -> Any:
    """Render through a library writer (the same bytes the CLI writes) and read it back."""
    with tempfile.TemporaryDirectory(prefix="skywarden-job-") as tmp:
        out = Path(tmp) / f"result{suffix}"
        write(out)
        return json.loads(out.read_text(encoding="utf-8"))


def _predict(
    p: PredictParams, inputs: dict[str, Any], progress: Progress, client: Any = None
) -> dict[str, Any]:
    import skywarden as sw
    from skywarden.flight import polygon_entry_probability, position_contours, write_prediction
    from skywarden.flight.summary import prediction_summary

    lat, lon, alt, when = _fix(inputs)
    settings = sw.EnsembleSettings(
        members=p.ensemble,
        wind_sigma_m_s=p.wind_sigma_m_s,
        wind_tau_s=sw.parse_duration(p.wind_tau).total_seconds(),
        seed=p.seed,
    )
    pred = scale.predict(
        _winds(inputs, p.heights), lat_deg=lat, lon_deg=lon, alt_m=alt, time=when, profile=p.profile,
        hours=p.hours, step_s=p.step_s, ensemble=settings, outside=p.outside, progress=progress, client=client,
    )  # fmt: skip
    summary = prediction_summary(pred)  # the one `skywarden predict --json` prints
    times = [] if pred.n_members < 3 else [pred.times[-1]]
    contours = position_contours(pred, times, p.levels) if times else []
    if p.zone is not None:
        from shapely.geometry import shape

        geom = p.zone.get("geometry", p.zone) if p.zone.get("type") == "Feature" else p.zone
        summary["zone_entry_probability"] = polygon_entry_probability(pred, shape(geom))["probability"]
    return {
        "json": _jsonable({"summary": summary, "contours": contours, "assumptions": pred.assumptions}),
        "geojson": _written(
            lambda f: write_prediction(pred, f, contours=contours, summary=summary), ".geojson"
        ),
        "czml": _written(lambda f: write_prediction(pred, f), ".czml"),
    }


def _backtrack(
    p: BacktrackParams, inputs: dict[str, Any], progress: Progress, client: Any = None
) -> dict[str, Any]:
    import skywarden as sw
    from skywarden.flight import write_prediction
    from skywarden.flight.summary import backtrack_summary

    lat, lon, alt, when = _fix(inputs)
    progress(0, 1)
    res = scale.backtrack(
        _winds(inputs, p.heights), lat_deg=lat, lon_deg=lon, alt_m=alt, time=when, hours=p.hours,
        ascent_rate_m_s=p.ascent_rate_m_s, ground_alt_m=p.ground_alt_m,
        candidate_step_s=sw.parse_duration(p.candidate_step).total_seconds(),
        ensemble=sw.EnsembleSettings(members=p.ensemble, wind_sigma_m_s=p.wind_sigma_m_s, seed=p.seed),
        step_s=p.step_s, client=client, progress=progress,
    )  # fmt: skip
    regions = res.region_contours()
    summary = backtrack_summary(res, p.cell_deg)  # the one `skywarden backtrack --json` prints
    return {
        "json": _jsonable({"summary": summary, "regions": regions, "assumptions": res.assumptions}),
        "geojson": _written(
            lambda f: write_prediction(res.paths, f, contours=regions, summary=summary), ".geojson"
        ),
        "czml": _written(lambda f: write_prediction(res.paths, f), ".czml"),
    }


def _hazard(
    p: HazardParams, inputs: dict[str, Any], progress: Progress, client: Any = None
) -> dict[str, Any]:
    import skywarden as sw
    from skywarden.hazard import load_limits, load_payload, load_population

    pts = inputs["path"]
    times = np.array([np.datetime64(sw.parse_time(x["time"]).replace(tzinfo=None), "ns") for x in pts])
    lat = np.array([x["lat"] for x in pts], dtype=float)
    lon = np.array([x["lon"] for x in pts], dtype=float)
    alt = np.array([x["alt_m"] for x in pts], dtype=float)
    plan = scale.hazard(
        times, lat, lon, alt, load_payload(p.payload), population=load_population("default"),
        wind=_winds(inputs, p.heights), limits=load_limits(p.limits), step=p.step, n=p.samples, seed=p.seed,
        sheltering_factor=p.sheltering, coast_range_km=p.coast_range_km, ground_alt_m=p.ground_alt_m,
        progress=progress, client=client,
    )  # fmt: skip
    from skywarden.hazard.output import write_plan

    sweep = (times, lat, lon, alt)
    return {
        "json": _jsonable(plan.as_dict()),
        "geojson": _written(lambda f: write_plan(plan, f, track=sweep), ".geojson"),
        "czml": _written(lambda f: write_plan(plan, f, track=sweep), ".czml"),
    }


def _screen(
    p: ScreenParams, inputs: dict[str, Any], progress: Progress, client: Any = None
) -> dict[str, Any]:
    import skywarden as sw

    cat = sw.load_catalog(Path(inputs["catalog_path"]))
    events = scale.screen(
        cat, p.start, p.duration, p.threshold_km, targets=p.targets or None, step_s=p.step_s, hbr_m=p.hbr_m,
        progress=progress, include_colocated=p.include_colocated, client=client,
    )  # fmt: skip
    return {"json": _jsonable([e.to_dict() for e in events])}


def _reach(p: ReachParams, inputs: dict[str, Any], progress: Progress, client: Any = None) -> dict[str, Any]:
    import skywarden as sw

    lat, lon, alt, when = _fix(inputs)
    limits = sw.SteeringLimits(
        alt_min_m=p.alt_min_m, alt_max_m=p.alt_max_m, n_levels=p.levels, max_climb_m_s=p.max_rate_m_s,
        max_descent_m_s=p.max_rate_m_s, max_maneuvers=p.max_maneuvers, max_total_change_m=p.budget_m,
    )  # fmt: skip
    res = scale.run_whole(sw.reachable_region, {
        "winds": _winds(inputs, p.heights), "lat_deg": lat, "lon_deg": lon, "alt_m": alt, "time": when,
        "hours": p.hours, "limits": limits, "step_s": None if p.step_min is None else p.step_min * 60.0,
        "resolution_km": p.resolution_km, "members": p.members, "wind_sigma_m_s": p.wind_sigma_m_s,
    }, client, progress)  # fmt: skip
    summary: dict[str, Any] = res.summary()
    if p.site is not None:
        summary["site"] = sw.earliest_arrival(res, p.site.lat, p.site.lon, p.radius_km).to_dict()
    summary["assumptions"] = res.assumptions
    return {
        "json": _jsonable(summary),
        "geojson": _jsonable(res.to_geojson(every_hours=p.every_hours)),
        "czml": _jsonable(res.to_czml(every_hours=p.every_hours)),
    }


_RUNNERS: dict[str, Callable[[Any, dict[str, Any], Progress, Any], dict[str, Any]]] = {
    "predict": _predict,
    "backtrack": _backtrack,
    "hazard": _hazard,
    "screen": _screen,
    "reach": _reach,
}


def run_job(
    kind: str,
    params: dict[str, Any],
    inputs: dict[str, Any],
    progress: Progress | None = None,
    *,
    dask: Any = None,
) -> dict[str, Any]:
    """Run one job synchronously; return ``{"json": …, "geojson"?: …, "czml"?: …}`` (plain JSON types).

    ``progress(done, total)`` is called by the library where it reports progress (by finished
    cluster tasks on Dask); otherwise at coarse stages. ``dask``: None (in this process), a
    scheduler address ``tcp://host:8786`` or ``"local"`` (:func:`skywarden.scale.dask_client`):
    the job's heavy part runs there through :mod:`skywarden.scale` — ensemble members, hazard
    candidates and screen slices as tasks, a reach search as one task — with the same answer.
    """
    model = validate_params(kind, params)
    cb: Progress = progress or (lambda done, total: None)
    with scale.dask_client(dask) as client:
        return _RUNNERS[kind](model, inputs, cb, client)
