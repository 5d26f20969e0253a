"""Link windows for a 72 h balloon track against the whole active catalog (issue 7).

Goal: ≤ 10 s. Peer: skyfield ``find_events`` for a fixed observer at the balloon's mean
position (the closest thing skyfield offers: it has no moving observers), measured on a sample
of satellites and scaled to the catalog, in the same run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import find_shared_data
from skywarden.space.catalog import load_catalog
from skywarden.space.catalog.tle import format_tle
from skywarden.zones.links import satellite_link_windows

data = find_shared_data()
if data is None:
    raise SystemExit("shared data not found: put ../shared/data beside the repo or set SKYWARDEN_SHARED_DATA")
catalog = load_catalog(data / "catalogs" / "celestrak-active-2026-03-19.tle")
t0 = np.datetime64("2026-03-19T00:00:00", "ns")
step = 600
times = t0 + np.arange(0, 72 * 3600 + 1, step) * np.timedelta64(1, "s")
lon = -130.0 + np.arange(times.size) * step * 20.0 / (111_320.0 * np.cos(np.deg2rad(45.0)))
lat = 45.0 + 2.0 * np.sin(np.arange(times.size) / 50.0)
alt = np.full(times.size, 18_000.0)

start = time.perf_counter()
windows = satellite_link_windows(times, lat, lon, alt, catalog, min_elevation_deg=10.0)
ours = time.perf_counter() - start

from skyfield.api import EarthSatellite, load, wgs84  # noqa: E402

ts = load.timescale(builtin=True)
obs = wgs84.latlon(float(lat.mean()), float(lon.mean()), elevation_m=18_000.0)
sample = catalog.elements[:: max(1, len(catalog) // 100)]
start = time.perf_counter()
for e in sample:
    l1, l2 = format_tle(e)
    EarthSatellite(l1, l2, e.name, ts).find_events(
        obs, ts.utc(2026, 3, 19), ts.utc(2026, 3, 22), altitude_degrees=10.0
    )
peer = (time.perf_counter() - start) * len(catalog) / len(sample)

print(f"72 h track ({times.size} fixes) vs {len(catalog)} satellites: {len(windows)} link windows")
print(f"skywarden satellite_link_windows: {ours:.2f} s (goal <= 10 s)")
print(f"peer skyfield find_events, fixed observer (scaled from {len(sample)} satellites): {peer:.1f} s")
print(f"ratio peer/ours: {peer / ours:.1f}x")
