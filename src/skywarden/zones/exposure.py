"""What does a track (or each member of an ensemble) pass over?

For every site within ``radius_m`` of the track's ground path: the time of closest approach,
the distance, the object's altitude then, when it was first and last within the radius and for
how long, and what an onboard camera at that altitude could see. For an ensemble, the probability
that each site is passed within the radius and the range of closest-approach times.

Geometry. Between samples the ground path is the chord between the samples' surface points
(WGS84 ECEF at zero height), which departs from the geodesic by L²/(8R) — 20 m for a 30 km
segment — radially, i.e. a second-order effect on horizontal distance. Candidate (segment, site)
pairs come from a KD-tree over segment midpoints, so the cost grows with the number of real
passes, not with members × samples × sites. Reported distances are re-measured on the ellipsoid
with pyproj's geodesic at the refined time of closest approach.

Camera footprint (spherical Earth of mean radius R = 6 371 008.8 m, IUGG). A camera at height h
looking up to θ off nadir sees the ground out to the Earth-central angle

    λ(θ) = asin((R + h)·sin θ / R) − θ,      limited by the horizon  λ_h = acos(R / (R + h)),

so the footprint radius on the ground is R·min(λ(θ), λ_h) (law of sines in the triangle Earth
centre–camera–ground point). For small h this tends to h·tan θ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from ..geo import geodesic_inverse, geodetic_to_ecef
from ..sites import Site

__all__ = [
    "MEAN_EARTH_RADIUS_M",
    "SiteExposure",
    "SitePass",
    "camera_footprint_radius_m",
    "horizon_distance_m",
    "site_exposure",
    "site_passes",
]

MEAN_EARTH_RADIUS_M = 6_371_008.8
"""IUGG mean Earth radius, metres (used only for the spherical footprint and chord formulas)."""


def horizon_distance_m(alt_m: Any) -> Any:
    """Ground distance to the geometric horizon from height ``alt_m`` (spherical Earth), metres."""
    h = np.maximum(np.asarray(alt_m, dtype=np.float64), 0.0)
    return MEAN_EARTH_RADIUS_M * np.arccos(MEAN_EARTH_RADIUS_M / (MEAN_EARTH_RADIUS_M + h))


def camera_footprint_radius_m(alt_m: Any, half_angle_deg: Any) -> Any:
    """Ground radius seen by a nadir camera with a ``half_angle_deg`` cone at ``alt_m`` (see module)."""
    h = np.maximum(np.asarray(alt_m, dtype=np.float64), 0.0)
    theta = np.deg2rad(np.asarray(half_angle_deg, dtype=np.float64))
    r = MEAN_EARTH_RADIUS_M
    s = (r + h) * np.sin(theta) / r
    lam = np.where(s < 1.0, np.arcsin(np.minimum(s, 1.0)) - theta, np.inf)
    lam_h = np.arccos(r / (r + h))
    return r * np.minimum(lam, lam_h)


@dataclass(frozen=True)
class SitePass:
    """One site passed within the radius by one track (``member`` None for a single track)."""

    site: str
    member: int | None
    closest_time: np.datetime64
    distance_m: float
    alt_m: float
    first_within: np.datetime64
    last_within: np.datetime64
    duration_s: float
    camera_footprint_m: float
    camera_can_see: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "member": self.member,
            "closest_time": self.closest_time,
            "distance_m": self.distance_m,
            "alt_m": self.alt_m,
            "first_within": self.first_within,
            "last_within": self.last_within,
            "duration_s": self.duration_s,
            "camera_footprint_m": self.camera_footprint_m,
            "camera_can_see": self.camera_can_see,
        }


def _unit_surface(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p = geodetic_to_ecef(lat, lon, 0.0)
    return p / np.linalg.norm(p, axis=-1, keepdims=True) * MEAN_EARTH_RADIUS_M


def site_passes(
    sites: Sequence[Site],
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    *,
    radius_m: float = 10_000.0,
    camera_half_angle_deg: float = 30.0,
) -> list[SitePass]:
    """Every (member, site) pass within ``radius_m`` (plus each site's own ``radius_m``).

    ``lat_deg``/``lon_deg``/``alt_m`` are ``(n_times,)`` for one track or ``(n_members,
    n_times)`` for an ensemble; ``times`` is ``(n_times,)`` datetime64 (UTC). NaN samples break
    the path (no segment is formed across them).
    """
    lat = np.atleast_2d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_2d(np.asarray(lon_deg, dtype=np.float64))
    alt = np.atleast_2d(np.asarray(alt_m, dtype=np.float64))
    single = np.ndim(lat_deg) == 1
    t_s = np.asarray(times).astype("datetime64[ns]").astype(np.int64).astype(np.float64) * 1e-9
    n_times = lat.shape[1]
    if n_times < 2 or not sites:
        return []
    pts = _unit_surface(lat, lon)  # (m, n, 3)
    a = pts[:, :-1].reshape(-1, 3)
    b = pts[:, 1:].reshape(-1, 3)
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    seg_index = np.flatnonzero(ok)
    if seg_index.size == 0:
        return []
    a, b = a[seg_index], b[seg_index]
    mid = 0.5 * (a + b)
    half_len = 0.5 * np.linalg.norm(b - a, axis=1)
    site_xyz = _unit_surface(np.array([s.lat_deg for s in sites]), np.array([s.lon_deg for s in sites]))
    site_r = radius_m + np.array([s.radius_m for s in sites])
    tree = cKDTree(mid)
    reach = site_r + float(half_len.max()) + 1.0
    seg_lists = tree.query_ball_point(site_xyz, reach)
    site_ids = np.repeat(np.arange(len(sites)), [len(x) for x in seg_lists])
    if site_ids.size == 0:
        return []
    local = np.concatenate([np.asarray(x, dtype=np.int64) for x in seg_lists])
    seg = seg_index[local]  # flat segment index member * (n_times - 1) + i
    A, B, S = a[local], b[local], site_xyz[site_ids]
    D = B - A
    dd = np.einsum("ij,ij->i", D, D)
    w = A - S
    f_star = np.clip(
        np.where(dd > 0, -np.einsum("ij,ij->i", w, D) / np.where(dd > 0, dd, 1.0), 0.0), 0.0, 1.0
    )
    closest = w + f_star[:, None] * D
    chord = np.linalg.norm(closest, axis=1)
    dist = 2.0 * MEAN_EARTH_RADIUS_M * np.arcsin(np.minimum(chord / (2.0 * MEAN_EARTH_RADIUS_M), 1.0))
    # Part of the segment within the radius: |w + f D|² ≤ c² (c = chord of the radius).
    c = (
        2.0
        * MEAN_EARTH_RADIUS_M
        * np.sin(np.minimum(site_r[site_ids], np.pi * MEAN_EARTH_RADIUS_M) / (2 * MEAN_EARTH_RADIUS_M))
    )
    bq = 2.0 * np.einsum("ij,ij->i", w, D)
    cq = np.einsum("ij,ij->i", w, w) - c**2
    disc = bq**2 - 4.0 * dd * cq
    root = np.sqrt(np.maximum(disc, 0.0))
    safe_dd = np.where(dd > 0, dd, 1.0)
    f_in = np.where(dd > 0, (-bq - root) / (2 * safe_dd), 0.0)
    f_out = np.where(dd > 0, (-bq + root) / (2 * safe_dd), 1.0)
    inside_any = np.where(dd > 0, disc >= 0, cq <= 0)
    f_in, f_out = np.clip(f_in, 0.0, 1.0), np.clip(f_out, 0.0, 1.0)
    inside_any &= f_out > f_in
    member = seg // (n_times - 1)
    i0 = seg % (n_times - 1)
    dt = t_s[i0 + 1] - t_s[i0]
    keep = inside_any
    if not keep.any():
        return []
    member, i0, site_ids = member[keep], i0[keep], site_ids[keep]
    dist, f_star, f_in, f_out, dt = dist[keep], f_star[keep], f_in[keep], f_out[keep], dt[keep]
    t_close = t_s[i0] + f_star * dt
    t_in = t_s[i0] + f_in * dt
    t_out = t_s[i0] + f_out * dt
    alt_close = alt[member, i0] + f_star * (alt[member, i0 + 1] - alt[member, i0])
    # Group by (member, site): argmin of distance, min of entry, max of exit, sum of durations.
    key = member * len(sites) + site_ids
    order = np.lexsort((dist, key))
    key_sorted = key[order]
    first = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    best = order[first]
    dur = np.add.reduceat((t_out - t_in)[order], first)
    t_first = np.minimum.reduceat(t_in[order], first)
    t_last = np.maximum.reduceat(t_out[order], first)
    # Exact ellipsoidal distance at the refined closest time.
    lat_c = lat[member[best], i0[best]] + f_star[best] * (
        lat[member[best], i0[best] + 1] - lat[member[best], i0[best]]
    )
    lon0 = lon[member[best], i0[best]]
    dlon = (lon[member[best], i0[best] + 1] - lon0 + 180.0) % 360.0 - 180.0
    lon_c = lon0 + f_star[best] * dlon
    site_lat = np.array([sites[k].lat_deg for k in site_ids[best]])
    site_lon = np.array([sites[k].lon_deg for k in site_ids[best]])
    _, _, geo_dist = geodesic_inverse(site_lat, site_lon, lat_c, lon_c)
    foot = camera_footprint_radius_m(alt_close[best], camera_half_angle_deg)
    out = []
    for k, idx in enumerate(best):
        out.append(
            SitePass(
                site=sites[int(site_ids[idx])].name,
                member=None if single else int(member[idx]),
                closest_time=np.datetime64(round(float(t_close[idx]) * 1e9), "ns"),
                distance_m=float(geo_dist[k]),
                alt_m=float(alt_close[idx]),
                first_within=np.datetime64(round(float(t_first[k]) * 1e9), "ns"),
                last_within=np.datetime64(round(float(t_last[k]) * 1e9), "ns"),
                duration_s=float(dur[k]),
                camera_footprint_m=float(foot[k]),
                camera_can_see=bool(geo_dist[k] <= foot[k]),
            )
        )
    out.sort(key=lambda p: (p.closest_time, p.site))
    return out


@dataclass(frozen=True)
class SiteExposure:
    """Ensemble exposure of one site: probability of a pass within the radius and its times."""

    site: str
    probability: float
    n_members: int
    earliest: np.datetime64 | None
    latest: np.datetime64 | None
    min_distance_m: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "probability": self.probability,
            "n_members": self.n_members,
            "earliest": self.earliest,
            "latest": self.latest,
            "min_distance_m": self.min_distance_m,
        }


def site_exposure(
    sites: Sequence[Site],
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    *,
    radius_m: float = 10_000.0,
    camera_half_angle_deg: float = 30.0,
) -> list[SiteExposure]:
    """Per-site probability over ensemble members (equal weights) of a pass within the radius.

    Only sites passed by at least one member are returned, most likely first.
    """
    n_members = int(np.atleast_2d(np.asarray(lat_deg)).shape[0])
    passes = site_passes(
        sites, times, lat_deg, lon_deg, alt_m, radius_m=radius_m, camera_half_angle_deg=camera_half_angle_deg
    )
    by_site: dict[str, list[SitePass]] = {}
    for p in passes:
        by_site.setdefault(p.site, []).append(p)
    out = []
    for name, items in by_site.items():
        members = {p.member for p in items}
        out.append(
            SiteExposure(
                site=name,
                probability=len(members) / n_members,
                n_members=n_members,
                earliest=min(p.closest_time for p in items),
                latest=max(p.closest_time for p in items),
                min_distance_m=min(p.distance_m for p in items),
            )
        )
    out.sort(key=lambda e: (-e.probability, e.site))
    return out
