"""US Standard Atmosphere 1976 against the published tables.

Reference numbers: U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562, NASA-TM-X-74335),
Table I (geometric altitude): temperature (K), pressure (Pa) and density (kg/m³), 5 significant
figures as printed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skywarden.weather.atmosphere import (
    altitude_from_density,
    altitude_from_pressure,
    geometric_to_geopotential,
    geopotential_to_geometric,
    hypsometric_heights,
    standard_atmosphere,
)

ONE_CENTIMETRE = 0.01  # m
ONE_METRE = 1.0  # m
TABLE_RTOL = 1e-4  # 5 significant figures as printed in the table

# z (m geometric), T (K), p (Pa), rho (kg/m3) — NOAA-S/T 76-1562 Table I
TABLE_I = [
    (0.0, 288.150, 1.01325e5, 1.2250),
    (5_000.0, 255.676, 5.4048e4, 7.3643e-1),
    (11_000.0, 216.774, 2.2700e4, 3.6480e-1),
    (20_000.0, 216.650, 5.5293e3, 8.8910e-2),
    (32_000.0, 228.490, 8.8906e2, 1.3555e-2),
]


@pytest.mark.parametrize(("z", "t", "p", "rho"), TABLE_I)
def test_table_values(z: float, t: float, p: float, rho: float) -> None:
    atm = standard_atmosphere(z)
    assert atm.temperature_k == pytest.approx(t, abs=0.001)
    assert atm.pressure_pa == pytest.approx(p, rel=TABLE_RTOL)
    assert atm.density_kg_m3 == pytest.approx(rho, rel=TABLE_RTOL)


def test_array_matches_scalar() -> None:
    z = np.array([row[0] for row in TABLE_I])
    atm = standard_atmosphere(z)
    for i, row in enumerate(TABLE_I):
        assert atm.pressure_pa[i] == pytest.approx(standard_atmosphere(row[0]).pressure_pa)
        assert atm.temperature_k[i] == pytest.approx(row[1], abs=0.001)


@given(st.floats(min_value=-1_000.0, max_value=80_000.0))
def test_pressure_inverse_round_trip(z: float) -> None:
    p = standard_atmosphere(z).pressure_pa
    assert altitude_from_pressure(p) == pytest.approx(z, abs=ONE_CENTIMETRE)


@given(st.floats(min_value=0.0, max_value=80_000.0))
def test_density_inverse_round_trip(z: float) -> None:
    rho = standard_atmosphere(z).density_kg_m3
    assert altitude_from_density(rho) == pytest.approx(z, abs=ONE_METRE)


@given(st.floats(min_value=-5_000.0, max_value=100_000.0))
def test_geopotential_round_trip(z: float) -> None:
    assert geopotential_to_geometric(geometric_to_geopotential(z)) == pytest.approx(z, abs=1e-6)


def test_geopotential_conversion_reference() -> None:
    # Table I lists geopotential H beside geometric Z: Z = 20 000 m ↔ H = 19 937 m; 32 km ↔ 31 839 m.
    assert float(geometric_to_geopotential(20_000.0)) == pytest.approx(19_937.0, abs=ONE_METRE)
    assert float(geometric_to_geopotential(32_000.0)) == pytest.approx(31_839.0, abs=ONE_METRE)
    assert altitude_from_pressure(101_325.0) == pytest.approx(0.0, abs=ONE_CENTIMETRE)


def test_hypsometric_isothermal_closed_form() -> None:
    """Isothermal layer: h(p) = h0 + (R T / g0) ln(p0 / p) exactly (R = 287.053 J/(kg K))."""
    p = np.array([100_000.0, 85_000.0, 50_000.0, 10_000.0, 1_000.0])
    t = np.full((p.size, 2), 250.0)
    h = hypsometric_heights(p, t, anchor_gpm=np.array([100.0, -50.0]))
    expected = 287.053 * 250.0 / 9.80665 * np.log(p[0] / p)
    np.testing.assert_allclose(h[:, 0], 100.0 + expected, atol=ONE_CENTIMETRE)
    np.testing.assert_allclose(h[:, 1], -50.0 + expected, atol=ONE_CENTIMETRE)


def test_hypsometric_reproduces_the_standard_atmosphere() -> None:
    """Fed the 1976 standard's own temperatures at its own pressures, the hypsometric heights are
    the standard's geopotential heights (the standard is hydrostatic with the same R and g0); the
    trapezoid in ln p errs by less than a metre over 25-hPa-or-finer layers."""
    alt = np.arange(0.0, 32_001.0, 250.0)
    atm = standard_atmosphere(alt)
    h = hypsometric_heights(atm.pressure_pa, atm.temperature_k, geometric_to_geopotential(alt[0]))
    np.testing.assert_allclose(h, geometric_to_geopotential(alt), atol=ONE_METRE)
    with pytest.raises(ValueError, match="decrease"):
        hypsometric_heights(atm.pressure_pa[::-1], atm.temperature_k, 0.0)


def test_virtual_temperature_correction_at_20_g_per_kg() -> None:
    """T_v = T (1 + 0.61 q) (Wallace & Hobbs 2006, eq. 3.16): at q = 20 g/kg and T = 300 K,
    T_v = 300 × 1.0122 = 303.66 K, so a moist layer is 1.22 % thicker than the dry estimate
    (issue 19: the old note said "up to ~0.5 %")."""
    from skywarden.weather.atmosphere import virtual_temperature_k

    assert float(virtual_temperature_k(300.0, 0.020)) == pytest.approx(303.66, abs=1e-9)
    p = np.array([100_000.0, 85_000.0])
    t = np.array([300.0, 290.0])
    dry = hypsometric_heights(p, t, 0.0)
    moist = hypsometric_heights(p, t, 0.0, specific_humidity_kg_kg=np.array([0.020, 0.020]))
    assert moist[1] / dry[1] == pytest.approx(1.0122, abs=1e-12)
    assert moist[1] - dry[1] == pytest.approx(0.0122 * 287.053 * 295.0 / 9.80665 * np.log(100 / 85), abs=1e-3)


def test_hypsometric_errors_are_skywarden_errors() -> None:
    from skywarden.errors import SkywardenError, ValidationError

    with pytest.raises(ValidationError, match="one temperature per pressure level") as info:
        hypsometric_heights(np.array([1000.0, 500.0]), np.array([280.0, 270.0, 260.0]), 0.0)
    assert isinstance(info.value, SkywardenError) and info.value.status_code == 422
    with pytest.raises(ValidationError, match="decrease"):
        hypsometric_heights(np.array([500.0, 1000.0]), np.array([280.0, 270.0]), 0.0)
