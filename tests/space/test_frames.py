"""Frames against outside references: ERFA (via astropy), skyfield and pyproj.

* GMST 1982: ERFA ``gmst82`` through astropy ``Time.sidereal_time(model="IAU1982")``;
  1992-08-20 12:14 UT1 → 10h10m18.9090844s = 152.5787878°, the date of Vallado's
  *Fundamentals of Astrodynamics* Example 3-5 (152.578 787 886°).
* TEME → ITRS → geodetic and topocentric az/el/range: skyfield 1.55 ``EarthSatellite`` with
  ``load.timescale(builtin=True)`` (no download). Skyfield goes TEME → GCRS (IAU 2000A) →
  ITRS with the real UT1; passing skyfield's ``t.dut1`` as ``dut1_s`` leaves only the
  difference between its IAU 2000 theory and GMST 1982, which is centimetres. With the default
  ``dut1_s=0`` the Earth-rotation error is ω⊕·r·|UT1−UTC| (27 m in LEO for 2026-03's 0.052 s).
* WGS84 ITRS → geodetic: points placed by pyproj (PROJ) EPSG:4979 → EPSG:4978, recovered
  to a millimetre.
"""

from __future__ import annotations

import math
from datetime import UTC

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.errors import InputError
from skywarden.geo import geodetic_to_ecef
from skywarden.space.catalog.tle import parse_tle_lines
from skywarden.space.orbit.frames import (
    EARTH_ROTATION_RAD_S,
    gmst82_rad,
    itrs_to_geodetic,
    teme_to_geodetic,
    teme_to_itrs,
    topocentric,
)
from skywarden.space.orbit.propagate import propagate
from skywarden.timeutil import time_grid

TEN_METRES = 0.010  # km
ONE_MM = 1e-6  # km
ONE_CM_PER_S = 1e-5  # km/s
ONE_MAS_RAD = math.radians(1e-3 / 3600.0)  # one milliarcsecond, rad
ARCSEC_DEG = 1.0 / 3600.0
TEN_METRES_DEG = 0.010 / 6371.0 * 180.0 / math.pi  # ten metres of arc on the Earth's surface
ONE_MM_DEG = 1e-6 / 6371.0 * 180.0 / math.pi  # one millimetre of arc on the Earth's surface


@pytest.fixture(scope="module")
def sample_tles(shared_data):
    """(name, line1, line2): the ISS, a GPS satellite and the first 8 MEO/GEO/HEO objects."""
    wanted = {25544, 40294}  # ISS (ZARYA), NAVSTAR 72
    lines = (shared_data / "catalogs" / "celestrak-active-2026-03-19.tle").read_text().splitlines()
    picked = []
    for i in range(0, len(lines) - 2, 3):
        l1, l2 = lines[i + 1], lines[i + 2]
        el = parse_tle_lines(l1, l2)
        if el.norad_id in wanted or (el.orbit_class in ("GEO", "HEO", "MEO") and len(picked) < 8):
            picked.append((lines[i].strip(), l1, l2))
    assert any("25544" in p[1][:8] for p in picked)
    return picked


def _skyfield(l1, l2, times):
    from skyfield.api import EarthSatellite, load

    ts = load.timescale(builtin=True)
    t = ts.from_datetimes([x.astype("datetime64[us]").item().replace(tzinfo=UTC) for x in times])
    return EarthSatellite(l1, l2, ts=ts), t


def test_gmst82_matches_erfa_via_astropy():
    from astropy.time import Time

    t = "1992-08-20T12:14:00"
    erfa_deg = Time(t, scale="ut1").sidereal_time("mean", "greenwich", model="IAU1982").deg
    assert erfa_deg == pytest.approx(152.5787878, abs=1e-6)  # Vallado Ex. 3-5: 152.578787886°
    ours = float(np.degrees(gmst82_rad(t)))  # UTC argument with dut1 = 0 → same UT1 instant
    assert abs(ours - erfa_deg) * 3600.0 < 1e-3  # below a milliarcsecond
    grid = time_grid("2000-01-01", "9000d", "7d")
    erfa = Time(grid, scale="ut1").sidereal_time("mean", "greenwich", model="IAU1982").rad
    diff = np.angle(np.exp(1j * (gmst82_rad(grid) - erfa)))
    assert np.abs(diff).max() < ONE_MAS_RAD


