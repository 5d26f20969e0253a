"""Fall of a piece from a release state to the ground: 3-D drag through the atmosphere and wind.

Dynamics in a local east-north-up frame at the release point (m, m/s)::

    dv/dt = −g ẑ − (ρ(z) C_d A / 2m) |v − w(z)| (v − w(z)),     dx/dt = v

with ρ from an atmosphere function (US Standard Atmosphere 1976 by default, any
``alt_m → density`` callable for tests) and w the horizontal wind. The integrator is compiled
(numba) and vectorised over pieces. Each step treats the drag *linearly implicitly*:
``v_r ← (v_r − g ẑ dt) / (1 + k ρ |v_r| dt)`` (relative velocity ``v_r = v − w``), which is
unconditionally stable for light pieces under parachutes and reproduces the terminal speed
exactly at its fixed point; positions advance with the trapezoid rule. The step is the smaller
of ``dt_max_s`` and the time to fall ``dz_max_m``, and the last step is cut at the ground.
Convergence to closed forms is quantified in ``tests/hazard/test_fall.py``.

Wind: a :class:`WindColumn` — the vertical profile u(z), v(z) at the release point and time
(from a :class:`~skywarden.weather.winds.WindField`, a callable or a uniform wind). The
horizontal variation of the wind over the drift (tens of km at most) is neglected; so are the
Earth's curvature and rotation over the fall (the impact point is placed with a geodesic from
the release point along the ENU drift) and terrain (the ground is at ``ground_alt_m``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from ..errors import ValidationError
from ..geo import geodesic_destination
from ..weather.atmosphere import G0_M_S2, standard_atmosphere

__all__ = ["FallResult", "WindColumn", "density_table", "fall", "integrate_fall"]

_PROFILE_STEP_M = 100.0
_DENSITY_STEP_M = 50.0

Atmosphere = Callable[[Any], Any]
"""``alt_m → density_kg_m3`` (or anything with a ``density_kg_m3`` attribute)."""


@dataclass(frozen=True)
class WindColumn:
    """Horizontal wind against altitude on a regular grid, for one or several profiles.

    Attributes:
        alt0_m: altitude of the first row, m; rows every ``step_m``.
        step_m: grid spacing, m.
        u_m_s, v_m_s: eastward / northward wind, m/s, shape ``(n_profiles, n_alt)``.
        source: where the profile came from (goes into the assumptions).
        time_note: None, or what was clamped when the profile was read from a wind field at a
            time outside the field's valid times (the nearest time's winds were used).
    Outside the grid the nearest row is used.
    """

    alt0_m: float
    step_m: float
    u_m_s: np.ndarray
    v_m_s: np.ndarray
    source: str = "in-memory"
    time_note: str | None = None

    @property
    def n_profiles(self) -> int:
        return int(self.u_m_s.shape[0])

    @property
    def is_calm(self) -> bool:
        return not (np.any(self.u_m_s) or np.any(self.v_m_s))

    @classmethod
    def calm(cls) -> WindColumn:
        """No wind at all (the output says "calm air")."""
        z = np.zeros((1, 2))
        return cls(0.0, 1.0e5, z, z.copy(), source="calm air (no wind)")

    @classmethod
    def uniform(cls, u_m_s: float, v_m_s: float) -> WindColumn:
        """The same wind at every altitude."""
        u = np.full((1, 2), float(u_m_s))
        v = np.full((1, 2), float(v_m_s))
        return cls(0.0, 1.0e5, u, v, source=f"uniform wind u={u_m_s:g} m/s, v={v_m_s:g} m/s")

    @classmethod
    def from_callable(
        cls, wind: Callable[[np.ndarray], tuple[Any, Any]], top_alt_m: float, *, source: str = "callable"
    ) -> WindColumn:
        """Tabulate ``wind(alt_m) → (u_m_s, v_m_s)`` from 0 to ``top_alt_m`` every 100 m."""
        alt = np.arange(0.0, top_alt_m + 2 * _PROFILE_STEP_M, _PROFILE_STEP_M)
        u, v = wind(alt)
        u = np.broadcast_to(np.asarray(u, dtype=np.float64), alt.shape)[None, :]
        v = np.broadcast_to(np.asarray(v, dtype=np.float64), alt.shape)[None, :]
        return cls(0.0, _PROFILE_STEP_M, np.ascontiguousarray(u), np.ascontiguousarray(v), source=source)

    @classmethod
    def from_field(
        cls, field: Any, time: Any, lat_deg: Any, lon_deg: Any, top_alt_m: float, *, member: Any = 0
    ) -> WindColumn:
        """Profiles of a :class:`~skywarden.weather.winds.WindField` at release points.

        ``time``, ``lat_deg``, ``lon_deg`` and ``member`` broadcast to ``n`` release points; one
        profile per point, from 0 to ``top_alt_m`` every 100 m. Outside the field the nearest
        values are used (``outside="clamp"``); a release time before the field's first or after
        its last valid time is said so in :attr:`time_note` (issue 19: no silent clamping).
        """
        alt = np.arange(0.0, top_alt_m + 2 * _PROFILE_STEP_M, _PROFILE_STEP_M)
        t, la, lo, mem = np.broadcast_arrays(
            np.atleast_1d(np.asarray(time, dtype="datetime64[ns]")),
            np.atleast_1d(np.asarray(lat_deg, dtype=np.float64)),
            np.atleast_1d(np.asarray(lon_deg, dtype=np.float64)),
            np.atleast_1d(np.asarray(member, dtype=np.int64)),
        )
        n = t.size
        u, v = field.interp(
            np.repeat(t, alt.size), np.tile(alt, n), np.repeat(la, alt.size), np.repeat(lo, alt.size),
            member=np.repeat(mem, alt.size), outside="clamp",
        )  # fmt: skip
        names = ", ".join(getattr(field, "describe", lambda: {"wind_source": ["field"]})()["wind_source"])
        note = _time_outside_note(field, t)
        return cls(
            0.0,
            _PROFILE_STEP_M,
            np.ascontiguousarray(np.reshape(u, (n, alt.size)), dtype=np.float64),
            np.ascontiguousarray(np.reshape(v, (n, alt.size)), dtype=np.float64),
            source=f"wind field {names}: vertical profile at each release point and time "
            "(horizontal variation over the drift neglected)",
            time_note=note,
        )


def _time_outside_note(field: Any, t: np.ndarray) -> str | None:
    """Text saying that release times fall outside the field's valid times (clamped), or None."""
    from ..timeutil import format_duration, isoformat

    times = getattr(field, "times", None)
    if times is None or np.size(times) == 0:
        return None
    first, last = np.datetime64(times[0], "ns"), np.datetime64(times[-1], "ns")
    tt = np.asarray(t, dtype="datetime64[ns]")
    after = tt > last
    before = tt < first
    if not (after.any() or before.any()):
        return None
    if after.any():
        gap = (tt[after].max() - last).astype("timedelta64[s]").item()
        return (
            f"release time {isoformat(tt[after].max())} is {format_duration(gap)} after the wind file's "
            f"last valid time {isoformat(last)}: the winds of {isoformat(last)} were used (clamped)"
        )
    gap = (first - tt[before].min()).astype("timedelta64[s]").item()
    return (
        f"release time {isoformat(tt[before].min())} is {format_duration(gap)} before the wind file's "
        f"first valid time {isoformat(first)}: the winds of {isoformat(first)} were used (clamped)"
    )


