"""Exposure of a 1,000-member, 72 h ensemble against 1,000 sites and the built-in ADIZ set.

Goal (issue 7): ≤ 5 s. Peer: brute force — every (member, sample, site) great-circle distance in
numpy (the obvious vectorised approach), measured on a slice and scaled, plus shapely's
``contains_xy`` over every sample for the zones. The ensemble is synthetic (random-walk drift at
balloon speeds from a common start over the central U.S. towards the Atlantic), so the run needs
no data files.
"""

from __future__ import annotations

import time

import numpy as np

from skywarden.sites import Site
from skywarden.zones.airspace import builtin_adiz
from skywarden.zones.entry import zone_entry_probability
from skywarden.zones.exposure import site_exposure

rng = np.random.default_rng(42)
N_MEMBERS, HOURS, STEP_S, N_SITES = 1000, 72, 600, 1000
n = HOURS * 3600 // STEP_S + 1
times = np.datetime64("2026-01-01T00:00:00", "ns") + np.arange(n) * np.timedelta64(STEP_S, "s")
speed = 20.0 + 5.0 * rng.standard_normal((N_MEMBERS, 1))  # m/s eastwards, per member
heading = np.deg2rad(
    80.0 + 10.0 * rng.standard_normal((N_MEMBERS, 1)) + np.cumsum(rng.normal(0, 2.0, (N_MEMBERS, n)), axis=1)
)
step_m = speed * STEP_S
dlat = np.cumsum(step_m * np.cos(heading), axis=1) / 111_320.0
lat = 38.0 + dlat
dlon = np.cumsum(step_m * np.sin(heading) / (111_320.0 * np.cos(np.deg2rad(lat))), axis=1)
lon = -100.0 + dlon
alt = np.full_like(lat, 18_000.0)
sites = [
    Site(f"s{k}", float(a), float(b))
    for k, (a, b) in enumerate(
        zip(rng.uniform(25, 50, N_SITES), rng.uniform(-110, -60, N_SITES), strict=True)
    )
]
zones = builtin_adiz()

t0 = time.perf_counter()
exposure = site_exposure(sites, times, lat, lon, alt, radius_m=10_000.0)
entries = [zone_entry_probability(z, times, lat, lon, alt) for z in zones]
ours = time.perf_counter() - t0

# Peer: brute-force haversine over a slice of members, scaled to all members.
slice_m = 20
t0 = time.perf_counter()
slat, slon = (
    np.deg2rad(np.array([s.lat_deg for s in sites])),
    np.deg2rad(np.array([s.lon_deg for s in sites])),
)
for m in range(slice_m):
    la, lo = np.deg2rad(lat[m])[:, None], np.deg2rad(lon[m])[:, None]
    h = np.sin((slat - la) / 2) ** 2 + np.cos(la) * np.cos(slat) * np.sin((slon - lo) / 2) ** 2
    d = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
    _ = (d <= 10_000.0).any(axis=0)
for z in zones:
    z.contains(lat[:slice_m].ravel(), lon[:slice_m].ravel(), alt[:slice_m].ravel())
peer = (time.perf_counter() - t0) * N_MEMBERS / slice_m

print(f"ensemble {N_MEMBERS} members x {n} samples ({HOURS} h), {N_SITES} sites, {len(zones)} ADIZ zones")
print(
    f"sites passed by any member: {len(exposure)}; zone entry probabilities: "
    + ", ".join(f"{e.zone_id}={e.probability:.2f}" for e in entries)
)
print(f"skywarden site_exposure + zone_entry_probability: {ours:.2f} s (goal <= 5 s)")
print(f"peer, brute-force haversine + shapely contains_xy (scaled from {slice_m} members): {peer:.2f} s")
print(f"ratio peer/ours: {peer / ours:.1f}x")