def test_gmst82_matches_skyfield_and_dut1_shifts_it():
    from skyfield.sgp4lib import theta_GMST1982

    grid = time_grid("2026-03-19T00:00:00Z", "1d", "17m")
    from skywarden.timeutil import datetime64_to_jd

    jd, fr = datetime64_to_jd(grid)
    theta, _ = theta_GMST1982(jd, fr)
    assert np.abs(np.angle(np.exp(1j * (gmst82_rad(grid) - theta)))).max() < ONE_MAS_RAD
    shifted = gmst82_rad(grid, dut1_s=0.5) - gmst82_rad(grid)
    rate = 2 * math.pi * 1.00273790935 / 86400.0  # rad per second of UT1
    np.testing.assert_allclose(np.angle(np.exp(1j * shifted)), 0.5 * rate, rtol=1e-6)


def test_itrs_geodetic_topocentric_match_skyfield(sample_tles):
    from skyfield.api import wgs84
    from skyfield.framelib import itrs

    times = time_grid("2026-03-19T00:00:00Z", "12h", "37m")
    site = (52.2, 0.1, 40.0)  # lat_deg, lon_deg, alt_m (Cambridge, UK)
    for name, l1, l2 in sample_tles:
        el = parse_tle_lines(l1, l2)
        sat, t = _skyfield(l1, l2, times)
        dut1 = float(np.mean(t.dut1))
        assert np.ptp(t.dut1) < 1e-3  # one value suffices for these 12 h
        ours = propagate([el], times, "itrs", velocities=True, backend="sgp4", dut1_s=dut1)
        geo = propagate([el], times, "geodetic", backend="sgp4", dut1_s=dut1)
        pos = sat.at(t)
        r_sf, v_sf = pos.frame_xyz_and_velocity(itrs)
        miss = np.linalg.norm(ours.positions[0] - r_sf.km.T, axis=-1)
        assert miss.max() < TEN_METRES, name
        assert np.linalg.norm(ours.velocities[0] - v_sf.km_per_s.T, axis=-1).max() < ONE_CM_PER_S, name
        lat_sf, lon_sf = wgs84.latlon_of(pos)
        np.testing.assert_allclose(geo.positions[0, :, 0], lat_sf.degrees, rtol=0, atol=TEN_METRES_DEG)
        dlon = (geo.positions[0, :, 1] - lon_sf.degrees + 180.0) % 360.0 - 180.0
        assert np.abs(dlon).max() < TEN_METRES_DEG
        np.testing.assert_allclose(geo.positions[0, :, 2], wgs84.height_of(pos).km, rtol=0, atol=TEN_METRES)
        # topocentric: skyfield (sat - topos).at(t).altaz(), geometric (no refraction)
        topos = wgs84.latlon(site[0], site[1], elevation_m=site[2])
        alt, az, dist = (sat - topos).at(t).altaz()
        our_az, our_el, our_range = topocentric(ours.positions[0], *site)
        np.testing.assert_allclose(our_range, dist.km, rtol=0, atol=TEN_METRES)
        # 10 m at the object's range as an angle
        tol_deg = np.degrees(TEN_METRES / dist.km)
        assert np.all(np.abs(our_el - alt.degrees) < tol_deg), name
        daz = (our_az - az.degrees + 180.0) % 360.0 - 180.0
        assert np.all(np.abs(daz) * np.cos(np.radians(our_el)) < tol_deg), name


def test_default_dut1_error_is_earth_rotation_times_dut1(sample_tles):
    """With UT1 = UTC assumed, the ITRS error is ω⊕·ρ·|dut1| (ρ = distance from the axis)."""
    from skyfield.framelib import itrs

    times = time_grid("2026-03-19T00:00:00Z", "6h", "30m")
    _name, l1, l2 = sample_tles[0]
    sat, t = _skyfield(l1, l2, times)
    ours = propagate([parse_tle_lines(l1, l2)], times, "itrs", backend="sgp4")
    r_sf = sat.at(t).frame_xyz(itrs).km.T
    rho = np.hypot(r_sf[:, 0], r_sf[:, 1])
    expected = EARTH_ROTATION_RAD_S * rho * np.abs(t.dut1)
    miss = np.linalg.norm(ours.positions[0] - r_sf, axis=-1)
    np.testing.assert_allclose(miss, expected, rtol=0, atol=TEN_METRES)


