"""Frames for SGP4 output: TEME → ITRS → WGS84 geodetic, and topocentric azimuth/elevation/range.

The chain follows Vallado et al., "Revisiting Spacetrack Report #3", AIAA 2006-6753, Appendix C
(``teme2ecef``):

* **TEME → PEF** is one rotation about z by the Greenwich mean sidereal time of the IAU 1982
  model (:func:`gmst82_rad`, Vallado's ``gstime``) evaluated in UT1. Velocities get the
  transport term ``−ω⊕ × r`` with ω⊕ = 7.292115146706979e-5 rad/s (Vallado's value, length of
  day ignored).
* **PEF → ITRS** would apply polar motion (xp, yp ≲ 0.5″, ≲ 15 m at the surface). **Polar
  motion is ignored here**: PEF is used as ITRS. Skyfield also leaves polar motion off unless
  told otherwise.
* **UT1**: the rotation angle needs UT1. skywarden runs offline, so the default is UT1 = UTC
  (``dut1_s=0``), as astroz does. |UT1 − UTC| < 0.9 s by definition; the along-rotation error
  is ω⊕ · ρ · |dut1| (ρ: distance from the axis), about 0.5 m per millisecond in LEO (25 m for
  the 0.05 s of March 2026) and 3 m per millisecond at GEO. Pass the published ``dut1_s``
  (IERS Bulletin A, or skyfield's ``Time.dut1``) when that matters.
* **ITRS → geodetic** on the WGS84 ellipsoid with the same Bowring-plus-two-refinements method
  as :func:`skywarden.geo.ecef_to_geodetic` (sub-millimetre from the surface to beyond the
  Moon), compiled with numba and run in place over ``(n_objects, n_times, 3)`` blocks. Absurd
  positions beyond 10¹² km (SGP4 with a mean motion near zero) get the geocentric latitude and
  the distance minus a as height instead of overflowing.

Shapes: positions are ``(n_objects, n_times, 3)`` (or ``(n_times, 3)``) with the time axis
second-to-last, km; velocities km/s; times ``datetime64[ns]`` UTC. Geodetic triples are
``(lat_deg, lon_deg, alt_km)`` with longitude in [-180, 180).
"""

from __future__ import annotations

import math
from typing import Any

import numba as nb
import numpy as np

from ...constants import EARTH_ROTATION_RAD_S
from ...errors import InputError
from ...geo import WGS84_A_M, WGS84_E2, WGS84_F, ecef_to_enu_matrix, geodetic_to_ecef
from ...timeutil import datetime64_to_jd, to_datetime64

__all__ = [
    "EARTH_ROTATION_RAD_S",
    "FRAMES",
    "gmst82_rad",
    "itrs_to_geodetic",
    "itrs_to_teme",
    "rotate_in_place",
    "teme_to_geodetic",
    "teme_to_itrs",
    "topocentric",
]

FRAMES = ("teme", "itrs", "geodetic")
"""Frames :func:`skywarden.propagate` can return."""


_J2000_JD = 2451545.0
_DAY_S = 86400.0
_A_KM = WGS84_A_M / 1000.0
_B_KM = _A_KM * (1.0 - WGS84_F)
_E2 = WGS84_E2
_EP2 = WGS84_E2 / (1.0 - WGS84_E2)


def gmst82_rad(times: Any, dut1_s: float = 0.0) -> np.ndarray:
    """Greenwich mean sidereal time, IAU 1982 model, radians in [0, 2π); shape of ``times``.

    Vallado 2006 (AIAA 2006-6753 App. C, ``gstime``)::

        θ(s) = 67310.54841 + (876600·3600 + 8640184.812866)·T + 0.093104·T² − 6.2e-6·T³

    with T in Julian centuries of UT1 from J2000. The 876600 h·T term is whole turns, so it is
    evaluated as the UT1 day fraction to keep full precision (as skyfield's
    ``theta_GMST1982``). ``times`` are UTC (``datetime64`` or anything
    :func:`~skywarden.timeutil.to_datetime64` accepts); ``dut1_s`` is UT1 − UTC in seconds.
    """
    t64 = to_datetime64(times)
    jd, fr = datetime64_to_jd(np.atleast_1d(t64))
    fr = fr + dut1_s / _DAY_S
    t_cent = ((jd - _J2000_JD) + fr) / 36525.0
    g_s = 67310.54841 + (8640184.812866 + (0.093104 + (-6.2e-6) * t_cent) * t_cent) * t_cent
    turns = (np.mod(jd, 1.0) + fr + np.mod(g_s / _DAY_S, 1.0)) % 1.0
    theta = turns * (2.0 * math.pi)
    return theta.reshape(np.shape(t64))


