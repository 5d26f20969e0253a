"""The compiled RK4 loop over members (numba), Tawhiri style: only this loop and the wind
interpolation are compiled; everything else is plain Python.

State per member: geodetic ``(lat_deg, lon_deg, alt_m)`` on WGS84 with

    dlat/dt = v / (M + h),   dlon/dt = u / ((N + h) cos φ),   dh/dt = stage vertical rate,

``M``/``N`` the meridional / prime-vertical radii of curvature. Classic fourth-order Runge–Kutta
with a fixed step ``dt_s`` (negative integrates backward in time). A step in which a stage ends
(altitude reached, duration over) is split: the crossing point is found by linear interpolation
inside the step, the event recorded, and the remainder of the step integrated with the next
stage, so the output grid stays regular.

Stage kinds and their parameter rows ``par[m, s, :]`` (8 floats):

* ``RATE`` (0): constant vertical rate ``par[0]`` m/s (physical, + up) until the altitude
  reaches ``par[1]``;
* ``PARACHUTE`` (1): descent at ``par[0]·sqrt(ρ0/ρ(h))`` (US 1976 density) until ``par[1]``;
* ``FLOAT`` (2): ``h = par[0] + par[1]·sin(2πτ/par[2]) − par[3]·τ`` for ``τ`` up to
  ``par[4]`` s after the stage starts, or until ``h`` falls to ``par[5]``.

Stochastic wind perturbations are an Ornstein–Uhlenbeck process per member (stationary sigma
``sigma_m_s``, correlation time ``tau_s``), updated exactly once per step and held within it.

Speed: the right-hand side and the wind interpolation are inlined (``inline="always"``) into one
call site of the RK4 loop, which runs members in parallel (``prange``); the first call compiles
for ~10–30 s of CPU, then numba's on-disk cache is used. Numba checks only *this* file's time
stamp for the cache: after editing ``weather/interpolation.py`` delete ``flight/__pycache__/*.nb?``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange, uint64

from ..geo import WGS84_A_M, WGS84_E2
from ..weather.interpolation import uv_at

__all__ = ["DOMAIN", "FINISHED", "FLOAT", "PARACHUTE", "RATE", "RUNNING", "integrate"]

RATE, PARACHUTE, FLOAT = 0, 1, 2
RUNNING, FINISHED, DOMAIN = 0, 1, 2
POLICY_STOP, POLICY_CLAMP, POLICY_HOLD = 0, 1, 2
_DEG = 180.0 / np.pi


@njit(cache=True, nogil=True, inline="always")
def _vrate(kind: int, p: Any, alt: float, tau: float, tab: Any, tab0: float, tabstep: float) -> float:
    if kind == 0:
        return p[0]
    if kind == 1:
        x = (alt - tab0) / tabstep
        if x <= 0.0:
            r = tab[0]
        elif x >= tab.size - 1:
            r = tab[tab.size - 1]
        else:
            i = int(x)
            f = x - i
            r = tab[i] * (1.0 - f) + tab[i + 1] * f
        return -p[0] * r
    if p[1] == 0.0:
        return -p[3]
    w = 2.0 * np.pi / p[2]
    return p[1] * w * np.cos(w * tau) - p[3]


@njit(cache=True, nogil=True, inline="always")
def _rhs(
    fa: Any, m: int, t: float, lat: float, lon: float, alt: float, kind: int, p: Any, tau: float,
    pu: float, pv: float, policy: int, clamp_top: bool, hold: Any, hint: Any, tab: Any, tab0: float, tabstep: float,
) -> tuple[float, float, float, bool]:  # fmt: skip
    u, v, out = uv_at(
        fa[0], fa[1], fa[2], fa[3], fa[4], fa[5], fa[6], fa[7], fa[8], fa[9], m, t, alt, lat, lon,
        policy == 1, clamp_top, hint,
    )  # fmt: skip
    if out:
        if policy == 2 and hold[0] == hold[0]:
            u = hold[0]
            v = hold[1]
        elif policy == 0 or policy == 2:
            return 0.0, 0.0, 0.0, True
    elif policy == 2:
        hold[0] = u
        hold[1] = v
    u += pu
    v += pv
    s = np.sin(lat / _DEG)
    c = np.cos(lat / _DEG)
    d = 1.0 - WGS84_E2 * s * s
    n_rad = WGS84_A_M / np.sqrt(d)
    m_rad = WGS84_A_M * (1.0 - WGS84_E2) / (d * np.sqrt(d))
    dlat = v / (m_rad + alt) * _DEG
    dlon = u / ((n_rad + alt) * c) * _DEG
    return dlat, dlon, _vrate(kind, p, alt, tau, tab, tab0, tabstep), False


@njit(cache=True, nogil=True)
def _normal(state: Any) -> float:
    """Standard normal draw from a per-member xorshift64* stream (Box–Muller), so results do
    not depend on how members are spread over threads."""
    u = np.empty(2)
    for i in range(2):
        x = state[0]
        x ^= x >> uint64(12)
        x ^= x << uint64(25)
        x ^= x >> uint64(27)
        state[0] = x
        r = x * uint64(2685821657736338717)
        u[i] = ((r >> uint64(11)) + 0.5) / 9007199254740992.0
    return np.sqrt(-2.0 * np.log(u[0])) * np.cos(2.0 * np.pi * u[1])


@njit(cache=True, nogil=True, parallel=True)
def integrate(
    fa: Any, fmember: Any, t0: float, lat0: Any, lon0: Any, alt0: Any,
    kinds: Any, par: Any, dt: float, n_steps: int, rec_every: int, policy: int, clamp_top: bool,
    sigma: float, tau_c: float, seed: int, m_offset: int, tab: Any, tab0: float, tabstep: float,
    rec: Any, status: Any, events: Any, final: Any,
) -> None:  # fmt: skip
    """Integrate every member; fills ``rec (n_mem, n_rec, 3)``, ``status``, ``events
    (n_mem, n_stage, 4: t_s, lat, lon, alt)``, ``final (n_mem, 4)``. See the module docstring."""
    n_mem = lat0.size
    n_stage = kinds.size
    phi = np.exp(-abs(dt) / tau_c) if tau_c > 0 else 0.0
    innov = sigma * np.sqrt(1.0 - phi * phi)
    for m in prange(n_mem):
        hold = np.empty(2)
        hint = np.zeros(1, dtype=np.int64)
        ka = np.empty(4)
        kb = np.empty(4)
        kc = np.empty(4)
        rstate = np.empty(1, dtype=np.uint64)
        rstate[0] = uint64(0x9E3779B97F4A7C15) ^ uint64((seed + 1) * 1_000_003 + (m + m_offset) * 7_919 + 1)
        for _ in range(4):
            _normal(rstate)
        fm = fmember[m]
        lat = lat0[m]
        lon = lon0[m]
        alt = alt0[m]
        t = t0
        stage = 0
        tau = 0.0
        hold[0] = np.nan
        hold[1] = np.nan
        pu = 0.0
        pv = 0.0
        if sigma > 0.0:
            pu = sigma * _normal(rstate)
            pv = sigma * _normal(rstate)
        rec[m, 0, 0] = lat
        rec[m, 0, 1] = lon
        rec[m, 0, 2] = alt
        st = RUNNING
        for step in range(n_steps):
            remaining = dt
            while remaining != 0.0 and st == RUNNING:
                kind = kinds[stage]
                p = par[m, stage]
                h = remaining
                # classic RK4; one call site for the (inlined) right-hand side
                bad = False
                for k in range(4):
                    if k == 0:
                        f, ta_ = 0.0, 0.0
                    elif k < 3:
                        f, ta_ = h / 2.0, abs(h) / 2.0
                    else:
                        f, ta_ = h, abs(h)
                    if k == 0:
                        la_, lo_, al_ = lat, lon, alt
                    else:
                        la_ = lat + f * ka[k - 1]
                        lo_ = lon + f * kb[k - 1]
                        al_ = alt + f * kc[k - 1]
                    ka[k], kb[k], kc[k], o = _rhs(
                        fa, fm, t + f, la_, lo_, al_, kind, p, tau + ta_, pu, pv, policy, clamp_top, hold, hint,
                        tab, tab0, tabstep,
                    )  # fmt: skip
                    if o:
                        bad = True
                        break
                if bad:
                    st = DOMAIN
                    break
                nlat = lat + h / 6.0 * (ka[0] + 2 * ka[1] + 2 * ka[2] + ka[3])
                nlon = lon + h / 6.0 * (kb[0] + 2 * kb[1] + 2 * kb[2] + kb[3])
                nalt = alt + h / 6.0 * (kc[0] + 2 * kc[1] + 2 * kc[2] + kc[3])
                ntau = tau + abs(h)
                # does the stage end inside this (sub)step?
                frac = 2.0
                if kind == 2:
                    if ntau >= p[4]:
                        frac = (p[4] - tau) / abs(h)
                    if nalt <= p[5] and alt > p[5]:
                        frac = min(frac, (p[5] - alt) / (nalt - alt))
                else:
                    if (alt - p[1]) * (nalt - p[1]) <= 0.0 and nalt != alt:
                        frac = (p[1] - alt) / (nalt - alt)
                if frac <= 1.0:
                    frac = max(frac, 0.0)
                    lat = lat + frac * (nlat - lat)
                    lon = lon + frac * (nlon - lon)
                    alt = alt + frac * (nalt - alt)
                    t = t + frac * h
                    remaining = remaining - frac * h
                    if frac == 0.0 and abs(remaining) < 1e-9:
                        remaining = 0.0
                    events[m, stage, 0] = t
                    events[m, stage, 1] = lat
                    events[m, stage, 2] = lon
                    events[m, stage, 3] = alt
                    stage += 1
                    tau = 0.0
                    if stage == n_stage:
                        st = FINISHED
                else:
                    lat, lon, alt, tau = nlat, nlon, nalt, ntau
                    t = t + h
                    remaining = 0.0
            if st != RUNNING:
                break
            if sigma > 0.0:
                pu = phi * pu + innov * _normal(rstate)
                pv = phi * pv + innov * _normal(rstate)
            if (step + 1) % rec_every == 0:
                j = (step + 1) // rec_every
                rec[m, j, 0] = lat
                rec[m, j, 1] = lon
                rec[m, j, 2] = alt
        status[m] = st
        final[m, 0] = t
        final[m, 1] = lat
        final[m, 2] = lon
        final[m, 3] = alt