@dataclass(frozen=True)
class FallResult:
    """Impact of each piece (arrays shaped like the broadcast inputs).

    Attributes:
        time_s: time to fall, s.
        east_m, north_m: drift from the release point in its local ENU frame, m.
        lat_deg, lon_deg: impact point, WGS84 degrees.
        impact_speed_m_s: ground-relative speed at impact, m/s.
        vertical_speed_m_s: downward speed at impact, m/s (positive).
        kinetic_energy_j: ½ m v² at impact, J.
    """

    time_s: np.ndarray
    east_m: np.ndarray
    north_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    impact_speed_m_s: np.ndarray
    vertical_speed_m_s: np.ndarray
    kinetic_energy_j: np.ndarray


def density_table(atmosphere: Atmosphere | None, lo_m: float, hi_m: float) -> tuple[float, float, np.ndarray]:
    """``(alt0_m, step_m, density_kg_m3)`` on a 50 m grid covering [lo_m, hi_m] for the kernel
    (linear interpolation on 50 m: relative error ≤ (50 m / H)² / 8 ≈ 6e-6 for a 7 km scale height)."""
    alt = np.arange(lo_m - _DENSITY_STEP_M, hi_m + 2 * _DENSITY_STEP_M, _DENSITY_STEP_M)
    rho_raw = (atmosphere or standard_atmosphere)(alt)
    rho = np.asarray(getattr(rho_raw, "density_kg_m3", rho_raw), dtype=np.float64)
    rho = np.broadcast_to(rho, alt.shape)
    if not np.all(np.isfinite(rho) & (rho > 0)):
        raise ValidationError("the atmosphere function must return positive finite densities (kg/m³)")
    return float(alt[0]), _DENSITY_STEP_M, np.ascontiguousarray(rho, dtype=np.float64)


