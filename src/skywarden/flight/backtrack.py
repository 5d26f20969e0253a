"""Backtracking: from a fix at float altitude, where and when could the object have been launched?

Integrate backward in time from the fix. The object is assumed to have floated at the fix
altitude for an unknown time ``D`` before the fix, and before that to have ascended from the
ground at an ascent rate ``w``. Going backward, the ascent is a descent: for each candidate
``D`` (every ``candidate_step_s`` up to ``hours``) the backward path floats for ``D`` and then
descends at ``w`` to the ground, where the launch is inferred. An ensemble (stochastic wind
perturbations, or the wind file's members, plus a spread of ``w``) turns the candidates into a
probability map of the launch region and a launch-time range.

All candidate × member runs go through the compiled integrator in one call with a negative step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..geo import wrap_lon_deg
from ..timeutil import isoformat
from ..weather.winds import WindField
from . import _kernel
from .base import N_PARAMS
from .ensemble import core_rings
from .predict import EnsembleSettings, Prediction, build_prediction, concat_predictions, run_profile
from .stages import Ascent, FlightProfile, Float

__all__ = ["Backtrack", "backtrack", "backtrack_track", "concat_backtracks"]


@dataclass(frozen=True, eq=False)
class Backtrack:
    """Result of :func:`backtrack`.

    Attributes:
        paths: the backward runs as a :class:`Prediction` (times decreasing from the fix).
        launch_lat_deg, launch_lon_deg, launch_time: inferred launch of each run that reached
            the ground inside the field and the time window (others are dropped).
        float_hours: the float duration before the fix assumed by each of those runs, h.
        assumptions: settings behind the numbers.
    """

    paths: Prediction
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    launch_time: np.ndarray
    float_hours: np.ndarray
    assumptions: dict[str, Any] = field(default_factory=dict)

    def launch_time_range(self, quantiles: tuple[float, float] = (0.05, 0.95)) -> dict[str, Any]:
        """Earliest/latest inferred launch times and the given quantiles (ISO 8601 Z)."""
        if self.launch_time.size == 0:
            return {"n": 0}
        ns = np.sort(self.launch_time.astype(np.int64))
        q = np.quantile(ns, quantiles).astype(np.int64).astype("datetime64[ns]")
        return {
            "n": int(ns.size),
            "earliest_utc": isoformat(ns[0].astype("datetime64[ns]")),
            "latest_utc": isoformat(ns[-1].astype("datetime64[ns]")),
            "quantiles": {f"{p:g}": isoformat(t) for p, t in zip(quantiles, q, strict=True)},
        }

    def probability_map(self, cell_deg: float = 0.5) -> list[dict[str, Any]]:
        """Launch-region probability on a lat/lon grid: cells ``{lat_deg, lon_deg, cell_deg,
        probability}`` (cell centres; probabilities sum to 1 over the runs that landed)."""
        if not cell_deg > 0:
            raise ValidationError(f"cell_deg must be positive; got {cell_deg}")
        n = self.launch_lat_deg.size
        if n == 0:
            return []
        iy = np.floor(self.launch_lat_deg / cell_deg).astype(np.int64)
        ix = np.floor(np.asarray(wrap_lon_deg(self.launch_lon_deg)) / cell_deg).astype(np.int64)
        cells, counts = np.unique(np.stack([iy, ix], axis=1), axis=0, return_counts=True)
        order = np.argsort(-counts)
        return [
            {"lat_deg": float((cells[k, 0] + 0.5) * cell_deg), "lon_deg": float((cells[k, 1] + 0.5) * cell_deg),
             "cell_deg": cell_deg, "probability": float(counts[k] / n)}
            for k in order
        ]  # fmt: skip

    def region_contours(self, levels: tuple[float, ...] = (0.5, 0.9)) -> list[dict[str, Any]]:
        """Convex hulls holding ``level`` of the inferred launch points (Mahalanobis core)."""
        if self.launch_lat_deg.size < 3:
            return []
        rings = core_rings(self.launch_lat_deg, self.launch_lon_deg, levels)
        return [
            {"level": level, "ring": ring, "area_km2": area_km2}
            for level, (ring, area_km2) in zip(levels, rings, strict=True)
        ]


def backtrack(
    winds: WindField,
    *,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    time: Any,
    hours: float,
    ascent_rate_m_s: float = 5.0,
    ground_alt_m: float = 0.0,
    candidate_step_s: float = 1800.0,
    ensemble: EnsembleSettings | int | None = None,
    step_s: float = 60.0,
    output_step_s: float = 600.0,
    outside: str = "stop",
    members: tuple[int, int] | None = None,
) -> Backtrack:
    """Backtrack from a fix ``(lat_deg, lon_deg, alt_m, time)`` at float altitude over ``hours``.

    Each ensemble member is run once per candidate float duration ``0, candidate_step_s, …``;
    ``ensemble`` gives the member count, wind perturbations and ascent-rate spread.
    ``members=(m0, m1)`` runs only those rows of the (candidate × member) set, identical to the
    whole run's rows (:func:`concat_backtracks` joins pieces; the seam :mod:`skywarden.scale` uses).
    """
    if hours <= 0 or candidate_step_s <= 0:
        raise ValidationError("hours and candidate_step_s must be positive")
    if alt_m <= ground_alt_m:
        raise ValidationError(f"the fix altitude ({alt_m} m) must be above the ground ({ground_alt_m} m)")
    settings = (
        EnsembleSettings(members=ensemble) if isinstance(ensemble, int) else (ensemble or EnsembleSettings())
    )
    n_mem = winds.n_members if (settings.members == 1 and winds.n_members > 1) else settings.members
    ascent_s = (alt_m - ground_alt_m) / ascent_rate_m_s
    n_cand = math.floor((hours * 3600.0 - ascent_s) / candidate_step_s) + 1
    if n_cand < 1:
        raise ValidationError(
            f"{hours} h is shorter than the ascent from the ground ({ascent_s / 3600:.2f} h at "
            f"{ascent_rate_m_s} m/s); give more hours"
        )
    durations = np.repeat(np.arange(n_cand) * candidate_step_s, n_mem)
    n = durations.size
    rng = np.random.default_rng(settings.seed)
    fl = np.zeros((n, N_PARAMS))
    fl[:, 0] = alt_m
    fl[:, 2] = 86_400.0
    fl[:, 4] = durations
    fl[:, 5] = -math.inf
    asc = np.zeros((n, N_PARAMS))
    rates = np.full(n, ascent_rate_m_s)
    if n_mem > 1:
        rates += rng.normal(0.0, settings.ascent_rate_sigma_m_s, n)
    asc[:, 0] = np.maximum(rates, 0.5)
    asc[:, 1] = ground_alt_m
    profile = FlightProfile(
        (Float(alt_m=alt_m, duration_s=1.0), Ascent(rate_m_s=ascent_rate_m_s, target_alt_m=ground_alt_m,
                                                     event="launch")),
        name="backtrack",
    )  # fmt: skip
    use_file = winds.n_members > 1
    sigma = 0.0 if (use_file or n_mem == 1) else settings.wind_sigma_m_s
    member_index = np.tile(np.arange(n_mem), n_cand)
    raw = run_profile(
        winds, profile, t0_s=float(winds.seconds_since_t0(time)), lat_deg=np.full(n, float(lat_deg)),
        lon_deg=np.full(n, float(lon_deg)), alt_m=np.full(n, float(alt_m)), ground_alt_m=ground_alt_m,
        duration_s=hours * 3600.0, step_s=-abs(step_s), output_step_s=output_step_s, outside=outside,
        wind_sigma_m_s=sigma, wind_tau_s=settings.wind_tau_s, seed=settings.seed, stage_params=[fl, asc],
        member_index=member_index, members=members,
    )  # fmt: skip
    assumptions: dict[str, Any] = {
        "kind": "backtrack",
        "fix": {"lat_deg": lat_deg, "lon_deg": lon_deg, "alt_m": alt_m, "time_utc": isoformat(time)},
        "model": (
            "floated at the fix altitude for an unknown time before the fix, after a constant-rate ascent "
            "from the ground; the launch is where the backward path reaches the ground"
        ),
        "winds": winds.describe(),
        "ascent_rate_m_s": ascent_rate_m_s,
        "ground_alt_m": ground_alt_m,
        "candidate_step_s": candidate_step_s,
        "n_candidates": n_cand,
        "integrator": "RK4, fixed step, backward in time",
        "step_s": -abs(step_s),
        "hours": hours,
        "outside_policy": outside,
        "ensemble": {
            "members": n_mem,
            "source": "wind-file members" if use_file else ("stochastic" if n_mem > 1 else "deterministic"),
            "wind_sigma_m_s": sigma,
            "wind_tau_s": settings.wind_tau_s if sigma > 0 else None,
            "ascent_rate_sigma_m_s": settings.ascent_rate_sigma_m_s if n_mem > 1 else 0.0,
            "seed": settings.seed,
        },
    }
    paths = build_prediction(winds, profile, raw, assumptions)
    done = raw["status"] == _kernel.FINISHED
    ev = paths.events["launch"]
    return Backtrack(
        paths=paths,
        launch_lat_deg=ev["lat_deg"][done],
        launch_lon_deg=ev["lon_deg"][done],
        launch_time=ev["time"][done],
        float_hours=durations[slice(*members) if members else slice(None)][done] / 3600.0,
        assumptions=assumptions,
    )


def concat_backtracks(parts: Sequence[Backtrack]) -> Backtrack:
    """Join row-block pieces of one backtrack (``backtrack(..., members=…)`` in order)."""
    if not parts:
        raise ValidationError("no backtrack pieces to join")
    return Backtrack(
        paths=concat_predictions([p.paths for p in parts]),
        launch_lat_deg=np.concatenate([p.launch_lat_deg for p in parts]),
        launch_lon_deg=np.concatenate([p.launch_lon_deg for p in parts]),
        launch_time=np.concatenate([p.launch_time for p in parts]),
        float_hours=np.concatenate([p.float_hours for p in parts]),
        assumptions=parts[0].assumptions,
    )


def backtrack_track(
    winds: WindField,
    track: Any,
    *,
    hours: float,
    segment_s: float = 1800.0,
    n_fixes: int = 4,
    **kwargs: Any,
) -> Backtrack:
    """Backtrack from the last ``segment_s`` of a (smoothed) track instead of one fix.

    ``track`` is a :class:`skywarden.air.Track` (or anything with ``time``, ``lat_deg``,
    ``lon_deg``, ``alt_m`` arrays, smoothed by the tracker's Kalman smoother). ``n_fixes`` fixes
    spread over the segment are each backtracked (``hours`` before the *last* fix; the earlier
    fixes get correspondingly less) and their launch candidates pooled, so the launch estimate
    uses the whole segment rather than one possibly noisy point. Other keyword arguments go to
    :func:`backtrack`; the returned ``paths`` are those from the last fix.
    """
    t = np.asarray(track.time, dtype="datetime64[ns]")
    if t.size == 0:
        raise ValidationError("the track has no fixes")
    if n_fixes < 1 or segment_s < 0:
        raise ValidationError("n_fixes must be ≥ 1 and segment_s ≥ 0")
    last = t[-1]
    targets = last - (np.linspace(0.0, segment_s, n_fixes) * 1e9).astype("timedelta64[ns]")
    idx = sorted({max(int(np.searchsorted(t, x, side="right")) - 1, 0) for x in targets}, reverse=True)
    parts: list[Backtrack] = []
    for i in idx:
        back_h = hours - float((last - t[i]) / np.timedelta64(1, "s")) / 3600.0
        parts.append(backtrack(winds, lat_deg=float(track.lat_deg[i]), lon_deg=float(track.lon_deg[i]),
                               alt_m=float(track.alt_m[i]), time=t[i], hours=back_h, **kwargs))  # fmt: skip
    head = parts[0]
    assumptions = dict(head.assumptions)
    assumptions["track_segment"] = {
        "fixes_used": len(parts),
        "from_utc": isoformat(t[idx[-1]]),
        "to_utc": isoformat(t[idx[0]]),
        "pooled": "launch candidates of every fix are pooled",
    }
    return Backtrack(
        paths=head.paths,
        launch_lat_deg=np.concatenate([p.launch_lat_deg for p in parts]),
        launch_lon_deg=np.concatenate([p.launch_lon_deg for p in parts]),
        launch_time=np.concatenate([p.launch_time for p in parts]),
        float_hours=np.concatenate([p.float_hours for p in parts]),
        assumptions=assumptions,
    )
