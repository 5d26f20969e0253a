"""Flight phases of a balloon track: pre-launch, ascent, float, descent, landed; burst, landing.

Works on smoothed altitude and vertical rate (from :mod:`skywarden.air.kalman`) at the report
times. The rules, in order:

* **launch**: the first time the altitude leaves the starting ground level (median of the first
  minute) by more than ``LAUNCH_RISE_M`` while climbing; the phase before it is ``pre-launch``.
  A track that starts airborne (climbing or sinking faster than ``STILL_M_S``, or still but above
  ``GROUND_MAX_ALT_M``: already floating when first seen) has none.
* **float**: after launch, a stretch of at least ``FLOAT_MIN_S`` where |vertical rate| (averaged
  over ``RATE_WINDOW_S``) stays below ``FLOAT_RATE_M_S`` while above ``FLOAT_MIN_ALT_M`` over
  launch.
* **altitude-step**: the samples between two float spans (an altitude-controlled balloon
  venting or dropping ballast to a new float level).
* **peak**: the highest smoothed altitude after launch; when the mean vertical rate in the
  ``BURST_WINDOW_S`` after it is below ``BURST_RATE_M_S`` (a fall, not a slow valve descent)
  it is a **burst** at that time and altitude.
* **sparse tracks** (median fix spacing above ``SPARSE_SPACING_S``): per fix from its own
  smoothed vertical rate (:func:`_sparse_phases`).
* **landing**: the first time after the peak when the payload is still (|vertical rate| <
  ``STILL_M_S`` and ground speed < ``STILL_GROUND_M_S``, both averaged over ``STILL_WINDOW_S``)
  for ``LANDED_HOLD_S``, within ``LANDED_MAX_ABOVE_LOWEST_M`` of the track's lowest altitude
  (a float balloon in calm air at 16 km is still, but not landed); the landing
  point is the median of the raw fixes in the ``LANDED_HOLD_S`` after it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

__all__ = ["PHASES", "PhaseResult", "detect_phases", "phase_changes", "running_mean"]

PHASES = ("pre-launch", "ascent", "float", "altitude-step", "descent", "landed")

LAUNCH_RISE_M = 60.0  # m above the starting ground level
GROUND_MAX_ALT_M = 6000.0  # m: no launch site is higher (the highest inhabited ground is ~5.1 km)
STILL_M_S = 1.0  # m/s vertical
STILL_GROUND_M_S = 3.0  # m/s horizontal
FLOAT_RATE_M_S = 0.75  # m/s
FLOAT_MIN_S = 900.0  # s
FLOAT_MIN_ALT_M = 1000.0  # m above launch
BURST_WINDOW_S = 60.0  # s
BURST_RATE_M_S = -8.0  # m/s mean vertical rate after the peak
LANDED_HOLD_S = 60.0  # s
LANDED_MAX_ABOVE_LOWEST_M = 3000.0  # m: a landing is near the track's lowest altitude
RATE_WINDOW_S = 300.0  # s: vertical rate averaged over this for float detection
STILL_WINDOW_S = 30.0  # s: rates averaged over this for landing detection
SPARSE_SPACING_S = 120.0  # s: median fix spacing above which phases are per fix
SPARSE_RATE_M_S = 0.5  # m/s: per-fix vertical rate that counts as climbing / sinking


@dataclass
class PhaseResult:
    """Per-sample phase names plus the indices of launch, peak, burst and landing (or None)."""

    phase: np.ndarray
    launch: int | None
    peak: int | None
    burst: int | None
    landing: int | None
    float_spans: list[tuple[int, int]]


def _window_mean(t: np.ndarray, x: np.ndarray, start: int, span_s: float) -> float:
    stop = int(np.searchsorted(t, t[start] + span_s, side="right"))
    return float(np.mean(x[start:stop]))


def running_mean(t_s: np.ndarray, x: np.ndarray, span_s: float) -> np.ndarray:
    """Centred moving average of ``x`` over ``span_s`` seconds of time (irregular sampling)."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.searchsorted(t_s, t_s - span_s / 2, side="left")
    hi = np.searchsorted(t_s, t_s + span_s / 2, side="right")
    return (c[hi] - c[lo]) / np.maximum(hi - lo, 1)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index runs [i, j) where mask is true."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def detect_phases(
    t_s: np.ndarray, alt_m: np.ndarray, vz_m_s: np.ndarray, ground_m_s: np.ndarray
) -> PhaseResult:
    """Phases per sample (see the module docstring); inputs are time-sorted arrays."""
    n = len(t_s)
    phase = np.full(n, "ascent", dtype=object)
    if n < 3:
        return PhaseResult(phase, None, None, None, None, [])
    first_min = int(np.searchsorted(t_s, t_s[0] + 60.0, side="right"))
    ground = float(np.median(alt_m[:first_min]))
    starts_still = abs(float(np.mean(vz_m_s[:first_min]))) < STILL_M_S and ground < GROUND_MAX_ALT_M
    starts_floating = not starts_still and ground >= GROUND_MAX_ALT_M
    launch: int | None = None
    if starts_still:
        above = np.flatnonzero((alt_m > ground + LAUNCH_RISE_M) & (vz_m_s > 0))
        if len(above) == 0:
            phase[:] = "pre-launch"
            return PhaseResult(phase, None, None, None, None, [])
        i = int(above[0])
        while i > 0 and vz_m_s[i - 1] > 0.5 * STILL_M_S:
            i -= 1
        launch = i
        phase[:launch] = "pre-launch"
    begin = launch if launch is not None else 0
    peak = begin + int(np.argmax(alt_m[begin:]))
    burst = peak if _window_mean(t_s, vz_m_s, peak, BURST_WINDOW_S) < BURST_RATE_M_S else None
    # float spans: still in the vertical while well above launch
    vz_slow = running_mean(t_s, vz_m_s, RATE_WINDOW_S)
    # first seen floating: no launch altitude to compare with, so above the highest ground
    floor_m = GROUND_MAX_ALT_M if starts_floating else alt_m[begin] + FLOAT_MIN_ALT_M
    floaty = (np.abs(vz_slow) < FLOAT_RATE_M_S) & (alt_m > floor_m)
    floaty[:begin] = False
    spans = [(i, j) for i, j in _runs(floaty) if t_s[j - 1] - t_s[i] >= FLOAT_MIN_S]
    # landing after the peak
    still_vz = running_mean(t_s, vz_m_s, STILL_WINDOW_S)
    still_gs = running_mean(t_s, ground_m_s, STILL_WINDOW_S)
    still = (np.abs(still_vz) < STILL_M_S) & (still_gs < STILL_GROUND_M_S)
    landing: int | None = None
    for i, j in _runs(still[peak:]):
        long_enough = t_s[peak + j - 1] - t_s[peak + i] >= LANDED_HOLD_S or peak + j == n
        low = alt_m[peak + i] <= float(np.min(alt_m)) + LANDED_MAX_ABOVE_LOWEST_M  # not still aloft
        if long_enough and low and (alt_m[peak + i] < alt_m[peak] - 500.0 or not spans):
            landing = peak + i
            break
    if landing is not None and alt_m[landing] > alt_m[peak] - 500.0:
        landing = None
    end_desc = landing if landing is not None else n
    descends = peak < n - 1 and _window_mean(t_s, vz_m_s, peak + 1, BURST_WINDOW_S) < -STILL_M_S
    if descends or landing is not None:
        phase[peak:end_desc] = "descent"
    if landing is not None:
        phase[landing:] = "landed"
    for i, j in spans:
        phase[i:j] = "float"
    for (_, j1), (i2, _) in itertools.pairwise(spans):  # a vent or ballast move between floats
        phase[j1:i2] = "altitude-step"
    if spans:  # after the last float: moves, then the final descent (never climbing again)
        tail = np.arange(spans[-1][1], n)
        tail = tail[phase[tail] == "ascent"]
        if len(tail):
            after_max = np.maximum.accumulate(alt_m[::-1])[::-1]  # highest altitude from here on
            final = (alt_m[tail] >= after_max[tail]) & (vz_slow[tail] < -STILL_M_S)
            start = tail[np.argmax(final)] if final.any() else n
            phase[tail] = np.where(tail >= start, "descent", "altitude-step")
    if len(t_s) >= 5 and float(np.median(np.diff(t_s))) > SPARSE_SPACING_S:
        _sparse_phases(phase, begin, alt_m, vz_m_s, landing)
    # a float that reaches the end of the track without descent keeps the peak inside it
    return PhaseResult(phase, launch, peak, burst, landing, spans)


