"""Fall dynamics against closed forms.

References:
* Constant density, quadratic drag, from rest: v(t) = v_t tanh(g t / v_t) and fallen distance
  d(t) = (v_t² / g) ln cosh(g t / v_t) (e.g. J. R. Taylor, *Classical Mechanics*, 2005, §2.4,
  eqs. 2.57–2.58). So the time to fall h0 is t = (v_t / g) arccosh(exp(g h0 / v_t²)).
* Exponential atmosphere ρ = ρ0 exp(−h/H), quasi-steady fall: v_t(h) = v_t0 exp(h / 2H) and
  t = (2H / v_t0)(1 − exp(−h0 / 2H)) (integrate dh / v_t(h)). The full dynamics lag the local
  terminal speed slightly; the difference is quantified below.
* Uniform wind with the piece released at the wind's velocity: the relative horizontal
  velocity stays zero, so the drift is exactly u·t.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.errors import ValidationError
from skywarden.geo import geodesic_inverse
from skywarden.hazard.fall import WindColumn, fall
from skywarden.hazard.fragments import load_payload
from skywarden.weather.atmosphere import G0_M_S2

G = G0_M_S2
TENTH_SECOND = 0.1  # s
ONE_METRE = 1.0  # m
ONE_CM_S = 0.01  # m/s
RHO0 = 1.225  # kg/m³
H_SCALE = 7000.0  # m, scale height of the test atmosphere


def _constant(rho: float):
    return lambda z: np.full(np.shape(z), rho)


def _exponential(rho0: float, h: float):
    return lambda z: rho0 * np.exp(-np.asarray(z, dtype=float) / h)


def test_constant_density_fall_matches_tanh_closed_form_scalar_and_array():
    mass = np.array([0.5, 2.0, 10.0])  # kg
    cda = np.array([0.05, 0.5, 0.2])  # m²
    h0 = 3000.0
    vt = np.sqrt(2 * mass * G / (RHO0 * cda))
    t_ref = vt / G * np.arccosh(np.exp(G * h0 / vt**2))
    v_ref = vt * np.tanh(G * t_ref / vt)
    res = fall(mass, cda, h0, atmosphere=_constant(RHO0), dt_max_s=0.01, dz_max_m=0.5)
    assert res.time_s.shape == (3,)
    np.testing.assert_allclose(res.time_s, t_ref, atol=TENTH_SECOND)
    np.testing.assert_allclose(res.impact_speed_m_s, v_ref, atol=ONE_CM_S)
    np.testing.assert_allclose(res.kinetic_energy_j, 0.5 * mass * v_ref**2, rtol=1e-3)
    one = fall(float(mass[1]), float(cda[1]), h0, atmosphere=_constant(RHO0), dt_max_s=0.01, dz_max_m=0.5)
    assert one.time_s.shape == ()
    assert float(one.time_s) == pytest.approx(t_ref[1], abs=TENTH_SECOND)


@pytest.mark.parametrize(("mass_kg", "cda_m2", "rel_tol"), [(1.0, 0.5, 1e-3), (0.5, 0.01, 2e-2)])
def test_exponential_atmosphere_converges_to_quasi_steady_closed_form(mass_kg, cda_m2, rel_tol):
    """Light piece (v_t0 = 5.7 m/s): within 0.1 %. Dense piece (v_t0 = 28 m/s, 130 m/s at 20 km):
    the lag behind the local terminal speed is ~v_t²/(gH) ≈ 1 %; within 2 %."""
    h0 = 20_000.0
    vt0 = math.sqrt(2 * mass_kg * G / (RHO0 * cda_m2))
    t_ref = 2 * H_SCALE / vt0 * (1 - math.exp(-h0 / (2 * H_SCALE)))
    atm = _exponential(RHO0, H_SCALE)
    errors = []
    for dt, dz in [(4.0, 100.0), (2.0, 50.0), (1.0, 25.0), (0.05, 1.0)]:
        res = fall(mass_kg, cda_m2, h0, atmosphere=atm, dt_max_s=dt, dz_max_m=dz)
        errors.append(float(res.time_s))
    fine = errors[-1]
    assert fine == pytest.approx(t_ref, rel=rel_tol)
    # the full dynamics are slower than the quasi-steady law (the piece lags its terminal speed)
    assert fine >= t_ref * (1 - 1e-4)
    # step convergence toward the fine solution
    diffs = [abs(e - fine) for e in errors[:-1]]
    assert diffs[0] > diffs[1] > diffs[2]
    assert diffs[1] < 2.0e-4 * fine  # default steps: better than 0.02 % of the fall time
    res = fall(mass_kg, cda_m2, h0, atmosphere=atm, dt_max_s=0.05, dz_max_m=1.0)
    assert float(res.vertical_speed_m_s) == pytest.approx(vt0, rel=rel_tol)


def test_uniform_wind_drift_is_wind_times_fall_time():
    u, v = 12.0, -5.0
    res = fall(3.0, 0.8, 25_000.0, lat_deg=45.0, lon_deg=10.0, velocity_enu_m_s=(u, v, 0.0),
               wind=WindColumn.uniform(u, v))  # fmt: skip
    t = float(res.time_s)
    assert float(res.east_m) == pytest.approx(u * t, abs=ONE_METRE)
    assert float(res.north_m) == pytest.approx(v * t, abs=ONE_METRE)
    # impact point placed along the geodesic: check against pyproj independently
    az, _, dist = geodesic_inverse(45.0, 10.0, res.lat_deg, res.lon_deg)
    assert float(dist) == pytest.approx(math.hypot(u * t, v * t), abs=ONE_METRE)
    assert float(az) == pytest.approx(math.degrees(math.atan2(u, v)), abs=1e-6)


def test_calm_air_release_velocity_decays_and_piece_lands_near_below():
    res = fall(0.11, 0.118, 30_000.0, velocity_enu_m_s=(20.0, 0.0, 0.0))
    # horizontal momentum is lost within a few seconds of a light piece at altitude
    assert 0.0 < float(res.east_m) < 2000.0
    assert float(res.north_m) == pytest.approx(0.0, abs=1e-9)


def test_parachute_preset_lands_at_its_sea_level_terminal_speed():
    frag = load_payload("heavy-gondola").fragments[0]
    res = fall(frag.mass_kg, frag.drag_area_m2, 30_000.0)
    assert float(res.impact_speed_m_s) == pytest.approx(frag.terminal_speed_m_s(RHO0), rel=5e-3)


def test_wind_profile_from_callable_and_shear_direction():
    wind = WindColumn.from_callable(lambda z: (np.where(np.asarray(z) > 10_000, 30.0, 0.0), 0.0), 30_000.0)
    res = fall(1.0, 0.5, 20_000.0, wind=wind)
    t = float(res.time_s)
    assert 0.0 < float(res.east_m) < 30.0 * t


def test_bad_inputs_raise():
    with pytest.raises(ValidationError):
        fall(-1.0, 0.5, 1000.0)
    with pytest.raises(ValidationError):
        fall(1.0, 0.5, 1000.0, atmosphere=lambda z: -np.ones(np.shape(z)))


def test_real_gfs_profile_drift_matches_quasi_steady_quadrature(shared_data):
    """Real GFS winds (MetPy GFS_test.nc, valid 2010-10-26 12 UTC, North America): the drift of a
    light piece equals ∫ w(z) dz / v_t(z) evaluated independently with WindField.interp and the
    US 1976 density (trapezoid rule on 10 m steps), within 1 % of the drift."""
    from skywarden.weather.atmosphere import standard_atmosphere
    from skywarden.weather.winds import load_winds

    field = load_winds(shared_data / "winds" / "gfs_1deg_namerica_2010102612_pl.nc")
    t0 = field.times[0]
    lat, lon, h0 = 40.0, -100.0 % 360.0, 18_000.0
    mass, cda = 1.0, 0.5
    profile = WindColumn.from_field(field, t0, lat, lon, h0 + 1000.0)
    u0, v0 = field.interp(t0, h0, lat, lon)
    res = fall(
        mass, cda, h0, lat_deg=lat, lon_deg=lon, velocity_enu_m_s=(float(u0), float(v0), 0.0), wind=profile
    )
    z = np.arange(0.0, h0 + 1.0, 10.0)
    uz, vz = field.interp(np.full(z.size, t0), z, lat, lon, outside="clamp")
    vt = np.sqrt(2 * mass * G / (standard_atmosphere(z).density_kg_m3 * cda))
    east_ref = np.trapezoid(uz / vt, z)
    north_ref = np.trapezoid(vz / vt, z)
    drift_ref = math.hypot(east_ref, north_ref)
    assert drift_ref > 5_000.0  # a real, non-trivial drift
    assert math.hypot(float(res.east_m) - east_ref, float(res.north_m) - north_ref) < 0.01 * drift_ref
    assert float(res.time_s) == pytest.approx(np.trapezoid(1.0 / vt, z), rel=2e-3)