def test_itrs_to_geodetic_matches_pyproj():
    """Known geodetic points → ECEF by pyproj (PROJ ``cart``, closed form) → our inverse.

    PROJ's own ECEF → geodetic is Bowring's non-iterated formula (3 mm off at 600 km, 0.3 m at
    GEO), so the reference here is its exact forward direction.
    """
    from pyproj import Transformer

    rng = np.random.default_rng(7)
    lat = rng.uniform(-90.0, 90.0, 5000)
    lon = rng.uniform(-180.0, 180.0, 5000)
    alt_m = rng.uniform(-1000.0, 400_000_000.0, 5000)  # surface to beyond the Moon
    to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    x, y, z = to_ecef.transform(lon, lat, alt_m)
    lat2, lon2, alt2_km = itrs_to_geodetic(np.stack([x, y, z], axis=-1) / 1000.0)
    np.testing.assert_allclose(lat2, lat, rtol=0, atol=ONE_MM_DEG)
    dlon = (lon2 - lon + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(dlon) * np.cos(np.radians(lat)) < ONE_MM_DEG)
    np.testing.assert_allclose(alt2_km, alt_m / 1000.0, rtol=0, atol=ONE_MM)


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-90.0, 90.0),
    lon=st.floats(-180.0, 179.999999),
    alt_m=st.floats(-5_000.0, 40_000_000.0),
)
def test_geodetic_round_trip(lat, lon, alt_m):
    xyz_km = geodetic_to_ecef(lat, lon, alt_m) / 1000.0
    lat2, lon2, alt2_km = itrs_to_geodetic(xyz_km)
    assert abs(float(lat2) - lat) < 1e-9
    assert abs(float(alt2_km) * 1000.0 - alt_m) < 1e-3
    if abs(lat) < 89.9999:
        assert abs((float(lon2) - lon + 180.0) % 360.0 - 180.0) < 1e-9
    assert -180.0 <= float(lon2) < 180.0


def test_array_helpers_shapes_and_nan():
    times = time_grid("2026-03-19", "10m", "1m")
    r = np.tile([7000.0, 0.0, 0.0], (4, 10, 1))
    r[2, 3] = np.nan
    r_itrs, v_itrs = teme_to_itrs(r, times, np.tile([0.0, 7.5, 0.0], (4, 10, 1)))
    assert r_itrs.shape == (4, 10, 3) and v_itrs is not None and v_itrs.shape == (4, 10, 3)
    assert np.isnan(r_itrs[2, 3]).all() and np.isfinite(r_itrs[2, 2]).all()
    np.testing.assert_allclose(np.linalg.norm(r_itrs, axis=-1)[0], 7000.0, rtol=0, atol=ONE_MM)
    lat, _lon, alt = teme_to_geodetic(r[0], times)  # (n_times, 3) also works
    assert lat.shape == (10,) and np.allclose(alt, 7000.0 - 6378.137)
    with pytest.raises(InputError, match=r"shape \(\.\.\., n_times, 3\) with n_times=10"):
        teme_to_itrs(np.zeros((4, 9, 3)), times)
    with pytest.raises(InputError, match=r"shape \(\.\.\., 3\)"):
        topocentric(np.zeros((4, 2)), 0.0, 0.0)


def test_topocentric_closed_forms():
    """Overhead and due-east horizon points (closed form: el 90°, el 0° at az 90°)."""
    site_km = geodetic_to_ecef(45.0, 10.0, 0.0) / 1000.0
    up = np.array([math.cos(math.radians(45)) * math.cos(math.radians(10)),
                   math.cos(math.radians(45)) * math.sin(math.radians(10)), math.sin(math.radians(45))])  # fmt: skip
    east = np.array([-math.sin(math.radians(10)), math.cos(math.radians(10)), 0.0])
    pts = np.stack([site_km + 500.0 * up, site_km + 100.0 * east, [np.nan] * 3])
    az, el, rng = topocentric(pts, 45.0, 10.0, 0.0)
    assert el[0] == pytest.approx(90.0, abs=1e-9) and rng[0] == pytest.approx(500.0)
    assert el[1] == pytest.approx(0.0, abs=1e-9) and az[1] == pytest.approx(90.0, abs=1e-9)
    assert np.isnan([az[2], el[2], rng[2]]).all()


def test_itrs_to_teme_inverts_teme_to_itrs() -> None:
    # Round trip of a LEO state (Vallado 2006 example 2-… style numbers; any state will do):
    # the inverse must restore position to the millimetre and velocity to the micrometre per second.
    from skywarden.space.orbit.frames import itrs_to_teme, teme_to_itrs

    r = np.array([[5094.18016210, 6127.64465950, 6380.34453270]])
    v = np.array([[-4.746131487, 0.785818041, 5.531931288]])
    t = np.datetime64("2026-03-19T12:34:56.789", "ns")
    r_e, v_e = teme_to_itrs(r.copy(), [t], v.copy())
    assert v_e is not None
    r_back, v_back = itrs_to_teme(r_e[0], v_e[0], t)
    assert np.allclose(r_back, r[0], atol=1e-6) and np.allclose(v_back, v[0], atol=1e-9)
