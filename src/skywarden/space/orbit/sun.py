"""Low-precision Sun position (better than 0.01°), sub-solar point and Sun elevation at sites.

The Astronomical Almanac's one-line formulae (``L = 280.460° + 0.9856474° n`` …) are quoted at
0.01° but reach 0.013° against astropy over 2000–2025 because they leave out nutation. This
module uses the next step up, Meeus, *Astronomical Algorithms* (2nd ed.), chapter 25 ("low
accuracy"), with T in Julian centuries of TT from J2000::

    L0 = 280.46646° + 36000.76983° T + 0.0003032° T²       geometric mean longitude
    M  = 357.52911° + 35999.05029° T − 0.0001537° T²       mean anomaly
    C  = (1.914602° − 0.004817° T − 0.000014° T²) sin M
         + (0.019993° − 0.000101° T) sin 2M + 0.000289° sin 3M
    Ω  = 125.04° − 1934.136° T
    λ  = L0 + C − 0.00569° − 0.00478° sin Ω + P             apparent longitude (aberration, Δψ)
    ε  = 23.4392911° − 0.0130042° T + 0.00256° cos Ω        true obliquity
    R  = 1.000001018 (1 − e²) / (1 + e cos ν),  e = 0.016708634 − 0.000042037 T,  ν = M + C

where P are the five largest perturbations (Venus ×2, Jupiter, the Moon, a long-period term)
from Meeus, *Astronomical Formulae for Calculators* (the Sun chapter; T1 = T + 1 counts
centuries from 1900 January 0.5)::

    P = 0.00134° cos A + 0.00154° cos B + 0.00200° cos C + 0.00179° sin D + 0.00178° sin E
    A = 153.23° + 22518.7541° T1,  B = 216.57° + 45037.5082° T1,  C = 312.69° + 32964.3577° T1
    D = 350.74° + 445267.1142° T1, E = 231.19° + 20.20° T1

They halve the error: against astropy over 2000–2025 the maximum falls from 0.0097° to 0.0042°.
The result is the apparent right ascension and declination of date (true equator and equinox,
TETE).
TEME shares the true equator but measures right ascension from the mean equinox, so
``α_TEME = α_TETE − Δψ cos ε`` (the equation of the equinoxes, ≤ 1.2″). ITRS follows from
:func:`skywarden.space.orbit.frames.gmst82_rad` exactly as for satellites (polar motion ignored,
UT1 = UTC unless ``dut1_s`` is given), so Sun and satellites share one Earth-fixed frame.
Measured against astropy over 2000–2025 (``tests/space/test_sun.py``): ≤ 0.0042°, median 0.001°.
TT − UTC is taken as 69.184 s (its value since 2017; earlier dates err by up to 27 s — 42.184 s
in 1972 — which is 1.1″ of solar longitude, 0.0003°). Against Meeus's VSOP87 example (25.b,
1992-10-13.0 TT) the position is 1.5″ off; against his low-accuracy example (25.a), whose own
error is ~10″ in α, 10.5″ (the perturbation terms above are the difference).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import OptionError
from ...geo import ecef_to_enu_matrix, geodetic_to_ecef
from ...timeutil import datetime64_to_jd, to_datetime64
from .frames import gmst82_rad

__all__ = [
    "AU_KM",
    "subsolar_point",
    "sun_elevation_deg",
    "sun_position",
    "sun_ra_dec",
]

AU_KM = 149_597_870.7
"""Astronomical unit, km (IAU 2012)."""


_TT_MINUS_UTC_S = 69.184  # 32.184 s + 37 leap seconds (since 2017-01-01)
_PERTURBATION_ARGS = (  # (degrees at 1900.0, degrees per century): A, B, C, D, E of the docstring
    (153.23, 22518.7541),
    (216.57, 45037.5082),
    (312.69, 32964.3577),
    (350.74, 445267.1142),
    (231.19, 20.20),
)


def _centuries_tt(times: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    t64 = to_datetime64(times)
    jd, fr = datetime64_to_jd(np.atleast_1d(t64))
    days = (jd - 2451545.0) + (fr + _TT_MINUS_UTC_S / 86400.0)
    return days / 36525.0, np.shape(t64)


def _apparent(times: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    """(α_TETE rad, δ rad, distance AU, equation of the equinoxes rad, shape) — Meeus ch. 25."""
    t, shape = _centuries_tt(times)
    l0 = 280.46646 + (36000.76983 + 0.0003032 * t) * t
    m = np.deg2rad(357.52911 + (35999.05029 - 0.0001537 * t) * t)
    c = (
        (1.914602 - (0.004817 + 0.000014 * t) * t) * np.sin(m)
        + (0.019993 - 0.000101 * t) * np.sin(2.0 * m)
        + 0.000289 * np.sin(3.0 * m)
    )
    omega = np.deg2rad(125.04 - 1934.136 * t)
    t1 = t + 1.0  # centuries from 1900 January 0.5 (JD 2415020.0)
    a, b, cj, d, e5 = (np.deg2rad(x0 + rate * t1) for x0, rate in _PERTURBATION_ARGS)
    pert = (0.00134 * np.cos(a) + 0.00154 * np.cos(b) + 0.00200 * np.cos(cj)
            + 0.00179 * np.sin(d) + 0.00178 * np.sin(e5))  # fmt: skip
    lam = np.deg2rad(l0 + c - 0.00569 - 0.00478 * np.sin(omega) + pert)
    eps = np.deg2rad(23.4392911 - 0.0130042 * t + 0.00256 * np.cos(omega))
    ra = np.arctan2(np.cos(eps) * np.sin(lam), np.cos(lam))
    dec = np.arcsin(np.sin(eps) * np.sin(lam))
    e = 0.016708634 - 0.000042037 * t
    nu = m + np.deg2rad(c)
    dist = 1.000001018 * (1.0 - e * e) / (1.0 + e * np.cos(nu))
    eqeq = np.deg2rad(-0.00478 * np.sin(omega)) * np.cos(eps)  # Δψ cos ε, main nutation term
    return ra, dec, dist, eqeq, shape


def sun_ra_dec(times: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apparent right ascension and declination of date (true equator and equinox), distance.

    Returns ``(ra_deg in [0, 360), dec_deg, distance_au)`` with the shape of ``times`` (UTC).
    """
    ra, dec, dist, _, shape = _apparent(times)
    return (np.rad2deg(ra) % 360.0).reshape(shape), np.rad2deg(dec).reshape(shape), dist.reshape(shape)


