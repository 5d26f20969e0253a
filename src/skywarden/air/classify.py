"""Classify a track as a balloon (free or float), an aircraft, or unknown — with reasons.

Features (from the smoothed track): maximum altitude, sustained climb rate, ground speed,
speed relative to the wind (airspeed; needs a wind estimate, e.g. the wind implied by balloons
in the same scene), turn rate, and float time. Rules, first match wins:

1. fewer than ``MIN_REPORTS`` reports → ``unknown``;
2. aircraft if the 90th-percentile ground speed exceeds ``AIRCRAFT_SPEED_M_S``, or the median
   airspeed exceeds ``AIRSPEED_AIRCRAFT_M_S``, or it turns faster than ``TURN_AIRCRAFT_DEG_S``
   while moving faster than ``TURN_MIN_SPEED_M_S`` (balloons do not fly coordinated turns);
3. balloon if it climbs like one (median climb rate of climbing samples in
   ``BALLOON_CLIMB_M_S``) or floats, is slow over ground (below ``BALLOON_MAX_SPEED_M_S``) and,
   when a wind is known, drifts with it (median airspeed below ``AIRSPEED_BALLOON_M_S``);
   ``balloon-float`` when it floated at least ``FLOAT_CLASS_S``, else ``balloon-free``;
4. otherwise ``unknown``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CLASSES", "Classification", "classify_kinematics"]

CLASSES = ("balloon-free", "balloon-float", "aircraft", "unknown")

MIN_REPORTS = 5
AIRCRAFT_SPEED_M_S = 70.0  # m/s: faster than any jet-stream drift seen by amateur balloons
AIRSPEED_AIRCRAFT_M_S = 25.0  # m/s
AIRSPEED_BALLOON_M_S = 8.0  # m/s
TURN_AIRCRAFT_DEG_S = 1.5  # deg/s (a standard-rate turn is 3 deg/s)
TURN_MIN_SPEED_M_S = 30.0  # m/s
BALLOON_CLIMB_M_S = (1.0, 12.0)  # m/s, latex and zero-pressure balloons
BALLOON_MAX_SPEED_M_S = 70.0  # m/s
FLOAT_CLASS_S = 1800.0  # s


@dataclass(frozen=True)
class Classification:
    """A class label with the reasons and the features it was decided from."""

    label: str
    reasons: tuple[str, ...] = ()
    features: dict[str, float] = field(default_factory=dict)

    @classmethod
    def unknown(cls, reason: str = "not classified") -> Classification:
        return cls("unknown", (reason,))

    @property
    def is_balloon(self) -> bool:
        return self.label.startswith("balloon")

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "reasons": list(self.reasons), "features": dict(self.features)}


def _turn_rate_deg_s(t_s: np.ndarray, vel: np.ndarray) -> np.ndarray:
    hdg = np.unwrap(np.arctan2(vel[:, 0], vel[:, 1]))
    dt = np.diff(t_s)
    ok = dt > 0
    rate = np.zeros(len(dt))
    rate[ok] = np.degrees(np.abs(np.diff(hdg)[ok] / dt[ok]))
    return rate


def classify_kinematics(
    t_s: np.ndarray,
    alt_m: np.ndarray,
    vel_enu_m_s: np.ndarray,
    *,
    float_s: float = 0.0,
    wind_uv: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
) -> Classification:
    """Classify from smoothed kinematics (see the module docstring for the rules).

    ``wind_uv(alt_m) -> (u, v)`` m/s, when given, enables the airspeed features.
    """
    n = len(t_s)
    if n < MIN_REPORTS:
        return Classification.unknown(f"only {n} reports (need {MIN_REPORTS})")
    gs = np.hypot(vel_enu_m_s[:, 0], vel_enu_m_s[:, 1])
    vz = vel_enu_m_s[:, 2]
    moving = gs > 2.0
    feats: dict[str, float] = {
        "max_alt_m": float(np.max(alt_m)),
        "ground_speed_p90_m_s": float(np.percentile(gs, 90)),
        "climb_rate_median_m_s": float(np.median(vz[vz > 0.5])) if np.any(vz > 0.5) else 0.0,
        "float_s": float(float_s),
    }
    turn = _turn_rate_deg_s(t_s, vel_enu_m_s)
    fast = (gs[1:] > TURN_MIN_SPEED_M_S) & (gs[:-1] > TURN_MIN_SPEED_M_S)
    feats["turn_rate_p90_deg_s"] = (
        float(np.percentile(turn[fast], 90)) if np.count_nonzero(fast) >= 5 else 0.0
    )
    airspeed = None
    if wind_uv is not None:
        u, v = wind_uv(alt_m)
        air = np.hypot(vel_enu_m_s[:, 0] - u, vel_enu_m_s[:, 1] - v)
        if np.any(np.isfinite(air) & moving):
            airspeed = float(np.nanmedian(air[moving]))
            feats["airspeed_median_m_s"] = airspeed
    reasons: list[str] = []
    if feats["ground_speed_p90_m_s"] > AIRCRAFT_SPEED_M_S:
        reasons.append(f"ground speed p90 {feats['ground_speed_p90_m_s']:.0f} m/s > {AIRCRAFT_SPEED_M_S:.0f}")
    if airspeed is not None and airspeed > AIRSPEED_AIRCRAFT_M_S:
        reasons.append(f"moves {airspeed:.0f} m/s relative to the wind (> {AIRSPEED_AIRCRAFT_M_S:.0f})")
    if feats["turn_rate_p90_deg_s"] > TURN_AIRCRAFT_DEG_S:
        reasons.append(
            f"turns at {feats['turn_rate_p90_deg_s']:.1f} deg/s while faster than {TURN_MIN_SPEED_M_S:.0f} m/s"
        )
    if reasons:
        return Classification("aircraft", tuple(reasons), feats)
    climb = feats["climb_rate_median_m_s"]
    climbs = BALLOON_CLIMB_M_S[0] <= climb <= BALLOON_CLIMB_M_S[1]
    floats = float_s >= FLOAT_CLASS_S
    if (climbs or floats) and feats["ground_speed_p90_m_s"] < BALLOON_MAX_SPEED_M_S:
        if airspeed is not None and airspeed > AIRSPEED_BALLOON_M_S:
            return Classification(
                "unknown",
                (f"climbs like a balloon but moves {airspeed:.0f} m/s relative to the wind",),
                feats,
            )
        if climbs:
            reasons.append(f"median climb rate {climb:.1f} m/s (balloon range {BALLOON_CLIMB_M_S})")
        if floats:
            reasons.append(f"floats {float_s / 3600:.1f} h at constant altitude")
        reasons.append(f"slow over ground (p90 {feats['ground_speed_p90_m_s']:.0f} m/s)")
        if airspeed is not None:
            reasons.append(f"drifts with the wind (airspeed {airspeed:.1f} m/s)")
        if feats["max_alt_m"] > 15_000:
            reasons.append(f"reaches {feats['max_alt_m'] / 1000:.1f} km, above airliner cruise")
        return Classification("balloon-float" if floats else "balloon-free", tuple(reasons), feats)
    return Classification("unknown", ("neither aircraft-like nor balloon-like kinematics",), feats)
