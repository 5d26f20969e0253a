"""Catalog-scale jobs as Dask task graphs; each gives exactly the in-process result.

Every function takes ``client`` (a ``distributed.Client``, see
:func:`skywarden.scale.dask_client`); with ``client=None`` it simply calls the library function
in-process (no Dask). With a client, the large input is scattered to every worker ONCE
(``client.scatter(..., broadcast=True)``) and each task receives only its block's indices.

Partitioning and memory per task (``n_t`` time steps; bytes are float64 arrays)
------------------------------------------------------------------------------
* :func:`propagate` — object blocks of ``block_objects`` (default 1024). A task holds its
  result, ``block_objects × n_t × 49`` bytes (positions 24 + velocities 24 + code 1), plus the
  library's working block (≤ 64 MiB): 1024 objects × 1440 steps = 72 MB + 64 MiB.
* :func:`access_windows` — object blocks × site runs (default: ``4 × workers`` object blocks —
  objects cost unevenly, by orbit and sensor, so more blocks than workers even the load out —
  runs of 2,000 sites). A task propagates its objects on the coarse grid (ITRS r, v, a and |r|:
  80 bytes per object-step; LEO at 300 s is 289 steps a day → 23 MB per 1,000 objects) and
  screens them against its sites in slabs of ``MAX_BLOCK_ELEMENTS`` object-step-sites (the
  library's own bound). Object blocks duplicate nothing; each extra site run re-propagates its
  object block, so site runs only bound the result size of one task.
* :func:`screen` — block pairs ``(a ≤ b)`` × time slices. Block pairs split the pair list
  exactly (:mod:`skywarden.scale.partition`), but every off-diagonal task propagates and
  hash-sweeps both of its blocks, so ``nb`` blocks cost about ``nb ×`` the propagation and sweep
  of one whole run; time slices of the grid cost nothing extra (each grid interval belongs to
  one slice). So the default is ONE block up to 32,768 objects and ``2 × workers`` time slices;
  blocks bound the memory of a task for bigger catalogs. A task holds the SGP4 records of its
  ≤ 2 blocks and a state chunk of at most 192 MiB (the library's budget), plus its candidates.
* :func:`hazard` — blocks of candidate termination times (default ``4 × workers``: a candidate
  whose pass/fail decision is undecided doubles its samples, so candidates cost unevenly and
  more blocks than workers even the load out). A task holds the scattered track and wind field
  plus its candidates' dispersions (``samples × pieces`` impact points each, ≤ ``max_samples``).
  Candidate ``i`` seeds its own random streams, so the plan equals the in-process plan.
* :func:`predict` / :func:`backtrack` — member blocks (default ``2 × workers``). A task holds
  the scattered wind field plus its members' tracks, ``members × n_rec × 24`` bytes. Every member
  draws from its own random stream seeded by its index in the whole ensemble, so pieces equal
  the rows of the whole run.

Results and order: pieces are merged so the output equals the in-process output exactly —
access windows through the library's own sort (start, site, object in catalog order), events by
``(tca, primary, secondary)`` (the library's sort key; ties cannot occur between distinct
events), ensemble members in member order.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..errors import DataQualityWarning, NotFoundError, OptionError
from .cluster import n_workers, run_tasks, scatter
from .partition import block_pairs, blocks, even_blocks, n_slices, weighted_blocks
from .tasks import (
    access_task,
    backtrack_task,
    hazard_task,
    predict_task,
    propagate_task,
    screen_task,
    whole_task,
)

__all__ = [
    "JOB_KINDS",
    "access_windows",
    "backtrack",
    "hazard",
    "iter_propagate",
    "predict",
    "propagate",
    "run_job",
    "screen",
]

Progress = Callable[[int, int], None]

DEFAULT_PROPAGATE_BLOCK = 1024
DEFAULT_SCREEN_BLOCK = 32_768
DEFAULT_SITES_PER_TASK = 2_000


def _elements(catalog: Any) -> list[Any]:
    return list(getattr(catalog, "elements", catalog))


def propagate(
    catalog: Any,
    times: Any,
    frame: str = "teme",
    *,
    velocities: bool = False,
    backend: str = "auto",
    dut1_s: float = 0.0,
    client: Any = None,
    block_objects: int = DEFAULT_PROPAGATE_BLOCK,
    progress: Progress | None = None,
) -> Any:
    """Whole-catalog :func:`skywarden.propagate` by object blocks (arguments as there)."""
    from ..space.orbit.propagate import Ephemeris, times_of
    from ..space.orbit.propagate import propagate as local_propagate

    if client is None:
        return local_propagate(
            catalog, times, frame, velocities=velocities, backend=backend, dut1_s=dut1_s, progress=progress
        )
    from ..space.orbit.frames import FRAMES

    if frame not in FRAMES:
        raise OptionError("frame", frame, FRAMES)
    elements = _elements(catalog)
    t64 = times_of(times)
    ranges = blocks(len(elements), block_objects)
    shared = scatter(client, elements)
    results = run_tasks(
        client, propagate_task, [(shared, o0, o1, t64, frame, velocities, backend, dut1_s) for o0, o1 in ranges],
        progress=progress, label="propagate",
    )  # fmt: skip
    n_t = t64.size
    pos = np.concatenate([r[0] for r in results]) if results else np.empty((0, n_t, 3))
    vel = (
        (np.concatenate([r[1] for r in results]) if results else np.empty((0, n_t, 3)))
        if velocities
        else None
    )
    err = np.concatenate([r[2] for r in results]) if results else np.zeros((0, n_t), np.uint8)
    bad = err != 0
    if bad.any():
        warnings.warn(
            f"SGP4 failed for {int(bad.any(axis=1).sum())} of {len(elements)} objects at some times "
            f"({int(bad.sum())} object-steps); those positions are NaN and Ephemeris.errors holds the codes",
            DataQualityWarning,
            stacklevel=2,
        )
    backend_name = _backend_name(backend)
    return Ephemeris(
        positions=pos, velocities=vel, errors=err, times=t64,
        norad_ids=np.array([el.norad_id for el in elements], dtype=np.int64), frame=frame, backend=backend_name,
    )  # fmt: skip


def iter_propagate(
    catalog: Any,
    times: Any,
    frame: str = "teme",
    *,
    velocities: bool = False,
    backend: str = "auto",
    dut1_s: float = 0.0,
    client: Any = None,
    block_objects: int = DEFAULT_PROPAGATE_BLOCK,
    progress: Progress | None = None,
) -> Iterator[Any]:
    """:func:`skywarden.iter_propagate` on the cluster: yields one ``Ephemeris`` per object block,
    in catalog order, as soon as it (and the blocks before it) are done; at most
    ``2 × workers`` blocks are in flight, so the client holds O(workers × block) memory however
    big the catalog (the CLI streams them to Parquet/CSV)."""
    from ..space.orbit.propagate import Ephemeris, times_of
    from ..space.orbit.propagate import iter_propagate as local_iter

    if client is None:
        yield from local_iter(
            catalog, times, frame, velocities=velocities, backend=backend, dut1_s=dut1_s, progress=progress
        )
        return
    from ..space.orbit.frames import FRAMES

    if frame not in FRAMES:
        raise OptionError("frame", frame, FRAMES)
    elements = _elements(catalog)
    t64 = times_of(times)
    ids = np.array([el.norad_id for el in elements], dtype=np.int64)
    ranges = blocks(len(elements), block_objects)
    shared = scatter(client, elements)
    window = 2 * n_workers(client)
    total, done = len(elements) * t64.size, 0
    name = _backend_name(backend)
    for w0 in range(0, len(ranges), window):
        part = ranges[w0 : w0 + window]
        results = run_tasks(
            client, propagate_task, [(shared, o0, o1, t64, frame, velocities, backend, dut1_s) for o0, o1 in part],
            label="propagate",
        )  # fmt: skip
        for (o0, o1), (pos, vel, err) in zip(part, results, strict=True):
            done += (o1 - o0) * t64.size
            if progress is not None:
                progress(done, total)
            yield Ephemeris(
                positions=pos, velocities=vel, errors=err, times=t64, norad_ids=ids[o0:o1], frame=frame,
                backend=name, object_start=o0,
            )  # fmt: skip


def _backend_name(backend: str) -> str:
    if backend != "auto":
        return backend
    from ..space.orbit.backends import get_backend

    return str(get_backend("auto").name)


def access_windows(
    catalog: Any,
    sites: Any,
    start: Any,
    duration: Any = "24h",
    *,
    client: Any = None,
    as_frame: bool = False,
    object_blocks: int | None = None,
    sites_per_task: int = DEFAULT_SITES_PER_TASK,
    progress: Progress | None = None,
    **options: Any,
) -> Any:
    """:func:`skywarden.access_windows` by object blocks × site runs; ``options`` as there
    (``sensors``, ``kind``, ``max_gsd_m``, ``min_elevation_deg``, ``norad_ids``, ``countries``,
    ``operators``, ``metadata``, ``force``, ``backend``, ``dut1_s``)."""
    from ..sites import Site
    from ..space.overflight.access import WindowMerge, access_window_parts, windows_from_parts

    site_list = [sites] if isinstance(sites, Site) else list(sites)
    if client is None:
        piece = access_window_parts(catalog, site_list, start, duration, progress=progress, **options)
        return windows_from_parts([piece], site_list, as_frame=as_frame)
    # Validate on the client first (bad input fails here, not once per task).
    from ..space.overflight.access import check_request

    check_request(start, duration, bool(options.get("force", False)))
    elements = _elements(catalog)
    # Blocks of equal cost: the same number of objects the request screens in each (the others
    # are dropped by every task at once), so a catalog whose imaging satellites bunch up in
    # NORAD order still gives even tasks.
    from ..space.overflight.access import target_mask

    cost = target_mask(elements, **options)
    obj_ranges = weighted_blocks(cost.tolist(), object_blocks or 4 * n_workers(client)) or [(0, 0)]
    site_ranges = blocks(len(site_list), sites_per_task) if site_list else [(0, 0)]
    opts = {**options, "start": start, "duration": duration}
    shared_el, shared_sites = scatter(client, elements), scatter(client, site_list)
    calls = [
        (shared_el, shared_sites, b, o0, o1, s0, s1, opts)
        for b, (o0, o1) in enumerate(obj_ranges)
        for s0, s1 in site_ranges
    ]
    # Each piece becomes records on the client as soon as it arrives, while the workers compute
    # the others; the end is one sort of three keys.
    merge = WindowMerge(site_list, as_frame=as_frame)
    run_tasks(
        client,
        access_task,
        calls,
        progress=progress,
        label="overflight",
        on_result=lambda _k, p: merge.add(p),
    )
    return merge.result()


def screen(
    catalog: Any,
    start: Any,
    duration: Any = "24h",
    threshold_km: float = 5.0,
    *,
    client: Any = None,
    block_objects: int = DEFAULT_SCREEN_BLOCK,
    time_slices: int | None = None,
    progress: Progress | None = None,
    targets: Any = None,
    step_s: float = 60.0,
    backend: str = "auto",
    hbr_m: float | None = None,
    include_colocated: bool = False,
) -> list[Any]:
    """All-vs-all (or targets-vs-all) :func:`skywarden.screen` by block pairs × time slices."""
    from ..space.safety.conjunction import DEFAULT_SCREEN_HBR_M, check_screen
    from ..space.safety.conjunction import screen as local_screen

    hbr = DEFAULT_SCREEN_HBR_M if hbr_m is None else hbr_m
    if client is None:
        return local_screen(
            catalog, start, duration, threshold_km, targets=targets, step_s=step_s, backend=backend, hbr_m=hbr,
            progress=progress, include_colocated=include_colocated,
        )  # fmt: skip
    elements = _elements(catalog)
    _, span_s = check_screen(start, duration, threshold_km, step_s)
    wanted = None
    if targets is not None:
        wanted = [int(t) for t in targets] or None
        if wanted:
            have = {el.norad_id for el in elements}
            missing = [t for t in wanted if t not in have]
            if missing:
                raise NotFoundError(
                    f"target NORAD id(s) {missing} are not in the catalog ({len(elements)} objects)"
                )
    if len(elements) < 2:
        return []
    n_steps = max(math.ceil(span_s / step_s), 1)
    obj_ranges = blocks(len(elements), block_objects)
    pairs = block_pairs(len(obj_ranges))
    wanted_slices = time_slices or n_slices(n_steps, max(1, 2 * n_workers(client) // len(pairs)))
    slices = _aligned_slices(n_steps, wanted_slices, len(elements) if len(obj_ranges) == 1 else 0)
    opts = {
        "start": start, "duration": duration, "threshold_km": threshold_km, "targets": wanted, "step_s": step_s,
        "backend": backend, "hbr_m": hbr, "include_colocated": include_colocated,
    }  # fmt: skip
    shared = scatter(client, elements)
    calls = [
        (shared, obj_ranges[a], None if a == b else obj_ranges[b], steps, opts)
        for a, b in pairs
        for steps in slices
    ]
    results = run_tasks(client, screen_task, calls, progress=progress, label="screen")
    events = [e for evs, _ in results for e in evs]
    events.sort(key=lambda e: (e.tca, e.primary, e.secondary))
    failed: set[int] = set()
    for _, ids in results:
        failed.update(int(i) for i in ids)
    if failed:
        warnings.warn(
            f"{len(failed)} of {len(elements)} objects could not be propagated at some or all grid times (SGP4 "
            "error: decayed or invalid elements); those times were left out of the screen",
            DataQualityWarning,
            stacklevel=2,
        )
    return events


def _aligned_slices(n_steps: int, parts: int, n_objects: int) -> list[tuple[int, int]]:
    """Time slices of the grid. With one object block (``n_objects`` > 0) the slice edges fall on
    the library's own state-chunk edges for that many objects: astroz propagates a chunk of grid
    times as one SIMD batch, so equal chunks give bit-identical states (and events) in-process
    and on the cluster. (Fewer slices than asked when the grid has fewer chunks.)"""
    if n_objects <= 0:
        return even_blocks(n_steps, parts)
    from ..space import screen_chunk_steps  # the screen's own chunk rule

    chunk = screen_chunk_steps(n_objects)
    units = math.ceil(n_steps / chunk)
    return [(a * chunk, min(b * chunk, n_steps)) for a, b in even_blocks(units, parts)]


def _n_members(winds: Any, ensemble: Any) -> int:
    """Members of a run, by the rule of :func:`skywarden.predict` / :func:`skywarden.backtrack`."""
    from ..flight.predict import EnsembleSettings

    settings = (
        EnsembleSettings(members=ensemble) if isinstance(ensemble, int) else (ensemble or EnsembleSettings())
    )
    return int(winds.n_members if (settings.members == 1 and winds.n_members > 1) else settings.members)


def predict(
    winds: Any,
    *,
    client: Any = None,
    member_blocks: int | None = None,
    progress: Progress | None = None,
    **params: Any,
) -> Any:
    """An ensemble :func:`skywarden.predict` by member blocks (``params`` as there)."""
    from ..flight.predict import concat_predictions
    from ..flight.predict import predict as local_predict

    n = _n_members(winds, params.get("ensemble"))
    if client is None or n < 2:
        return local_predict(winds, progress=progress, **params)
    ranges = even_blocks(n, member_blocks or 2 * n_workers(client))
    shared = scatter(client, winds)
    pieces = run_tasks(client, predict_task, [(shared, m0, m1, params) for m0, m1 in ranges], progress=progress,
                       label="predict")  # fmt: skip
    return concat_predictions(pieces)


def backtrack(
    winds: Any,
    *,
    client: Any = None,
    member_blocks: int | None = None,
    progress: Progress | None = None,
    **params: Any,
) -> Any:
    """:func:`skywarden.backtrack` by blocks of (candidate × member) runs (``params`` as there)."""
    from ..flight.backtrack import backtrack as local_backtrack
    from ..flight.backtrack import concat_backtracks

    n_mem = _n_members(winds, params.get("ensemble"))
    hours = float(params["hours"])
    candidate_step_s = float(params.get("candidate_step_s", 1800.0))
    ascent_s = (float(params["alt_m"]) - float(params.get("ground_alt_m", 0.0))) / float(
        params.get("ascent_rate_m_s", 5.0)
    )
    n_rows = (math.floor((hours * 3600.0 - ascent_s) / candidate_step_s) + 1) * n_mem
    if client is None or n_rows < 2:
        result = local_backtrack(winds, **params)
        if progress is not None:
            progress(1, 1)
        return result
    ranges = even_blocks(n_rows, member_blocks or 2 * n_workers(client))
    shared = scatter(client, winds)
    pieces = run_tasks(client, backtrack_task, [(shared, m0, m1, params) for m0, m1 in ranges], progress=progress,
                       label="backtrack")  # fmt: skip
    return concat_backtracks(pieces)


#: Arguments of :func:`skywarden.termination_windows` that only the plan (not the sweep) uses.
_PLAN_ONLY = ("coast_range_km",)


def hazard(
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    payload: Any,
    *,
    client: Any = None,
    candidate_blocks: int | None = None,
    progress: Progress | None = None,
    **params: Any,
) -> Any:
    """:func:`skywarden.termination_windows` with its Monte Carlo sweep by blocks of candidate
    times (``params`` as there); the windows and recommendation are then made on the client."""
    from ..hazard.termination import candidate_times, termination_windows

    track = {"times": times, "lat_deg": lat_deg, "lon_deg": lon_deg, "alt_m": alt_m, "payload": payload}
    if client is None:
        return termination_windows(**track, progress=progress, **params)
    n_cand = candidate_times(times, params.get("step", "10min")).size  # bad input fails here, once
    ranges = even_blocks(n_cand, candidate_blocks or 4 * n_workers(client))
    sweep = {k: v for k, v in params.items() if k not in _PLAN_ONLY}
    shared = scatter(client, {**track, **sweep})
    pieces = run_tasks(client, hazard_task, [(shared, i0, i1) for i0, i1 in ranges], progress=progress,
                       label="hazard")  # fmt: skip
    return termination_windows(**track, swept=[x for piece in pieces for x in piece], **params)


JOB_KINDS = ("propagate", "overflight", "quiet", "conjunctions", "predict", "backtrack", "hazard", "reach")


def run_whole(
    fn: Callable[..., Any], params: dict[str, Any], client: Any = None, progress: Progress | None = None
) -> Any:
    """``fn(**params)`` in-process (``client=None``, with ``progress`` passed through) or as ONE task
    on a worker (``progress`` then sees 0/1 and 1/1): for jobs with no partitioned form yet."""
    if client is None:
        return fn(progress=progress, **params) if progress is not None else fn(**params)
    return run_tasks(
        client, whole_task, [(fn, (), params)], progress=progress, label=getattr(fn, "__name__", "job")
    )[0]


def run_job(kind: str, params: dict[str, Any], client: Any = None, progress: Progress | None = None) -> Any:
    """Run one job of ``kind`` (:data:`JOB_KINDS`) with keyword ``params``; the service's entry point.

    ``client``: a ``distributed.Client`` (or None: in-process). ``progress(done, total)`` counts
    finished tasks. Kinds and their params:

    * ``propagate``: as :func:`propagate`; returns an ``Ephemeris``.
    * ``overflight``: as :func:`access_windows`; returns the windows.
    * ``quiet``: as :func:`access_windows` plus ``threats``, ``min_duration`` (and ``end``,
      default ``start + duration``); returns ``(windows, quiet_windows)``.
    * ``conjunctions``: as :func:`screen`; returns the events.
    * ``predict`` / ``backtrack``: as :func:`predict` / :func:`backtrack` (``winds`` + params).
    * ``hazard``: :func:`skywarden.termination_windows` params, as :func:`hazard`.
    * ``reach``: :func:`skywarden.reachable_region` params — ONE task on a worker (its search
      prunes all wind members on one shared grid step by step, so it has no independent pieces),
      so the caller's process stays free.
    """
    p = dict(params)
    if kind == "propagate":
        return propagate(client=client, progress=progress, **p)
    if kind == "overflight":
        return access_windows(client=client, progress=progress, **p)
    if kind == "quiet":
        from ..space.overflight.access import Threat, quiet_windows
        from ..timeutil import parse_duration, parse_time

        threats = p.pop("threats", (Threat(),))
        min_duration = p.pop("min_duration", 0)
        end = p.pop("end", None)
        windows = access_windows(client=client, progress=progress, **p)
        t0 = parse_time(p["start"])
        t1 = parse_time(end) if end is not None else t0 + parse_duration(p.get("duration", "24h"))
        sites = p["sites"]
        return windows, quiet_windows(windows, sites, t0, t1, threats, min_duration=min_duration)
    if kind == "conjunctions":
        return screen(client=client, progress=progress, **p)
    if kind == "predict":
        return predict(client=client, progress=progress, **p)
    if kind == "backtrack":
        return backtrack(client=client, progress=progress, **p)
    if kind == "hazard":
        return hazard(client=client, progress=progress, **p)
    if kind == "reach":
        from ..flight.reach import reachable_region

        return run_whole(reachable_region, p, client, progress)
    raise OptionError("kind", kind, JOB_KINDS)