def sun_position(times: Any, frame: str = "teme", *, dut1_s: float = 0.0) -> np.ndarray:
    """Geocentric Sun position, km, shape ``times.shape + (3,)``; ``frame`` is ``teme`` or ``itrs``.

    Divide by the norm for the unit direction.
    """
    if frame not in ("teme", "itrs"):
        raise OptionError("frame", frame, ("teme", "itrs"))
    ra_tete, dec, dist_au, eqeq, shape = _apparent(times)
    ra = ra_tete - eqeq  # TEME right ascension, from the mean equinox
    if frame == "itrs":
        ra = ra - np.atleast_1d(gmst82_rad(times, dut1_s)).ravel()
    r = dist_au * AU_KM
    xyz = np.stack([r * np.cos(dec) * np.cos(ra), r * np.cos(dec) * np.sin(ra), r * np.sin(dec)], axis=-1)
    return xyz.reshape((*shape, 3))


def subsolar_point(times: Any, *, dut1_s: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Sub-solar point ``(lat_deg, lon_deg)``: where the Sun is in the zenith (WGS84 normal).

    For a source at infinity the geodetic latitude of that point equals the ITRS declination;
    solar parallax (8.8″) is below the formulae's precision. Longitude in [-180, 180).
    """
    p = sun_position(times, "itrs", dut1_s=dut1_s)
    lat = np.rad2deg(np.arctan2(p[..., 2], np.hypot(p[..., 0], p[..., 1])))
    lon = (np.rad2deg(np.arctan2(p[..., 1], p[..., 0])) + 180.0) % 360.0 - 180.0
    return lat, lon


def sun_elevation_deg(
    times: Any, lat_deg: Any, lon_deg: Any, alt_m: Any = 0.0, *, dut1_s: float = 0.0, pairwise: bool = False
) -> np.ndarray:
    """Geometric Sun elevation (no refraction) of the Sun's centre at WGS84 sites, degrees.

    ``times`` has shape ``(n_times,)`` (or is one time). With scalar site coordinates the result
    has the shape of ``times``; with site arrays of shape ``(n_sites,)`` it is
    ``(n_sites, n_times)`` (``(n_sites,)`` for one time). Civil twilight ends at −6°, nautical
    at −12°.

    ``pairwise=True``: time ``k`` is seen from site ``k`` only (times and site arrays broadcast
    to one shape ``(n,)``); the result has shape ``(n,)``: one Sun computation per sample, for
    many events at many sites (overflight windows at their best time).
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    if pairwise:
        t64, lat_s, lon_s, alt_s = np.broadcast_arrays(
            np.atleast_1d(to_datetime64(times)), np.atleast_1d(lat), np.atleast_1d(lon),
            np.atleast_1d(np.asarray(alt_m, dtype=np.float64)),
        )  # fmt: skip
        d = sun_position(t64, "itrs", dut1_s=dut1_s) - geodetic_to_ecef(lat_s, lon_s, alt_s) / 1000.0
        up = ecef_to_enu_matrix(lat_s, lon_s)[:, 2, :]
        sin_el = np.einsum("nk,nk->n", d, up) / np.linalg.norm(d, axis=-1)
        return np.rad2deg(np.arcsin(np.clip(sin_el, -1.0, 1.0)))
    sun = sun_position(np.atleast_1d(to_datetime64(times)), "itrs", dut1_s=dut1_s)  # (T, 3)
    scalar_site = lat.ndim == 0 and lon.ndim == 0
    lat_s, lon_s, alt_s = np.broadcast_arrays(np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(alt_m))
    site_km = geodetic_to_ecef(lat_s, lon_s, alt_s) / 1000.0  # (S, 3)
    up = ecef_to_enu_matrix(lat_s, lon_s)[:, 2, :]  # (S, 3)
    d = sun[None, :, :] - site_km[:, None, :]  # (S, T, 3)
    sin_el = np.einsum("stk,sk->st", d, up) / np.linalg.norm(d, axis=-1)
    el = np.rad2deg(np.arcsin(np.clip(sin_el, -1.0, 1.0)))
    scalar_time = np.ndim(to_datetime64(times)) == 0
    if scalar_site:
        return el[0, 0] if scalar_time else el[0]
    return el[:, 0] if scalar_time else el
