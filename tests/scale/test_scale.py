"""skywarden.scale on a real two-process Dask LocalCluster: results identical to in-process.

One cluster per module (two single-threaded worker processes). Catalog subsets of the real
catalogs in ``shared/data/catalogs``; each job is small (a few hundred objects, a few hours).
Reference numbers: the library's own in-process run of the same request (the scale layer must
reproduce it exactly). The worker-loss tests kill real worker processes and run last.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import skywarden as sw
from skywarden import scale
from skywarden.errors import NotFoundError, OptionError
from skywarden.scale.partition import block_pairs, blocks, even_blocks, weighted_blocks

START = "2026-03-19T12:00:00Z"


@pytest.fixture(scope="module")
def client():
    import dask
    from distributed import Client, LocalCluster

    # One re-run after a worker dies, then KilledWorker (the default is 3: slower to test).
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def active(shared_data: Path) -> list[sw.Elements]:
    cat = sw.load_catalog(shared_data / "catalogs" / "celestrak-active-2026-03-19.tle")
    return list(cat.elements)


def _same(a: object, b: object) -> bool:
    """Equality with NaN == NaN (window records carry NaN GSDs)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return a == b


def _same_records(xs: list[dict], ys: list[dict]) -> bool:
    return len(xs) == len(ys) and all(
        x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x) for x, y in zip(xs, ys, strict=True)
    )


# --- partitioning -----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "size"), [(1, 1), (2, 1), (7, 3), (10, 10), (23, 4), (64, 8)])
def test_block_pairs_screen_every_pair_exactly_once(n: int, size: int) -> None:
    ranges = blocks(n, size)
    seen: dict[tuple[int, int], int] = {}
    for a, b in block_pairs(len(ranges)):
        (a0, a1), (b0, b1) = ranges[a], ranges[b]
        if a == b:  # diagonal: every pair inside the block
            pairs = [(i, j) for i in range(a0, a1) for j in range(i + 1, a1)]
        else:  # off-diagonal: one object in each block
            pairs = [(i, j) for i in range(a0, a1) for j in range(b0, b1)]
        for p in pairs:
            seen[p] = seen.get(p, 0) + 1
    assert set(seen) == {(i, j) for i in range(n) for j in range(i + 1, n)}
    assert set(seen.values()) <= {1}
    assert len(block_pairs(len(ranges))) == len(ranges) * (len(ranges) + 1) // 2


