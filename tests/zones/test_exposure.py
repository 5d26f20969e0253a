"""Site exposure along tracks and ensembles, against pyproj geodesics and hand-worked geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod
from scipy.optimize import brentq

from skywarden.sites import Site
from skywarden.zones.exposure import (
    MEAN_EARTH_RADIUS_M,
    camera_footprint_radius_m,
    horizon_distance_m,
    site_exposure,
    site_passes,
)

GEOD = Geod(ellps="WGS84")
TEN_METRES = 10.0  # m
ONE_SECOND = 1.0  # s


def _times(n: int, step_s: int) -> np.ndarray:
    return np.datetime64("2026-01-01T00:00:00", "ns") + np.arange(n) * np.timedelta64(step_s, "s")


def test_closest_approach_and_time_inside_against_pyproj() -> None:
    # North along the prime meridian, 1 deg/h, from 1 S to 1 N; site 0.05 deg east of the equator.
    n = 121
    t = _times(n, 60)
    lat = np.linspace(-1.0, 1.0, n)
    site = Site("east", 0.0, 0.05)
    (p,) = site_passes([site], t, lat, np.zeros(n), np.full(n, 18_000.0), radius_m=10_000.0)
    ref = GEOD.inv(0.0, 0.0, 0.05, 0.0)[2]  # closest point is the equator crossing
    assert abs(p.distance_m - ref) < TEN_METRES
    assert (
        abs((p.closest_time - np.datetime64("2026-01-01T01:00:00")) / np.timedelta64(1, "s")) < ONE_SECOND * 5
    )
    # Entry latitude where the geodesic distance to the site is exactly 10 km (pyproj + root finding).
    lat_in = brentq(lambda la: GEOD.inv(0.0, la, 0.05, 0.0)[2] - 10_000.0, -0.5, 0.0)
    expected_duration = 2 * abs(lat_in) * 3600.0  # 1 deg/h, symmetric about the equator
    assert p.duration_s == pytest.approx(expected_duration, rel=0.005)
    assert p.alt_m == pytest.approx(18_000.0)


def test_far_sites_are_not_reported_and_polygon_radius_counts() -> None:
    n = 11
    t = _times(n, 60)
    lat = np.linspace(-0.1, 0.1, n)
    far = Site("far", 0.0, 1.0)
    wide = Site("wide", 0.0, 0.2, radius_m=15_000.0)  # 22 km away, but 15 km radius + 10 km pass radius
    names = [p.site for p in site_passes([far, wide], t, lat, np.zeros(n), np.zeros(n))]
    assert names == ["wide"]


def test_track_across_the_antimeridian_passes_a_site_on_180() -> None:
    n = 21
    t = _times(n, 60)
    lon = (np.linspace(179.5, 180.5, n) + 180.0) % 360.0 - 180.0
    (p,) = site_passes(
        [Site("dateline", 52.0, 179.99)], t, np.full(n, 52.0), lon, np.zeros(n), radius_m=5_000.0
    )
    assert p.distance_m < 100.0


def test_ensemble_probability_is_the_fraction_of_members_passing() -> None:
    n = 61
    t = _times(n, 60)
    offsets = np.linspace(-0.5, 0.5, 40)  # members spread east-west, 0.0256 deg apart
    lat = np.tile(np.linspace(-1.0, 1.0, n), (40, 1))
    lon = np.repeat(offsets[:, None], n, axis=1)
    site = Site("centre", 0.0, 0.0)
    (exp,) = site_exposure([site], t, lat, lon, np.full_like(lat, 20_000.0), radius_m=10_000.0)
    within = [abs(GEOD.inv(o, 0.0, 0.0, 0.0)[2]) <= 10_000.0 for o in offsets]
    assert exp.probability == pytest.approx(sum(within) / 40)
    nearest = min(abs(GEOD.inv(o, 0.0, 0.0, 0.0)[2]) for o in offsets)  # 0.0128° → 1.43 km
    assert abs(exp.min_distance_m - nearest) < TEN_METRES


def test_camera_footprint_hand_worked() -> None:
    # h = 20 km, θ = 45°: x = (R+h)/R·sin 45° = 0.7093265, x − sin 45° = 0.0022197. Taylor:
    # asin(x) − 45° = 0.0022197·√2 + ½·2·0.0022197² = 0.0031391 + 0.0000049 rad → R·λ ≈ 20 031 m,
    # a little more than the flat-Earth h·tan θ = 20 000 m because the ground curves away.
    r = MEAN_EARTH_RADIUS_M
    lam = math.asin((r + 20_000.0) / r * math.sin(math.radians(45.0))) - math.radians(45.0)
    assert camera_footprint_radius_m(20_000.0, 45.0) == pytest.approx(r * lam, rel=1e-12)
    assert camera_footprint_radius_m(20_000.0, 45.0) == pytest.approx(20_031.0, abs=5.0)
    # Horizon from 20 km: with ε = h/(R+h) = 0.00312940, acos(1−ε) = √(2ε)(1 + ε/12 + 3ε²/160)
    # = 0.0791326 rad → 504 158 m along the ground (the straight line of sight √(2Rh+h²) is 505.2 km).
    # A cone of 89° half-angle reaches past the horizon, so the horizon limits it.
    assert horizon_distance_m(20_000.0) == pytest.approx(504_158.0, abs=2.0)
    assert camera_footprint_radius_m(20_000.0, 89.0) == pytest.approx(horizon_distance_m(20_000.0))
    assert camera_footprint_radius_m(0.0, 30.0) == 0.0
