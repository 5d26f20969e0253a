"""Classify a track — balloon (free / float), aircraft, glider, rotorcraft, ground vehicle or
unknown — with a probability and the reasons that drove it.

Evidence is scored per class in log-odds units and turned into probabilities with a softmax
(``unknown`` holds a constant score :data:`UNKNOWN_SCORE`, so weak evidence leaves a track
``unknown``). The weights are judgement, tuned on real recordings (the balloons of
``../shared/data/flights`` against the ADS-B and glider flights shipped with the ``traffic``
package; see ``bench/air_confusion.py``), not a fitted model: read the probability as a
confidence ranking, not a calibrated frequency. Evidence, strongest first:

1. **Identity** (when the reports carry it): ADS-B emitter category (DO-260B: B2
   lighter-than-air, B1 glider, A7 rotorcraft, C1–C3 surface vehicles, A1–A6 aircraft, B6
   UAV), APRS symbol (``/O`` balloon, ``/g`` glider, ``/X`` helicopter, ``/'`` and ``/^``
   aircraft, ``/>`` car), a radiosonde type (SondeHub ``type``: RS41, DFM, M10…) → balloon.
2. **Kinematics** of the smoothed track: speed over ground (p90 above 100 m/s: no balloon,
   glider or helicopter); sustained turns at speed; **thermalling** (repeated full circles while
   climbing, then straight glides: gliders); a long slow **descent** drifting at wind speed (a
   balloon's payload under its parachute or a venting balloon); **hover** (airborne and nearly still, then fast:
   rotorcraft); a **steady climb** for tens of minutes at balloon rates and wind-like speeds;
   altitude above 15 km at slow speed (above any glider, helicopter or light aircraft; an
   airliner up there moves at 200+ m/s); **float** at 15–40 km for hours to days (no aircraft
   holds 18 km for days); ground vehicles stay within a few tens of metres of one level;
   a **slow approach** (rotorcraft): after flying faster than 30 m/s, still sinking at
   0.5–3 m/s below 3 km while slowing under 20 m/s over ground, for >= 4 consecutive reports
   seen without gaps (<= 5 s apart) and >= 30 m below the last fast report — a fixed wing
   (light aircraft approach at ~30 m/s, touchdown above 20 m/s) has stopped sinking by then.
   Found on the Rega and SAMU ambulance helicopters of ``traffic``, whose ADS-B ends on the
   approach to the helipad (no hover is recorded).
   A **parachute descent** (balloons): a payload under its canopy falls at its terminal
   velocity ``v = sqrt(2 m g / (ρ Cd A))``, so ``v sqrt(ρ(h)/ρ0)`` — the rate scaled to sea level
   with the U.S. 1976 standard density — is one constant all the way down (the descent model of
   the CUSF predictor Tawhiri, ``tawhiri/models.py::make_drag_descent``, and of
   :mod:`skywarden.flight.stages`). The evidence: the longest steady descent (>= 5 min,
   >= 1 km) has a sea-level rate of 3–12 m/s whose p10–p90 spread is within 50 % of its
   median, drifting under 20 m/s over ground; on EOSS-323/340 the whole 19–26 km descents give
   4.4 / 4.3 m/s within ±7 % / ±12 % while the raw rate falls from 14–17 m/s above 15 km to
   ~5 m/s below 3 km. A fixed wing
   sinking like that at under 20 m/s over ground needs a headwind almost equal to its airspeed
   for minutes; a glider descending that slowly over ground circles.
   A **lift-off from standstill**: after >= 2 min standing on the ground, +300 m at 0.3–12 m/s
   mean climb without ever moving faster than 15 m/s over ground (no take-off run, no
   transition to forward flight; a solar balloon rises at ~0.7 m/s at first).
   A track that stands on the ground for most of its time (:func:`is_stationary`: a payload
   before launch or after landing) stays ``unknown`` and says so: standing still is no class.
3. **Wind residual** (when a wind is given): the median horizontal speed of the track against
   the wind at its altitude (and time). A balloon drifts with the wind (residual within the
   wind's uncertainty, a few m/s); a powered or gliding aircraft does not.

Tracks with fewer than :data:`MIN_REPORTS` reports are ``unknown`` unless identity or the
long-float evidence (which needs only a few fixes spread over hours) decides them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "CLASSES",
    "Classification",
    "category_class",
    "classify_kinematics",
    "density_kg_m3",
    "is_stationary",
]

CLASSES = ("balloon-free", "balloon-float", "aircraft", "glider", "rotorcraft", "ground-vehicle", "unknown")

MIN_REPORTS = 5
UNKNOWN_SCORE = 2.0  # log-odds a class must beat
AIRCRAFT_SPEED_M_S = 70.0  # m/s: faster than the drift of amateur balloons (p90)
FAST_SPEED_M_S = 100.0  # m/s: no balloon, glider or helicopter sustains this (p90)
AIRSPEED_AIRCRAFT_M_S = 25.0  # m/s against the wind
AIRSPEED_BALLOON_M_S = 8.0  # m/s against the wind
TURN_AIRCRAFT_DEG_S = 1.5  # deg/s (a standard-rate turn is 3 deg/s)
TURN_MIN_SPEED_M_S = 30.0  # m/s
BALLOON_CLIMB_M_S = (1.0, 12.0)  # m/s, latex and zero-pressure balloons
BALLOON_CLIMB_MIN_S = 1200.0  # s of steady climb
BALLOON_CLIMB_MAX_SPEED_M_S = 35.0  # m/s median ground speed during that climb
HIGH_ALT_M = 15_000.0  # m
FLOAT_CLASS_S = 1800.0  # s of float → balloon-float
LONG_FLOAT_S = 12 * 3600.0  # s at 15–40 km: hours to days
CIRCLE_WINDOW_S = 90.0  # s: window for thermalling (path flown vs net displacement)
CIRCLING_MIN_S = 600.0  # s of thermalling for the glider evidence
HOVER_SPEED_M_S = 5.0  # m/s
HOVER_MIN_S = 30.0  # s
SLOW_APPROACH_M_S = (2.0, 20.0)  # m/s over ground: below any fixed wing's approach speed
SLOW_APPROACH_SINK_M_S = (0.5, 3.0)  # m/s sink: a helicopter's approach (not a parachute)
SLOW_APPROACH_AFTER_S = 180.0  # s since the track last flew faster than 30 m/s
SLOW_APPROACH_MIN_S = 3.0  # s
SLOW_APPROACH_MIN_REPORTS = 4  # consecutive reports
SLOW_APPROACH_MAX_GAP_S = 5.0  # s between them
SLOW_APPROACH_LOSS_M = 30.0  # m lost since the last fast report (a fixed wing has landed)
GROUND_ALT_RANGE_M = 60.0  # m
GROUND_MAX_SPEED_M_S = 45.0  # m/s
STILL_SPEED_M_S = 1.0  # m/s: 60-s mean ground speed of an object standing on the ground
STILL_VZ_M_S = 0.5  # m/s: and its 60-s mean vertical rate
STILL_ABOVE_LOWEST_M = 50.0  # m: within this of the track's lowest altitude
STILL_MIN_S = 600.0  # s: a track that stands this long on the ground is "stationary"
LIFTOFF_GAIN_M = 300.0  # m climbed from standstill for the lift-off evidence
LIFTOFF_STILL_MIN_S = 120.0  # s standing on the ground before it
LIFTOFF_MAX_SPEED_M_S = 15.0  # m/s over ground during that climb (no take-off run)
LIFTOFF_RATE_M_S = (0.3, 12.0)  # m/s mean climb rate: solar balloons rise at ~0.7 m/s at first
CHUTE_MIN_S = 300.0  # s of steady descent for the parachute evidence
CHUTE_MIN_LOSS_M = 1000.0  # m lost in it
CHUTE_SEA_LEVEL_M_S = (3.0, 12.0)  # m/s: sea-level-equivalent descent rate of a payload's parachute
CHUTE_SPREAD = 0.5  # (p90 - p10) / median of the sea-level-equivalent rate: the law holds
CHUTE_MAX_SPEED_M_S = 20.0  # m/s median over ground: drifting with the low-level wind
RHO0_KG_M3 = 1.225  # kg/m³, sea-level density of the U.S. Standard Atmosphere 1976


def density_kg_m3(alt_m: np.ndarray) -> np.ndarray:
    """Air density of the U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562, Table 4 layers
    0–11 km at −6.5 K/km, 11–20 km isothermal 216.65 K, 20–32 km at +1 K/km, on geopotential
    height ``r0 z / (r0 + z)``, r0 = 6 356 766 m), ``alt_m`` geometric, clamped to 0–32 km
    geopotential. The air domain keeps
    its own copy: it does not import the weather domain (``skywarden.weather.atmosphere`` has
    all layers)."""
    z = np.asarray(alt_m, float)
    h = np.clip(6_356_766.0 * z / (6_356_766.0 + z), 0.0, 32_000.0)
    g_over_r = 9.80665 / 287.053
    t11, p11 = 216.65, 22_632.06
    t20, p20 = 216.65, 5_474.889
    tmp = np.where(
        h <= 11_000.0, 288.15 - 0.0065 * h, np.where(h <= 20_000.0, t11, t20 + 0.001 * (h - 20_000.0))
    )
    pres = np.where(
        h <= 11_000.0,
        101_325.0 * (tmp / 288.15) ** (g_over_r / 0.0065),
        np.where(
            h <= 20_000.0,
            p11 * np.exp(-g_over_r * (h - 11_000.0) / t11),
            p20 * (tmp / t20) ** (-g_over_r / 0.001),
        ),
    )
    return np.asarray(pres / (287.053 * tmp))


CATEGORY_CLASS = {
    "B2": "balloon", "B1": "glider", "A7": "rotorcraft", "C1": "ground-vehicle",
    "C2": "ground-vehicle", "C3": "ground-vehicle", "A1": "aircraft", "A2": "aircraft",
    "A3": "aircraft", "A4": "aircraft", "A5": "aircraft", "A6": "aircraft", "B4": "glider",
    "/O": "balloon", "/g": "glider", "/X": "rotorcraft", "/'": "aircraft", "/^": "aircraft",
    "\\^": "aircraft", "/>": "ground-vehicle", "/k": "ground-vehicle", "/u": "ground-vehicle",
    "/v": "ground-vehicle",
}  # fmt: skip
"""Identity evidence → class: ADS-B emitter categories (DO-260B §2.2.3.2.5.2, set letter +
number; B4 is an ultralight/hang-glider) and APRS symbols (table + code, APRS 1.01 appendix 2).
Radiosonde types are matched by :func:`category_class`."""
_SONDE_TYPES = ("RS41", "RS92", "DFM", "M10", "M20", "IMET", "LMS6", "MRZ", "MEISEI", "IMS100", "RS11G")


def category_class(category: str) -> str | None:
    """The class an identity category implies (``None`` when it says nothing)."""
    c = category.strip()
    if not c:
        return None
    if c in CATEGORY_CLASS:
        return CATEGORY_CLASS[c]
    up = c.upper()
    if up in CATEGORY_CLASS:
        return CATEGORY_CLASS[up]
    if any(up.startswith(s) for s in _SONDE_TYPES) or up in ("RADIOSONDE", "BALLOON", "SONDE"):
        return "balloon"
    return None


@dataclass(frozen=True)
class Classification:
    """A class label with its probability, the reasons and the features it was decided from."""

    label: str
    reasons: tuple[str, ...] = ()
    features: dict[str, float] = field(default_factory=dict)
    probability: float = float("nan")
    probabilities: dict[str, float] = field(default_factory=dict)

    @classmethod
    def unknown(cls, reason: str = "not classified") -> Classification:
        return cls("unknown", (reason,), probability=1.0, probabilities={"unknown": 1.0})

    @property
    def is_balloon(self) -> bool:
        return self.label.startswith("balloon")

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "probability": self.probability,
            "probabilities": dict(self.probabilities),
            "reasons": list(self.reasons),
            "features": dict(self.features),
        }


def _turn_rate_deg_s(t_s: np.ndarray, vel: np.ndarray) -> np.ndarray:
    hdg = np.unwrap(np.arctan2(vel[:, 0], vel[:, 1]))
    dt = np.diff(t_s)
    ok = dt > 0
    rate = np.zeros(len(dt))
    rate[ok] = np.degrees(np.abs(np.diff(hdg)[ok] / dt[ok]))
    return rate


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _window_mean(t_s: np.ndarray, x: np.ndarray, span_s: float) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.searchsorted(t_s, t_s - span_s / 2, side="left")
    hi = np.searchsorted(t_s, t_s + span_s / 2, side="right")
    return (c[hi] - c[lo]) / np.maximum(hi - lo, 1)


def _features(
    t_s: np.ndarray, alt_m: np.ndarray, vel: np.ndarray, float_s: float, pos_enu_m: np.ndarray | None
) -> dict[str, float]:
    gs = np.hypot(vel[:, 0], vel[:, 1])
    vz = vel[:, 2]
    f: dict[str, float] = {
        "n_reports": float(len(t_s)),
        "duration_h": float(t_s[-1] - t_s[0]) / 3600.0,
        "max_alt_m": float(np.max(alt_m)),
        "alt_range_m": float(np.max(alt_m) - np.min(alt_m)),
        "ground_speed_p50_m_s": float(np.median(gs)),
        "ground_speed_p90_m_s": float(np.percentile(gs, 90)),
        "climb_rate_median_m_s": float(np.median(vz[vz > 0.5])) if np.any(vz > 0.5) else 0.0,
        "float_s": float(float_s),
    }
    turn = _turn_rate_deg_s(t_s, vel)
    fast = (gs[1:] > TURN_MIN_SPEED_M_S) & (gs[:-1] > TURN_MIN_SPEED_M_S)
    f["turn_rate_p90_deg_s"] = float(np.percentile(turn[fast], 90)) if np.count_nonzero(fast) >= 5 else 0.0
    # high-altitude time: samples at 15–40 km and slow; time between consecutive such samples
    high = (alt_m >= HIGH_ALT_M) & (alt_m <= 40_000.0) & (gs < AIRCRAFT_SPEED_M_S)
    both = high[1:] & high[:-1]
    f["high_slow_s"] = float(np.sum(np.diff(t_s)[both]))
    # steady climb: the longest run of 2-minute mean climb rate within the balloon range
    if len(t_s) >= 3:
        vz_slow = _window_mean(t_s, vz, 120.0)
        climbing = (vz_slow >= BALLOON_CLIMB_M_S[0]) & (vz_slow <= BALLOON_CLIMB_M_S[1])
        best = (0.0, 0.0, 0.0)
        for i, j in _runs(climbing):
            dur = float(t_s[j - 1] - t_s[i])
            if dur > best[0]:
                best = (dur, float(alt_m[j - 1] - alt_m[i]), float(np.median(gs[i:j])))
        f["steady_climb_s"], f["steady_climb_gain_m"], f["steady_climb_speed_m_s"] = best
        sinking = vz_slow <= -1.0
        worst = (0.0, 0.0)
        worst_run = (0, 0)
        for i, j in _runs(sinking):
            dur = float(t_s[j - 1] - t_s[i])
            if dur > worst[0]:
                worst = (dur, float(alt_m[i] - alt_m[j - 1]))
                worst_run = (i, j)
        f["steady_descent_s"], f["steady_descent_loss_m"] = worst
        # parachute law (terminal velocity, v = sqrt(2 m g / (ρ Cd A)) ∝ 1/sqrt(ρ)): over the
        # longest descent, the rate scaled to sea level, |vz| sqrt(ρ(h)/ρ0), is one constant
        i, j = worst_run
        if j - i >= 3:
            v_sl = -vz[i:j] * np.sqrt(density_kg_m3(alt_m[i:j]) / RHO0_KG_M3)
            p10, p50, p90 = np.percentile(v_sl, [10, 50, 90])
            f["descent_sea_level_rate_m_s"] = float(p50)
            f["descent_sea_level_spread"] = float((p90 - p10) / p50) if p50 > 0 else float("inf")
            f["descent_speed_median_m_s"] = float(np.median(gs[i:j]))
        else:
            f.update(descent_sea_level_rate_m_s=0.0, descent_sea_level_spread=float("inf"))
            f["descent_speed_median_m_s"] = 0.0
        # thermalling, from the raw positions (smoothing rounds circles off): over a window the
        # path flown is long but the net displacement short, while climbing
        circling = np.zeros(len(t_s), bool)
        if pos_enu_m is not None and len(pos_enu_m) == len(t_s):
            seg = np.linalg.norm(np.diff(pos_enu_m[:, :2], axis=0), axis=1)
            cum = np.concatenate([[0.0], np.cumsum(seg)])
            back = np.searchsorted(t_s, t_s - CIRCLE_WINDOW_S, side="left")
            path = cum - cum[back]
            net = np.linalg.norm(pos_enu_m[:, :2] - pos_enu_m[back, :2], axis=1)
            gain = pos_enu_m[:, 2] - pos_enu_m[back, 2]
            span = t_s - t_s[back]
            circling = (
                (span >= 0.5 * CIRCLE_WINDOW_S) & (path > 8.0 * span) & (net < 0.35 * path) & (gain > 10.0)
            )
        dt = np.diff(t_s, prepend=t_s[0])
        f["circling_s"] = float(np.sum(dt[circling]))
        f["circling_fraction"] = f["circling_s"] / max(float(t_s[-1] - t_s[0]), 1.0)
        # hover: airborne (100 m above the track's lowest point), nearly still, for a while
        gs_slow = _window_mean(t_s, gs, 20.0)
        still = (gs_slow < HOVER_SPEED_M_S) & (alt_m > np.min(alt_m) + 100.0) & (np.abs(vz_slow) < 3.0)
        f["hover_s"] = max((float(t_s[j - 1] - t_s[i]) for i, j in _runs(still)), default=0.0)
        # slow approach: still descending below 3 km at a ground speed no fixed wing flies on
        # approach (a light aircraft approaches at ~30 m/s and touches down, stops sinking, above
        # 20 m/s), shortly after fast flight: a helicopter decelerating to its landing site
        last_fast = np.maximum.accumulate(np.where(gs > TURN_MIN_SPEED_M_S, np.arange(len(t_s)), -1))
        since_fast = np.where(last_fast >= 0, t_s - t_s[np.maximum(last_fast, 0)], np.inf)
        # height lost since the last fast sample: a fixed wing is on the runway by then
        loss_m = alt_m[np.maximum(last_fast, 0)] - alt_m
        approach = (
            (gs > SLOW_APPROACH_M_S[0])
            & (gs < SLOW_APPROACH_M_S[1])
            & (-vz > SLOW_APPROACH_SINK_M_S[0])
            & (-vz < SLOW_APPROACH_SINK_M_S[1])
            & (alt_m < 3000.0)
            & (since_fast <= SLOW_APPROACH_AFTER_S)
        )
        # the longest run of consecutive such reports, seen without gaps (the smoother only
        # interpolates across gaps), still slowing down, and >= 30 m below the last fast report
        best_sa = (0.0, 0.0)
        for i, j in _runs(approach):
            loss = float(np.max(loss_m[i:j]))
            seen = (
                j - i >= SLOW_APPROACH_MIN_REPORTS
                and float(np.max(np.diff(t_s[i:j]))) <= SLOW_APPROACH_MAX_GAP_S
            )
            if seen and gs[j - 1] <= gs[i] and loss >= SLOW_APPROACH_LOSS_M:
                best_sa = max(best_sa, (float(t_s[j - 1] - t_s[i]), loss))
        f["slow_approach_s"], f["slow_approach_loss_m"] = best_sa
        # standing on the ground (a payload before launch or after landing): 60-s mean speeds
        # near zero within 50 m of the track's lowest altitude
        gs_1m = _window_mean(t_s, gs, 60.0)
        vz_1m = _window_mean(t_s, vz, 60.0)
        low = alt_m < np.min(alt_m) + STILL_ABOVE_LOWEST_M
        still_g = (gs_1m < STILL_SPEED_M_S) & (np.abs(vz_1m) < STILL_VZ_M_S) & low
        runs_g = _runs(still_g)
        f["ground_still_s"] = max((float(t_s[j - 1] - t_s[i]) for i, j in runs_g), default=0.0)
        # lift-off: from standstill on the ground straight up (no take-off run, no transition to
        # forward flight): +300 m while never faster than 15 m/s over ground
        f["liftoff_gain_m"], f["liftoff_s"] = 0.0, 0.0
        for i, j in runs_g:
            if j >= len(t_s) - 1 or t_s[j - 1] - t_s[i] < LIFTOFF_STILL_MIN_S:
                continue
            top = np.flatnonzero(alt_m[j:] >= alt_m[j - 1] + LIFTOFF_GAIN_M)
            if not len(top):
                continue
            k = j + int(top[0])
            dur = float(t_s[k] - t_s[j - 1])
            gain = float(alt_m[k] - alt_m[j - 1])
            if dur > 0 and float(np.max(gs[j - 1 : k + 1])) < LIFTOFF_MAX_SPEED_M_S:
                f["liftoff_gain_m"], f["liftoff_s"] = gain, dur
                break
    else:
        f.update(steady_climb_s=0.0, steady_climb_gain_m=0.0, steady_climb_speed_m_s=0.0)
        f.update(steady_descent_s=0.0, steady_descent_loss_m=0.0, descent_sea_level_rate_m_s=0.0)
        f.update(descent_sea_level_spread=float("inf"), descent_speed_median_m_s=0.0, ground_still_s=0.0)
        f.update(liftoff_gain_m=0.0, liftoff_s=0.0)
        f.update(circling_s=0.0, circling_fraction=0.0, hover_s=0.0, slow_approach_s=0.0)
        f["slow_approach_loss_m"] = 0.0
    return f


def classify_kinematics(
    t_s: np.ndarray,
    alt_m: np.ndarray,
    vel_enu_m_s: np.ndarray,
    *,
    float_s: float = 0.0,
    wind_uv: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
    category: str = "",
    wind_residual_m_s: float | None = None,
    pos_enu_m: np.ndarray | None = None,
) -> Classification:
    """Classify from identity and smoothed kinematics (see the module docstring).

    ``wind_uv(alt_m) -> (u, v)`` m/s (a wind profile) or ``wind_residual_m_s`` (the median
    speed against a wind field, computed by the caller) enable the wind evidence. ``category``:
    an ADS-B emitter category, APRS symbol or radiosonde type (``""`` when unknown).
    ``pos_enu_m`` (n, 3): the raw measured positions in a local ENU frame (thermalling is
    detected on them).
    """
    n = len(t_s)
    score: dict[str, float] = {
        c: 0.0 for c in ("balloon", "aircraft", "glider", "rotorcraft", "ground-vehicle")
    }
    why: dict[str, list[str]] = {c: [] for c in score}

    def ev(cls: str, w: float, reason: str) -> None:
        score[cls] += w
        if w > 0:
            why[cls].append(reason)

    ident = category_class(category) if category else None
    if ident is not None:
        ev(ident, 8.0, f"identity: category {category!r} means {ident}")
    if n < 2:
        feats: dict[str, float] = {"n_reports": float(n)}
        return _decide(score, why, feats, 0.0, short=True)
    feats = _features(t_s, alt_m, vel_enu_m_s, float_s, pos_enu_m)
    gs90 = feats["ground_speed_p90_m_s"]
    if wind_residual_m_s is None and wind_uv is not None:
        gs = np.hypot(vel_enu_m_s[:, 0], vel_enu_m_s[:, 1])
        u, v = wind_uv(alt_m)
        air = np.hypot(vel_enu_m_s[:, 0] - u, vel_enu_m_s[:, 1] - v)
        use = np.isfinite(air) & (gs > 2.0)
        if np.any(use):
            wind_residual_m_s = float(np.median(air[use]))
    if wind_residual_m_s is not None and np.isfinite(wind_residual_m_s):
        res = float(wind_residual_m_s)
        feats["wind_residual_m_s"] = res
        feats["airspeed_median_m_s"] = res
        if res > AIRSPEED_AIRCRAFT_M_S:
            txt = f"moves {res:.0f} m/s relative to the wind (> {AIRSPEED_AIRCRAFT_M_S:.0f})"
            ev("aircraft", 3.0, txt)
            ev("glider", 1.0, txt)
            ev("balloon", -6.0, txt)
        elif res < AIRSPEED_BALLOON_M_S:
            ev("balloon", 3.0, f"drifts with the wind (residual {res:.1f} m/s)")
            ev("aircraft", -2.0, "")
    if gs90 > FAST_SPEED_M_S:
        txt = f"ground speed p90 {gs90:.0f} m/s > {FAST_SPEED_M_S:.0f}"
        ev("aircraft", 6.0, txt)
        for c in ("balloon", "glider", "rotorcraft", "ground-vehicle"):
            ev(c, -6.0, txt)
    elif gs90 > AIRCRAFT_SPEED_M_S:
        txt = f"ground speed p90 {gs90:.0f} m/s > {AIRCRAFT_SPEED_M_S:.0f}"
        ev("aircraft", 3.0, txt)
        ev("rotorcraft", 1.0, txt)
        ev("balloon", -4.0, txt)
        ev("glider", -1.0, txt)
    if feats["turn_rate_p90_deg_s"] > TURN_AIRCRAFT_DEG_S:
        txt = f"turns at {feats['turn_rate_p90_deg_s']:.1f} deg/s while faster than {TURN_MIN_SPEED_M_S:.0f} m/s"
        ev("aircraft", 2.5, txt)
        ev("rotorcraft", 1.5, txt)
        ev("glider", 1.0, txt)
        ev("balloon", -4.0, txt)
    if feats["circling_s"] >= CIRCLING_MIN_S and gs90 < AIRCRAFT_SPEED_M_S:
        txt = f"thermals: circles while climbing for {feats['circling_s'] / 60:.0f} min"
        ev("glider", 4.0 + min(feats["circling_fraction"] * 10.0, 3.0), txt)
        ev("balloon", -5.0, txt)
    hovers = feats["hover_s"] >= HOVER_MIN_S and feats["circling_s"] < CIRCLING_MIN_S / 2
    if hovers and gs90 > 30.0 and feats["max_alt_m"] < 6000.0:
        txt = f"hovers {feats['hover_s']:.0f} s while airborne, elsewhere {gs90:.0f} m/s"
        ev("rotorcraft", 5.0, txt)
        ev("balloon", -3.0, txt)
        ev("glider", -2.0, txt)
    if (
        feats["slow_approach_s"] >= SLOW_APPROACH_MIN_S
        and 30.0 < gs90 <= FAST_SPEED_M_S
        and feats["circling_s"] < CIRCLING_MIN_S / 2
    ):
        txt = (
            f"descends {feats['slow_approach_s']:.0f} s at under {SLOW_APPROACH_M_S[1]:.0f} m/s over ground "
            f"after flying {gs90:.0f} m/s (a helicopter's approach)"
        )
        ev("rotorcraft", 5.0, txt)
        ev("aircraft", -2.0, txt)
        ev("glider", -2.0, txt)
        ev("balloon", -3.0, txt)
    if 20.0 < gs90 <= 90.0 and feats["max_alt_m"] < 6000.0 and feats["circling_s"] < CIRCLING_MIN_S:
        ev("aircraft", 2.5, f"flies at {gs90:.0f} m/s below 6 km without thermalling")
    climb_s, gain, climb_gs = (
        feats["steady_climb_s"],
        feats["steady_climb_gain_m"],
        feats["steady_climb_speed_m_s"],
    )
    if climb_s >= BALLOON_CLIMB_MIN_S and gain >= 3000.0 and climb_gs < BALLOON_CLIMB_MAX_SPEED_M_S:
        ev(
            "balloon",
            4.0,
            f"steady climb {climb_s / 60:.0f} min, +{gain / 1000:.1f} km at {climb_gs:.0f} m/s over ground",
        )
    elif climb_s >= 300.0 and gain >= 500.0 and gs90 < 20.0 and feats["circling_s"] < CIRCLING_MIN_S / 2:
        ev(
            "balloon",
            3.0,
            f"steady climb {climb_s / 60:.0f} min, +{gain:.0f} m, slow over ground (p90 {gs90:.0f} m/s)",
        )
    desc_s, loss = feats["steady_descent_s"], feats["steady_descent_loss_m"]
    if desc_s >= 600.0 and loss >= 2000.0 and gs90 < 25.0 and feats["circling_s"] < CIRCLING_MIN_S / 2:
        ev(
            "balloon",
            3.0,
            f"steady descent {desc_s / 60:.0f} min, -{loss / 1000:.1f} km, drifting at {gs90:.0f} m/s",
        )
    v_sl = feats["descent_sea_level_rate_m_s"]
    if (
        desc_s >= CHUTE_MIN_S
        and loss >= CHUTE_MIN_LOSS_M
        and CHUTE_SEA_LEVEL_M_S[0] <= v_sl <= CHUTE_SEA_LEVEL_M_S[1]
        and feats["descent_sea_level_spread"] <= CHUTE_SPREAD
        and feats["descent_speed_median_m_s"] < CHUTE_MAX_SPEED_M_S
        and feats["circling_s"] < CIRCLING_MIN_S / 2
    ):
        ev(
            "balloon",
            3.0,
            f"descends under a parachute: {desc_s / 60:.0f} min, -{loss / 1000:.1f} km at a sea-level rate "
            f"of {v_sl:.1f} m/s steady with air density (v ∝ 1/sqrt(ρ)), drifting at "
            f"{feats['descent_speed_median_m_s']:.0f} m/s",
        )
    lift_gain, lift_s = feats["liftoff_gain_m"], feats["liftoff_s"]
    if lift_gain > 0 and LIFTOFF_RATE_M_S[0] <= lift_gain / lift_s <= LIFTOFF_RATE_M_S[1]:
        ev(
            "balloon",
            3.0,
            f"lifts off from standstill: +{lift_gain:.0f} m in {lift_s / 60:.0f} min, never faster than "
            f"{LIFTOFF_MAX_SPEED_M_S:.0f} m/s over ground (no take-off run)",
        )
    if feats["high_slow_s"] > 0 and gs90 < AIRCRAFT_SPEED_M_S:
        hours = feats["high_slow_s"] / 3600.0
        w = 4.0 if feats["high_slow_s"] < LONG_FLOAT_S else 8.0
        ev("balloon", w, f"{hours:.1f} h at 15-40 km (max {feats['max_alt_m'] / 1000:.1f} km) at wind speeds"
           + ("; no aircraft holds that for days" if w > 4 else ""))  # fmt: skip
    if float_s >= FLOAT_CLASS_S and feats["max_alt_m"] >= 10_000.0:
        ev("balloon", 2.0, f"floats {float_s / 3600:.1f} h at constant altitude")
    if (
        feats["alt_range_m"] < GROUND_ALT_RANGE_M
        and 2.0 < gs90 < GROUND_MAX_SPEED_M_S
        and feats["duration_h"] > 60.0 / 3600.0
    ):
        ev("ground-vehicle", 4.0, f"moves at {gs90:.0f} m/s within {feats['alt_range_m']:.0f} m of one level")
    return _decide(score, why, feats, float_s, short=n < MIN_REPORTS)


def is_stationary(features: dict[str, float]) -> bool:
    """The track stands on the ground for most of its time (>= :data:`STILL_MIN_S` and >= 80 %
    of its duration): a payload before launch or after landing, a parked vehicle. Kinematics
    cannot classify it; :func:`classify_kinematics` leaves it ``unknown`` with that reason."""
    dur = features.get("duration_h", 0.0) * 3600.0
    still = features.get("ground_still_s", 0.0)
    return still >= STILL_MIN_S and still >= 0.8 * dur


def _decide(
    score: dict[str, float],
    why: dict[str, list[str]],
    feats: dict[str, float],
    float_s: float,
    *,
    short: bool,
) -> Classification:
    names = [*score, "unknown"]
    vals = np.array([*score.values(), UNKNOWN_SCORE])
    if short:  # too few reports: only identity or long float (both weighted 8) can decide
        vals[:-1] = np.where(vals[:-1] >= 8.0, vals[:-1], np.minimum(vals[:-1], 0.0))
    p = np.exp(vals - vals.max())
    p /= p.sum()
    best = int(np.argmax(p))
    label = names[best]
    probs = {k: round(float(v), 4) for k, v in zip(names, p, strict=True)}
    if label == "unknown":
        n = int(feats.get("n_reports", 0))
        if short:
            reasons = [f"only {n} reports (need {MIN_REPORTS}) and no identity or long-float evidence"]
        else:
            top = names[int(np.argmax(vals[:-1]))]
            reasons = ["evidence too weak for any class"] + (
                [f"best: {top} ({'; '.join(why[top])})"] if why[top] else []
            )
            if is_stationary(feats):
                reasons.insert(
                    0,
                    f"stationary on the ground for {feats['ground_still_s'] / 60:.0f} min of "
                    f"{feats['duration_h'] * 60:.0f} (waiting for launch or landed): standing still says "
                    "nothing of what it is",
                )
        return Classification("unknown", tuple(reasons), feats, float(p[best]), probs)
    reasons = list(why[label])
    if label == "balloon":
        label = (
            "balloon-float"
            if float_s >= FLOAT_CLASS_S or feats.get("high_slow_s", 0) >= LONG_FLOAT_S
            else "balloon-free"
        )
        probs["balloon-free" if label == "balloon-float" else "balloon-float"] = 0.0
        probs[label] = probs.pop("balloon")
    return Classification(label, tuple(reasons), feats, float(p[best]), probs)
