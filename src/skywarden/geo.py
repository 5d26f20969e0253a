"""WGS84 geometry: geodetic ↔ ECEF, local ENU, geodesics, longitude wrapping.

Longitude wrapping lives here and only here (:func:`wrap_lon_deg`). Geodesic distances and
azimuths use pyproj's ``Geod`` (GeographicLib, accurate to nanometres). Units are in every name:
``lat_deg``, ``lon_deg``, ``alt_m``; ECEF positions are metres unless a name says ``_km``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyproj import Geod

from .constants import WGS84_A_M, WGS84_B_M, WGS84_E2, WGS84_F

__all__ = [
    "GEOD",
    "WGS84_A_M",
    "WGS84_B_M",
    "WGS84_E2",
    "WGS84_F",
    "ecef_to_enu_matrix",
    "ecef_to_geodetic",
    "geodesic_destination",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "mean_position",
    "unwrap_lon_deg",
    "wrap_lon_deg",
]


GEOD = Geod(ellps="WGS84")
"""The one pyproj geodesic object used everywhere."""


def wrap_lon_deg(lon_deg: Any) -> Any:
    """Wrap longitudes to [-180, 180). Scalars stay scalars."""
    wrapped = (np.asarray(lon_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0
    return float(wrapped) if np.ndim(wrapped) == 0 else wrapped


def unwrap_lon_deg(lon_deg: Any) -> np.ndarray:
    """Remove 360° jumps along a sequence of longitudes (for tracks crossing 180°)."""
    return np.rad2deg(np.unwrap(np.deg2rad(np.asarray(lon_deg, dtype=np.float64))))


def geodetic_to_ecef(lat_deg: Any, lon_deg: Any, alt_m: Any = 0.0) -> np.ndarray:
    """WGS84 geodetic to ECEF, metres; output shape ``(..., 3)``."""
    lat = np.deg2rad(np.asarray(lat_deg, dtype=np.float64))
    lon = np.deg2rad(np.asarray(lon_deg, dtype=np.float64))
    h = np.asarray(alt_m, dtype=np.float64)
    sin_lat = np.sin(lat)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    x = (n + h) * np.cos(lat) * np.cos(lon)
    y = (n + h) * np.cos(lat) * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + h) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(xyz_m: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF metres ``(..., 3)`` to WGS84 ``(lat_deg, lon_deg, alt_m)``.

    Bowring's method with two refinements: sub-millimetre from the surface to beyond GEO.
    NaN inputs give NaN outputs.
    """
    p = np.asarray(xyz_m, dtype=np.float64)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    lon = np.arctan2(y, x)
    r = np.hypot(x, y)
    ep2 = WGS84_E2 / (1.0 - WGS84_E2)
    beta = np.arctan2(z * WGS84_A_M, r * WGS84_B_M)
    lat = np.arctan2(z + ep2 * WGS84_B_M * np.sin(beta) ** 3, r - WGS84_E2 * WGS84_A_M * np.cos(beta) ** 3)
    for _ in range(2):
        beta = np.arctan2((1.0 - WGS84_F) * np.sin(lat), np.cos(lat))
        lat = np.arctan2(
            z + ep2 * WGS84_B_M * np.sin(beta) ** 3, r - WGS84_E2 * WGS84_A_M * np.cos(beta) ** 3
        )
    sin_lat = np.sin(lat)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    cos_lat = np.cos(lat)
    # Height: stable form valid at all latitudes.
    alt = r * cos_lat + z * sin_lat - WGS84_A_M * np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    del n
    return np.rad2deg(lat), np.rad2deg(lon), alt


def mean_position(
    lat_deg: Any, lon_deg: Any, alt_m: Any = None, axis: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean position of points along ``axis``: ``(lat_deg, lon_deg, alt_m)``, NaNs ignored.

    The one ensemble-mean definition: the horizontal mean is the mean of the points' ECEF unit
    positions on the ellipsoid surface, brought back to geodetic latitude/longitude (so it is
    antimeridian- and pole-safe, unlike averaging longitudes); the altitude is the plain mean of
    the finite altitudes. Where no point is finite the result is NaN (no warning).
    """
    lat = np.moveaxis(np.asarray(lat_deg, dtype=np.float64), axis, 0)
    lon = np.moveaxis(np.asarray(lon_deg, dtype=np.float64), axis, 0)
    ok = np.isfinite(lat) & np.isfinite(lon)
    count = ok.sum(axis=0)
    xyz = geodetic_to_ecef(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0), 0.0)
    total = np.where(ok[..., None], xyz, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_xyz = total / count[..., None]
    mean_xyz[count == 0] = np.nan
    m_lat, m_lon, _ = ecef_to_geodetic(mean_xyz)
    if alt_m is None:
        return m_lat, m_lon, np.full(np.shape(m_lat), np.nan)
    alt = np.broadcast_to(np.moveaxis(np.asarray(alt_m, dtype=np.float64), axis, 0), lat.shape)
    a_ok = np.isfinite(alt)
    a_count = a_ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_alt = np.where(a_ok, alt, 0.0).sum(axis=0) / a_count
    m_alt = np.where(a_count == 0, np.nan, m_alt)
    return m_lat, m_lon, m_alt


def ecef_to_enu_matrix(lat_deg: Any, lon_deg: Any) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` taking ECEF vectors to local East-North-Up."""
    lat = np.deg2rad(np.asarray(lat_deg, dtype=np.float64))
    lon = np.deg2rad(np.asarray(lon_deg, dtype=np.float64))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    east = np.stack(np.broadcast_arrays(-so, co, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-sl * co, -sl * so, cl), axis=-1)
    up = np.stack(np.broadcast_arrays(cl * co, cl * so, sl), axis=-1)
    return np.stack([east, north, up], axis=-2)


def geodesic_inverse(
    lat1_deg: Any, lon1_deg: Any, lat2_deg: Any, lon2_deg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodesic between point pairs: ``(forward_azimuth_deg, back_azimuth_deg, distance_m)``."""
    args = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (lon1_deg, lat1_deg, lon2_deg, lat2_deg))
    )
    lon1, lat1, lon2, lat2 = (np.ascontiguousarray(a).ravel() for a in args)
    az12, az21, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    shape = args[0].shape
    return (np.reshape(az12, shape), np.reshape(az21, shape), np.reshape(dist, shape))


def geodesic_destination(
    lat_deg: Any, lon_deg: Any, azimuth_deg: Any, distance_m: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Point reached from ``(lat, lon)`` along ``azimuth_deg`` after ``distance_m``: (lat, lon)."""
    args = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (lon_deg, lat_deg, azimuth_deg, distance_m))
    )
    lon, lat, az, dist = (np.ascontiguousarray(a).ravel() for a in args)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    shape = args[0].shape
    return np.reshape(lat2, shape), np.reshape(wrap_lon_deg(np.asarray(lon2)), shape)
