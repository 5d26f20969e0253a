"""The one home of the Earth constants, checked against the sources that define them:
python-sgp4's WGS72 gravity model (``sgp4.earth_gravity.wgs72``), pyproj's WGS84 ellipsoid
(PROJ ``+ellps=WGS84``), and the IERS Conventions (2010) Earth-rotation-angle rate."""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod
from sgp4.earth_gravity import wgs72

from skywarden import constants
from skywarden.space.catalog.elements import perigee_height_km, semi_major_axis_km


def test_wgs72_matches_python_sgp4() -> None:
    assert wgs72.mu == constants.WGS72_MU_KM3_S2
    assert wgs72.radiusearthkm == constants.WGS72_EARTH_RADIUS_KM
    assert wgs72.j2 == constants.WGS72_J2


def test_wgs84_matches_proj() -> None:
    geod = Geod(ellps="WGS84")
    assert geod.a == constants.WGS84_A_M
    assert math.isclose(constants.WGS84_F, geod.f, rel_tol=1e-15)
    assert math.isclose(constants.WGS84_B_M, geod.b, abs_tol=1e-9)  # metres
    assert math.isclose(constants.WGS84_E2, geod.es, rel_tol=1e-14)


def test_rotation_rate_is_the_earth_rotation_angle_rate() -> None:
    # IERS Conventions (2010) eq. 5.15: ERA = 2π(0.7790572732640 + 1.00273781191135448·Tu), Tu in
    # UT1 days; ω = 2π·1.00273781191135448 / 86400 s (Vallado's teme2ecef value, 7.29211514670698e-5).
    assert math.isclose(
        constants.EARTH_ROTATION_RAD_S, 2 * math.pi * 1.00273781191135448 / 86400.0, rel_tol=1e-15
    )
    assert abs(constants.EARTH_ROTATION_RAD_S - 7.292115e-5) < 2e-12  # WGS84's nominal ω (TR8350.2 Table 3.1)


def test_one_perigee_formula_matches_sgp4_semi_major_axis() -> None:
    # ISS 2026-03-19 (CelesTrak): n = 15.48 rev/day, e = 0.0004; a from n with WGS72 μ.
    n_rad_min = 15.48 * 2 * math.pi / 1440.0
    a_ref_km = (wgs72.mu * 3600.0 / n_rad_min**2) ** (1.0 / 3.0)  # μ in km³/min² from km³/s²
    assert math.isclose(float(semi_major_axis_km(15.48)), a_ref_km, rel_tol=1e-12)
    heights = perigee_height_km(np.array([15.48, 2.0]), np.array([0.0004, 0.7]))
    assert math.isclose(heights[0], a_ref_km * (1 - 0.0004) - wgs72.radiusearthkm, rel_tol=1e-12)
    assert heights.shape == (2,)
