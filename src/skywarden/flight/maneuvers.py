"""Is this balloon being steered? Observed motion against a passive-drift null model.

A passive balloon moves with the wind at its altitude and floats at a nearly constant altitude
(slow diurnal and gravity-wave oscillations of a few hundred metres at most). For a
:class:`~skywarden.air.track.Track` and a :class:`~skywarden.weather.winds.WindField`:

* **drift residual**: the track's smoothed horizontal velocity minus the wind interpolated at
  each sample's time, altitude and position, averaged over ``window_s`` (centred running mean).
  Its 1σ per component is ``sqrt(σ_wind² + σ_track²)`` where ``σ_wind`` is the spread of the
  wind field's ensemble members at the point (when the field has members) or the stated
  ``wind_sigma_m_s``, and ``σ_track`` the track's velocity uncertainty. The score is
  ``|residual| / σ``; samples scoring above ``threshold`` for at least ``min_duration_s`` make a
  "drift" interval ("drift 9.1 m/s off the wind at 18.0 km").
* **altitude change**: within the float era (first to last float sample of the track; ascent
  and final descent are the normal flight), the running-mean vertical rate above
  ``vrate_threshold_m_s`` for at least ``min_duration_s`` with a total change above
  ``min_alt_change_m`` makes an "altitude" interval. Its score is the change divided by
  ``float_alt_sigma_m`` (the passive float's altitude wander), and the reason says how stable
  the float was before ("altitude change of +1.8 km in 40 min while the float was stable
  (±40 m) for 60 min before").

Wind times: a single-time wind file is held constant; a multi-time field is interpolated and
held at its first / last valid time outside them (``assumptions`` says which). Samples outside
the field's horizontal or vertical extent get no drift score (NaN) and one warning counts them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..air.phases import running_mean
from ..errors import DataQualityWarning, ValidationError
from ..timeutil import isoformat
from ..weather.winds import WindField

__all__ = ["Maneuver", "ManeuverAnalysis", "detect_maneuvers"]


@dataclass(frozen=True)
class Maneuver:
    """One interval ``[start, end)`` where passive drift does not explain the motion.

    Attributes:
        kind: ``"drift"`` (horizontal motion off the wind) or ``"altitude"`` (altitude change
            during float).
        start, end: UTC, datetime64[ns].
        score: how many sigmas beyond the passive model (max over the interval).
        reason: a sentence with the numbers.
        alt_start_m, alt_end_m: altitude at the ends, m.
        lat_deg, lon_deg: position at the start.
        max_residual_m_s: largest running-mean drift residual in the interval, m/s.
    """

    kind: str
    start: np.datetime64
    end: np.datetime64
    score: float
    reason: str
    alt_start_m: float
    alt_end_m: float
    lat_deg: float
    lon_deg: float
    max_residual_m_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "start": self.start, "end": self.end, "score": round(self.score, 2),
            "reason": self.reason, "alt_start_m": self.alt_start_m, "alt_end_m": self.alt_end_m,
            "lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "max_residual_m_s": self.max_residual_m_s,
        }  # fmt: skip


@dataclass(frozen=True, eq=False)
class ManeuverAnalysis:
    """Result of :func:`detect_maneuvers`: the intervals plus the per-sample evidence.

    Attributes:
        maneuvers: flagged intervals, time-sorted.
        time: sample times (UTC); ``residual_enu_m_s`` ``(n, 2)`` running-mean drift residual
            (East, North), m/s; ``sigma_m_s`` per-component 1σ; ``score`` |residual|/σ;
            ``vrate_m_s`` running-mean vertical rate.
        assumptions: settings and wind description.
    """

    maneuvers: list[Maneuver]
    time: np.ndarray
    residual_enu_m_s: np.ndarray
    sigma_m_s: np.ndarray
    score: np.ndarray
    vrate_m_s: np.ndarray
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def steered(self) -> bool:
        """True when any interval was flagged."""
        return bool(self.maneuvers)

    def to_dict(self) -> dict[str, Any]:
        finite = self.score[np.isfinite(self.score)]
        return {
            "steered": self.steered,
            "maneuvers": [m.to_dict() for m in self.maneuvers],
            "max_drift_score": float(finite.max()) if finite.size else None,
            "median_drift_score": float(np.median(finite)) if finite.size else None,
            "assumptions": self.assumptions,
        }


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60.0:.0f} min"


def _wind_at(winds: WindField, t64: np.ndarray, alt: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> tuple[
    np.ndarray, np.ndarray, np.ndarray
]:  # fmt: skip
    """Mean wind (u, v) over members and its per-component spread (NaN outside the field or
    where the track has no finite position)."""
    t = np.clip(t64, winds.times[0], winds.times[-1])
    good = np.isfinite(alt) & np.isfinite(lat) & np.isfinite(lon) & ~np.isnat(t)
    us, vs = np.full((winds.n_members, alt.size), np.nan), np.full((winds.n_members, alt.size), np.nan)
    if good.any():
        for m in range(winds.n_members):
            us[m, good], vs[m, good] = winds.interp(
                t[good], alt[good], lat[good], lon[good], member=m, outside="nan"
            )
    u_all, v_all = us, vs
    spread = (
        np.sqrt(0.5 * (np.var(u_all, axis=0, ddof=1) + np.var(v_all, axis=0, ddof=1)))
        if winds.n_members > 1
        else np.full(alt.shape, np.nan)
    )
    return u_all.mean(axis=0), v_all.mean(axis=0), spread


def detect_maneuvers(
    track: Any,
    winds: WindField,
    *,
    wind_sigma_m_s: float | None = None,
    track_sigma_m_s: float = 0.5,
    threshold: float = 3.0,
    window_s: float = 600.0,
    min_duration_s: float = 600.0,
    vrate_threshold_m_s: float = 0.5,
    min_alt_change_m: float = 500.0,
    float_alt_sigma_m: float = 150.0,
    progress: Callable[[int, int], None] | None = None,
) -> ManeuverAnalysis:
    """Flag where a track's motion is beyond what passive drift explains (module docstring).

    ``track`` is a :class:`~skywarden.air.track.Track` (time, lat_deg, lon_deg, alt_m,
    vel_enu_m_s, phase). ``wind_sigma_m_s`` is the wind error 1σ per component, m/s (default:
    the ensemble spread of a multi-member field, else 3 m/s); ``track_sigma_m_s`` the track's
    velocity 1σ per component; ``threshold`` the score (σ) above which a sample is flagged.
    """
    if not (threshold > 0 and window_s > 0 and min_duration_s >= 0 and track_sigma_m_s >= 0):
        raise ValidationError("threshold and window_s must be > 0; min_duration_s, track_sigma_m_s ≥ 0")
    if wind_sigma_m_s is not None and not wind_sigma_m_s > 0:
        raise ValidationError(f"wind_sigma_m_s must be > 0 m/s; got {wind_sigma_m_s}")
    t64 = np.asarray(track.time, dtype="datetime64[ns]")
    n = t64.size
    if n < 3:
        raise ValidationError(f"track {getattr(track, 'id', '?')!r} has {n} samples; need at least 3")
    if progress is not None:
        progress(0, 3)
    t_s = (t64 - t64[0]).astype(np.int64) / 1e9
    lat = np.asarray(track.lat_deg, np.float64)
    lon = np.asarray(track.lon_deg, np.float64)
    alt = np.asarray(track.alt_m, np.float64)
    vel = np.asarray(track.vel_enu_m_s, np.float64)
    u, v, spread = _wind_at(winds, t64, alt, lat, lon)
    if progress is not None:
        progress(1, 3)
    outside = ~(np.isfinite(u) & np.isfinite(v))
    if outside.any():
        warnings.warn(
            f"{int(outside.sum())} of {n} track samples lie outside the wind field or lack a finite position (no drift score there); "
            f"field extent: {winds.extent()}",
            DataQualityWarning,
            stacklevel=2,
        )
    if wind_sigma_m_s is not None:
        sig_w = np.full(n, wind_sigma_m_s)
        sigma_source = f"stated {wind_sigma_m_s} m/s per component"
    elif winds.n_members > 1:
        sig_w = np.maximum(spread, 0.5)
        sigma_source = f"ensemble spread of {winds.n_members} members (floor 0.5 m/s)"
    else:
        sig_w = np.full(n, 3.0)
        sigma_source = "default 3 m/s per component (no ensemble members in the field)"
    sigma = np.sqrt(sig_w**2 + track_sigma_m_s**2)
    res_e = vel[:, 0] - u
    res_n = vel[:, 1] - v
    ok = ~outside & np.isfinite(vel[:, 0]) & np.isfinite(vel[:, 1]) & np.isfinite(t_s)
    res = np.full((n, 2), np.nan)
    if ok.any():
        res[ok, 0] = running_mean(t_s[ok], res_e[ok], window_s)
        res[ok, 1] = running_mean(t_s[ok], res_n[ok], window_s)
    mag = np.hypot(res[:, 0], res[:, 1])
    score = mag / sigma
    vz_ok = np.isfinite(vel[:, 2]) & np.isfinite(alt)
    vrate = np.full(n, np.nan)
    if vz_ok.any():
        vrate[vz_ok] = running_mean(t_s[vz_ok], vel[vz_ok, 2], window_s)
    phase = np.asarray(getattr(track, "phase", np.full(n, "float")), dtype=object)
    airborne = np.isin(phase, ["ascent", "float", "descent", "airborne", "unknown"])
    found: list[Maneuver] = []
    # drift intervals (airborne samples only: a landed balloon does not drift)
    flag = np.nan_to_num(score, nan=0.0) > threshold
    flag &= airborne
    for i, j in _runs(flag):
        if t_s[j - 1] - t_s[i] < min_duration_s:
            continue
        k = i + int(np.argmax(score[i:j]))
        heading = math.degrees(math.atan2(vel[k, 0], vel[k, 1])) % 360.0
        w_dir = math.degrees(math.atan2(u[k], v[k])) % 360.0
        turn = (heading - w_dir + 180.0) % 360.0 - 180.0
        reason = (
            f"drift {mag[k]:.1f} m/s off the wind at {alt[k] / 1000.0:.1f} km for {_minutes(t_s[j - 1] - t_s[i])} "
            f"(heading {heading:.0f}° vs wind towards {w_dir:.0f}°, {turn:+.0f}°; speed "
            f"{math.hypot(vel[k, 0], vel[k, 1]):.1f} vs {math.hypot(u[k], v[k]):.1f} m/s; 1σ {sigma[k]:.1f} m/s)"
        )
        found.append(
            _make("drift", i, j, float(score[k]), reason, t64, alt, lat, lon, float(np.nanmax(mag[i:j])))
        )
    if progress is not None:
        progress(2, 3)
    # altitude changes within the float era
    floats = np.flatnonzero(phase == "float")
    if floats.size:
        a, b = int(floats[0]), int(floats[-1]) + 1
        keep = vz_ok[a:b]
        seg_t, seg_alt = t_s[a:b][keep], alt[a:b][keep]
        seg_idx = np.arange(a, b)[keep]
        seg_rate = running_mean(seg_t, vel[a:b, 2][keep], window_s) if keep.any() else np.zeros(0)
        moving = np.abs(seg_rate) > vrate_threshold_m_s
        for i, j in _runs(moving):
            dur = seg_t[j - 1] - seg_t[i]
            d_alt = seg_alt[j - 1] - seg_alt[i]
            if dur < min_duration_s or abs(d_alt) < min_alt_change_m:
                continue
            before = (seg_t >= seg_t[i] - 3600.0) & (seg_t < seg_t[i])
            prior = (
                f" while the float was stable (±{np.std(seg_alt[before]):.0f} m) for "
                f"{_minutes(seg_t[i] - seg_t[np.flatnonzero(before)[0]])} before"
                if before.sum() >= 3 and np.std(seg_alt[before]) < float_alt_sigma_m
                else ""
            )
            reason = f"altitude change of {d_alt / 1000.0:+.1f} km in {_minutes(dur)}{prior}"
            i0, j0 = int(seg_idx[i]), int(seg_idx[j - 1]) + 1
            m_seg = mag[i0:j0]
            found.append(
                _make("altitude", i0, j0, abs(d_alt) / float_alt_sigma_m, reason, t64, alt, lat, lon,
                      float(np.nanmax(m_seg)) if np.isfinite(m_seg).any() else math.nan)
            )  # fmt: skip
    found.sort(key=lambda m: m.start)
    if progress is not None:
        progress(3, 3)
    assumptions = {
        "null_model": "passive drift: horizontal velocity = wind at the observed altitude; constant float altitude",
        "wind_sigma": sigma_source,
        "track_sigma_m_s": track_sigma_m_s,
        "threshold_sigma": threshold,
        "window_s": window_s,
        "min_duration_s": min_duration_s,
        "vrate_threshold_m_s": vrate_threshold_m_s,
        "min_alt_change_m": min_alt_change_m,
        "float_alt_sigma_m": float_alt_sigma_m,
        "wind_time": (
            "the single valid time is held constant"
            if winds.times.size == 1
            else "linear between valid times; held at the first/last outside them"
        ),
        "samples_outside_field": int(outside.sum()),
        "track_span_utc": [isoformat(t64[0]), isoformat(t64[-1])],
        "winds": winds.describe(),
    }
    return ManeuverAnalysis(found, t64, res, sigma, score, vrate, assumptions)


def _make(
    kind: str, i: int, j: int, score: float, reason: str, t64: np.ndarray, alt: np.ndarray,
    lat: np.ndarray, lon: np.ndarray, max_res: float,
) -> Maneuver:  # fmt: skip
    end = t64[j] if j < t64.size else t64[-1] + np.timedelta64(1, "s")
    return Maneuver(
        kind=kind, start=t64[i], end=end, score=score, reason=reason, alt_start_m=float(alt[i]),
        alt_end_m=float(alt[j - 1]), lat_deg=float(lat[i]), lon_deg=float(lon[i]), max_residual_m_s=max_res,
    )  # fmt: skip
