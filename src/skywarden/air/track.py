"""The :class:`Track`: one air object's smoothed trajectory, phases, events and class.

This is the object the predictor (``skywarden.flight``) and the exposure code take. Samples are
at the report times of the object (duplicates dropped, time-sorted):

* ``time`` datetime64[ns] UTC; ``lat_deg``, ``lon_deg``, ``alt_m`` smoothed WGS84 position
  (altitude in the reports' datum, ``alt_datum``);
* ``vel_enu_m_s`` (n, 3) smoothed velocity in the local East/North/Up axes at each sample;
* ``phase`` per sample (``pre-launch, ascent, float, altitude-step, descent, landed`` for a
  balloon; ``airborne`` for aircraft, gliders and rotorcraft);
* ``burst`` / ``landing`` events (:class:`Event`) or ``None``;
* ``classification`` (:class:`~skywarden.air.classify.Classification`) with reasons.

``last_fix()`` gives the latest state (the start point of a prediction), ``phase_at(t)`` the
phase at any time, ``implied_wind()`` the wind measured by a drifting balloon per altitude bin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..timeutil import to_datetime64
from .classify import Classification
from .table import Reports

__all__ = ["Event", "Fix", "Track", "WindProfile"]


@dataclass(frozen=True)
class Event:
    """A point event on a track (burst, landing): UTC time and WGS84 position."""

    time: np.datetime64
    lat_deg: float
    lon_deg: float
    alt_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "lat": self.lat_deg, "lon": self.lon_deg, "alt_m": self.alt_m}


@dataclass(frozen=True)
class Fix:
    """A track state: time (UTC), position, smoothed local ENU velocity (m/s), phase."""

    time: np.datetime64
    lat_deg: float
    lon_deg: float
    alt_m: float
    vel_enu_m_s: tuple[float, float, float]
    phase: str

    @property
    def datetime(self) -> datetime:
        from ..timeutil import parse_time

        return parse_time(self.time)


@dataclass(frozen=True)
class WindProfile:
    """Horizontal wind implied by a drifting balloon, per altitude bin (bin centres ``alt_m``).

    ``u_m_s`` eastward and ``v_m_s`` northward (m/s), ``n`` samples per bin, ``time`` the mean
    time of the samples in each bin (UTC).
    """

    alt_m: np.ndarray
    u_m_s: np.ndarray
    v_m_s: np.ndarray
    n: np.ndarray
    time: np.ndarray

    def at(self, alt_m: Any) -> tuple[np.ndarray, np.ndarray]:
        """(u, v) m/s linearly interpolated in altitude (held constant beyond the ends)."""
        if len(self.alt_m) == 0:
            nan = np.full(np.shape(alt_m), np.nan)
            return nan, nan
        return np.interp(alt_m, self.alt_m, self.u_m_s), np.interp(alt_m, self.alt_m, self.v_m_s)


@dataclass
class Track:
    """One tracked air object (see the module docstring for the fields)."""

    id: str
    time: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    vel_enu_m_s: np.ndarray
    pos_sigma_m: np.ndarray
    phase: np.ndarray
    reports: Reports
    accepted: np.ndarray
    alt_datum: str = "gps"
    model: str = "balloon"
    burst: Event | None = None
    landing: Event | None = None
    launch_time: np.datetime64 | None = None
    classification: Classification = field(default_factory=Classification.unknown)
    new_object: bool = False
    phase_runs: list[dict[str, Any]] = field(default_factory=list)
    wind_residual_m_s: float | None = None
    """Median horizontal speed of the track against the given wind field, m/s (None without one)."""

    def __len__(self) -> int:
        return len(self.time)

    # -- derived kinematics -------------------------------------------------------------
    @property
    def ground_speed_m_s(self) -> np.ndarray:
        """Horizontal speed over ground, m/s."""
        return np.hypot(self.vel_enu_m_s[:, 0], self.vel_enu_m_s[:, 1])

    @property
    def heading_deg(self) -> np.ndarray:
        """Course over ground, degrees clockwise from true north, [0, 360)."""
        return np.degrees(np.arctan2(self.vel_enu_m_s[:, 0], self.vel_enu_m_s[:, 1])) % 360.0

    @property
    def vertical_rate_m_s(self) -> np.ndarray:
        """Smoothed vertical rate, m/s (positive up)."""
        return self.vel_enu_m_s[:, 2]

    @property
    def max_alt_m(self) -> float:
        """Highest altitude among the accepted (not gated-out) reports, m."""
        alt = self.reports.alt_m[self.accepted]
        return float(np.max(alt)) if len(alt) else float("nan")

    @property
    def class_label(self) -> str:
        return self.classification.label

    @property
    def n_outliers(self) -> int:
        """Reports rejected by the chi-square gate."""
        return int(np.count_nonzero(~self.accepted))

    # -- queries ---------------------------------------------------------------------------
    def last_fix(self) -> Fix:
        """The latest smoothed state (start point for a forward prediction)."""
        return self._fix(len(self) - 1)

    def _fix(self, i: int) -> Fix:
        v = self.vel_enu_m_s[i]
        return Fix(
            self.time[i],
            float(self.lat_deg[i]),
            float(self.lon_deg[i]),
            float(self.alt_m[i]),
            (float(v[0]), float(v[1]), float(v[2])),
            str(self.phase[i]),
        )

    def fix_at(self, t: Any) -> Fix:
        """The sample at or just before ``t`` (the first sample if ``t`` is earlier)."""
        return self._fix(self._index(t))

    def _index(self, t: Any) -> int:
        t64 = to_datetime64(t)
        return max(int(np.searchsorted(self.time, t64, side="right")) - 1, 0)

    def phase_at(self, t: Any) -> str:
        """Phase at time ``t``; ``"unknown"`` outside the track's time span."""
        t64 = to_datetime64(t)
        if len(self) == 0 or t64 < self.time[0] or t64 > self.time[-1]:
            return "unknown"
        return str(self.phase[self._index(t)])

    def implied_wind(self, bin_m: float = 250.0, settle_s: float = 60.0) -> WindProfile:
        """Wind implied by the drift of a free balloon: the smoothed horizontal velocity in the
        ascent, float and descent phases, averaged per ``bin_m`` altitude bin. The ``settle_s``
        after launch and after burst (payload swinging, parachute opening) and before landing
        are left out."""
        t = (self.time - self.time[0]).astype(np.int64) / 1e9
        use = np.isin(self.phase, ["ascent", "float", "descent"])
        for event in (self.launch_time, self.burst.time if self.burst else None):
            if event is not None:
                te = float((event - self.time[0]).astype("timedelta64[ns]").astype(np.int64)) / 1e9
                use &= ~((t >= te) & (t < te + settle_s))
        if self.landing is not None:  # touchdown: the smoothed velocity rounds off the stop
            tl = float((self.landing.time - self.time[0]).astype("timedelta64[ns]").astype(np.int64)) / 1e9
            use &= t < tl - settle_s
        if not np.any(use):
            empty = np.array([], dtype=np.float64)
            return WindProfile(empty, empty, empty, np.array([], np.int64), np.array([], "datetime64[ns]"))
        k = np.floor(self.alt_m[use] / bin_m).astype(np.int64)
        keys, inv, counts = np.unique(k, return_inverse=True, return_counts=True)
        u = np.bincount(inv, self.vel_enu_m_s[use, 0]) / counts
        v = np.bincount(inv, self.vel_enu_m_s[use, 1]) / counts
        tt = np.bincount(inv, t[use]) / counts
        times = self.time[0] + np.round(tt * 1e9).astype("timedelta64[ns]")
        return WindProfile((keys + 0.5) * bin_m, u, v, counts, times)

    def summary(self) -> dict[str, Any]:
        """The JSON summary (fields of ``skywarden track --json``)."""
        return {
            "id": self.id,
            "class": self.classification.label,
            "class_reasons": list(self.classification.reasons),
            "class_probability": self.classification.probability,
            "class_probabilities": dict(self.classification.probabilities),
            "wind_residual_m_s": self.wind_residual_m_s,
            "new_object": self.new_object,
            "n_reports": len(self),
            "n_outliers": self.n_outliers,
            "start": self.time[0] if len(self) else None,
            "end": self.time[-1] if len(self) else None,
            "phases": [{"phase": r["phase"], "start": r["start"], "end": r["end"]} for r in self.phase_runs],
            "max_alt_m": self.max_alt_m,
            "alt_datum": self.alt_datum,
            "launch_time": self.launch_time,
            "burst_alt_m": self.burst.alt_m if self.burst else None,
            "burst_time": self.burst.time if self.burst else None,
            "burst": self.burst.to_dict() if self.burst else None,
            "landing": self.landing.to_dict() if self.landing else None,
            "last_fix": {
                "time": self.time[-1],
                "lat": float(self.lat_deg[-1]),
                "lon": float(self.lon_deg[-1]),
                "alt_m": float(self.alt_m[-1]),
                "vel_enu_m_s": [float(x) for x in self.vel_enu_m_s[-1]],
            }
            if len(self)
            else None,
        }
