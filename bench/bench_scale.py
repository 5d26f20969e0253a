"""Scaling benchmark for skywarden.scale: the same job in-process, on 1 and on 2 Dask workers.

Run: ``.venv/bin/python bench/bench_scale.py [--screen-objects N] [--hours H] [--sites N]
[--skip-screen] [--skip-overflight]``

Cases (issue 17):

1. all-vs-all conjunction screen, full 2023 catalog (26,140 objects), 24 h, 5 km
   (``--screen-objects`` / ``--hours`` reduce it);
2. overflight windows, the active catalog's imaging satellites (sensor geometry, the shipped
   table) × 1,000 sites (Fibonacci lattice) × 24 h, as ``AccessWindow`` records (what the CLI
   writes);
3. the same overflight returned as a DataFrame (``as_frame=True``: no Python records).

Each case runs in-process (``client=None``: the library itself, which already runs its numba
kernels and astroz's SGP4/screening on threads over both cores), then on ``dask_client("local")``
clusters of one and of two single-threaded worker processes, each pinned to its own core.
Every configuration runs the job twice: the first run meets fresh processes, the second is the
steady state of a long-lived cluster. Cluster start-up is not timed; a small warm-up job runs
first on every worker (imports, numba cache); the catalog scatter IS inside the timed run. Results are checked
equal to the in-process run (same events by (tca, primary, secondary); same windows by (object,
site, start, end)). Printed: wall times, the scaling 1 → 2 workers (goal ≥ 1.7× on 2 cores) and
the ratio in-process/2 workers with the cores the in-process run used (CPU time / wall time).
The machine may be shared: say "under load" when recording.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import find_shared_data
from skywarden import scale
from skywarden.errors import DataQualityWarning
from skywarden.sites import Site
from skywarden.space.catalog import load_catalog

START = "2023-10-10T00:00:00Z"
START_ACTIVE = "2026-03-19T12:00:00Z"
GOAL_SPEEDUP = 1.7


def fibonacci_sites(n: int) -> list[Site]:
    """``n`` sites spread evenly over the globe (Fibonacci lattice), altitude 0."""
    k = np.arange(n) + 0.5
    lat = np.degrees(np.arcsin(1 - 2 * k / n))
    lon = (np.degrees(np.pi * (1 + 5**0.5) * k) + 180.0) % 360.0 - 180.0
    return [Site(f"site-{i:04d}", float(a), float(b)) for i, (a, b) in enumerate(zip(lat, lon, strict=True))]


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def _run_all(label: str, job: Any, key: Any, warm: Any, rows: Any = list) -> dict[str, float]:
    """``job(client)`` in-process, on 1 and on 2 workers, twice each; results compared with ``key``.

    The first run of a configuration meets fresh processes (a worker's heap grows, page by page,
    during its first large task); the second is the steady state of a long-lived cluster. Both
    are printed; the speed-ups are given for both."""
    times: dict[str, float] = {}
    cpu0 = time.process_time()
    ref, times["in-process"] = _timed(job, None)
    cpu_ratio = (time.process_time() - cpu0) / times["in-process"]
    _, times["in-process again"] = _timed(job, None)
    print(
        f"{label}: in-process {times['in-process']:.1f} s, again {times['in-process again']:.1f} s "
        f"({len(ref)} results; it uses {cpu_ratio:.2f} cores: numba and astroz threads)",
        flush=True,
    )
    b = [key(x) for x in rows(ref)]
    for workers in (1, 2):
        name = f"{workers} worker(s)"
        with scale.dask_client("local", n_workers=workers) as client:
            client.run(warm, None)  # every worker: imports, numba cache, astroz set-up
            warm(client)  # the scale path once (task code shipped, scheduler warm)
            for run in ("", " again"):
                got, times[name + run] = _timed(job, client)
                a = [key(x) for x in rows(got)]
                differ = sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))
                print(
                    f"{label}: {name}{run} {times[name + run]:.1f} s; {len(got)} results, "
                    f"{differ} differ from the in-process run",
                    flush=True,
                )
    for run, what in (("", "first run"), (" again", "second run")):
        s12 = times["1 worker(s)" + run] / times["2 worker(s)" + run]
        s2 = times["in-process" + run] / times["2 worker(s)" + run]
        verdict = "✔" if s12 >= GOAL_SPEEDUP else "✘"
        print(
            f"{label}, {what}: speed-up 1 → 2 workers {s12:.2f}× (goal ≥ {GOAL_SPEEDUP}× on 2 cores) "
            f"{verdict}; in-process/2 workers {s2:.2f}×",
            flush=True,
        )
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--screen-objects", type=int, default=0, help="First N objects of the full catalog (0: all)."
    )
    ap.add_argument("--hours", type=float, default=24.0, help="Window length, hours.")
    ap.add_argument("--sites", type=int, default=1000, help="Sites for the overflight case.")
    ap.add_argument("--skip-screen", action="store_true")
    ap.add_argument("--skip-overflight", action="store_true")
    ap.add_argument(
        "--skip-frame", action="store_true", help="Skip the overflight case returning a DataFrame (as_frame)."
    )
    args = ap.parse_args()
    data = find_shared_data()
    if data is None:
        raise SystemExit("shared/data not found (set SKYWARDEN_SHARED_DATA)")
    warnings.simplefilter("ignore", DataQualityWarning)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    duration = f"{args.hours:g}h"
    if not args.skip_screen:
        cat = load_catalog(data / "catalogs" / "spacetrack-full-3le-2023-10.txt")
        els = list(cat.elements)
        if args.screen_objects:
            els = els[: args.screen_objects]
        _run_all(
            f"screen {len(els):,} objects × {duration}, 5 km",
            lambda client: scale.screen(els, START, duration, 5.0, client=client),
            lambda e: (e.tca, e.primary, e.secondary),
            lambda client: scale.screen(els[:50], START, "1h", 5.0, client=client),
        )
    if not args.skip_overflight:
        active = load_catalog(data / "catalogs" / "celestrak-active-2026-03-19.tle")
        sites = fibonacci_sites(args.sites)
        _run_all(
            f"overflight active catalog (imaging, sensor geometry) × {len(sites):,} sites × {duration}",
            lambda client: scale.access_windows(active, sites, START_ACTIVE, duration, client=client),
            lambda w: (w.norad_id, w.site, w.start, w.end),
            lambda client: scale.access_windows(active, sites[:2], START_ACTIVE, "1h", client=client),
        )
    if not args.skip_frame:
        active = load_catalog(data / "catalogs" / "celestrak-active-2026-03-19.tle")
        sites = fibonacci_sites(args.sites)
        _run_all(
            f"overflight as a DataFrame (as_frame=True), same request × {len(sites):,} sites × {duration}",
            lambda client: scale.access_windows(
                active, sites, START_ACTIVE, duration, client=client, as_frame=True
            ),
            lambda w: w,
            lambda client: scale.access_windows(
                active, sites[:2], START_ACTIVE, "1h", client=client, as_frame=True
            ),
            rows=lambda f: list(zip(f["norad_id"], f["site"], f["start"], f["end"], strict=True)),
        )


if __name__ == "__main__":
    main()
