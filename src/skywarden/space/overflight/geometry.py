"""Geometry and search kernels behind :func:`skywarden.space.overflight.access_windows`.

Coarse-grid screening on the geocentric angle between satellite and site, the exact margin
(elevation or off-nadir) on WGS84 sites, and the quintic Hermite interpolant of the propagated
ITRS states that the window finder refines on. See the algorithm in
:mod:`skywarden.space.overflight`; units: km, km/s, km/s², seconds from the grid start, degrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np

from ...constants import EARTH_ROTATION_RAD_S, WGS72_EARTH_RADIUS_KM, WGS72_J2, WGS72_MU_KM3_S2
from ...geo import ecef_to_enu_matrix, geodetic_to_ecef
from ...sites import Site
from ...windows import bisect_roots, find_windows, golden_max
from ..catalog.elements import Elements

__all__ = [
    "EDGE_TOLERANCE_S",
    "MAX_BLOCK_ELEMENTS",
    "SCREEN_SLACK_DEG",
    "STEP_ECCENTRIC_S",
    "STEP_HIGH_S",
    "STEP_LEO_S",
    "Geometry",
    "Group",
    "angles",
    "hermite",
    "itrs_acceleration",
    "lambda_max_rad",
    "max_rate_rad_s",
    "orbit_groups",
    "site_frames",
    "split_near_range",
    "windows_for_sites",
]

EDGE_TOLERANCE_S = 1e-3
"""Bisection tolerance on window edges, seconds."""

SCREEN_SLACK_DEG = 1.0
"""Added to the largest visible Earth-central angle: spherical vs ellipsoidal horizon, degrees."""
STEP_LEO_S = 300.0
"""Coarse sample step for LEO (mean motion > 11.25 rev/day, e < 0.1), seconds."""
STEP_ECCENTRIC_S = 120.0
"""Coarse sample step for eccentric orbits (e ≥ 0.1: HEO, GTO, Molniya), seconds."""
STEP_HIGH_S = 600.0
"""Coarse sample step for MEO and GEO, seconds."""
MAX_BLOCK_ELEMENTS = 4_000_000
"""Objects × sites × samples screened per block (bounds memory for many sites). Windows do not
depend on it. 4 M (32 MB per float array) against the former 12 M: same steady speed, peak
memory 533 MB instead of 935 MB for the active catalog's imaging satellites × 1,000 sites × 24 h
on one core, and a fresh process's first request no longer pays 1.3 s to fault in its heap
(8.5 s against 9.6 s; measured 2026-12-05)."""


@dataclass
class Group:
    """Objects propagated on one grid: ``idx`` into the candidate list, ``step_s`` seconds."""

    idx: np.ndarray
    step_s: float


def orbit_groups(elements: Sequence[Elements]) -> list[Group]:
    """Group objects by coarse step (see ``STEP_*``)."""
    steps = []
    for el in elements:
        if el.eccentricity >= 0.1:
            steps.append(STEP_ECCENTRIC_S)
        elif el.mean_motion_rev_day > 11.25:
            steps.append(STEP_LEO_S)
        else:
            steps.append(STEP_HIGH_S)
    arr = np.array(steps)
    return [Group(np.flatnonzero(arr == s), s) for s in np.unique(arr)] if arr.size else []


def lambda_max_rad(
    criterion_elev: np.ndarray, limit_deg: np.ndarray, r_km: np.ndarray, site_r_km: float
) -> np.ndarray:
    """Largest Earth-central angle (rad) at which the criterion can hold (spherical Earth)."""
    ratio = np.clip(site_r_km / r_km, 0.0, 1.0)
    horizon = np.arccos(ratio)
    eps = np.radians(np.clip(limit_deg, -5.0, 90.0))
    lam_elev = np.arccos(np.clip(ratio * np.cos(eps), -1.0, 1.0)) - eps
    eta = np.radians(np.clip(limit_deg, 0.0, 89.9))
    s = np.sin(eta) / np.maximum(ratio, 1e-9)
    lam_nadir = np.where(s < 1.0, np.arcsin(np.minimum(s, 1.0)) - eta, horizon)
    lam = np.where(criterion_elev, lam_elev, np.minimum(lam_nadir, horizon))
    return np.maximum(lam, 0.0) + np.radians(SCREEN_SLACK_DEG)


def max_rate_rad_s(elements: Sequence[Elements]) -> np.ndarray:
    """Bound on the geocentric angular rate in ITRS: perigee rate of the orbit plus Earth rotation."""
    n = np.array([el.mean_motion_rev_day for el in elements]) * 2.0 * math.pi / 86400.0
    e = np.clip(np.array([el.eccentricity for el in elements]), 0.0, 0.99)
    return 1.05 * n * np.sqrt(1.0 + e) / (1.0 - e) ** 1.5 + EARTH_ROTATION_RAD_S


_MU_KM3_S2 = WGS72_MU_KM3_S2  # the gravity constants SGP4 uses (numba reads module globals)
_J2 = WGS72_J2
_RE_KM = WGS72_EARTH_RADIUS_KM


@nb.njit(parallel=True, cache=True)
def itrs_acceleration(pos, vel, omega, out):  # type: ignore[no-untyped-def]
    """Acceleration (km/s²) in the rotating ITRS frame: two-body + J2 gravity, Coriolis and
    centrifugal terms. Used as the second derivative for the quintic Hermite interpolant."""
    for i in nb.prange(pos.shape[0]):
        for k in range(pos.shape[1]):
            x = pos[i, k, 0]
            y = pos[i, k, 1]
            z = pos[i, k, 2]
            r2 = x * x + y * y + z * z
            r = math.sqrt(r2)
            f = -_MU_KM3_S2 / (r2 * r)
            c = 1.5 * _J2 * _RE_KM * _RE_KM / r2
            zz = z * z / r2
            out[i, k, 0] = (
                f * x * (1.0 + c * (1.0 - 5.0 * zz)) + 2.0 * omega * vel[i, k, 1] + omega * omega * x
            )
            out[i, k, 1] = (
                f * y * (1.0 + c * (1.0 - 5.0 * zz)) - 2.0 * omega * vel[i, k, 0] + omega * omega * y
            )
            out[i, k, 2] = f * z * (1.0 + c * (3.0 - 5.0 * zz))


@nb.njit(cache=True, parallel=True)
def hermite(pos, vel, acc, step, n_t, obj, t, out):  # type: ignore[no-untyped-def]
    """Quintic Hermite position (ITRS km) of objects ``obj`` at ``t`` (s from the grid start),
    from positions, velocities and accelerations at the two bracketing samples."""
    h2 = step * step
    for i in nb.prange(t.size):
        k = int(t[i] // step)
        k = min(max(k, 0), n_t - 2)
        u = (t[i] - k * step) / step
        u2 = u * u
        u3 = u2 * u
        u4 = u3 * u
        u5 = u4 * u
        b0 = 1.0 - 10.0 * u3 + 15.0 * u4 - 6.0 * u5
        b1 = (u - 6.0 * u3 + 8.0 * u4 - 3.0 * u5) * step
        b2 = (0.5 * u2 - 1.5 * u3 + 1.5 * u4 - 0.5 * u5) * h2
        b3 = (0.5 * u3 - u4 + 0.5 * u5) * h2
        b4 = (-4.0 * u3 + 7.0 * u4 - 3.0 * u5) * step
        b5 = 10.0 * u3 - 15.0 * u4 + 6.0 * u5
        o = obj[i]
        for c in range(3):
            out[i, c] = (
                b0 * pos[o, k, c] + b1 * vel[o, k, c] + b2 * acc[o, k, c]
                + b3 * acc[o, k + 1, c] + b4 * vel[o, k + 1, c] + b5 * pos[o, k + 1, c]
            )  # fmt: skip


@nb.njit(cache=True, parallel=True)
def angles(p, site_km, site_up, site, el, off, rng):  # type: ignore[no-untyped-def]
    """Elevation (deg), off-nadir (deg) and range (km) of ITRS positions ``p`` from ``site``."""
    for i in nb.prange(p.shape[0]):
        s = site[i]
        dx = p[i, 0] - site_km[s, 0]
        dy = p[i, 1] - site_km[s, 1]
        dz = p[i, 2] - site_km[s, 2]
        r = math.sqrt(dx * dx + dy * dy + dz * dz)
        rp = math.sqrt(p[i, 0] * p[i, 0] + p[i, 1] * p[i, 1] + p[i, 2] * p[i, 2])
        sin_el = (dx * site_up[s, 0] + dy * site_up[s, 1] + dz * site_up[s, 2]) / r
        # Off-nadir: angle at the satellite between nadir (−p) and the line of sight (−d).
        cos_off = (p[i, 0] * dx + p[i, 1] * dy + p[i, 2] * dz) / (rp * r)
        el[i] = math.degrees(math.asin(min(1.0, max(-1.0, sin_el))))
        off[i] = math.degrees(math.acos(min(1.0, max(-1.0, cos_off))))
        rng[i] = r


class Geometry:
    """Margin and viewing geometry of (object, site) pairs on Hermite-interpolated positions."""

    def __init__(
        self, pos_km: np.ndarray, vel_km_s: np.ndarray, acc_km_s2: np.ndarray, step_s: float, n_t: int,
        pair_obj: np.ndarray, site_km: np.ndarray, site_up: np.ndarray, pair_site: np.ndarray,
        crit_elev: np.ndarray, limit_deg: np.ndarray,
    ) -> None:  # fmt: skip
        self.pos, self.vel, self.acc = pos_km, vel_km_s, acc_km_s2
        self.step, self.n_t = float(step_s), n_t
        self.pair_obj, self.pair_site = pair_obj.astype(np.int64), pair_site.astype(np.int64)
        self.site_km = np.ascontiguousarray(site_km, dtype=np.float64)
        self.site_up = np.ascontiguousarray(site_up, dtype=np.float64)
        self.crit_elev, self.limit = crit_elev, limit_deg

    def position(self, obj: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """ITRS km at ``t_s`` by quintic Hermite interpolation between the bracketing samples."""
        t = np.ascontiguousarray(t_s, dtype=np.float64)
        out = np.empty((t.size, 3))
        hermite(
            self.pos,
            self.vel,
            self.acc,
            self.step,
            self.n_t,
            np.ascontiguousarray(obj, dtype=np.int64),
            t,
            out,
        )
        return out

    def angles(self, series: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(elevation_deg, off_nadir_deg, range_km) of positions ``p`` for pairs ``series``."""
        n = p.shape[0]
        el, off, rng = np.empty(n), np.empty(n), np.empty(n)
        angles(np.ascontiguousarray(p), self.site_km, self.site_up, self.pair_site[series], el, off, rng)
        return el, off, rng

    def margin_from(self, series: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Margin (deg, ≥ 0 inside): elevation − mask, or min(limit − off-nadir, elevation)."""
        el, off, _ = self.angles(series, p)
        obj = self.pair_obj[series]
        lim = self.limit[obj]
        return np.where(self.crit_elev[obj], el - lim, np.minimum(lim - off, el))

    def __call__(self, series: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        return self.margin_from(series, self.position(self.pair_obj[series], t_s))


def split_near_range(
    geom: Geometry, ceiling: np.ndarray, series: np.ndarray, start_s: np.ndarray, best_s: np.ndarray,
    end_s: np.ndarray, clipped_start: np.ndarray, clipped_end: np.ndarray,
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Cut the near-range gap out of windows whose elevation rises above ``ceiling[object]``.

    A side-looking radar cannot image a site seen more steeply than its minimum incidence
    (elevation above ``90° − min_incidence``): a pass that climbs that high gives two windows,
    one on each side of its highest point. For every window of an object with a finite ceiling
    the highest elevation is found by golden section (a pass is unimodal in elevation); where it
    exceeds the ceiling, the two crossings are refined (:func:`bisect_roots`, ``EDGE_TOLERANCE_S``)
    and the window is replaced by the parts below the ceiling, each with its best geometry at
    its steep end. Returns the arrays in the same order as given (series, start, best, end,
    clipped_start, clipped_end), sorted by series then start.
    """

    def elevation(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return geom.angles(s, geom.position(geom.pair_obj[s], t))[0]

    def below_ceiling(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return ceiling[geom.pair_obj[s]] - elevation(s, t)

    cand = np.flatnonzero(np.isfinite(ceiling[geom.pair_obj[series]]) & geom.crit_elev[geom.pair_obj[series]])
    if cand.size == 0:
        return series, start_s, best_s, end_s, clipped_start, clipped_end
    t_top, el_top = golden_max(elevation, series[cand], start_s[cand], end_s[cand])
    gap = el_top > ceiling[geom.pair_obj[series[cand]]]
    k, t_top = cand[gap], t_top[gap]
    if k.size == 0:
        return series, start_s, best_s, end_s, clipped_start, clipped_end
    s_k = series[k]
    f_start = below_ceiling(s_k, start_s[k])
    f_top = below_ceiling(s_k, t_top)
    f_end = below_ceiling(s_k, end_s[k])
    left = f_start >= 0.0
    right = f_end >= 0.0
    t1 = np.full(k.size, np.nan)
    t2 = np.full(k.size, np.nan)
    t1[left] = bisect_roots(
        below_ceiling, s_k[left], start_s[k][left], t_top[left], f_start[left], EDGE_TOLERANCE_S
    )
    t2[right] = bisect_roots(
        below_ceiling, s_k[right], t_top[right], end_s[k][right], f_top[right], EDGE_TOLERANCE_S
    )
    left &= t1 > start_s[k]
    right &= end_s[k] > t2
    keep = np.ones(series.size, bool)
    keep[k] = False
    no = np.zeros(int(left.sum()), bool)
    no_r = np.zeros(int(right.sum()), bool)
    out = (
        np.concatenate([series[keep], s_k[left], s_k[right]]),
        np.concatenate([start_s[keep], start_s[k][left], t2[right]]),
        np.concatenate([best_s[keep], t1[left], t2[right]]),
        np.concatenate([end_s[keep], t1[left], end_s[k][right]]),
        np.concatenate([clipped_start[keep], clipped_start[k][left], no_r]),
        np.concatenate([clipped_end[keep], no, clipped_end[k][right]]),
    )
    order = np.lexsort((out[1], out[0]))
    return tuple(a[order] for a in out)


def site_frames(sites: Sequence[Site]) -> tuple[np.ndarray, np.ndarray]:
    """Site positions (ECEF km, ``(n, 3)``) and local up unit vectors (geodetic normal)."""
    lat = np.array([s.lat_deg for s in sites])
    lon = np.array([s.lon_deg for s in sites])
    alt = np.array([s.alt_m for s in sites])
    site_km = geodetic_to_ecef(lat, lon, alt).reshape(-1, 3) / 1000.0
    up = ecef_to_enu_matrix(lat, lon).reshape(-1, 3, 3)[:, 2, :]
    return site_km, up


def windows_for_sites(
    pos: np.ndarray, vel: np.ndarray, acc: np.ndarray, r_norm: np.ndarray, t_s: np.ndarray, step: float,
    s_idx: np.ndarray, site_list: Sequence[Site], site_km: np.ndarray, site_up: np.ndarray,
    site_r: np.ndarray, rate: np.ndarray, crit: np.ndarray, lim: np.ndarray, apo_r: np.ndarray,
    global_idx: np.ndarray, span_s: float, ceiling: np.ndarray | None = None,
) -> dict[str, np.ndarray] | None:  # fmt: skip
    """Screen, evaluate and refine the windows of every object of one grid over sites ``s_idx``.

    ``pos``, ``vel``, ``acc``: sampled ITRS states ``(n_obj, n_t, 3)`` (km, km/s, km/s²).
    Returns column arrays (object index ``obj`` into the candidate list, ``site``, ``start_s``,
    ``best_s``, ``end_s``, elevation/off-nadir/range at best, height above the site radius,
    clipping flags, criterion and limit), or None when no window exists. ``ceiling`` (deg, per
    object, NaN for none) is the highest site elevation an elevation-criterion object may have:
    windows that rise above it are split around the gap (:func:`split_near_range`).
    """
    n_obj, n_t = r_norm.shape
    s_hat = site_km[s_idx] / site_r[s_idx, None]
    # cos ψ for every (object, time, site): one BLAS product.
    cos_psi = (pos.reshape(-1, 3) @ s_hat.T).reshape(n_obj, n_t, s_idx.size)
    cos_psi /= r_norm[..., None]
    lam = np.stack([lambda_max_rad(crit, lim, apo_r, float(site_r[s])) for s in s_idx], axis=1)
    thr = np.cos(np.minimum(lam + rate[:, None] * step / 2.0, math.pi))  # (n_obj, n_sites)
    near = cos_psi >= thr[:, None, :]  # NaN positions compare False
    evaluate_mask = near.copy()
    evaluate_mask[:, 1:, :] |= near[:, :-1, :]
    evaluate_mask[:, :-1, :] |= near[:, 1:, :]
    pair_any = evaluate_mask.any(axis=1)  # (n_obj, n_sites)
    p_obj, p_site_local = np.nonzero(pair_any)
    if p_obj.size == 0:
        return None
    p_site = s_idx[p_site_local]
    geom = Geometry(pos, vel, acc, step, n_t, p_obj, site_km, site_up, p_site, crit, lim)
    mask = evaluate_mask[p_obj, :, p_site_local]  # (n_pairs, n_t)
    pr, tk = np.nonzero(mask)
    values = np.full(mask.shape, -np.inf)
    values[pr, tk] = geom.margin_from(pr, pos[p_obj[pr], tk])
    found = find_windows(geom, t_s, values, tol_s=EDGE_TOLERANCE_S)
    # Clip to the requested half-open span [0, span_s).
    keep = found.start_s < span_s
    series = found.series[keep]
    start_s = found.start_s[keep]
    end_s = np.minimum(found.end_s[keep], span_s)
    clipped_end = found.clipped_end[keep] | (found.end_s[keep] >= span_s)
    clipped_start = found.clipped_start[keep]
    best_s = np.clip(found.best_s[keep], start_s, end_s)
    if ceiling is not None and np.isfinite(ceiling).any():
        series, start_s, best_s, end_s, clipped_start, clipped_end = split_near_range(
            geom, ceiling, series, start_s, best_s, end_s, clipped_start, clipped_end
        )
    if series.size == 0:
        return None
    p_best = geom.position(p_obj[series], best_s)
    el, off, rng = geom.angles(series, p_best)
    return {
        "obj": global_idx[p_obj[series]],
        "site": p_site[series],
        "start_s": start_s,
        "best_s": best_s,
        "end_s": end_s,
        "el": el,
        "off": off,
        "rng": rng,
        "h_km": np.linalg.norm(p_best, axis=1) - site_r[p_site[series]],
        "clipped_start": clipped_start,
        "clipped_end": clipped_end,
        "crit_elev": crit[p_obj[series]],
        "limit": lim[p_obj[series]],
    }