@nb.njit(cache=True, inline="always")
def _geodetic_km(x: float, y: float, z: float) -> tuple[float, float, float]:
    """ECEF km → (lat_deg, lon_deg, alt_km); Bowring with two refinements (as geo.py).

    Written with (sine, cosine) pairs normalised by square roots instead of atan/sin/cos in the
    loop: the same iterates as :func:`skywarden.geo.ecef_to_geodetic`, three times faster.
    """
    lon_deg = math.degrees(math.atan2(y, x))
    if lon_deg >= 180.0:  # atan2 gives (-180, 180]; wrap_lon_deg's convention is [-180, 180)
        lon_deg -= 360.0
    big = max(abs(x), abs(y), abs(z))
    if big > 1e12:  # absurd SGP4 output (mean motion ~0): avoid overflow; the ellipsoid is moot
        xs, ys, zs = x / big, y / big, z / big
        return (
            math.degrees(math.atan2(zs, math.sqrt(xs * xs + ys * ys))),
            lon_deg,
            big * math.sqrt(xs * xs + ys * ys + zs * zs) - _A_KM,
        )
    r = math.sqrt(x * x + y * y)
    sb, cb = z * _A_KM, r * _B_KM  # reduced latitude beta, unnormalised
    h = math.sqrt(sb * sb + cb * cb)
    sb, cb = sb / h, cb / h
    num = z + _EP2 * _B_KM * sb * sb * sb
    den = r - _E2 * _A_KM * cb * cb * cb
    for _ in range(2):
        h = math.sqrt(num * num + den * den)
        sb, cb = (1.0 - WGS84_F) * num / h, den / h  # tan(beta) = (1 - f) tan(lat)
        h = math.sqrt(sb * sb + cb * cb)
        sb, cb = sb / h, cb / h
        num = z + _EP2 * _B_KM * sb * sb * sb
        den = r - _E2 * _A_KM * cb * cb * cb
    h = math.sqrt(num * num + den * den)
    sl, cl = num / h, den / h
    alt = r * cl + z * sl - _A_KM * math.sqrt(1.0 - _E2 * sl * sl)
    return math.degrees(math.atan2(num, den)), lon_deg, alt


@nb.njit(parallel=True, cache=True)
def _rotate_kernel(r, v, cos_t, sin_t, omega, geodetic):  # type: ignore[no-untyped-def]
    """In place over (n_obj, n_times, 3): TEME → ITRS (and → geodetic if ``geodetic``)."""
    n_obj, n_t = r.shape[0], r.shape[1]
    has_v = v.shape[0] == n_obj
    for i in nb.prange(n_obj):
        for k in range(n_t):
            c = cos_t[k]
            s = sin_t[k]
            x = r[i, k, 0]
            y = r[i, k, 1]
            z = r[i, k, 2]
            xe = c * x + s * y
            ye = -s * x + c * y
            if has_v:
                vx = v[i, k, 0]
                vy = v[i, k, 1]
                v[i, k, 0] = c * vx + s * vy + omega * ye
                v[i, k, 1] = -s * vx + c * vy - omega * xe
            if geodetic:
                lat, lon, alt = _geodetic_km(xe, ye, z)
                r[i, k, 0] = lat
                r[i, k, 1] = lon
                r[i, k, 2] = alt
            else:
                r[i, k, 0] = xe
                r[i, k, 1] = ye


@nb.njit(parallel=True, cache=True)
def _geodetic_kernel(r):  # type: ignore[no-untyped-def]
    """In place over (n, 3): ITRS km → (lat_deg, lon_deg, alt_km)."""
    for i in nb.prange(r.shape[0]):
        lat, lon, alt = _geodetic_km(r[i, 0], r[i, 1], r[i, 2])
        r[i, 0] = lat
        r[i, 1] = lon
        r[i, 2] = alt


def _as_block(a: Any, n_times: int, name: str) -> np.ndarray:
    """A float64 C-contiguous copy shaped (n_obj, n_times, 3) of a (..., n_times, 3) array."""
    arr = np.array(a, dtype=np.float64, order="C", copy=True)
    if arr.ndim < 2 or arr.shape[-1] != 3 or arr.shape[-2] != n_times:
        raise InputError(f"{name} must have shape (..., n_times, 3) with n_times={n_times}; got {arr.shape}")
    return arr.reshape(-1, n_times, 3)


def rotate_in_place(
    r: np.ndarray, v: np.ndarray | None, theta_rad: np.ndarray, *, geodetic: bool = False
) -> None:
    """Rotate C-contiguous ``(n_obj, n_times, 3)`` TEME blocks to ITRS (or geodetic) in place.

    The fast path used by :func:`skywarden.propagate`; ``theta_rad`` is :func:`gmst82_rad` of the
    block's times. ``v`` (km/s) gets the ``−ω × r`` term; it stays ITRS even when ``geodetic``.
    """
    empty = np.empty((0, 0, 3))
    _rotate_kernel(r, empty if v is None else v, np.cos(theta_rad), np.sin(theta_rad),
                   EARTH_ROTATION_RAD_S, geodetic)  # fmt: skip


