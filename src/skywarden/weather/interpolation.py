"""4-D wind interpolation: a vectorised numpy path and a compiled (numba) point path (``uv_at``,
which the flight kernel inlines: after editing this file delete ``flight/__pycache__/*.nb?``).

Both implement the same scheme (Tawhiri's): find the time pair and the lat/lon cell, form the
column of level heights at the point as the trilinear (time, lat, lon) blend of the 8 corner
columns, locate the altitude in that column, and blend u/v of the two bracketing levels with the
same weights. Below the lowest level the lowest-level wind is used. A point is *outside* when its
time is beyond the valid times or in a gap, its latitude beyond the grid, its longitude beyond a
regional grid, or its altitude above the top level's height; ``clamp`` then moves it to the edge.
Tests check the two paths against each other and against ``xarray.DataArray.interp``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from .winds import WindField

__all__ = ["interp_numpy", "uv_at"]


def interp_numpy(
    field: WindField,
    t_s: np.ndarray,
    alt_m: np.ndarray,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    member: np.ndarray,
    outside: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised interpolation of flat point arrays → ``(u_m_s, v_m_s, outside_mask)``."""
    g = field._grid
    tt = g["t_s"]
    nt = tt.size
    n_mem, _, _, nlat, nlon = field.u_m_s.shape
    bad = np.zeros(t_s.shape, dtype=bool)
    # time
    if nt == 1:
        it0 = np.zeros(t_s.shape, dtype=np.int64)
        it1 = it0
        ft = np.zeros(t_s.shape)
    else:
        bad |= (t_s < tt[0]) | (t_s > tt[-1]) | ~np.isfinite(t_s)
        tc = np.clip(np.nan_to_num(t_s, nan=tt[0]), tt[0], tt[-1])
        it0 = np.clip(np.searchsorted(tt, tc, side="right") - 1, 0, nt - 2)
        it1 = it0 + 1
        span = tt[it1] - tt[it0]
        ft = (tc - tt[it0]) / span
        in_gap = span > field.max_time_gap_s
        bad |= in_gap
        ft = np.where(in_gap, np.round(ft), ft)
    # latitude
    y = (lat_deg - g["lat0"]) / g["dlat"]
    bad |= (y < 0) | (y > nlat - 1) | ~np.isfinite(y)
    y = np.clip(np.nan_to_num(y), 0, nlat - 1)
    iy0 = np.minimum(y.astype(np.int64), nlat - 2)
    fy = y - iy0
    # longitude (compared modulo 360)
    x = np.mod(lon_deg - g["lon0"], 360.0) / g["dlon"]
    if g["periodic"]:
        bad |= ~np.isfinite(x)
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        ix0 = np.minimum(x.astype(np.int64), nlon - 1)
        fx = x - ix0
        ix1 = (ix0 + 1) % nlon
    else:
        off = x > nlon - 1
        bad |= off | ~np.isfinite(x)
        west = x > (nlon - 1 + 360.0 / g["dlon"]) / 2.0
        x = np.where(off, np.where(west, 0.0, nlon - 1.0), np.nan_to_num(x))
        ix0 = np.minimum(x.astype(np.int64), nlon - 2)
        fx = x - ix0
        ix1 = ix0 + 1
    m = np.clip(member, 0, n_mem - 1)
    mh = np.minimum(m, field.alt_m.shape[0] - 1)
    corners = []
    for ti, wt in ((it0, 1.0 - ft), (it1, ft)):
        for yi, wy in ((iy0, 1.0 - fy), (iy0 + 1, fy)):
            for xi, wx in ((ix0, 1.0 - fx), (ix1, fx)):
                corners.append((ti, yi, xi, wt * wy * wx))
    # column of heights at each point: (n, n_level)
    hcol = sum(w[:, None] * field.alt_m[mh, ti, :, yi, xi] for ti, yi, xi, w in corners)
    nl = hcol.shape[1]
    z = np.nan_to_num(alt_m, nan=-1e9)
    k = np.clip((hcol <= z[:, None]).sum(axis=1) - 1, 0, nl - 2)
    rows = np.arange(z.size)
    h0 = hcol[rows, k]
    h1 = hcol[rows, k + 1]
    above = z > hcol[:, -1]
    bad |= above | ~np.isfinite(alt_m)
    fz = np.clip((z - h0) / (h1 - h0), 0.0, 1.0)
    u = np.zeros(z.size)
    v = np.zeros(z.size)
    for ti, yi, xi, w in corners:
        u += w * ((1.0 - fz) * field.u_m_s[m, ti, k, yi, xi] + fz * field.u_m_s[m, ti, k + 1, yi, xi])
        v += w * ((1.0 - fz) * field.v_m_s[m, ti, k, yi, xi] + fz * field.v_m_s[m, ti, k + 1, yi, xi])
    if outside == "nan":
        u[bad] = np.nan
        v[bad] = np.nan
    return u, v, bad