def test_blocks_cover_in_order() -> None:
    assert even_blocks(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert even_blocks(2, 5) == [(0, 1), (1, 2)]
    assert blocks(5, 2) == [(0, 2), (2, 4), (4, 5)]


@given(st.lists(st.floats(0, 10), min_size=1, max_size=60), st.integers(1, 12))
def test_weighted_blocks_cover_in_order_with_even_cost(weights: list[float], parts: int) -> None:
    ranges = weighted_blocks(weights, parts)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(weights)
    assert all(a < b for a, b in ranges) and all(b == c for (_, b), (c, _) in itertools.pairwise(ranges))
    assert len(ranges) <= parts
    total = sum(weights)
    if total > 0:  # no block heavier than its share plus one object
        assert max(sum(weights[a:b]) for a, b in ranges) <= total / len(ranges) + max(weights) + 1e-9


def test_window_merge_takes_pieces_in_any_order(active) -> None:
    """Pieces (object blocks × site runs) folded in as they arrive, in any order, give the windows
    of the whole call: same records, same order (the client merges while workers compute)."""
    from skywarden.space.overflight.access import WindowMerge, access_window_parts, target_mask

    # The first 200 objects and, in a block of their own at the end, the imaging satellites among
    # them again, in reverse order, under another name: a copy's windows tie with its original's
    # on start and site, and only the object's place in the whole catalog (not in its block: the
    # last copy is its block's first) puts the original first.
    els = active[:200]
    imaging = [e for e, t in zip(els, target_mask(els), strict=True) if t]
    els += [dataclasses.replace(e, name=f"{e.name} (copy)") for e in imaging[::-1]]
    sites = [sw.parse_site(f"{lat},{lon}") for lat in (-50, -10, 30, 60) for lon in (-120, -30, 60, 150)]
    for gsd in (None, 5.0):
        opts = {"start": START, "duration": "6h", "max_gsd_m": gsd, "backend": "sgp4"}
        ref = sw.access_windows(els, sites, START, "6h", max_gsd_m=gsd, backend="sgp4")
        pieces = [
            access_window_parts(els[o0:o1], sites[s0:s1], block=b, site_start=s0, **opts)
            for b, (o0, o1) in enumerate([(0, 120), (120, 200), (200, len(els))])
            for s0, s1 in [(0, 5), (5, 16)]
        ]
        assert len(ref) > 20 and sum(w.name.endswith("(copy)") for w in ref) > 5
        for order in (pieces[::-1], pieces[1::2] + pieces[::2]):
            merge = WindowMerge(sites)
            for piece in order:
                merge.add(piece)
            assert _same_records([w.to_dict() for w in merge.result()], [w.to_dict() for w in ref])
    frame = WindowMerge(sites, as_frame=True)
    for piece in pieces[::-1]:
        frame.add(piece)
    got = frame.result()
    assert list(got["norad_id"]) == [w.norad_id for w in ref] and list(got["start"]) == [w.start for w in ref]
    with pytest.raises(sw.InputError, match="added twice"):
        frame.add(pieces[0])


def test_no_dask_by_default_and_bad_spec() -> None:
    with scale.dask_client(None) as c:
        assert c is None
    with pytest.raises(OptionError, match="local"), scale.dask_client("my-cluster"):
        pass


# --- identical results --------------------------------------------------------------------------


def test_propagation_identical(client, active) -> None:
    els = active[:600]
    times = sw.time_grid(START, "3h", "60s")
    ref = sw.propagate(els, times, "itrs", velocities=True)
    got = scale.propagate(els, times, "itrs", velocities=True, client=client, block_objects=256)
    assert np.array_equal(got.positions, ref.positions, equal_nan=True)
    assert got.velocities is not None and ref.velocities is not None
    assert np.array_equal(got.velocities, ref.velocities, equal_nan=True)
    assert np.array_equal(got.errors, ref.errors)
    assert np.array_equal(got.norad_ids, ref.norad_ids)
    # python-sgp4 is per-object exact: any block size gives identical numbers.
    ref = sw.propagate(els[:150], times, "teme", backend="sgp4")
    got = scale.propagate(els[:150], times, "teme", backend="sgp4", client=client, block_objects=37)
    assert np.array_equal(got.positions, ref.positions, equal_nan=True)


def test_overflight_identical(client, active) -> None:
    els = active[:300]
    sites = [
        sw.parse_site(f"{lat},{lon}") for lat, lon in [(10, 20), (45, -100), (-30, 150), (60, 10), (0, 0)]
    ]
    # python-sgp4 propagates each object on its own: the merged windows are identical, field by field.
    ref = sw.access_windows(els, sites, START, "3h", min_elevation_deg=10.0, backend="sgp4")
    done: list[tuple[int, int]] = []
    got = scale.access_windows(
        els, sites, START, "3h", min_elevation_deg=10.0, backend="sgp4", client=client, object_blocks=3,
        sites_per_task=2, progress=lambda d, t: done.append((d, t)),
    )  # fmt: skip
    assert len(ref) > 150
    assert _same_records([w.to_dict() for w in got], [w.to_dict() for w in ref])
    assert done[-1] == (9, 9)  # 3 object blocks × 3 site runs, reported as they finished
    # astroz (the default) runs SIMD batches: an object's numbers depend on its batch neighbours at
    # round-off (1e-14 deg here), so an object block regrouped differently agrees to round-off.
    ref = sw.access_windows(els, sites, START, "3h", min_elevation_deg=10.0)
    got = scale.access_windows(
        els, sites, START, "3h", min_elevation_deg=10.0, client=client, object_blocks=3
    )
    assert [(w.norad_id, w.site, w.start, w.end) for w in got] == [
        (w.norad_id, w.site, w.start, w.end) for w in ref
    ]
    for a, b in zip(got, ref, strict=True):
        assert a.max_elevation_deg == pytest.approx(b.max_elevation_deg, rel=1e-12, abs=1e-12)
        assert a.slant_range_km == pytest.approx(b.slant_range_km, rel=1e-12)


def test_screening_identical(client, active) -> None:
    els = active[:400]
    # 3 blocks → 6 block pairs × 3 time slices = 18 tasks; events merged in the library's order
    # (tca, primary, secondary). python-sgp4: per-object exact, so every number is identical.
    ref = sw.screen(els, START, "6h", 50.0, backend="sgp4")
    got = scale.screen(
        els, START, "6h", 50.0, backend="sgp4", client=client, block_objects=150, time_slices=3
    )
    assert len(ref) >= 10
    key = ("tca", "primary", "secondary", "miss_distance_m", "relative_speed_m_s")
    assert [tuple(e.to_dict()[k] for k in key) for e in got] == [
        tuple(e.to_dict()[k] for k in key) for e in ref
    ]
    for a, b in zip(got, ref, strict=True):
        assert np.array_equal(a.r1_m, b.r1_m) and np.array_equal(a.v2_m_s, b.v2_m_s)
        # RTN components and Pc come from numpy's vectorised kernels run over all events of a task
        # at once; their SIMD paths depend on the batch length, so they agree to round-off.
        assert a.miss_rtn_m == pytest.approx(b.miss_rtn_m, rel=1e-12, abs=1e-9)
        assert a.pc == pytest.approx(b.pc, rel=1e-9, abs=1e-300)
    # astroz (default) grid states depend on their SIMD batch at round-off; the Newton start on the
    # grid moves with them, so TCAs agree within the library's TCA tolerance (1 ms) and miss
    # distances within 1 mm (slowest pair here: TerraSAR-X/TanDEM-X at 0.4 m/s).
    ref = sw.screen(els, START, "6h", 50.0)
    got = scale.screen(els, START, "6h", 50.0, client=client, block_objects=150, time_slices=3)
    assert [(e.primary, e.secondary) for e in got] == [(e.primary, e.secondary) for e in ref]
    for a, b in zip(got, ref, strict=True):
        assert abs((a.tca - b.tca).total_seconds()) <= 1e-3
        assert a.miss_distance_m == pytest.approx(b.miss_distance_m, abs=1e-3)
    with pytest.raises(NotFoundError):
        scale.screen(els, START, "1h", 5.0, client=client, targets=[1])


def test_ensemble_identical(client, shared_data: Path) -> None:
    winds = sw.load_winds(shared_data / "winds" / "gfs_1deg_namerica_2010102612_pl.nc")
    params = {"lat_deg": 40.0, "lon_deg": -105.0, "time": "2010-10-26T12:00:00Z", "hours": 4.0,
              "ensemble": sw.EnsembleSettings(members=24, seed=7)}  # fmt: skip
    ref = sw.predict(winds, **params)
    got = scale.predict(winds, client=client, member_blocks=5, **params)
    for name in ("lat_deg", "lon_deg", "alt_m", "end_lat_deg", "end_lon_deg", "end_alt_m"):
        assert np.array_equal(getattr(got, name), getattr(ref, name), equal_nan=True), name
    assert np.array_equal(got.end_time, ref.end_time) and list(got.status) == list(ref.status)
    assert np.nanstd(ref.end_lat_deg) > 0  # members really differ (seeded per member)


def test_backtrack_identical(client, shared_data: Path) -> None:
    winds = sw.load_winds(shared_data / "winds" / "gfs_1deg_namerica_2010102612_pl.nc")
    params = {"lat_deg": 40.0, "lon_deg": -100.0, "alt_m": 18000.0, "time": "2010-10-26T15:00:00Z", "hours": 3.0,
              "ensemble": sw.EnsembleSettings(members=6, seed=3)}  # fmt: skip
    ref = sw.backtrack(winds, **params)
    got = scale.backtrack(winds, client=client, member_blocks=4, **params)
    assert ref.launch_lat_deg.size >= 6
    for name in ("launch_lat_deg", "launch_lon_deg", "launch_time", "float_hours"):
        assert np.array_equal(getattr(got, name), getattr(ref, name)), name
    assert np.array_equal(got.paths.lat_deg, ref.paths.lat_deg, equal_nan=True)


def test_hazard_sweep_identical(client, shared_data: Path) -> None:
    """The termination sweep by candidate blocks on the cluster: the same plan (every candidate,
    window and the recommendation) as in-process, with a real GFS wind field and the default
    population (rebuilt on each worker from its name)."""
    winds = sw.load_winds(shared_data / "winds" / "gfs_1deg_namerica_2010102612_pl.nc")
    t = np.datetime64("2010-10-26T11:00:00", "ns") + (np.arange(0, 3 * 3600 + 1, 300) * 1e9).astype(
        "timedelta64[ns]"
    )
    lat, lon, alt = np.full(t.size, 39.3), np.linspace(-75.3, -73.9, t.size), np.full(t.size, 30_000.0)
    params = {"population": "default", "wind": winds, "n": 32, "max_samples": 64, "coast_range_km": 60.0}
    ref = sw.termination_windows(t, lat, lon, alt, "radiosonde", **params)
    ticks: list[tuple[int, int]] = []
    got = scale.hazard(t, lat, lon, alt, "radiosonde", client=client, candidate_blocks=5,
                       progress=lambda d, n: ticks.append((d, n)), **params)  # fmt: skip
    assert len(ref.candidates) == 18
    assert json.dumps(got.as_dict(), default=str) == json.dumps(ref.as_dict(), default=str)
    assert ticks[-1] == (5, 5)
    assert len({c.ec for c in ref.candidates}) > 1  # candidates really differ (coast crossing)


def test_run_job_in_process_and_on_cluster(client, active) -> None:
    params = {
        "catalog": active[:400],
        "start": START,
        "duration": "2h",
        "threshold_km": 50.0,
        "backend": "sgp4",
    }
    ticks: list[tuple[int, int]] = []
    got = scale.run_job("conjunctions", params, client=client, progress=lambda d, t: ticks.append((d, t)))
    ref = scale.run_job("conjunctions", params)
    assert len(ref) >= 3
    assert [(e.tca, e.primary, e.secondary, e.miss_distance_m) for e in got] == [
        (e.tca, e.primary, e.secondary, e.miss_distance_m) for e in ref
    ]
    assert ticks[0][0] == 0 and ticks[-1][0] == ticks[-1][1] >= 1
    with pytest.raises(OptionError, match="conjunctions"):
        scale.run_job("nope", {})


def test_cli_dask_option_on_an_existing_scheduler(client, shared_data: Path, tmp_path: Path) -> None:
    """``--dask tcp://…`` (the module's scheduler) gives the same JSON as the in-process run."""
    from typer.testing import CliRunner

    from skywarden.cli import app

    cat = shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle"
    base = ["--catalog", str(cat), "--start", "2026-05-30T00:00:00Z", "--duration", "3h", "--json"]
    runner = CliRunner()
    for command, extra in (
        ("conjunctions", ["--threshold-km", "30"]),
        ("overflight", ["--site", "48.85,2.35"]),
    ):
        local = runner.invoke(app, [command, *base, *extra])
        remote = runner.invoke(app, [command, *base, *extra, "--dask", client.scheduler.address])
        assert local.exit_code == 0, local.output
        assert remote.exit_code == 0, remote.output
        got, ref = json.loads(remote.stdout), json.loads(local.stdout)
        assert len(ref) >= 1 and len(got) == len(ref)
        for a, b in zip(got, ref, strict=True):
            assert a.keys() == b.keys()
            # The astroz default regroups objects per task (see test_overflight_identical): text, ids,
            # TCAs and window edges exact; the time of best geometry within the library's golden-
            # section tolerance (windows.BEST_TOLERANCE_S = 0.1 s); numbers at or near an extremum
            # (elevation, range, Pc, RTN miss) to 1e-6 relative.
            for k in a:
                if k == "best":
                    assert abs((sw.parse_time(a[k]) - sw.parse_time(b[k])).total_seconds()) <= 0.1
                elif isinstance(a[k], float) and isinstance(b[k], float):
                    assert a[k] == pytest.approx(b[k], rel=1e-6, abs=1e-300), k
                else:
                    assert a[k] == b[k], k
    bad = runner.invoke(app, ["conjunctions", *base, "--dask", "my-cluster"])
    assert bad.exit_code != 0


# --- worker loss (runs last: kills real worker processes) ----------------------------------------


def test_worker_killed_mid_job_still_completes(client, active) -> None:
    els = active[:400]
    ref = sw.screen(els, START, "6h", 50.0, backend="sgp4")
    pids = client.run(os.getpid)  # {worker address: pid}
    killed: list[int] = []

    def progress(done: int, total: int) -> None:
        if done == 1 and not killed:  # the other worker is mid-task now: kill it
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            victim = pids[busy[0]] if busy else next(iter(pids.values()))
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    got = scale.screen(
        els,
        START,
        "6h",
        50.0,
        backend="sgp4",
        client=client,
        block_objects=150,
        time_slices=3,
        progress=progress,
    )
    assert killed
    assert [(e.tca, e.primary, e.secondary, e.miss_distance_m) for e in got] == [
        (e.tca, e.primary, e.secondary, e.miss_distance_m) for e in ref
    ]
    client.wait_for_workers(2, timeout=300)  # the nanny restarts the killed worker (slow under load)


def test_task_that_keeps_killing_its_worker_fails_clearly(client) -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(scale.ClusterError, match="lost a probe"):
        scale.run_tasks(client, die, [()], label="probe", retries=0)