@numba.njit(cache=True)
def _cell(x0: float, dx: float, n: int, x: float) -> tuple[int, float]:
    """Index and fraction of ``x`` on a regular grid of ``n`` nodes (clamped at both ends)."""
    s = (x - x0) / dx
    if s <= 0.0:
        return 0, 0.0
    if s >= n - 1:
        return n - 2, 1.0
    i = int(s)
    return i, s - i


@numba.njit(cache=True)
def _fall_kernel(
    z0, ve0, vn0, vz0, k, prof, du, dv,
    rho0_alt, rho_step, rho_tab,
    w0_alt, w_step, wu, wv,
    ground_m, g, dt_max, dz_max, t_max,
):  # fmt: skip
    n = z0.shape[0]
    n_rho = rho_tab.shape[0]
    n_w = wu.shape[1]
    out = np.empty((n, 6))  # t, east, north, ve, vn, vz at impact
    for i in range(n):
        z = z0[i]
        ve, vn, vz = ve0[i], vn0[i], vz0[i]
        e = 0.0
        no = 0.0
        t = 0.0
        p = prof[i]
        ki, dui, dvi = k[i], du[i], dv[i]
        if z <= ground_m:
            out[i, 0], out[i, 1], out[i, 2] = 0.0, 0.0, 0.0
            out[i, 3], out[i, 4], out[i, 5] = ve, vn, vz
            continue
        while t < t_max:
            dt = dt_max
            avz = abs(vz)
            if avz * dt > dz_max:
                dt = dz_max / avz
            zm = z + 0.5 * dt * vz  # density and wind at the step's mid-altitude
            j, f = _cell(rho0_alt, rho_step, n_rho, zm)
            rho = rho_tab[j] + f * (rho_tab[j + 1] - rho_tab[j])
            j, f = _cell(w0_alt, w_step, n_w, zm)
            we = wu[p, j] + f * (wu[p, j + 1] - wu[p, j]) + dui
            wn = wv[p, j] + f * (wv[p, j + 1] - wv[p, j]) + dvi
            re, rn, rz = ve - we, vn - wn, vz
            speed = math.sqrt(re * re + rn * rn + rz * rz)
            inv = 1.0 / (1.0 + dt * ki * rho * speed)
            re2 = re * inv
            rn2 = rn * inv
            rz2 = (rz - g * dt) * inv
            ve2, vn2, vz2 = re2 + we, rn2 + wn, rz2
            z2 = z + 0.5 * dt * (vz + vz2)
            if z2 <= ground_m:
                c = (z - ground_m) / (z - z2)
                e += c * 0.5 * dt * (ve + ve2)
                no += c * 0.5 * dt * (vn + vn2)
                t += c * dt
                ve = ve + c * (ve2 - ve)
                vn = vn + c * (vn2 - vn)
                vz = vz + c * (vz2 - vz)
                z = ground_m
                break
            e += 0.5 * dt * (ve + ve2)
            no += 0.5 * dt * (vn + vn2)
            z = z2
            t += dt
            ve, vn, vz = ve2, vn2, vz2
        if z > ground_m:  # did not land within t_max
            t = np.nan
        out[i, 0], out[i, 1], out[i, 2] = t, e, no
        out[i, 3], out[i, 4], out[i, 5] = ve, vn, vz
    return out


