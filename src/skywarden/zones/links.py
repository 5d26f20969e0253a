"""Line-of-sight link windows between an air object and satellites or ground stations.

"Could it have been transmitting in real time, and to what?" For an air object moving along a
track (observed or predicted), the intervals when a satellite stands at least ``min_elevation_deg``
above the object's local horizon (and, optionally, within ``max_range_km``), and when a ground
station sees the object above the station's elevation mask within range.

Method (the overflight window finder, reused): satellites are propagated with the foundation's
:func:`~skywarden.space.orbit.propagate.propagate` in the Earth-fixed frame (ITRS, km) with velocities
on a time grid; between grid points their positions are cubic Hermite interpolants of
positions and velocities (error ≈ h⁴/384·|r⁽⁴⁾|: tens of metres for LEO at the default 180 s step, a few thousandths of a
degree of elevation), and
the air object's position is linear in time, latitude, continuous longitude and altitude. The
margin ``elevation − mask`` (and ``range limit − range``) goes to
:func:`skywarden.windows.find_windows`, which refines edges by bracketing root finding to
``tol_s`` and also finds passes shorter than a step. Long tracks are processed in time blocks so
memory stays bounded; windows split at a block boundary are joined.

Elevations are geometric (no refraction); the object's "up" is the WGS84 ellipsoid normal.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np

from ..batch import paused_gc
from ..constants import WGS84_A_M, WGS84_E2
from ..errors import DataQualityWarning
from ..geo import ecef_to_enu_matrix, geodetic_to_ecef, unwrap_lon_deg
from ..sites import Site
from ..space.orbit.propagate import propagate
from ..space.overflight.geometry import max_rate_rad_s
from ..windows import find_windows

__all__ = [
    "GroundLinkChance",
    "LinkWindow",
    "ground_link_probability",
    "ground_link_windows",
    "satellite_link_windows",
]

_WGS84_A_KM = WGS84_A_M / 1000.0

_BLOCK_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class LinkWindow:
    """One interval of line of sight. ``kind`` is ``satellite`` or ``ground``; ``target`` the
    NORAD id (satellites) or station name; elevations in degrees (seen from the air object for
    satellites, from the station for ground links); ``min_range_km`` the closest distance."""

    kind: str
    target: str
    name: str
    start: np.datetime64
    end: np.datetime64
    best_time: np.datetime64
    max_elevation_deg: float
    min_range_km: float
    clipped_start: bool
    clipped_end: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "name": self.name,
            "start": self.start,
            "end": self.end,
            "best_time": self.best_time,
            "max_elevation_deg": self.max_elevation_deg,
            "min_range_km": self.min_range_km,
            "clipped_start": self.clipped_start,
            "clipped_end": self.clipped_end,
        }


class _AirPath:
    """The air object's ECEF position (km) and local up vector at any time (linear between fixes)."""

    def __init__(self, times: Any, lat_deg: Any, lon_deg: Any, alt_m: Any) -> None:
        t = np.asarray(times).astype("datetime64[ns]")
        ok = np.isfinite(np.asarray(lat_deg, float)) & np.isfinite(np.asarray(lon_deg, float))
        ok &= np.isfinite(np.asarray(alt_m, float)) & ~np.isnat(t)
        order = np.argsort(t[ok], kind="stable")
        self.t0 = t[ok][order][0]
        self.t_s = ((t[ok][order] - self.t0) / np.timedelta64(1, "ns")).astype(np.float64) * 1e-9
        self.lat = np.asarray(lat_deg, float)[ok][order]
        self.lon = unwrap_lon_deg(np.asarray(lon_deg, float)[ok][order])
        self.alt = np.asarray(alt_m, float)[ok][order]

    def at(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lat = np.interp(t_s, self.t_s, self.lat)
        lon = np.interp(t_s, self.t_s, self.lon)
        alt = np.interp(t_s, self.t_s, self.alt)
        return _position_up(lat, lon, alt)

    def to_datetime64(self, t_s: np.ndarray) -> np.ndarray:
        return _stamp(self.t0, t_s)


def _position_up(
    lat_deg: np.ndarray, lon_deg: np.ndarray, alt_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ECEF positions (km) and ellipsoid-normal up vectors, ``(n, 3)`` each."""
    pos_km = geodetic_to_ecef(lat_deg, lon_deg, alt_m).reshape(-1, 3) / 1000.0
    la, lo = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    up = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    return pos_km, up.reshape(-1, 3)


def _stamp(t0: np.datetime64, t_s: Any) -> np.ndarray:
    """``t0`` plus seconds, as datetime64[ns]."""
    return t0 + np.round(np.asarray(t_s) * 1e9).astype(np.int64).astype("timedelta64[ns]")


def _hermite(p: np.ndarray, v: np.ndarray, step_s: float, idx: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Cubic Hermite position (km) of objects ``idx`` at times ``t_s`` from grid samples."""
    n_t = p.shape[1]
    k = np.clip(np.floor(t_s / step_s).astype(np.int64), 0, n_t - 2)
    u = (t_s - k * step_s) / step_s
    p0, p1 = p[idx, k], p[idx, k + 1]
    m0, m1 = v[idx, k] * step_s, v[idx, k + 1] * step_s
    u2, u3 = u * u, u * u * u
    h00 = 2 * u3 - 3 * u2 + 1
    h10 = u3 - 2 * u2 + u
    h01 = -2 * u3 + 3 * u2
    h11 = u3 - u2
    return h00[:, None] * p0 + h10[:, None] * m0 + h01[:, None] * p1 + h11[:, None] * m1


@nb.njit(cache=True, parallel=True)
def _el_range_kernel(p, v, step_s, series, t_rel, t_abs, path_t, path_lat, path_lon, path_alt):  # type: ignore[no-untyped-def]
    """Elevation (deg) and range (km) of satellites ``series`` at ``t_abs`` seen from the object.

    The same arithmetic as :func:`_hermite` + :meth:`_AirPath.at` + :func:`_elevation_range`, in
    one compiled pass (the numpy versions are kept as the readable reference and are tested
    against it).
    """
    n = series.size
    n_t = p.shape[1]
    m_path = path_t.size
    el = np.empty(n)
    rng = np.empty(n)
    a = _WGS84_A_KM
    e2 = WGS84_E2
    for i in nb.prange(n):
        k = int(np.floor(t_rel[i] / step_s))
        k = min(max(k, 0), n_t - 2)
        u = (t_rel[i] - k * step_s) / step_s
        u2 = u * u
        u3 = u2 * u
        h00 = 2 * u3 - 3 * u2 + 1
        h10 = u3 - 2 * u2 + u
        h01 = -2 * u3 + 3 * u2
        h11 = u3 - u2
        s = series[i]
        # object position: linear in time, lat, lon, alt between fixes (np.interp semantics)
        t = t_abs[i]
        j = np.searchsorted(path_t, t) - 1
        if j < 0:
            j = 0
            f = 0.0
        elif j >= m_path - 1:
            j = m_path - 2
            f = 1.0
        else:
            f = (t - path_t[j]) / (path_t[j + 1] - path_t[j])
        j1 = min(j + 1, m_path - 1)
        lat = np.deg2rad(path_lat[j] + f * (path_lat[j1] - path_lat[j]))
        lon = np.deg2rad(path_lon[j] + f * (path_lon[j1] - path_lon[j]))
        alt = (path_alt[j] + f * (path_alt[j1] - path_alt[j])) / 1000.0
        sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
        nn = a / np.sqrt(1.0 - e2 * sl * sl)
        obj = ((nn + alt) * cl * co, (nn + alt) * cl * so, (nn * (1.0 - e2) + alt) * sl)
        rel = np.empty(3)
        for c in range(3):
            sat = (
                h00 * p[s, k, c]
                + h10 * v[s, k, c] * step_s
                + h01 * p[s, k + 1, c]
                + h11 * v[s, k + 1, c] * step_s
            )
            rel[c] = sat - obj[c]
        rx, ry, rz = rel[0], rel[1], rel[2]
        d = np.sqrt(rx * rx + ry * ry + rz * rz)
        rng[i] = d
        sin_el = (rx * cl * co + ry * cl * so + rz * sl) / d if d > 0 else 0.0
        el[i] = np.rad2deg(np.arcsin(min(1.0, max(-1.0, sin_el))))
    return el, rng


@nb.njit(cache=True, parallel=True)
def _grid_margin_kernel(p, obj, up, rate_rad_s, step_s, mask_deg, max_range_km):  # type: ignore[no-untyped-def]
    """Margins on the grid, ``(n_sat, n_t)``: elevation − mask (and the range limit), or −inf
    where :func:`_cannot_reach` says the satellite cannot rise above the mask within a step.
    The compiled twin of ``_elevation_range`` + ``_cannot_reach`` on the grid (tested equal)."""
    n_s, n_t = p.shape[0], p.shape[1]
    out = np.empty((n_s, n_t))
    e = np.deg2rad(mask_deg)
    cos_e = np.cos(e)
    margin_rad = np.deg2rad(0.5)
    for i in nb.prange(n_s):
        for k in range(n_t):
            sx, sy, sz = p[i, k, 0], p[i, k, 1], p[i, k, 2]
            ox, oy, oz = obj[k, 0], obj[k, 1], obj[k, 2]
            r_s = np.sqrt(sx * sx + sy * sy + sz * sz)
            r_o = np.sqrt(ox * ox + oy * oy + oz * oz)
            if not np.isfinite(r_s):
                out[i, k] = np.nan
                continue
            cos_lam = (sx * ox + sy * oy + sz * oz) / max(r_s * r_o, 1e-9)
            lam = np.arccos(min(1.0, max(-1.0, cos_lam)))
            ratio = min(1.0, max(-1.0, r_o * cos_e / max(r_s, 1e-9)))
            lam_max = np.arccos(ratio) - e + margin_rad
            if lam - rate_rad_s[i] * step_s > lam_max:
                out[i, k] = -np.inf
                continue
            rx, ry, rz = sx - ox, sy - oy, sz - oz
            d = np.sqrt(rx * rx + ry * ry + rz * rz)
            sin_el = (rx * up[k, 0] + ry * up[k, 1] + rz * up[k, 2]) / d if d > 0 else 0.0
            m = np.rad2deg(np.arcsin(min(1.0, max(-1.0, sin_el)))) - mask_deg
            if max_range_km > 0:
                m = min(m, (max_range_km - d) / 100.0)
            out[i, k] = m
    return out


def _max_angular_rate_rad_s(elements: Sequence[Any], path: _AirPath) -> np.ndarray:
    """Upper bound on how fast the Earth-central angle between each satellite and the object can
    change: the satellite's bound from :func:`skywarden.space.overflight.geometry.max_rate_rad_s`
    (its angular rate at perigee, n·√(1+e)/(1−e)^1.5 by Kepler's second law, with a 5 % margin,
    plus Earth's rotation — the object is Earth-fixed-ish) plus the object's own ground motion."""
    sat = max_rate_rad_s(elements)  # includes Earth's rotation
    dist = np.hypot(np.diff(path.lat), np.diff(path.lon) * np.cos(np.deg2rad(path.lat[:-1])))
    dt = np.maximum(np.diff(path.t_s), 1e-9)
    obj = float(np.max(np.deg2rad(dist) / dt)) if dist.size else 0.0
    return np.asarray(sat + obj)


def _cannot_reach(
    sat_km: np.ndarray, obj_km: np.ndarray, rate_rad_s: np.ndarray, step_s: float, mask_deg: float
) -> np.ndarray:
    """Samples from which the satellite cannot rise above the mask within one step either way.

    Visibility at elevation ≥ e needs the Earth-central angle λ between object and satellite to
    be at most λ_max = acos(r_o·cos e / r_s) − e (triangle Earth centre–object–satellite, spherical
    up). λ changes by at most ``rate_rad_s``·step in a step, so a sample with
    λ − rate·step > λ_max + 0.5° (margin for the ellipsoid normal vs the radial up) is outside for
    both neighbouring steps and need not be evaluated.
    """
    r_s = np.linalg.norm(sat_km, axis=-1)
    r_o = np.linalg.norm(obj_km, axis=-1)[None, :]
    cos_lam = np.einsum("stk,tk->st", sat_km, obj_km) / np.maximum(r_s * r_o, 1e-9)
    lam = np.arccos(np.clip(cos_lam, -1.0, 1.0))
    e = np.deg2rad(mask_deg)
    ratio = np.clip(r_o * np.cos(e) / np.maximum(r_s, 1e-9), -1.0, 1.0)
    lam_max = np.arccos(ratio) - e + np.deg2rad(0.5)
    with np.errstate(invalid="ignore"):
        out = lam - rate_rad_s[:, None] * step_s > lam_max
    return np.asarray(out & np.isfinite(lam))


def _link_margin(
    el: np.ndarray, rng: np.ndarray, min_elevation_deg: float, max_range_km: float | None
) -> np.ndarray:
    """Margin of a link (≥ 0 inside): elevation above the mask, and within range (100 km of
    range ≈ 1° of margin); NaN (a member that ended, a failed propagation) becomes −inf."""
    m = el - min_elevation_deg
    if max_range_km is not None:
        m = np.minimum(m, (max_range_km - rng) / 100.0)
    return np.where(np.isfinite(m), m, -np.inf)


def _station_frames(stations: Sequence[Site]) -> tuple[np.ndarray, np.ndarray]:
    """Ground stations' ECEF positions (km) and up unit vectors, ``(n, 3)`` each."""
    st_km = np.stack([geodetic_to_ecef(s.lat_deg, s.lon_deg, s.alt_m) / 1000.0 for s in stations])
    st_up = np.stack([ecef_to_enu_matrix(s.lat_deg, s.lon_deg)[2] for s in stations])
    return st_km, st_up


def _elevation_range(sat_km: np.ndarray, obj_km: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rel = sat_km - obj_km
    rng = np.sqrt(np.einsum("...i,...i->...", rel, rel))
    sin_el = np.einsum("...i,...i->...", rel, up) / np.where(rng > 0, rng, 1.0)
    return np.rad2deg(np.arcsin(np.clip(sin_el, -1.0, 1.0))), rng


def satellite_link_windows(
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    catalog: Any,
    *,
    min_elevation_deg: float = 10.0,
    max_range_km: float | None = None,
    step_s: float = 180.0,
    tol_s: float = 1.0,
    backend: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> list[LinkWindow]:
    """Windows when each satellite of ``catalog`` is in line of sight of the air object.

    ``catalog`` is a :class:`~skywarden.space.catalog.Catalog` or a sequence of ``Elements``
    (filter it first, e.g. by purpose from the UCS metadata). Times are UTC datetime64; the
    track is ``lat_deg``/``lon_deg``/``alt_m`` samples at those times.
    """
    path = _AirPath(times, lat_deg, lon_deg, alt_m)
    elements = list(catalog)
    if not elements or path.t_s.size < 2:
        return []
    names = [e.name or str(e.norad_id) for e in elements]
    ids = [str(e.norad_id) for e in elements]
    total_s = float(path.t_s[-1])
    n_steps = int(np.ceil(total_s / step_s)) + 1
    per_step = len(elements) * 48  # positions + velocities, float64
    block = max(2, min(n_steps, _BLOCK_BYTES // max(per_step, 1)))
    parts: list[tuple[int, float, float, float, float, float, bool, bool]] = []
    failed = np.zeros(len(elements), dtype=bool)
    rate_rad_s = _max_angular_rate_rad_s(elements, path)
    start = 0
    while start < n_steps - 1:
        stop = min(start + block, n_steps)  # grid indices [start, stop)
        grid_s = np.arange(start, stop) * step_s
        grid_s[-1] = min(grid_s[-1], total_s) if stop == n_steps else grid_s[-1]
        with warnings.catch_warnings():
            # One summary warning for the whole run instead of one per time block (below).
            warnings.simplefilter("ignore", DataQualityWarning)
            eph = propagate(
                elements, path.to_datetime64(grid_s), frame="itrs", velocities=True, backend=backend
            )
        failed |= (eph.errors != 0).any(axis=1)
        p, v = eph.positions, eph.velocities
        assert v is not None
        local_step = step_s

        def margin(
            series: np.ndarray, t_abs: np.ndarray, p=p, v=v, base=grid_s[0], h=local_step
        ) -> np.ndarray:
            el, rng = _el_range_kernel(
                p, v, h, series.astype(np.int64), t_abs - base, t_abs, path.t_s, path.lat, path.lon, path.alt
            )
            return _link_margin(el, rng, min_elevation_deg, max_range_km)

        obj, up = path.at(grid_s)
        values = _grid_margin_kernel(
            p, obj, up, rate_rad_s, step_s, min_elevation_deg, -1.0 if max_range_km is None else max_range_km
        )
        found = find_windows(margin, grid_s, values, tol_s=tol_s)
        if len(found):
            # Per-window maximum elevation and closest range, all windows at once.
            s_idx = found.series.astype(np.int64)
            args = (path.t_s, path.lat, path.lon, path.alt)
            el_best, _ = _el_range_kernel(
                p, v, local_step, s_idx, found.best_s - grid_s[0], found.best_s, *args
            )
            frac = np.linspace(0.0, 1.0, 17)
            tt = (found.start_s[:, None] + frac[None, :] * (found.end_s - found.start_s)[:, None]).ravel()
            _, r = _el_range_kernel(p, v, local_step, np.repeat(s_idx, frac.size), tt - grid_s[0], tt, *args)
            r_min = r.reshape(-1, frac.size).min(axis=1)
            parts.extend(
                zip(
                    s_idx.tolist(), found.start_s.tolist(), found.end_s.tolist(), found.best_s.tolist(),
                    el_best.tolist(), r_min.tolist(), found.clipped_start.tolist(), found.clipped_end.tolist(),
                    strict=True,
                )
            )  # fmt: skip
        # A window clipped at an inner block edge continues in the neighbouring block: _join
        # merges the pieces, so only clips at the track's own start and end remain marked.
        if progress is not None:
            progress(stop - 1, n_steps - 1)
        start = stop - 1
    if failed.any():
        warnings.warn(
            f"SGP4 failed for {int(failed.sum())} of {len(elements)} satellites during the track "
            "(decayed or diverged elements); they have no link windows while it failed",
            DataQualityWarning,
            stacklevel=2,
        )
    return _join(parts, ids, names, path)


def _join(
    parts: list[tuple[int, float, float, float, float, float, bool, bool]],
    ids: Sequence[str],
    names: Sequence[str],
    path: _AirPath,
) -> list[LinkWindow]:
    """Join pieces of one window split at a block boundary (end of one == start of the next)."""
    if not parts:
        return []
    arr = np.array(parts, dtype=np.float64)
    arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
    sat, t0, t1 = arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2]
    # A piece continues the previous one when it is the same satellite and starts where it ended.
    cont = np.r_[False, (sat[1:] == sat[:-1]) & (np.abs(t0[1:] - t1[:-1]) < 1e-6)]
    first = np.flatnonzero(~cont)
    last = np.r_[first[1:] - 1, len(arr) - 1]
    group_max = np.maximum.reduceat(arr[:, 4], first)
    sizes = last - first + 1
    hit = np.flatnonzero(arr[:, 4] == np.repeat(group_max, sizes))
    hit_group = np.repeat(np.arange(first.size), sizes)[hit]
    first_hit = np.r_[True, hit_group[1:] != hit_group[:-1]]
    best_row = hit[first_hit]
    start_s, end_s = t0[first], t1[last]
    best_s, best_el = arr[best_row, 3], arr[best_row, 4]
    r_min = np.minimum.reduceat(arr[:, 5], first)
    clip0, clip1 = arr[first, 6] > 0, arr[last, 7] > 0
    order = np.lexsort((sat[first], start_s))
    t_start = path.to_datetime64(start_s[order])
    t_end = path.to_datetime64(end_s[order])
    t_best = path.to_datetime64(best_s[order])
    sats = sat[first[order]].tolist()
    with paused_gc():  # ~200,000 records for a whole catalog and no cycles
        return [
            LinkWindow("satellite", ids[s_], names[s_], a, b, c, el, rng, c0, c1)
            for s_, a, b, c, el, rng, c0, c1 in zip(
                sats, t_start, t_end, t_best, best_el[order].tolist(), r_min[order].tolist(),
                clip0[order].tolist(), clip1[order].tolist(), strict=True,
            )
        ]  # fmt: skip


def ground_link_windows(
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    stations: Sequence[Site],
    *,
    min_elevation_deg: float = 0.0,
    max_range_km: float | None = None,
    tol_s: float = 1.0,
) -> list[LinkWindow]:
    """Windows when each ground station sees the air object above its elevation mask."""
    path = _AirPath(times, lat_deg, lon_deg, alt_m)
    if not stations or path.t_s.size < 2:
        return []
    st_km, st_up = _station_frames(stations)

    def margin_at(series: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        obj, _ = path.at(t_s)
        el, rng = _elevation_range(obj, st_km[series], st_up[series])
        return _link_margin(el, rng, min_elevation_deg, max_range_km)

    grid = path.t_s
    n = len(stations)
    values = np.stack([margin_at(np.full(grid.size, k), grid) for k in range(n)])
    found = find_windows(margin_at, grid, values, tol_s=tol_s)
    out = []
    for k in range(len(found)):
        s = int(found.series[k])
        tt = np.linspace(found.start_s[k], found.end_s[k], 33)
        obj, _ = path.at(tt)
        el, rng = _elevation_range(obj, st_km[s], st_up[s])
        t = path.to_datetime64(np.array([found.start_s[k], found.end_s[k], found.best_s[k]]))
        out.append(
            LinkWindow("ground", stations[s].name, stations[s].name, t[0], t[1], t[2], float(np.max(el)),
                       float(np.min(rng)), bool(found.clipped_start[k]), bool(found.clipped_end[k]))
        )  # fmt: skip
    out.sort(key=lambda w: (w.start, w.target))
    return out


@dataclass(frozen=True)
class GroundLinkChance:
    """How likely a ground station is to hear an ensemble at all, and when first.

    ``probability``: fraction of members with at least one window (0–1); ``members``: how many;
    ``earliest`` / ``median_first`` / ``latest_first``: over the members that get a window, the
    earliest, median and latest first contact (None when no member does)."""

    station: str
    probability: float
    members: int
    earliest: np.datetime64 | None
    median_first: np.datetime64 | None
    latest_first: np.datetime64 | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "probability": self.probability,
            "members": self.members,
            "earliest": self.earliest,
            "median_first": self.median_first,
            "latest_first": self.latest_first,
        }


def ground_link_probability(
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    stations: Sequence[Site],
    *,
    min_elevation_deg: float = 0.0,
    max_range_km: float | None = None,
    tol_s: float = 1.0,
) -> list[GroundLinkChance]:
    """For an ensemble, the chance that each station gets line of sight, and the first-contact times.

    ``times`` (T,) shared by all members; ``lat_deg``/``lon_deg``/``alt_m`` (M, T) with NaN after
    a member ends. Every (member, station) pair is one series of one :func:`find_windows` call:
    the member's position is linear in time, latitude, continuous longitude and altitude between
    samples (as for a single path), and the margin is the station's elevation of it above
    ``min_elevation_deg`` (and inside ``max_range_km``)."""
    ens = _Ensemble(times, lat_deg, lon_deg, alt_m)
    n_mem, n_t = ens.lat.shape
    if not stations or n_t < 2:
        return []
    t0, grid = ens.t0, ens.grid
    st_km, st_up = _station_frames(stations)
    n_st = len(stations)
    member_of = np.repeat(np.arange(n_mem), n_st)
    station_of = np.tile(np.arange(n_st), n_mem)

    def margin_at(series: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        obj, _ = ens.at(member_of[series], t_s)
        el, rng = _elevation_range(obj, st_km[station_of[series]], st_up[station_of[series]])
        return _link_margin(el, rng, min_elevation_deg, max_range_km)

    n_series = n_mem * n_st
    series = np.repeat(np.arange(n_series), n_t)
    values = margin_at(series, np.tile(grid, n_series)).reshape(n_series, n_t)
    found = find_windows(margin_at, grid, values, tol_s=tol_s)
    first = np.full(n_series, np.inf)
    np.minimum.at(first, found.series, found.start_s)
    out = []
    for s_idx, station in enumerate(stations):
        starts = first[s_idx::n_st]
        hit = np.isfinite(starts)
        times_hit = np.sort(starts[hit])
        first_contact = (
            _stamp(t0, [times_hit[0], np.median(times_hit), times_hit[-1]]) if hit.any() else [None] * 3
        )
        out.append(GroundLinkChance(station.name, float(hit.mean()), n_mem, *first_contact))
    return out


class _Ensemble:
    """Member positions (ECEF km) and up vectors at any time: linear in time, latitude,
    continuous longitude and altitude between the shared samples; NaN after a member ends."""

    def __init__(self, times: Any, lat_deg: Any, lon_deg: Any, alt_m: Any) -> None:
        t64 = np.asarray(times).astype("datetime64[ns]")
        self.lat = np.atleast_2d(np.asarray(lat_deg, float))
        lon = np.atleast_2d(np.asarray(lon_deg, float))
        self.alt = np.atleast_2d(np.asarray(alt_m, float))
        self.t0 = t64[0]
        self.grid = ((t64 - self.t0) / np.timedelta64(1, "ns")).astype(np.float64) * 1e-9
        self.lon = np.array([_unwrap_partial(row) for row in lon])

    def seconds(self, t64: Any) -> np.ndarray:
        """Seconds from the first sample of UTC ``datetime64`` times."""
        return ((np.asarray(t64).astype("datetime64[ns]") - self.t0) / np.timedelta64(1, "ns")) * 1e-9

    def at(self, member: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n_t = self.grid.size
        k = np.clip(np.searchsorted(self.grid, t_s, side="right") - 1, 0, n_t - 2)
        w = np.clip((t_s - self.grid[k]) / (self.grid[k + 1] - self.grid[k]), 0.0, 1.0)
        la = (1 - w) * self.lat[member, k] + w * self.lat[member, k + 1]
        lo = (1 - w) * self.lon[member, k] + w * self.lon[member, k + 1]
        al = (1 - w) * self.alt[member, k] + w * self.alt[member, k + 1]
        return _position_up(la, lo, al)


def satellite_link_probability(
    windows: Sequence[LinkWindow],
    catalog: Any,
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    *,
    min_elevation_deg: float = 10.0,
    max_range_km: float | None = None,
) -> np.ndarray:
    """For satellite windows found along an ensemble's mean path, the fraction of members (0–1)
    that have the satellite in line of sight at the window's best time.

    The satellite is placed exactly (python-sgp4, TEME → ITRS) at each window's ``best_time``;
    each member at its position then (as in :func:`ground_link_probability`); a member counts
    when the satellite is at least ``min_elevation_deg`` above its horizon (and within
    ``max_range_km``). Members that have ended count as not linked."""
    from ..space.orbit.backends.base import exact_satrecs
    from ..space.orbit.frames import teme_to_itrs
    from ..timeutil import datetime64_to_jd

    out = np.full(len(windows), np.nan)
    if not windows:
        return out
    ens = _Ensemble(times, lat_deg, lon_deg, alt_m)
    n_mem = ens.lat.shape[0]
    by_id = {str(el.norad_id): el for el in getattr(catalog, "elements", catalog)}
    rows: dict[str, list[int]] = {}
    for k, w in enumerate(windows):
        if w.kind == "satellite" and w.target in by_id:
            rows.setdefault(w.target, []).append(k)
    for target, idx in rows.items():
        (sat,) = exact_satrecs([by_id[target]])
        best = np.array([windows[k].best_time for k in idx], dtype="datetime64[ns]")
        jd, fr = datetime64_to_jd(best)
        err, r_teme, _ = sat.sgp4_array(jd, fr)
        r_itrs, _ = teme_to_itrs(r_teme, best)
        t_s = np.repeat(ens.seconds(best), n_mem)
        members = np.tile(np.arange(n_mem), len(idx))
        obj, up = ens.at(members, t_s)
        el, rng = _elevation_range(np.repeat(r_itrs, n_mem, axis=0), obj, up)
        linked = el >= min_elevation_deg
        if max_range_km is not None:
            linked &= rng <= max_range_km
        frac = linked.reshape(len(idx), n_mem).mean(axis=1)
        out[idx] = np.where(err == 0, frac, np.nan)
    return out


def _unwrap_partial(lon_deg: np.ndarray) -> np.ndarray:
    """Unwrap a longitude row that has NaN samples (a member that ended): NaN stays NaN."""
    out = np.full_like(lon_deg, np.nan)
    ok = np.isfinite(lon_deg)
    if ok.any():
        out[ok] = unwrap_lon_deg(lon_deg[ok])
    return out
