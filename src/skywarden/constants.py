"""Earth constants, each written once, with its source.

Two Earth models are in use on purpose:

* **WGS72** for everything that works with SGP4 mean elements. SGP4 was fitted with WGS72
  gravity (Hoots & Roehrich 1980, Spacetrack Report No. 3; Vallado, Crawford, Hujsak & Kelso
  2006, "Revisiting Spacetrack Report #3", AIAA 2006-6753, §"Gravitational constants"), and the
  Kozai mean motion of a TLE turns into a semi-major axis, perigee and apogee only with the
  same μ and equatorial radius. python-sgp4's ``WGS72`` constant set has the same numbers
  (``sgp4.earth_gravity.wgs72``: mu = 398600.8 km³/s², radiusearthkm = 6378.135 km,
  j2 = 0.001082616).
* **WGS84** for geodesy (geodetic ↔ ECEF, geodesics, heights): NIMA TR8350.2, 3rd edition
  (2000), Table 3.1 (a, 1/f) and Table 3.3 (GM including the atmosphere).

The Earth rotation rate is 7.292115146706979e-5 rad/s: the rate of the Earth rotation angle,
2π·1.00273781191135448 rad per UT1 day (IERS Conventions 2010, eq. 5.15), the value Vallado's
``teme2ecef`` (Vallado et al. 2006) uses for the TEME → ITRS velocity transport. WGS84's nominal
ω is 7.292115e-5 rad/s, 1.5e-12 rad/s apart (62 µm/s at GEO, far below any use here).
"""

from __future__ import annotations

__all__ = [
    "EARTH_ROTATION_RAD_S",
    "WGS72_EARTH_RADIUS_KM",
    "WGS72_J2",
    "WGS72_MU_KM3_S2",
    "WGS84_A_M",
    "WGS84_B_M",
    "WGS84_E2",
    "WGS84_F",
    "WGS84_GM_M3_S2",
]

WGS72_MU_KM3_S2 = 398600.8
"""WGS72 gravitational parameter μ, km³/s² (the value SGP4 uses; Vallado et al. 2006)."""
WGS72_EARTH_RADIUS_KM = 6378.135
"""WGS72 equatorial radius, km (SGP4's ``radiusearthkm``; perigee/apogee heights are above it)."""
WGS72_J2 = 0.001082616
"""WGS72 second zonal harmonic J2 (SGP4's ``j2``)."""

WGS84_A_M = 6378137.0
"""WGS84 semi-major axis, metres (NIMA TR8350.2 Table 3.1)."""
WGS84_F = 1.0 / 298.257223563
"""WGS84 flattening (NIMA TR8350.2 Table 3.1)."""
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
"""WGS84 semi-minor axis, metres."""
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
"""WGS84 first eccentricity squared (6.69437999014e-3)."""
WGS84_GM_M3_S2 = 3.986004418e14
"""WGS84 (and EGM96) gravitational parameter including the atmosphere, m³/s² (TR8350.2 Table 3.3)."""

EARTH_ROTATION_RAD_S = 7.292115146706979e-5
"""Earth's rotation rate ω⊕, rad/s (IERS 2010 eq. 5.15; Vallado et al. 2006 ``teme2ecef``; LOD not modelled)."""