def integrate_fall(
    alt_m: np.ndarray,
    velocity_enu_m_s: np.ndarray,
    k_m2_kg: np.ndarray,
    *,
    wind: WindColumn | None = None,
    profile_index: np.ndarray | None = None,
    wind_offset_m_s: np.ndarray | None = None,
    atmosphere: Atmosphere | None = None,
    ground_alt_m: float = 0.0,
    dt_max_s: float = 2.0,
    dz_max_m: float = 50.0,
    t_max_s: float = 6 * 3600.0,
) -> np.ndarray:
    """Low-level vectorised fall of ``n`` pieces; returns ``(n, 6)`` rows ``t_s, east_m, north_m,
    ve, vn, vz`` at impact (NaN time if a piece has not landed after ``t_max_s``).

    ``k_m2_kg`` is C_d A / (2 m) per piece; ``velocity_enu_m_s`` is ``(n, 3)``;
    ``profile_index`` picks each piece's wind profile; ``wind_offset_m_s`` ``(n, 2)`` adds a
    constant wind error per piece.
    """
    z0 = np.ascontiguousarray(alt_m, dtype=np.float64).ravel()
    n = z0.size
    vel = np.ascontiguousarray(np.broadcast_to(velocity_enu_m_s, (n, 3)), dtype=np.float64)
    k = np.ascontiguousarray(np.broadcast_to(k_m2_kg, (n,)), dtype=np.float64)
    if not (np.all(np.isfinite(k)) and np.all(k > 0)):
        raise ValidationError("every piece needs a positive finite drag parameter Cd·A/(2m)")
    wp = wind or WindColumn.calm()
    prof = np.zeros(n, np.int64) if profile_index is None else np.ascontiguousarray(profile_index, np.int64)
    if prof.size and (prof.min() < 0 or prof.max() >= wp.n_profiles):
        raise ValidationError(f"profile_index must lie in [0, {wp.n_profiles})")
    off = np.zeros((n, 2)) if wind_offset_m_s is None else np.broadcast_to(wind_offset_m_s, (n, 2))
    finite = np.isfinite(z0)
    top = float(np.max(z0[finite])) if finite.any() else ground_alt_m + 1.0
    r0, rstep, rho_tab = density_table(atmosphere, min(ground_alt_m, 0.0), max(top, ground_alt_m + 1.0))
    return _fall_kernel(
        np.where(finite, z0, ground_alt_m), vel[:, 0].copy(), vel[:, 1].copy(), vel[:, 2].copy(), k, prof,
        np.ascontiguousarray(off[:, 0], dtype=np.float64), np.ascontiguousarray(off[:, 1], dtype=np.float64),
        r0, rstep, rho_tab, wp.alt0_m, wp.step_m,
        np.ascontiguousarray(wp.u_m_s, dtype=np.float64), np.ascontiguousarray(wp.v_m_s, dtype=np.float64),
        float(ground_alt_m), G0_M_S2, float(dt_max_s), float(dz_max_m), float(t_max_s),
    )  # fmt: skip


def fall(
    mass_kg: Any,
    cd_area_m2: Any,
    alt_m: Any,
    *,
    lat_deg: Any = 0.0,
    lon_deg: Any = 0.0,
    velocity_enu_m_s: Any = (0.0, 0.0, 0.0),
    wind: WindColumn | None = None,
    atmosphere: Atmosphere | None = None,
    ground_alt_m: float = 0.0,
    dt_max_s: float = 2.0,
    dz_max_m: float = 50.0,
) -> FallResult:
    """Fall of pieces of ``mass_kg`` and drag area ``cd_area_m2`` (C_d·A incl. any parachute, m²)
    released at ``alt_m`` (geometric, m) above (``lat_deg``, ``lon_deg``) with
    ``velocity_enu_m_s`` (east, north, up; m/s). Scalars and arrays broadcast.

    ``wind`` is a :class:`WindColumn` (one profile for all pieces) or None for calm air;
    ``atmosphere`` an ``alt_m → density`` callable (default US 1976).
    """
    m, cda, z, la, lo = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (mass_kg, cd_area_m2, alt_m, lat_deg, lon_deg))
    )
    shape = m.shape
    if np.any(~(m > 0)) or np.any(~(cda > 0)):
        raise ValidationError("mass_kg and cd_area_m2 must be positive")
    vel = np.asarray(velocity_enu_m_s, dtype=np.float64)
    vel = np.broadcast_to(vel, (*shape, 3)).reshape(-1, 3)
    if wind is not None and wind.n_profiles != 1:
        raise ValidationError("fall() takes a single wind profile; use integrate_fall for several")
    rows = integrate_fall(
        z.ravel(), vel, (cda / (2.0 * m)).ravel(), wind=wind, atmosphere=atmosphere,
        ground_alt_m=ground_alt_m, dt_max_s=dt_max_s, dz_max_m=dz_max_m,
    )  # fmt: skip
    east, north = rows[:, 1], rows[:, 2]
    lat2, lon2 = geodesic_destination(
        la.ravel(), lo.ravel(), np.degrees(np.arctan2(east, north)), np.hypot(east, north)
    )
    speed = np.linalg.norm(rows[:, 3:6], axis=1)
    return FallResult(
        time_s=rows[:, 0].reshape(shape),
        east_m=east.reshape(shape),
        north_m=north.reshape(shape),
        lat_deg=np.reshape(lat2, shape),
        lon_deg=np.reshape(lon2, shape),
        impact_speed_m_s=speed.reshape(shape),
        vertical_speed_m_s=(-rows[:, 5]).reshape(shape),
        kinetic_energy_j=(0.5 * m.ravel() * speed**2).reshape(shape),
    )