@njit(cache=True, nogil=True, inline="always")
def uv_at(
    u: Any, v: Any, h: Any, tt: Any, lat0: float, dlat: float, lon0: float, dlon: float,
    periodic: bool, max_gap: float, m: int, t: float, alt: float, lat: float, lon: float, clamp: bool,
    clamp_top: bool, hint: Any,
) -> tuple[float, float, bool]:  # fmt: skip
    """Compiled single-point interpolation → ``(u_m_s, v_m_s, outside)``.

    With ``clamp`` False an outside point returns NaN winds; with ``clamp`` True it is moved to
    the nearest edge (time, lat, lon, top level) and ``outside`` still reports it.
    ``clamp_top`` uses the top level's wind above it without reporting the point as outside.
    ``hint`` is a one-element int array holding the level index found last time (updated):
    a trajectory usually stays between the same two levels, which saves the binary search.
    """
    nt = tt.size
    nlat = u.shape[3]
    nlon = u.shape[4]
    nl = u.shape[2]
    out = False
    # time
    if nt == 1:
        it0 = 0
        it1 = 0
        ft = 0.0
    else:
        tc = t
        if not (tc >= tt[0]):
            tc = tt[0]
            out = True
        elif tc > tt[nt - 1]:
            tc = tt[nt - 1]
            out = True
        lo_i = 0
        hi_i = nt - 1
        while hi_i - lo_i > 1:
            mid = (lo_i + hi_i) // 2
            if tt[mid] <= tc:
                lo_i = mid
            else:
                hi_i = mid
        it0 = lo_i
        it1 = lo_i + 1
        span = tt[it1] - tt[it0]
        ft = (tc - tt[it0]) / span
        if span > max_gap:
            out = True
            ft = 1.0 if ft >= 0.5 else 0.0
    # latitude
    y = (lat - lat0) / dlat
    if not (y >= 0.0):
        y = 0.0
        out = True
    elif y > nlat - 1:
        y = nlat - 1.0
        out = True
    iy0 = min(int(y), nlat - 2)
    fy = y - iy0
    # longitude
    x = lon - lon0
    if x < 0.0 or x >= 360.0:
        x -= 360.0 * np.floor(x / 360.0)
    x /= dlon
    if periodic:
        ix0 = min(int(x), nlon - 1)
        fx = x - ix0
        ix1 = (ix0 + 1) % nlon
    else:
        if not (x <= nlon - 1):
            out = True
            x = 0.0 if x > (nlon - 1 + 360.0 / dlon) / 2.0 else nlon - 1.0
        ix0 = min(int(x), nlon - 2)
        fx = x - ix0
        ix1 = ix0 + 1
    if out and not clamp:
        return np.nan, np.nan, True
    mh = min(m, h.shape[0] - 1)
    # corner weights
    w000 = (1 - ft) * (1 - fy) * (1 - fx)
    w001 = (1 - ft) * (1 - fy) * fx
    w010 = (1 - ft) * fy * (1 - fx)
    w011 = (1 - ft) * fy * fx
    w100 = ft * (1 - fy) * (1 - fx)
    w101 = ft * (1 - fy) * fx
    w110 = ft * fy * (1 - fx)
    w111 = ft * fy * fx
    iy1 = iy0 + 1

    two = ft != 0.0

    # the column of a field at level k blended over the (time,) lat, lon corners
    def col(a: Any, mm: int, k: int) -> float:
        s = (
            w000 * a[mm, it0, k, iy0, ix0] + w001 * a[mm, it0, k, iy0, ix1]
            + w010 * a[mm, it0, k, iy1, ix0] + w011 * a[mm, it0, k, iy1, ix1]
        )  # fmt: skip
        if two:
            s += (
                w100 * a[mm, it1, k, iy0, ix0] + w101 * a[mm, it1, k, iy0, ix1]
                + w110 * a[mm, it1, k, iy1, ix0] + w111 * a[mm, it1, k, iy1, ix1]
            )  # fmt: skip
        return s

    if alt != alt:
        return np.nan, np.nan, True
    k = hint[0]
    found = False
    if 0 <= k < nl - 1:
        h_lo = col(h, mh, k)
        h_hi = col(h, mh, k + 1)
        found = (h_lo <= alt or k == 0) and alt <= h_hi
    if not found:
        top = col(h, mh, nl - 1)
        if alt > top:
            if not (clamp or clamp_top):
                return np.nan, np.nan, True
            if not clamp_top:
                out = True
            k = nl - 2
            h_lo = col(h, mh, k)
            h_hi = top
        else:
            # binary search of the altitude in the blended height column
            lo_k = 0
            hi_k = nl - 1
            h_lo = col(h, mh, 0)
            h_hi = top
            while hi_k - lo_k > 1:
                mid = (lo_k + hi_k) // 2
                h_mid = col(h, mh, mid)
                if h_mid <= alt:
                    lo_k = mid
                    h_lo = h_mid
                else:
                    hi_k = mid
                    h_hi = h_mid
            k = lo_k
        hint[0] = k
    fz = (alt - h_lo) / (h_hi - h_lo)
    if fz < 0.0:
        fz = 0.0
    elif fz > 1.0:
        fz = 1.0
    uu = (1.0 - fz) * col(u, m, k) + fz * col(u, m, k + 1)
    vv = (1.0 - fz) * col(v, m, k) + fz * col(v, m, k + 1)
    return uu, vv, out