def teme_to_itrs(
    r_teme_km: Any, times: Any, v_teme_km_s: Any = None, *, dut1_s: float = 0.0
) -> tuple[np.ndarray, np.ndarray | None]:
    """TEME → ITRS (polar motion ignored): ``(r_itrs_km, v_itrs_km_s or None)``.

    Arrays are ``(..., n_times, 3)``; ``times`` has ``n_times`` entries (UTC).
    """
    t64 = np.atleast_1d(to_datetime64(times))
    theta = gmst82_rad(t64, dut1_s)
    shape = np.shape(r_teme_km)
    r = _as_block(r_teme_km, t64.size, "r_teme_km")
    v = None if v_teme_km_s is None else _as_block(v_teme_km_s, t64.size, "v_teme_km_s")
    rotate_in_place(r, v, theta)
    return r.reshape(shape), None if v is None else v.reshape(shape)


def itrs_to_teme(
    r_itrs_km: Any, v_itrs_km_s: Any, time: Any, *, dut1_s: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """ITRS → TEME (the inverse of :func:`teme_to_itrs`, polar motion ignored).

    ``r_teme = R3(−θ)·r_itrs`` and ``v_teme = R3(−θ)·(v_itrs + ω × r_itrs)`` with θ the GMST 1982
    angle; units pass through (km or m alike). One state ``(3,)`` at one time, or N states
    ``(N, 3)`` at one time or at N times.
    """
    theta = gmst82_rad(np.atleast_1d(to_datetime64(time)), dut1_s)
    r = np.asarray(r_itrs_km, dtype=np.float64)
    v = np.asarray(v_itrs_km_s, dtype=np.float64)
    if r.ndim == 1:
        theta = theta[:1]
    c, s = np.cos(theta), np.sin(theta)
    v_rot = v + np.cross([0.0, 0.0, EARTH_ROTATION_RAD_S], r)
    rot = np.zeros((theta.shape[0], 3, 3))
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1], rot[:, 2, 2] = c, -s, s, c, 1.0
    if r.ndim == 1:
        return rot[0] @ r, rot[0] @ v_rot
    rot = np.broadcast_to(rot, (r.shape[0], 3, 3))
    return np.einsum("nij,nj->ni", rot, r), np.einsum("nij,nj->ni", rot, v_rot)


def itrs_to_geodetic(r_itrs_km: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ITRS km ``(..., 3)`` → WGS84 ``(lat_deg, lon_deg, alt_km)``; NaN in, NaN out."""
    arr = np.array(r_itrs_km, dtype=np.float64, order="C", copy=True)
    if arr.shape[-1:] != (3,):
        raise InputError(f"r_itrs_km must have shape (..., 3); got {arr.shape}")
    flat = arr.reshape(-1, 3)
    _geodetic_kernel(flat)
    out = flat.reshape(arr.shape)
    return out[..., 0], out[..., 1], out[..., 2]


def teme_to_geodetic(
    r_teme_km: Any, times: Any, *, dut1_s: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TEME km ``(..., n_times, 3)`` → WGS84 ``(lat_deg, lon_deg, alt_km)`` in one pass."""
    t64 = np.atleast_1d(to_datetime64(times))
    shape = np.shape(r_teme_km)
    r = _as_block(r_teme_km, t64.size, "r_teme_km")
    rotate_in_place(r, None, gmst82_rad(t64, dut1_s), geodetic=True)
    out = r.reshape(shape)
    return out[..., 0], out[..., 1], out[..., 2]


def topocentric(
    positions_itrs_km: Any, site_lat_deg: float, site_lon_deg: float, site_alt_m: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth, elevation and range of ITRS positions seen from a WGS84 site.

    ``positions_itrs_km`` is ``(..., 3)`` (e.g. ``(n_objects, n_times, 3)``). Returns
    ``(az_deg, el_deg, range_km)`` with the shape of the leading axes; azimuth is clockwise
    from true north in [0, 360), elevation is geometric (no refraction) above the ellipsoid's
    local horizontal plane. NaN positions give NaN.
    """
    p = np.asarray(positions_itrs_km, dtype=np.float64)
    if p.shape[-1:] != (3,):
        raise InputError(f"positions_itrs_km must have shape (..., 3); got {p.shape}")
    site_km = geodetic_to_ecef(site_lat_deg, site_lon_deg, site_alt_m) / 1000.0
    rot = ecef_to_enu_matrix(site_lat_deg, site_lon_deg)
    d = p - site_km
    e = d @ rot[0]
    n = d @ rot[1]
    u = d @ rot[2]
    horiz = np.hypot(e, n)
    range_km = np.sqrt(horiz * horiz + u * u)
    el_deg = np.degrees(np.arctan2(u, horiz))
    az_deg = np.degrees(np.arctan2(e, n)) % 360.0
    return az_deg, el_deg, range_km
