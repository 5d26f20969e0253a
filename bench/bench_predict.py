"""Benchmarks for winds + flight prediction (issue 6).

Run: ``.venv/bin/python bench/bench_predict.py``. Prints, for each measurement, our time and
the ratio to a named peer measured in the same run:

* wind-file load: ``load_winds`` vs xarray ``open_dataset(...).load()`` of the same file
  (the peer only reads; we also normalise and convert heights);
* one deterministic 72 h float prediction (goal ≤ 20 ms) vs the same RK4 loop run uncompiled
  (``integrate.py_func``; inner wind calls still compiled);
* a 1,000-member stochastic ensemble of 72 h (goal ≤ 3 s) vs a vectorised pure-numpy RK4 over
  the members (``WindField.interp`` numpy path), timed over 6 h and scaled ×12.

Compile time is kept out: everything is warmed up first. The machine is shared (2 cores, 5 other
engineers running tests), so absolute times are pessimistic.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import find_shared_data
from skywarden.flight import _kernel
from skywarden.flight.predict import EnsembleSettings, predict
from skywarden.flight.stages import FlightProfile, Float
from skywarden.geo import WGS84_A_M, WGS84_E2
from skywarden.weather.winds import load_winds

GRIB_KW = {
    "filter_by_keys": {"typeOfLevel": "isobaricInhPa", "shortName": ["u", "v", "gh", "t"]},
    "indexpath": "",
}


CPU: dict[str, float] = {}


def best_of(fn, repeat: int = 5, label: str = "") -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs; the CPU time of that run goes to ``CPU[label]``."""
    best, best_cpu = math.inf, math.inf
    for _ in range(repeat):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        wall = time.perf_counter() - t
        if wall < best:
            best, best_cpu = wall, time.process_time() - c
    CPU[label] = best_cpu
    return best


def numpy_rk4_float(
    field, lat0: float, lon0: float, alt: float, hours: float, n: int, step: float = 60.0
) -> float:  # type: ignore[no-untyped-def]
    """Peer: the same equations, vectorised over members in numpy, constant altitude."""
    lat = np.full(n, lat0)
    lon = np.full(n, lon0)
    t0 = field.times[0]

    def rhs(ts: float, la: np.ndarray, lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u, v = field.interp(t0 + np.timedelta64(int(ts * 1e9), "ns"), alt, la, lo, outside="clamp")
        s = np.sin(np.radians(la))
        d = 1 - WGS84_E2 * s * s
        nn = WGS84_A_M / np.sqrt(d)
        mm = WGS84_A_M * (1 - WGS84_E2) / (d * np.sqrt(d))
        return np.degrees(v / (mm + alt)), np.degrees(u / ((nn + alt) * np.cos(np.radians(la))))

    start = time.perf_counter()
    ts = 0.0
    for _ in range(int(hours * 3600 / step)):
        a1, b1 = rhs(ts, lat, lon)
        a2, b2 = rhs(ts + step / 2, lat + step / 2 * a1, lon + step / 2 * b1)
        a3, b3 = rhs(ts + step / 2, lat + step / 2 * a2, lon + step / 2 * b2)
        a4, b4 = rhs(ts + step, lat + step * a3, lon + step * b3)
        lat = lat + step / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
        lon = lon + step / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
        ts += step
    return time.perf_counter() - start


def main() -> None:
    import xarray as xr

    data = find_shared_data()
    if data is None:
        raise SystemExit("shared data not found (set SKYWARDEN_SHARED_DATA)")
    winds = data / "winds"
    print("== wind file load (best of 3) ==")
    for name in ("gfs_1deg_namerica_2010102612_pl.nc", "gfs_2p5deg_global_2011011012_f120.grib2",
                 "era5_mojave_0p25_may28-30_2016-2025_pl.nc", "gfs_1deg_global_2022031512_f000.grib2"):  # fmt: skip
        path = winds / name
        ours = best_of(lambda path=path: load_winds(path), 3)
        if path.suffix == ".grib2":
            peer = best_of(
                lambda path=path: xr.open_dataset(path, engine="cfgrib", backend_kwargs=GRIB_KW).load(), 3
            )
        else:
            peer = best_of(lambda path=path: xr.open_dataset(path).load(), 3)
        print(
            f"{name:48s} load_winds {ours * 1e3:8.1f} ms | xarray open+load {peer * 1e3:8.1f} ms | ratio {ours / peer:5.2f}"
        )

    field = load_winds(winds / "gfs_2p5deg_global_2011011012_f120.grib2")
    prof = FlightProfile((Float(),), name="float")
    kw = {"lat_deg": 40.0, "lon_deg": -105.0, "alt_m": 18_000.0, "time": field.times[0], "profile": prof}
    predict(field, hours=1, error_estimate=False, **kw)  # warm-up (compile or load cache)
    predict(field, hours=1, error_estimate=False, ensemble=EnsembleSettings(members=4), **kw)

    print("\n== one deterministic 72 h float prediction, 60 s RK4 step (goal <= 20 ms) ==")
    print(f"(load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    det = best_of(lambda: predict(field, hours=72, error_estimate=False, **kw), 7, "det")
    compiled = _kernel.integrate
    _kernel.integrate = compiled.py_func  # predict() calls _kernel.integrate through the module
    try:
        peer = best_of(lambda: predict(field, hours=72, error_estimate=False, **kw), 1)
    finally:
        _kernel.integrate = compiled
    print(
        f"compiled {det * 1e3:.2f} ms (CPU {CPU['det'] * 1e3:.2f} ms) | uncompiled loop (py_func) {peer * 1e3:.0f} ms | speed-up {peer / det:.0f}x"
    )
    with_err = best_of(lambda: predict(field, hours=72, **kw), 5)
    print(f"with the step-halving error estimate (default): {with_err * 1e3:.2f} ms")

    print("\n== 1,000-member stochastic ensemble, 72 h float, 60 s step (goal <= 3 s) ==")
    ens = EnsembleSettings(members=1000, seed=1)
    print(f"(load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    ours = best_of(lambda: predict(field, hours=72, error_estimate=False, ensemble=ens, **kw), 3, "ens")
    peer6 = numpy_rk4_float(field, 40.0, -105.0, 18_000.0, 6.0, 1000)
    print(
        f"compiled {ours:.2f} s (CPU {CPU['ens']:.2f} s, all threads) | numpy vectorised RK4 {peer6 * 12:.1f} s (6 h x 12) | speed-up {peer6 * 12 / ours:.1f}x"
    )


if __name__ == "__main__":
    main()
