"""U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), 0–86 km geometric altitude.

Temperature, pressure and density from the seven geopotential layers of Table 4 of the
standard (base heights 0, 11, 20, 32, 47, 51, 71 km geopotential, lapse rates −6.5, 0, +1.0,
+2.8, 0, −2.8, −2.0 K/km, sea level 288.15 K and 101 325 Pa), and the inverses used by the wind
reader (pressure → altitude where a file has no heights) and the flight model (density →
altitude for balloon burst).

Altitudes called ``alt_m`` are *geometric* metres above mean sea level; ``h_gp_m`` are
geopotential metres. The conversion uses the standard's effective Earth radius
``r0 = 6 356 766 m``: ``h = r0 z / (r0 + z)`` (eq. 18 of the standard). Above 86 km the values
are those at 86 km (clamped): balloons never get there.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import ValidationError

__all__ = [
    "G0_M_S2",
    "P0_PA",
    "R0_EARTH_M",
    "RHO0_KG_M3",
    "Atmosphere",
    "altitude_from_density",
    "altitude_from_pressure",
    "geometric_to_geopotential",
    "geopotential_to_geometric",
    "hypsometric_heights",
    "standard_atmosphere",
    "us1976",
    "virtual_temperature_k",
]

G0_M_S2 = 9.80665
"""Standard gravity, m/s²."""
R0_EARTH_M = 6_356_766.0
"""Effective Earth radius of the 1976 standard for the geopotential conversion, m."""
_R_STAR = 8.31432  # J/(mol K), the 1976 standard's gas constant
_M0 = 0.0289644  # kg/mol, mean molar mass of sea-level air
_GMR = G0_M_S2 * _M0 / _R_STAR  # K/m, the hydrostatic constant 34.1632 K/km
P0_PA = 101_325.0
"""Sea-level pressure, Pa."""
_T0_K = 288.15
_TOP_GEOMETRIC_M = 86_000.0

# Layer bases (geopotential m) and lapse rates (K/m): Table 4 of the standard.
_H_BASE = np.array([0.0, 11_000.0, 20_000.0, 32_000.0, 47_000.0, 51_000.0, 71_000.0, 84_852.0])
_LAPSE = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
_T_BASE = np.empty(7)
_P_BASE = np.empty(7)
_T_BASE[0], _P_BASE[0] = _T0_K, P0_PA
for _i in range(1, 7):
    _dh = _H_BASE[_i] - _H_BASE[_i - 1]
    _T_BASE[_i] = _T_BASE[_i - 1] + _LAPSE[_i - 1] * _dh
    if _LAPSE[_i - 1] == 0.0:
        _P_BASE[_i] = _P_BASE[_i - 1] * np.exp(-_GMR * _dh / _T_BASE[_i - 1])
    else:
        _P_BASE[_i] = _P_BASE[_i - 1] * (_T_BASE[_i - 1] / _T_BASE[_i]) ** (_GMR / _LAPSE[_i - 1])

RHO0_KG_M3 = P0_PA * _M0 / (_R_STAR * _T0_K)
"""Sea-level density, 1.2250 kg/m³."""
R_DRY_J_KG_K = _R_STAR / _M0
"""Gas constant of dry air, R*/M0 = 287.053 J/(kg K) (the 1976 standard's values)."""


class Atmosphere(NamedTuple):
    """Standard-atmosphere state at geometric altitude: arrays shaped like the input."""

    temperature_k: Any
    pressure_pa: Any
    density_kg_m3: Any


def geopotential_to_geometric(h_gp_m: Any) -> Any:
    """Geopotential metres (gpm, as in GFS ``gh`` or ERA5 ``z/g0``) to geometric metres."""
    h = np.asarray(h_gp_m, dtype=np.float64)
    return R0_EARTH_M * h / (R0_EARTH_M - h)


def geometric_to_geopotential(alt_m: Any) -> Any:
    """Geometric metres to geopotential metres."""
    z = np.asarray(alt_m, dtype=np.float64)
    return R0_EARTH_M * z / (R0_EARTH_M + z)


def standard_atmosphere(alt_m: Any) -> Atmosphere:
    """Temperature (K), pressure (Pa) and density (kg/m³) at geometric ``alt_m`` (−5 to 86 km).

    Scalars in, floats out; arrays in, arrays out.
    """
    scalar = np.ndim(alt_m) == 0
    z = np.clip(np.asarray(alt_m, dtype=np.float64), -5_000.0, _TOP_GEOMETRIC_M)
    h = geometric_to_geopotential(z)
    layer = np.clip(np.searchsorted(_H_BASE, h, side="right") - 1, 0, 6)
    lapse = _LAPSE[layer]
    dh = h - _H_BASE[layer]
    t_base = _T_BASE[layer]
    temperature = t_base + lapse * dh
    iso = lapse == 0.0
    safe_lapse = np.where(iso, 1.0, lapse)
    pressure = np.where(
        iso,
        _P_BASE[layer] * np.exp(-_GMR * dh / t_base),
        _P_BASE[layer] * (t_base / temperature) ** (_GMR / safe_lapse),
    )
    density = pressure * _M0 / (_R_STAR * temperature)
    if scalar:
        return Atmosphere(float(temperature), float(pressure), float(density))
    return Atmosphere(temperature, pressure, density)


us1976 = standard_atmosphere
"""Alias of :func:`standard_atmosphere`."""


def altitude_from_pressure(pressure_pa: Any) -> Any:
    """Geometric altitude (m) at which the 1976 standard has ``pressure_pa`` (exact inverse)."""
    scalar = np.ndim(pressure_pa) == 0
    p = np.clip(np.asarray(pressure_pa, dtype=np.float64), _P_BASE[6] * 0.1, 2.0 * P0_PA)
    # Layers in order of decreasing base pressure; find the layer whose base is above p.
    layer = np.clip(np.searchsorted(-_P_BASE, -p, side="right") - 1, 0, 6)
    lapse = _LAPSE[layer]
    t_base = _T_BASE[layer]
    iso = lapse == 0.0
    safe_lapse = np.where(iso, 1.0, lapse)
    ratio = p / _P_BASE[layer]
    dh = np.where(
        iso,
        -t_base * np.log(ratio) / _GMR,
        t_base / safe_lapse * (ratio ** (-safe_lapse / _GMR) - 1.0),
    )
    out = geopotential_to_geometric(_H_BASE[layer] + dh)
    return float(out) if scalar else out


# Density decreases monotonically with altitude in 0–86 km: invert with a fine log table.
_TABLE_ALT_M = np.arange(-5_000.0, _TOP_GEOMETRIC_M + 1.0, 10.0)
_TABLE_LOG_RHO = np.log(standard_atmosphere(_TABLE_ALT_M).density_kg_m3)


def altitude_from_density(density_kg_m3: Any) -> Any:
    """Geometric altitude (m) where the 1976 standard has ``density_kg_m3`` (10 m table, log-linear)."""
    scalar = np.ndim(density_kg_m3) == 0
    log_rho = np.log(np.asarray(density_kg_m3, dtype=np.float64))
    out = np.interp(-log_rho, -_TABLE_LOG_RHO, _TABLE_ALT_M)
    return float(out) if scalar else out


def density_ratio_table(step_m: float = 10.0) -> tuple[float, float, np.ndarray]:
    """``(alt0_m, step_m, sqrt(rho0/rho))`` on a regular grid 0–86 km for the compiled descent law."""
    alt = np.arange(0.0, _TOP_GEOMETRIC_M + step_m, step_m)
    rho = standard_atmosphere(alt).density_kg_m3
    return 0.0, step_m, np.sqrt(RHO0_KG_M3 / rho)


def virtual_temperature_k(temperature_k: Any, specific_humidity_kg_kg: Any) -> np.ndarray:
    """T_v = T (1 + 0.61 q): the temperature dry air would need for moist air's density (q the
    specific humidity, kg/kg; 0.61 ≈ R_v/R_d − 1 = 0.608). Wallace & Hobbs, *Atmospheric
    Science* (2nd ed., 2006), eq. 3.16 (written there with the mixing ratio w ≈ q). At q = 20 g/kg
    (warm, moist boundary layer) T_v exceeds T by 1.22 %, and so does the layer thickness."""
    t = np.asarray(temperature_k, dtype=np.float64)
    q = np.asarray(specific_humidity_kg_kg, dtype=np.float64)
    return np.asarray(t * (1.0 + 0.61 * q))


def hypsometric_heights(
    pressure_pa: Any,
    temperature_k: Any,
    anchor_gpm: Any,
    axis: int = 0,
    specific_humidity_kg_kg: Any = None,
) -> np.ndarray:
    """Geopotential heights (gpm) of pressure levels from their temperatures: the hypsometric equation.

    ``pressure_pa`` (L,) must run from the ground up (decreasing); ``temperature_k`` has the L
    levels along ``axis``; level 0 gets ``anchor_gpm`` (broadcast against the other axes). Layer
    by layer, ``Δh = (R/g0) · T̄ · ln(p_k / p_k+1)`` with ``T̄ = (T_k + T_k+1)/2``, the exact
    log-pressure mean of a temperature linear in ln p, and R the dry-air constant. With
    ``specific_humidity_kg_kg`` (same shape as the temperatures) the virtual temperature
    ``T_v = T (1 + 0.61 q)`` replaces T (:func:`virtual_temperature_k`); without it (the wind
    files read here carry no humidity) the correction is left out: it is 1.22 % of a layer's
    thickness at q = 20 g/kg in warm, moist low levels, and far less aloft where q is small.
    """
    p = np.asarray(pressure_pa, dtype=np.float64)
    t_in = np.asarray(temperature_k, dtype=np.float64)
    if specific_humidity_kg_kg is not None:
        t_in = virtual_temperature_k(t_in, specific_humidity_kg_kg)
    t = np.moveaxis(t_in, axis, 0)
    if p.ndim != 1 or t.shape[0] != p.size:
        raise ValidationError(
            f"temperature has {t.shape[0]} levels along axis {axis}; pressure has {p.size} "
            "(expected one temperature per pressure level)"
        )
    if p.size > 1 and not np.all(np.diff(p) < 0):
        raise ValidationError(
            "pressure levels must decrease (ground up), e.g. [100000, 85000, 50000] Pa; "
            f"got {p[: min(p.size, 4)].tolist()}…"
        )
    log_ratio = np.log(p[:-1] / p[1:]).reshape(-1, *([1] * (t.ndim - 1)))
    thickness = R_DRY_J_KG_K / G0_M_S2 * 0.5 * (t[:-1] + t[1:]) * log_ratio
    h = np.empty_like(t)
    h[0] = anchor_gpm
    h[1:] = h[0] + np.cumsum(thickness, axis=0)
    return np.moveaxis(h, 0, axis)
