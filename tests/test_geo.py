"""WGS84 conversions against PROJ (pyproj Transformer EPSG:4979 ↔ EPSG:4978) and GeographicLib."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from skywarden.geo import (
    ecef_to_enu_matrix,
    ecef_to_geodetic,
    geodesic_destination,
    geodesic_inverse,
    geodetic_to_ecef,
    unwrap_lon_deg,
    wrap_lon_deg,
)

ONE_MILLIMETRE = 1e-3  # m
ONE_MICRODEGREE = 1e-6  # deg (≈ 0.1 m)
ONE_CENTIMETRE = 0.01  # m
HALF_MILLIDEGREE = 5e-4  # deg

_TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-90, 90),
    st.floats(-180, 179.999),
    st.floats(-1000.0, 40_000_000.0),
)
def test_geodetic_ecef_against_proj(lat: float, lon: float, alt: float) -> None:
    x, y, z = _TO_ECEF.transform(lon, lat, alt)
    ours = geodetic_to_ecef(lat, lon, alt)
    assert np.allclose(ours, [x, y, z], atol=ONE_MILLIMETRE, rtol=0)
    back_lat, back_lon, back_alt = ecef_to_geodetic(np.array([x, y, z]))
    assert abs(back_lat - lat) < ONE_MICRODEGREE * 1e-2
    if abs(lat) < 89.9999:
        assert abs(wrap_lon_deg(back_lon - lon)) < ONE_MICRODEGREE * 1e-2
    assert abs(back_alt - alt) < ONE_MILLIMETRE


def test_enu_up_is_the_ellipsoid_normal() -> None:
    rot = ecef_to_enu_matrix(45.0, 10.0)
    p0 = geodetic_to_ecef(45.0, 10.0, 0.0)
    p1 = geodetic_to_ecef(45.0, 10.0, 1000.0)
    assert np.allclose(rot @ (p1 - p0), [0.0, 0.0, 1000.0], atol=1e-6)


def test_geodesic_against_geographiclib_worked_example() -> None:
    # GeographicLib's worked example (Karney 2013, "Algorithms for geodesics", J. Geodesy 87:43;
    # GeographicLib documentation, "Geodesic" examples): JFK (40.64 N, 73.78 W) to SIN (1.36 N,
    # 103.99 E) on WGS84: s12 = 15 347 512.94 m, azi1 = 3.306 deg (pyproj.Geod gives 15347512.9405 m,
    # 3.30577 deg). The distance is quoted to the centimetre, the azimuth to the milli-degree.
    az1, _, dist = geodesic_inverse(40.64, -73.78, 1.36, 103.99)
    assert abs(dist - 15_347_512.94) < ONE_CENTIMETRE
    assert abs(az1 - 3.306) < HALF_MILLIDEGREE
    lat2, lon2 = geodesic_destination(40.64, -73.78, az1, dist)
    assert abs(lat2 - 1.36) < ONE_MICRODEGREE and abs(lon2 - 103.99) < ONE_MICRODEGREE


def test_longitude_wrapping_and_unwrapping() -> None:
    assert wrap_lon_deg(190.0) == -170.0
    assert wrap_lon_deg(-180.0) == -180.0
    assert np.allclose(unwrap_lon_deg([179.0, -179.0, -177.0]), [179.0, 181.0, 183.0])
