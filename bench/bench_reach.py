"""Benchmark for reachable regions of an altitude-controlled balloon (issue 9).

Run: ``.venv/bin/python bench/bench_reach.py``. Goal: reachable region for 72 h, 10 altitude
levels, on a global 1° field ≤ 10 s.

Fields (``winds/`` in the shared data, see its README):

* GFS 1° global 2022-03-15 12Z (``gfs_1deg_global_2022031512_f000.grib2``): the issue's 1°
  field, but its top level is 100 hPa (≈ 16 km) and it has no geopotential height, so the band
  is 10–16 km (US 1976 level heights);
* GFS 2.5° global 2011-01-15 12Z (``gfs_2p5deg_global_2011011012_f120.grib2``): 10–1000 hPa
  with heights, so the stratospheric band of the issue, 15–21 km.

Peers measured in the same run:

* the passive prediction of the flight issue (``skywarden.flight.predict``) for the same 10
  levels over 72 h (10 members, 60 s RK4 step) — the cost of the one schedule per level that
  every prediction already pays;
* brute force over schedules (every stay / one-level move per step, no pruning) for the first
  few steps, extrapolated by its measured growth to 72 h: the search the issue says not to do.

Everything is warmed up first (numba compile). The machine is shared by 8 engineers (2 cores),
so absolute times are pessimistic; the ratios are the meaningful part.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import find_shared_data
from skywarden.flight import reach_grid
from skywarden.flight.predict import predict, run_profile
from skywarden.flight.reach import SteeringLimits, auto_step_s, reachable_region
from skywarden.flight.reach_grid import integrate_step
from skywarden.flight.stages import FlightProfile, Float
from skywarden.weather.winds import load_winds

HOURS = 72.0
START = (40.0, -100.0)  # central U.S.


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def brute_force_seconds(field, lim: SteeringLimits, alt0: float, n_steps: int) -> tuple[float, list[int]]:  # type: ignore[no-untyped-def]
    """Time to enumerate every schedule for ``n_steps`` steps; returns (s, leaves per step)."""
    levels = lim.levels_m()
    step = auto_step_s(levels, lim)
    fa = field.kernel_args()
    lat, lon = np.array([START[0]]), np.array([START[1]])
    alt = np.array([levels[np.argmin(np.abs(levels - alt0))]])
    sizes = []
    t0 = time.perf_counter()
    for _ in range(n_steps):
        idx = np.searchsorted(levels, alt)
        src, tgt = [], []
        for d in (-1, 0, 1):
            j = idx + d
            ok = (j >= 0) & (j < levels.size)
            src.append(np.flatnonzero(ok))
            tgt.append(levels[j[ok]])
        s, t = np.concatenate(src), np.concatenate(tgt)
        nla, nlo, ok = integrate_step(fa, np.zeros(s.size, np.int64), 0.0, lat[s], lon[s], alt[s], t, step)
        lat, lon, alt = nla[ok], nlo[ok], t[ok]
        sizes.append(int(lat.size))
    return time.perf_counter() - t0, sizes


def case(name: str, path: Path, band: tuple[float, float], alt0: float) -> None:
    field = load_winds(path)
    lim = SteeringLimits(band[0], band[1], n_levels=10)
    levels = lim.levels_m()
    step = auto_step_s(levels, lim)
    # warm-up (compile / cache load)
    reachable_region(
        field, lat_deg=START[0], lon_deg=START[1], alt_m=alt0, time=field.times[0], hours=1, limits=lim
    )
    predict(field, lat_deg=START[0], lon_deg=START[1], alt_m=alt0, time=field.times[0],
            profile=FlightProfile((Float(),)), hours=1, error_estimate=False)  # fmt: skip
    print(f"\n== {name}: {field.lat_deg.size}×{field.lon_deg.size} grid, band {band[0]:g}–{band[1]:g} m, "
          f"10 levels, step {step:.0f} s, {HOURS:g} h ==")  # fmt: skip
    for res_km in (50.0, 25.0):
        dt, r = timed(lambda res_km=res_km: reachable_region(
            field, lat_deg=START[0], lon_deg=START[1], alt_m=alt0, time=field.times[0], hours=HOURS, limits=lim,
            resolution_km=res_km))  # fmt: skip
        dp, geom = timed(lambda r=r: r.polygons())
        print(f"reach {res_km:>4g} km bins: search {dt:6.2f} s + polygons {dp:5.2f} s = {dt + dp:6.2f} s; "
              f"{r.cloud.n_states:,} states kept, region {r.area_km2():,.0f} km², {len(getattr(geom, 'geoms', [geom]))} polygon(s)")  # fmt: skip
        if res_km == 25.0:
            search_25 = dt + dp
        else:
            search_50 = dt + dp
    # ablation: the same 50 km search without the steady-wind visited-bin pruning
    reach_grid.VISITED_PRUNING = False
    try:
        dt, r = timed(lambda: reachable_region(
            field, lat_deg=START[0], lon_deg=START[1], alt_m=alt0, time=field.times[0], hours=HOURS, limits=lim,
            resolution_km=50.0))  # fmt: skip
    finally:
        reach_grid.VISITED_PRUNING = True
    print(f"ablation, 50 km bins without visited-bin pruning: search {dt:6.2f} s; {r.cloud.n_states:,} states, "
          f"region {r.area_km2():,.0f} km²")  # fmt: skip
    # peer 1: the passive 10-level prediction over 72 h (flight issue)
    n = levels.size
    prof = FlightProfile((Float(),))
    dp, _ = timed(lambda: run_profile(
        field, prof, t0_s=0.0, lat_deg=np.full(n, START[0]), lon_deg=np.full(n, START[1]), alt_m=levels.copy(),
        ground_alt_m=0.0, duration_s=HOURS * 3600, step_s=60.0, output_step_s=600.0, outside="stop",
        stage_params=[np.column_stack([levels, np.zeros(n), np.full(n, 86400.0), np.zeros(n), np.full(n, np.inf),
                                       np.zeros(n), np.zeros(n), np.zeros(n)])]))  # fmt: skip
    print(
        f"peer, passive 10-level prediction 72 h (flight.predict kernel, 60 s RK4): {dp:.3f} s → "
        f"reach (50 km, default) / passive = {search_50 / dp:.0f}×"
    )
    # peer 2: brute force over schedules
    k = 9
    db, sizes = brute_force_seconds(field, lim, alt0, k)
    growth = sizes[-1] / sizes[-2]
    n_steps = int(np.ceil(HOURS * 3600 / step))
    leaves_72 = sizes[-1] * growth ** (n_steps - k)
    est = db / sum(sizes) * leaves_72 * growth / (growth - 1.0)
    print(f"peer, brute force over schedules: {k} steps {db:.2f} s for {sum(sizes):,} states (×{growth:.2f} per step); "
          f"72 h = {n_steps} steps → ~{leaves_72:.1e} schedules, ~{est:.1e} s at the same rate "
          f"→ reach is ~{est / search_25:.0e}× faster")  # fmt: skip


def main() -> None:
    data = find_shared_data() / "winds"
    print("skywarden reach benchmark (issue 9); 2-core x86_64 shared by 8 engineers")
    case(
        "GFS 1° global 2022-03-15 12Z",
        data / "gfs_1deg_global_2022031512_f000.grib2",
        (10_000.0, 16_000.0),
        13_000.0,
    )
    case("GFS 2.5° global 2011-01-15 12Z", data / "gfs_2p5deg_global_2011011012_f120.grib2", (15_000.0, 21_000.0),
         18_000.0)  # fmt: skip


if __name__ == "__main__":
    main()