def _sparse_phases(
    phase: np.ndarray, begin: int, alt_m: np.ndarray, vz_m_s: np.ndarray, landing: int | None
) -> None:
    """Fixes minutes apart: windowed rates see one sample, so each fix after launch takes the
    sign of its own smoothed vertical rate (``ascent`` above +``SPARSE_RATE_M_S``, ``descent``
    below −, else ``float`` when ``FLOAT_MIN_ALT_M`` above launch); every ascent or descent that
    is followed later by a float or a climb is an ``altitude-step``; the last descent stays
    ``descent``. Landed samples are kept."""
    stop = landing if landing is not None else len(phase)
    ref = alt_m[begin]
    for i in range(begin, stop):
        if vz_m_s[i] > SPARSE_RATE_M_S:
            phase[i] = "ascent"
        elif vz_m_s[i] < -SPARSE_RATE_M_S:
            phase[i] = "descent"
        elif alt_m[i] > ref + FLOAT_MIN_ALT_M:
            phase[i] = "float"
    seen_top = False  # after the first float or descent, vertical moves are steps
    for i in range(begin, stop):
        later = phase[i + 1 : stop]
        if phase[i] in ("float", "descent"):
            seen_top = True
        step_down = phase[i] == "descent" and bool(np.any((later == "float") | (later == "ascent")))
        step_up = phase[i] == "ascent" and seen_top
        if step_down or step_up:
            phase[i] = "altitude-step"


def phase_changes(t64: np.ndarray, phase: np.ndarray) -> list[dict[str, object]]:
    """``[{"phase", "start", "end"}]`` runs (times datetime64, end exclusive = next start)."""
    out: list[dict[str, object]] = []
    if len(phase) == 0:
        return out
    change = np.flatnonzero(phase[1:] != phase[:-1]) + 1
    bounds = [0, *change.tolist(), len(phase)]
    for i, j in itertools.pairwise(bounds):
        end = t64[j] if j < len(phase) else t64[-1]
        out.append({"phase": str(phase[i]), "start": t64[i], "end": end})
    return out
