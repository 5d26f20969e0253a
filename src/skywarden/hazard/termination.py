"""Safe termination windows along a predicted track.

For every candidate termination time (every ``step``, default 10 min, over the track's
half-open span [first, last)) the release state is read off the track (position, altitude and
the velocity from its time derivative; for an ensemble, every member at that time is an equally
likely release state), a Monte Carlo dispersion of modest size is run
(:func:`~skywarden.hazard.dispersion.impact_dispersion`, ``n`` samples, coarse fall steps) and
its risk assessed and decided with stated confidence
(:func:`~skywarden.hazard.resolve.assess_until_resolved`: samples double while the decision is
undecided, up to ``max_samples``). Windows are the half-open intervals [t_i, t_{i+1}) of
consecutive candidates whose decision is ``pass``: the upper bounds (at ``confidence``) of E_c
and of the maximum individual risk are within ``ec_max`` and ``individual_max``. The recommendation is the candidate with the lowest
E_c among those within the limits (among all when none is); ties (for example several at zero
over open sea) go first, when ``coast_range_km`` is given, to candidates over water within that
distance of the coast (a boat can reach the pieces), then to the earliest. Every result lists
its assumptions.

Fall steps in the sweep default to ``dt_max_s = 10``, ``dz_max_m = 100`` (about 5× faster than the
defaults of :func:`~skywarden.hazard.fall.fall`; impact points move by ≲ 0.3 % of the drift —
see ``tests/hazard/test_termination.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataQualityWarning, ValidationError
from ..geo import unwrap_lon_deg, wrap_lon_deg
from ..timeutil import format_duration, isoformat, parse_duration, to_datetime64
from .base import PopulationModel
from .casualty import RiskLimits, load_limits
from .dispersion import Dispersion, impact_dispersion
from .fall import Atmosphere, WindColumn
from .fragments import Payload, load_payload
from .population import is_water, load_population, water_distance_km
from .resolve import assess_until_resolved

__all__ = [
    "Candidate", "Swept", "TerminationPlan", "candidate_states", "candidate_times", "sweep_candidates",
    "termination_windows",
]  # fmt: skip

_EARTH_RADIUS_M = 6_371_008.8
_DERIV_S = 60.0  # half-width of the centred difference for the release velocity, s


@dataclass(frozen=True)
class Candidate:
    """Risk of terminating at one time (the nominal release point is member 0's).

    Attributes: ``time`` (UTC), ``lat``/``lon`` (release point, WGS84 degrees), ``alt_m``
    (release altitude, m), ``ec`` (expected casualties) and ``ec_std_error``,
    ``max_individual_risk`` (probability of casualty), ``within_limits`` (``decision == "pass"``:
    both upper bounds at ``confidence`` within the limits), ``over_water`` (mean
    impact point over water), ``fraction_unpopulated`` (piece-weighted share of impacts where
    nobody lives).

    ``impact_lat``/``impact_lon`` is the piece-weighted mean impact point of the Monte Carlo
    (NaN-free). ``water_distance_km`` is the distance from there
    to land: 0 on land; for points over water it is searched (2 km rings) only for the lowest-E_c
    candidates when a coast range is asked, else ``inf`` (``null`` in JSON: not searched / beyond).
    """

    time: np.datetime64
    lat: float
    lon: float
    alt_m: float
    ec: float
    ec_std_error: float
    max_individual_risk: float
    within_limits: bool
    over_water: bool
    water_distance_km: float
    fraction_unpopulated: float
    impact_lat: float
    impact_lon: float
    hazardous_fraction: float = 1.0
    wind_note: str | None = None
    """None, or how the winds at this candidate were not covered by the wind file (clamped)."""
    ec_lower: float = 0.0
    ec_upper: float = float("inf")
    individual_risk_lower: float = 0.0
    individual_risk_upper: float = float("inf")
    decision: str = "undecided"
    """``pass`` / ``fail`` / ``undecided`` at ``confidence`` (:mod:`skywarden.hazard.resolve`)."""
    confidence: float = 0.95
    samples: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": isoformat(self.time),
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "alt_m": round(self.alt_m, 1),
            "ec": self.ec,
            "ec_std_error": self.ec_std_error,
            "max_individual_risk": self.max_individual_risk,
            "within_limits": self.within_limits,
            "over_water": self.over_water,
            "distance_to_land_km": None
            if not np.isfinite(self.water_distance_km)
            else self.water_distance_km,
            "fraction_unpopulated": self.fraction_unpopulated,
            "impact_lat": round(self.impact_lat, 5),
            "impact_lon": round(self.impact_lon, 5),
            "hazardous_fraction": self.hazardous_fraction,
            "wind_beyond_file": self.wind_note is not None,
            "wind_note": self.wind_note,
            "ec_lower": self.ec_lower,
            "ec_upper": self.ec_upper if np.isfinite(self.ec_upper) else None,
            "individual_risk_lower": self.individual_risk_lower,
            "individual_risk_upper": self.individual_risk_upper
            if np.isfinite(self.individual_risk_upper)
            else None,
            "decision": self.decision,
            "confidence": self.confidence,
            "samples": self.samples,
        }


@dataclass(frozen=True)
class TerminationPlan:
    """Candidates, windows, recommendation and assumptions of a termination sweep."""

    candidates: list[Candidate]
    windows: list[tuple[np.datetime64, np.datetime64]]
    recommendation: dict[str, Any] | None
    limits: RiskLimits
    assumptions: dict[str, Any] = field(default_factory=dict)
    best_dispersion: Dispersion | None = field(default=None, repr=False, compare=False)
    """The Monte Carlo dispersion at the recommended time (for footprints)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``candidates`` (time, lat, lon, ec, max_individual_risk, …),
        ``windows`` ([start, end) ISO 8601 Z), ``recommendation``, ``limits``, ``assumptions``."""
        return {
            "candidates": [c.as_dict() for c in self.candidates],
            "windows": [{"start": isoformat(a), "end": isoformat(b)} for a, b in self.windows],
            "recommendation": self.recommendation,
            "limits": self.limits.describe(),
            "assumptions": self.assumptions,
        }


def candidate_states(
    times: Any, lat_deg: Any, lon_deg: Any, alt_m: Any, candidate_times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Track(s) interpolated at ``candidate_times``: ``lat, lon, alt`` shaped ``(n_cand, members)``
    and ``velocity_enu_m_s`` ``(n_cand, members, 3)`` from a ±60 s centred difference."""
    t = np.asarray(to_datetime64(times), dtype="datetime64[ns]")
    ts = (t - t[0]) / np.timedelta64(1, "s")
    lat = np.atleast_2d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_2d(np.asarray(lon_deg, dtype=np.float64))
    alt = np.atleast_2d(np.asarray(alt_m, dtype=np.float64))
    if not (lat.shape == lon.shape == alt.shape and lat.shape[1] == ts.size):
        raise ValidationError(
            f"track arrays must share the shape (n_times,) or (members, n_times); got lat {lat.shape}, "
            f"lon {lon.shape}, alt {alt.shape} for {ts.size} times"
        )
    if ts.size < 2 or np.any(np.diff(ts) <= 0):
        raise ValidationError("track times must be at least two and strictly increasing")
    cs = (np.asarray(candidate_times, dtype="datetime64[ns]") - t[0]) / np.timedelta64(1, "s")
    members = lat.shape[0]
    out_lat = np.empty((cs.size, members))
    out_lon = np.empty((cs.size, members))
    out_alt = np.empty((cs.size, members))
    vel = np.zeros((cs.size, members, 3))
    lo_s = np.clip(cs - _DERIV_S, ts[0], ts[-1])
    hi_s = np.clip(cs + _DERIV_S, ts[0], ts[-1])
    span = np.maximum(hi_s - lo_s, 1e-9)
    for k in range(members):
        ok = np.isfinite(lat[k]) & np.isfinite(lon[k]) & np.isfinite(alt[k])
        if ok.sum() < 2:
            out_lat[:, k] = out_lon[:, k] = out_alt[:, k] = np.nan
            continue
        ulon = unwrap_lon_deg(lon[k, ok])
        tt = ts[ok]
        out_lat[:, k] = np.interp(cs, tt, lat[k, ok], left=np.nan, right=np.nan)
        out_lon[:, k] = wrap_lon_deg(np.interp(cs, tt, ulon, left=np.nan, right=np.nan))
        out_alt[:, k] = np.interp(cs, tt, alt[k, ok], left=np.nan, right=np.nan)
        dlat = np.interp(hi_s, tt, lat[k, ok]) - np.interp(lo_s, tt, lat[k, ok])
        dlon = np.interp(hi_s, tt, ulon) - np.interp(lo_s, tt, ulon)
        dalt = np.interp(hi_s, tt, alt[k, ok]) - np.interp(lo_s, tt, alt[k, ok])
        coslat = np.cos(np.radians(np.nan_to_num(out_lat[:, k])))
        vel[:, k, 0] = np.radians(dlon) * _EARTH_RADIUS_M * coslat / span
        vel[:, k, 1] = np.radians(dlat) * _EARTH_RADIUS_M / span
        vel[:, k, 2] = dalt / span
    return out_lat, out_lon, out_alt, vel


#: One swept candidate: its index on the candidate grid, its result, its impact dispersion.
Swept = tuple[int, Candidate, Dispersion]


def _check_sweep(step: Any, n: int, max_samples: int | None) -> tuple[Any, int]:
    dt = parse_duration(step)
    if dt.total_seconds() <= 0:
        raise ValidationError(f"step must be positive; got {step!r}")
    budget = 4 * n if max_samples is None else int(max_samples)
    if budget < n:
        raise ValidationError(f"max_samples ({budget}) must be ≥ n ({n})")
    return dt, budget


def candidate_times(times: Any, step: Any = "10min") -> np.ndarray:
    """The candidate termination times of a sweep: every ``step`` over the track's half-open span
    ``[first, last)`` (the first time alone when the span is shorter than a step), ``datetime64[ns]``."""
    dt = parse_duration(step)
    if dt.total_seconds() <= 0:
        raise ValidationError(f"step must be positive; got {step!r}")
    t = np.asarray(to_datetime64(times), dtype="datetime64[ns]")
    cand_t = np.arange(t[0], t[-1], np.timedelta64(int(dt.total_seconds() * 1e9), "ns"))
    return cand_t if cand_t.size else t[:1]


def sweep_candidates(
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    payload: Payload | str,
    *,
    population: PopulationModel | str | None = None,
    wind: WindColumn | Any = None,
    limits: RiskLimits | str | None = None,
    step: Any = "10min",
    n: int = 256,
    seed: int = 0,
    sheltering_factor: float = 1.0,
    cell_m: float = 1000.0,
    atmosphere: Atmosphere | None = None,
    ground_alt_m: float = 0.0,
    dt_max_s: float = 10.0,
    dz_max_m: float = 100.0,
    max_samples: int | None = None,
    confidence: float = 0.95,
    candidates: tuple[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Swept]:
    """The Monte Carlo part of :func:`termination_windows` (arguments as there) for the candidate
    indices ``candidates = (i0, i1)`` of :func:`candidate_times` (None: all): the seam
    :mod:`skywarden.scale` partitions on. Candidate ``i`` draws from its own random streams (seeded
    by ``seed + i`` and its doubling round), so any split of the indices gives the same results.
    Candidates without a valid track position are left out."""
    pl = load_payload(payload)
    pop = load_population(population)
    lim = load_limits(limits)
    _, budget = _check_sweep(step, n, max_samples)
    t = np.asarray(to_datetime64(times), dtype="datetime64[ns]")
    cand_t = candidate_times(t, step)
    i0, i1 = (
        (0, cand_t.size) if candidates is None else (max(candidates[0], 0), min(candidates[1], cand_t.size))
    )
    c_lat, c_lon, c_alt, c_vel = candidate_states(t, lat_deg, lon_deg, alt_m, cand_t[i0:i1])
    out: list[Swept] = []
    for k in range(i1 - i0):
        i = i0 + k
        ok = np.isfinite(c_lat[k]) & np.isfinite(c_alt[k])
        if not ok.any():
            continue

        def draw(m: int, batch: int, i: int = i, k: int = k, ok: np.ndarray = ok) -> Dispersion:
            return impact_dispersion(
                pl, c_lat[k, ok], c_lon[k, ok], c_alt[k, ok], time=cand_t[i], velocity_enu_m_s=c_vel[k, ok],
                wind=wind, n=m, seed=seed + i + 1_000_003 * batch, atmosphere=atmosphere, ground_alt_m=ground_alt_m,
                dt_max_s=dt_max_s, dz_max_m=dz_max_m,
            )  # fmt: skip

        disp, risk, bounds = assess_until_resolved(
            draw, pop, lim, n=n, max_samples=budget, confidence=confidence,
            sheltering_factor=sheltering_factor, cell_m=cell_m,
        )  # fmt: skip
        mean_lat, mean_lon = disp.mean_impact()
        cand = Candidate(
            time=cand_t[i], lat=float(c_lat[k, ok][0]), lon=float(c_lon[k, ok][0]), alt_m=float(c_alt[k, ok][0]),
            ec=risk.ec, ec_std_error=risk.ec_std_error, max_individual_risk=risk.max_individual_risk,
            within_limits=bounds.decision == "pass", over_water=False, water_distance_km=np.inf,
            fraction_unpopulated=risk.fraction_unpopulated,
            impact_lat=mean_lat, impact_lon=mean_lon, hazardous_fraction=risk.hazardous_fraction,
            wind_note=disp.assumptions.get("wind_time_outside_file"),
            ec_lower=bounds.ec_lower, ec_upper=bounds.ec_upper, individual_risk_lower=bounds.individual_lower,
            individual_risk_upper=bounds.individual_upper, decision=bounds.decision, confidence=confidence,
            samples=disp.n,
        )  # fmt: skip
        out.append((i, cand, disp))
        if progress is not None:
            progress(k + 1, i1 - i0)
    return out


def termination_windows(
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    payload: Payload | str,
    *,
    population: PopulationModel | str | None = None,
    wind: WindColumn | Any = None,
    limits: RiskLimits | str | None = None,
    step: Any = "10min",
    n: int = 256,
    seed: int = 0,
    sheltering_factor: float = 1.0,
    coast_range_km: float | None = None,
    cell_m: float = 1000.0,
    atmosphere: Atmosphere | None = None,
    ground_alt_m: float = 0.0,
    dt_max_s: float = 10.0,
    dz_max_m: float = 100.0,
    progress: Callable[[int, int], None] | None = None,
    max_samples: int | None = None,
    confidence: float = 0.95,
    swept: list[Swept] | None = None,
) -> TerminationPlan:
    """Sweep candidate termination times along a track (see the module docstring).

    ``times`` (UTC) with ``lat_deg``, ``lon_deg``, ``alt_m`` shaped ``(n_times,)`` (deterministic)
    or ``(members, n_times)`` (ensemble). ``wind``: None (calm air), a WindColumn or a WindField.
    Each candidate starts with ``n`` samples and doubles them while its pass/fail decision at
    ``confidence`` is undecided, up to ``max_samples`` (default 4·n; ``n`` disables the
    adaptive step); ``within_limits`` is ``decision == "pass"``. ``swept``: the candidates already
    run by :func:`sweep_candidates` with the same arguments (pieces in any order; the cluster
    path of :mod:`skywarden.scale`); None runs them here.
    """
    pl = load_payload(payload)
    pop = load_population(population)
    lim = load_limits(limits)
    dt, budget = _check_sweep(step, n, max_samples)
    t = np.asarray(to_datetime64(times), dtype="datetime64[ns]")
    step_ns = np.timedelta64(int(dt.total_seconds() * 1e9), "ns")
    cand_t = candidate_times(t, step)
    n_cand = cand_t.size
    if swept is None:
        swept = sweep_candidates(
            t, lat_deg, lon_deg, alt_m, pl, population=pop, wind=wind, limits=lim, step=step, n=n, seed=seed,
            sheltering_factor=sheltering_factor, cell_m=cell_m, atmosphere=atmosphere, ground_alt_m=ground_alt_m,
            dt_max_s=dt_max_s, dz_max_m=dz_max_m, max_samples=max_samples, confidence=confidence,
            progress=progress,
        )  # fmt: skip
    swept = sorted(swept, key=lambda x: x[0])
    candidates = [c for _, c, _ in swept]
    dispersions = {i: d for i, _, d in swept}
    members = int(np.atleast_2d(np.asarray(lat_deg, dtype=np.float64)).shape[0])
    if not candidates:
        raise ValidationError("no candidate termination time has a valid track position")
    if len(candidates) < n_cand:
        warnings.warn(
            f"{n_cand - len(candidates)} of {n_cand} candidate time(s) have no valid track position "
            "(NaN or outside every member's span) and were skipped",
            DataQualityWarning,
            stacklevel=2,
        )
    # Where the pieces land: over water, and how far from land (for the coast-range preference).
    # The distance search is only needed to break ties at the lowest E_c, so only those are searched.
    ilat = np.array([c.impact_lat for c in candidates])
    ilon = np.array([c.impact_lon for c in candidates])
    water = is_water(ilat, ilon)
    dist = np.where(water, np.inf, 0.0)
    if coast_range_km:
        ok = np.array([c.within_limits for c in candidates])
        ec = np.array([c.ec for c in candidates])
        pool = ok if ok.any() else np.ones(ec.size, dtype=bool)
        tied = np.flatnonzero(pool & water & (ec <= ec[pool].min()))
        if tied.size:
            dist[tied] = water_distance_km(ilat[tied], ilon[tied], coast_range_km)
    candidates = [
        Candidate(**{**c.__dict__, "over_water": bool(w), "water_distance_km": float(d)})
        for c, w, d in zip(candidates, water, dist, strict=True)
    ]
    windows = _windows(candidates, cand_t, t[-1], step_ns)
    recommendation, best_index = _recommend(candidates, lim, coast_range_km)
    best_disp = (
        None if best_index is None else dispersions[_candidate_index(cand_t, candidates[best_index].time)]
    )
    assumptions = {
        "payload": pl.describe(),
        "population": pop.describe(),
        "wind": (next(iter(dispersions.values())).assumptions["wind"]),
        "wind_beyond_file": _wind_beyond(candidates),
        "atmosphere": "US Standard Atmosphere 1976" if atmosphere is None else "user atmosphere function",
        "limits": lim.describe(),
        "monte_carlo_samples_per_candidate": n,
        "candidate_step": format_duration(dt),
        "members": members,
        "sheltering_factor": sheltering_factor,
        "individual_risk_cell_m": cell_m,
        "coast_range_km": coast_range_km,
        "ground_alt_m": ground_alt_m,
        "fall_steps": {"dt_max_s": dt_max_s, "dz_max_m": dz_max_m},
        "release_velocity": "from the track's time derivative (±60 s centred difference)",
        "windows": "half-open [start, end) in UTC where E_c and individual risk are both within the limits",
        "hazardous_debris": f"only pieces hitting with kinetic energy ≥ {lim.hazard_ke_j:.3g} J or "
        f"≥ {lim.hazard_ke_per_area_j_m2:.4g} J/m² of impact area count (per Monte Carlo sample); "
        "each candidate reports hazardous_fraction",
        "limit_test": f"decided per candidate at {confidence:.0%} one-sided confidence: pass when the upper "
        "bounds of E_c and of the largest individual risk are within the limits, fail when a lower bound is "
        "beyond one, else undecided (not within the limits); samples double while undecided, up to "
        f"{budget} per candidate (exact binomial bounds per cell, Bonferroni over classes and cells; "
        "E_c normal bound with ≥ 10 contributing samples, else binomial × the largest density nearby — "
        "see skywarden.hazard.resolve)",
        "monte_carlo_max_samples_per_candidate": budget,
        "confidence": confidence,
    }
    return TerminationPlan(candidates, windows, recommendation, lim, assumptions, best_disp)


def _wind_beyond(candidates: list[Candidate]) -> str | None:
    """One line for the assumptions: how many candidates used clamped winds (None: none did)."""
    late = [c for c in candidates if c.wind_note]
    if not late:
        return None
    return (
        f"{len(late)} of {len(candidates)} candidate(s) release outside the wind file's valid times; "
        f"their winds are the nearest valid time's (clamped), see each candidate's wind_note; "
        f"first: {late[0].wind_note}"
    )


def _candidate_index(cand_t: np.ndarray, time: np.datetime64) -> int:
    return int(np.flatnonzero(cand_t == time)[0])


def _windows(
    candidates: list[Candidate], cand_t: np.ndarray, track_end: np.datetime64, step_ns: np.timedelta64
) -> list[tuple[np.datetime64, np.datetime64]]:
    out: list[tuple[np.datetime64, np.datetime64]] = []
    for c in candidates:
        if not c.within_limits:
            continue
        end = min(c.time + step_ns, max(track_end, c.time + np.timedelta64(1, "s")))
        if out and out[-1][1] == c.time:
            out[-1] = (out[-1][0], end)
        else:
            out.append((c.time, end))
    return out


def _recommend(
    candidates: list[Candidate], limits: RiskLimits, coast_range_km: float | None
) -> tuple[dict[str, Any] | None, int | None]:
    pool = [i for i, c in enumerate(candidates) if c.within_limits]
    meets = bool(pool)
    if not pool:
        pool = list(range(len(candidates)))

    def key(i: int) -> tuple[float, int, np.datetime64]:
        c = candidates[i]
        near = coast_range_km is not None and c.over_water and c.water_distance_km <= coast_range_km
        return (c.ec, 0 if near else 1, c.time)

    best = min(pool, key=key)
    c = candidates[best]
    reason = (
        "lowest E_c among candidates within the limits"
        if meets
        else "NO candidate meets the limits; lowest E_c shown"
    )
    if coast_range_km is not None:
        near = c.over_water and c.water_distance_km <= coast_range_km
        reason += (
            f"; {'over water within' if near else 'not over water within'} {coast_range_km:g} km of the coast"
        )
    rec = {**c.as_dict(), "meets_limits": meets, "reason": reason}
    return rec, best
