"""Overflight benchmark: access windows for the whole active catalog, against skyfield.

Run: ``.venv/bin/python bench/bench_overflight.py [--full-skyfield] [--sites N]``

Measures, on the CelesTrak active snapshot of 2026-03-19 (14,710 objects), 24 h from
2026-03-19T12:00Z, one-second edges (bisection to 1 ms):

1. elevation-mask passes (10°) for ALL objects over one site — the same question skyfield's
   ``EarthSatellite.find_events`` answers, so the two are compared directly;
2. sensor-geometry windows (imaging satellites found in the catalog, shipped sensor table);
3. the same two over 100 sites spread over the globe (Fibonacci lattice).

The peer, skyfield ``find_events``, is timed in the same run on a deterministic sample of the
catalog (every k-th object) and scaled to the whole catalog; the ratio is printed. With
``--full-skyfield`` skyfield runs over the whole catalog (about 75-150 s) and every pass is
cross-checked (rise/set within 1 s; see tests/space/test_overflight.py for the rules).

Wall and CPU (process) times are printed: the machine is shared, so wall times are pessimistic.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import find_shared_data
from skywarden.errors import DataQualityWarning
from skywarden.sites import Site
from skywarden.space.catalog import load_catalog
from skywarden.space.overflight import access_windows

T0 = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
SITE = Site("colorado-springs", 38.8, -104.7, 1900.0)
MASK_DEG = 10.0
GOAL_ONE_SITE_S = 2.0
GOAL_RATIO = 35.0
GOAL_100_SITES_S = 10.0


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def fibonacci_sites(n: int) -> list[Site]:
    """``n`` sites spread evenly over the globe (Fibonacci lattice), altitude 0."""
    k = np.arange(n) + 0.5
    lat = np.degrees(np.arcsin(1 - 2 * k / n))
    lon = (np.degrees(np.pi * (1 + 5**0.5) * k) + 180.0) % 360.0 - 180.0
    return [Site(f"site-{i:03d}", float(a), float(b)) for i, (a, b) in enumerate(zip(lat, lon, strict=True))]


def skyfield_passes(
    tle_path: Path, norad_ids: list[int]
) -> tuple[dict[int, list], dict[int, object], float, float]:
    """skyfield ``find_events`` for each object: (events per id, satellites, wall s, CPU s)."""
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    lines = tle_path.read_text().splitlines()
    tle = {
        int(lines[i + 1][2:7]): (lines[i].strip(), lines[i + 1], lines[i + 2])
        for i in range(0, len(lines), 3)
    }
    topo = wgs84.latlon(SITE.lat_deg, SITE.lon_deg, elevation_m=SITE.alt_m)
    t0, t1 = ts.from_datetime(T0), ts.from_datetime(T0 + timedelta(hours=24))
    out: dict[int, list] = {}
    sats: dict[int, object] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    for nid in norad_ids:
        name, l1, l2 = tle[nid]
        sat = EarthSatellite(l1, l2, name, ts)
        times, events = sat.find_events(topo, t0, t1, altitude_degrees=MASK_DEG)
        out[nid] = [(t.utc_datetime(), int(e)) for t, e in zip(times, events, strict=True)]
        sats[nid] = sat
    return out, sats, time.perf_counter() - wall, time.process_time() - cpu


def check_against_skyfield(windows, sky: dict[int, list], sats: dict[int, object]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Compare rise/set edges with skyfield (rules as in tests/space/test_overflight.py).

    Counts: ``compared`` skyfield edges; ``within_1s``; ``grazing`` (our nearest edge is more than
    1 s away but skyfield's own altitude there is within 5 arcsec of the mask: a slow crossing);
    ``missed`` (neither); ``extra`` edges of ours with no skyfield edge within 10 min, and how many
    of those skyfield's own altitude confirms (``extra_confirmed``); ``worst_s`` over within_1s.
    """
    from skyfield.api import load, wgs84

    ts = load.timescale(builtin=True)
    topo = wgs84.latlon(SITE.lat_deg, SITE.lon_deg, elevation_m=SITE.alt_m)

    def alt(sat, when):  # type: ignore[no-untyped-def]
        return float((sat - topo).at(ts.from_datetime(when)).altaz()[0].degrees)

    ours: dict[int, list] = {}
    for w in windows:
        ours.setdefault(w.norad_id, []).append(w)
    c = {
        "compared": 0,
        "within_1s": 0,
        "grazing": 0,
        "missed": 0,
        "extra": 0,
        "extra_confirmed": 0,
        "worst_s": 0.0,
    }
    for nid, events in sky.items():
        mine = ours.get(nid, [])
        sat = sats[nid]
        for kind, attr, clip, sign in ((0, "start", "clipped_start", 1.0), (2, "end", "clipped_end", -1.0)):
            edges = [getattr(w, attr) for w in mine if not getattr(w, clip)]
            sky_edges = [t for t, e in events if e == kind]
            for t in sky_edges:
                c["compared"] += 1
                dts = [abs((t - m).total_seconds()) for m in edges]
                k = int(np.argmin(dts)) if dts else -1
                if k >= 0 and dts[k] <= 1.0:
                    c["within_1s"] += 1
                    c["worst_s"] = max(c["worst_s"], dts[k])
                elif k >= 0 and abs(alt(sat, edges[k]) - MASK_DEG) < 5.0 / 3600.0:
                    c["grazing"] += 1
                else:
                    c["missed"] += 1
            for m in edges:
                if not any(abs((t - m).total_seconds()) <= 600 for t in sky_edges):
                    c["extra"] += 1
                    before = alt(sat, m - timedelta(seconds=1))
                    after = alt(sat, m + timedelta(seconds=1))
                    if sign * (after - MASK_DEG) >= 0 >= sign * (before - MASK_DEG):
                        c["extra_confirmed"] += 1
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-skyfield", action="store_true", help="run skyfield over the whole catalog")
    parser.add_argument("--sample", type=int, default=400, help="skyfield sample size (default 400)")
    parser.add_argument("--sites", type=int, default=100, help="number of sites for the multi-site runs")
    parser.add_argument("--skip-multi-elevation", action="store_true", help="skip all-objects x N sites")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DataQualityWarning)

    data = find_shared_data()
    if data is None:
        sys.exit("shared data not found (set SKYWARDEN_SHARED_DATA)")
    tle_path = data / "catalogs" / "celestrak-active-2026-03-19.tle"
    catalog = load_catalog(tle_path)
    n = len(catalog)
    print(f"catalog: {tle_path.name}, {n:,} objects; window 24 h from {T0.isoformat()}")

    # Warm-up: numba compilation, sensor table parse and name matching cache.
    access_windows(catalog[:300], SITE, T0, "1h", min_elevation_deg=MASK_DEG)
    access_windows(catalog, SITE, T0, "10min")

    windows, wall, cpu = _timed(access_windows, catalog, SITE, T0, "24h", min_elevation_deg=MASK_DEG)
    print(f"\n[1] elevation >= {MASK_DEG:g} deg, all {n:,} objects x 1 site x 24 h: {len(windows):,} passes")
    print(
        f"    skywarden (list of AccessWindow): {wall:.2f} s wall, {cpu:.2f} s CPU   (goal <= {GOAL_ONE_SITE_S:g} s)"
    )
    frame, f_wall, f_cpu = _timed(
        access_windows, catalog, SITE, T0, "24h", min_elevation_deg=MASK_DEG, as_frame=True
    )
    print(
        f"    skywarden (as_frame=True DataFrame): {f_wall:.2f} s wall, {f_cpu:.2f} s CPU, {len(frame):,} rows"
    )

    ids = [e.norad_id for e in catalog]
    sample = ids if args.full_skyfield else ids[:: max(1, n // args.sample)]
    sky, sats, s_wall, s_cpu = skyfield_passes(tle_path, sample)
    per_sat_wall, per_sat_cpu = s_wall / len(sample), s_cpu / len(sample)
    est_wall, est_cpu = per_sat_wall * n, per_sat_cpu * n
    print(f"    skyfield find_events: {len(sample):,} objects in {s_wall:.2f} s wall "
          f"({per_sat_wall * 1e3:.2f} ms/object) -> {est_wall:.1f} s for the catalog")  # fmt: skip
    print(f"    ratio skyfield/skywarden (list): {est_wall / wall:.1f}x wall, {est_cpu / cpu:.1f}x CPU; "
          f"(frame): {est_wall / f_wall:.1f}x wall, {est_cpu / f_cpu:.1f}x CPU (goal >= {GOAL_RATIO:g}x)")  # fmt: skip
    c = check_against_skyfield(windows, sky, sats)
    print(f"    check: {c['compared']:,} skyfield rise/set edges: {c['within_1s']:,} within 1 s (worst "
          f"{c['worst_s']:.3f} s), {c['grazing']} grazing (skyfield altitude at our edge within 5\" of the "
          f"mask), {c['missed']} missed; {c['extra']} edges of ours not in skyfield, {c['extra_confirmed']} "
          "of them confirmed by skyfield's own altitude")  # fmt: skip

    sensor, wall2, cpu2 = _timed(access_windows, catalog, SITE, T0, "24h")
    imagers = len({w.norad_id for w in sensor})
    print(f"\n[2] sensor geometry, imaging satellites of the catalog x 1 site x 24 h: {len(sensor):,} "
          f"windows from {imagers} satellites: {wall2:.2f} s wall, {cpu2:.2f} s CPU")  # fmt: skip

    sites = fibonacci_sites(args.sites)
    multi, wall3, cpu3 = _timed(access_windows, catalog, sites, T0, "24h")
    print(f"\n[3] sensor geometry x {len(sites)} sites x 24 h: {len(multi):,} windows: "
          f"{wall3:.2f} s wall, {cpu3:.2f} s CPU   (goal <= {GOAL_100_SITES_S:g} s)")  # fmt: skip
    if not args.skip_multi_elevation:
        multi_el, wall4, cpu4 = _timed(
            access_windows, catalog, sites, T0, "24h", min_elevation_deg=MASK_DEG, as_frame=True
        )
        print(f"    elevation >= {MASK_DEG:g} deg, all objects x {len(sites)} sites x 24 h: "
              f"{len(multi_el):,} passes: {wall4:.2f} s wall, {cpu4:.2f} s CPU")  # fmt: skip


if __name__ == "__main__":
    main()
