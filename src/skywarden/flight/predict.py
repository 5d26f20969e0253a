"""Trajectory prediction: a launch (or a track's last fix) + a profile + winds → member tracks.

:func:`predict` runs the compiled RK4 integrator (:mod:`._kernel`) for every ensemble member at
once and returns a :class:`Prediction`: recorded tracks on a regular time grid, per-stage events
(burst, float start, landing), a status per member (``landed``, ``float_end``, ``time_limit``,
``domain_edge``) and an ``assumptions`` record (wind source and valid times, heights source,
stages, step, ensemble settings, integration-error estimate) that goes into every output.

Honesty about the integration error: the nominal member is integrated again at half the step
and the end-point difference is reported (``assumptions["integration_error_m"]``). RK4 is
fourth order in smooth winds; across the piecewise-linear interpolation cells of a real field
it is formally second order, which the step-halving estimate captures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from ..errors import DomainError, OptionError, ValidationError
from ..geo import geodesic_inverse, wrap_lon_deg
from ..timeutil import isoformat, to_datetime64
from ..weather.atmosphere import density_ratio_table
from ..weather.winds import WindField
from . import _kernel
from .stages import Ascent, FlightProfile, Float

__all__ = [
    "DOMAIN_POLICIES",
    "KERNEL_DENSITY_TABLE",
    "EnsembleSettings",
    "Prediction",
    "concat_predictions",
    "predict",
    "predict_from_track",
    "run_profile",
]

DOMAIN_POLICIES = ("raise", "stop", "clamp", "hold")
_POLICY_CODE = {"raise": 0, "stop": 0, "clamp": 1, "hold": 2}
KERNEL_DENSITY_TABLE = density_ratio_table(10.0)
"""The kernel's air-density-ratio table: ``(first_alt_m, step_m, ratios)`` every 10 m."""
_TAB0, _TABSTEP, _TAB = KERNEL_DENSITY_TABLE
_PARALLEL_MIN_MEMBERS = 32


@dataclass(frozen=True)
class EnsembleSettings:
    """How ensemble members differ.

    Attributes:
        members: number of members (1 = deterministic).
        wind_sigma_m_s: stationary 1σ of the stochastic u and v perturbations, m/s (used only
            when the wind field has no member dimension).
        wind_tau_s: correlation time of the perturbations (Ornstein–Uhlenbeck), s.
        ascent_rate_sigma_m_s, burst_alt_sigma_m, float_alt_sigma_m, descent_speed_sigma_m_s:
            1σ spreads applied to the profile's stages.
        seed: random seed (results are reproducible).
    """

    members: int = 1
    wind_sigma_m_s: float = 2.0
    wind_tau_s: float = 6 * 3600.0
    ascent_rate_sigma_m_s: float = 0.5
    burst_alt_sigma_m: float = 1500.0
    float_alt_sigma_m: float = 300.0
    descent_speed_sigma_m_s: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.members < 1:
            raise ValidationError(f"ensemble members must be ≥ 1; got {self.members}")
        if self.wind_sigma_m_s < 0 or not self.wind_tau_s > 0:
            raise ValidationError("wind_sigma_m_s must be ≥ 0 and wind_tau_s > 0")


@dataclass(frozen=True, eq=False)
class Prediction:
    """Result of :func:`predict` / :func:`~skywarden.flight.backtrack.backtrack`.

    Attributes:
        times: recorded times, ``datetime64[ns]`` UTC, ``(n_rec,)`` (decreasing for backtracks).
        lat_deg, lon_deg, alt_m: member tracks ``(n_members, n_rec)``; NaN after a member ends.
            Longitudes are wrapped to [−180, 180).
        status: ``(n_members,)`` strings: ``landed``, ``float_end``, ``time_limit``,
            ``domain_edge`` (or a stage's end event).
        end_time, end_lat_deg, end_lon_deg, end_alt_m: where each member ended.
        events: ``{event_name: {"time", "lat_deg", "lon_deg", "alt_m"}}`` arrays per member
            (NaN/NaT when a member never reached it).
        assumptions: the settings behind the numbers.
    """

    times: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    status: np.ndarray
    end_time: np.ndarray
    end_lat_deg: np.ndarray
    end_lon_deg: np.ndarray
    end_alt_m: np.ndarray
    events: dict[str, dict[str, np.ndarray]]
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def n_members(self) -> int:
        return int(self.lat_deg.shape[0])

    def member_path(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(times, lat, lon, alt)`` of member ``m`` including its end point, NaNs removed."""
        ok = np.isfinite(self.lat_deg[m])
        t = np.append(self.times[ok], self.end_time[m])
        lat = np.append(self.lat_deg[m][ok], self.end_lat_deg[m])
        lon = np.append(self.lon_deg[m][ok], self.end_lon_deg[m])
        alt = np.append(self.alt_m[m][ok], self.end_alt_m[m])
        order = (
            np.argsort(t)
            if self.times.size < 2 or self.times[1] > self.times[0]
            else np.argsort(-t.astype(np.int64))
        )
        t, lat, lon, alt = t[order], lat[order], lon[order], alt[order]
        keep = np.concatenate([[True], np.diff(t.astype(np.int64)) != 0])
        return t[keep], lat[keep], lon[keep], alt[keep]


def _start_stages(profile: FlightProfile, start_alt_m: float) -> FlightProfile:
    """Drop leading ascents whose target is at or below the start altitude (``--launch`` at
    float altitude starts floating)."""
    stages = list(profile.stages)
    while (
        len(stages) > 1 and isinstance(stages[0], Ascent) and (stages[0].target_alt_m or 0.0) <= start_alt_m
    ):
        stages.pop(0)
    return FlightProfile(tuple(stages), name=profile.name)


def run_profile(
    winds: WindField,
    profile: FlightProfile,
    *,
    t0_s: float,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    alt_m: np.ndarray,
    ground_alt_m: float,
    duration_s: float,
    step_s: float,
    output_step_s: float,
    outside: str,
    wind_sigma_m_s: float = 0.0,
    wind_tau_s: float = 6 * 3600.0,
    seed: int = 0,
    stage_params: list[np.ndarray] | None = None,
    member_index: np.ndarray | None = None,
    clamp_top: bool = True,
    members: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Low-level run: arrays in, raw kernel arrays out (``dt`` negative when ``step_s`` < 0).

    ``members=(m0, m1)`` integrates only members ``m0 … m1-1`` of the ``n = lat_deg.size`` set
    (the seam :mod:`skywarden.scale` partitions ensembles on): stage parameters are still drawn
    for all ``n`` and each member keeps its own random stream (seeded by its index in the whole
    set), so the rows equal those rows of the whole run exactly.
    """
    if outside not in DOMAIN_POLICIES:
        raise OptionError("outside", outside, DOMAIN_POLICIES)
    if step_s == 0 or not math.isfinite(step_s):
        raise ValidationError(f"step_s must be a non-zero number of seconds; got {step_s!r}")
    n = lat_deg.size
    rng = np.random.default_rng(seed)
    kinds = np.array([st.kind for st in profile.stages], dtype=np.int64)
    if stage_params is None:
        stage_params = []
        start = float(alt_m[0])
        for st in profile.stages:
            stage_params.append(st.kernel_params(n, rng, start_alt_m=start, ground_alt_m=ground_alt_m))
            start = st.end_alt_m(start)
    par = np.ascontiguousarray(np.stack(stage_params, axis=1), dtype=np.float64)
    base = np.arange(n) if member_index is None else np.asarray(member_index)
    m0 = 0
    if members is not None:
        m0, m1 = max(members[0], 0), min(members[1], n)
        if m1 <= m0:
            raise ValidationError(f"members {members} select none of the {n} members")
        par, base = np.ascontiguousarray(par[m0:m1]), base[m0:m1]
        lat_deg, lon_deg, alt_m = lat_deg[m0:m1], lon_deg[m0:m1], alt_m[m0:m1]
        n = m1 - m0
    n_steps = max(1, math.ceil(abs(duration_s / step_s) - 1e-9))
    rec_every = max(1, round(abs(output_step_s / step_s)))
    n_rec = n_steps // rec_every + 1
    rec = np.full((n, n_rec, 3), np.nan)
    status = np.zeros(n, dtype=np.int64)
    events = np.full((n, kinds.size, 4), np.nan)
    final = np.full((n, 4), np.nan)
    fmember = np.ascontiguousarray(base % winds.n_members, dtype=np.int64)
    # Few members: one thread (waking the pool costs more than it saves, ~10 ms on a busy box).
    threads = numba.get_num_threads()
    if n < _PARALLEL_MIN_MEMBERS:
        numba.set_num_threads(1)
    try:
        _run_kernel(winds, fmember, t0_s, lat_deg, lon_deg, alt_m, kinds, par, step_s, n_steps, rec_every, outside,
                    clamp_top, wind_sigma_m_s, wind_tau_s, seed, rec, status, events, final, m0)  # fmt: skip
    finally:
        numba.set_num_threads(threads)
    if outside == "raise" and np.any(status == _kernel.DOMAIN):
        m = int(np.flatnonzero(status == _kernel.DOMAIN)[0])
        raise DomainError(
            f"member {m + m0} left the wind field near lat {final[m, 1]:.3f}, lon {wrap_lon_deg(final[m, 2]):.3f}, "
            f"alt {final[m, 3]:.0f} m at {_iso(winds, final[m, 0])}; field extent: {winds.extent()}. "
            "Choose outside='stop', 'clamp' or 'hold' to continue."
        )
    times = winds.times[0] + np.round((t0_s + np.arange(n_rec) * rec_every * step_s) * 1e9).astype(
        "timedelta64[ns]"
    )
    return {"rec": rec, "status": status, "events": events, "final": final, "times": times,
            "n_steps": n_steps, "par": par}  # fmt: skip


def _run_kernel(
    winds: WindField, fmember: np.ndarray, t0_s: float, lat_deg: np.ndarray, lon_deg: np.ndarray,
    alt_m: np.ndarray, kinds: np.ndarray, par: np.ndarray, step_s: float, n_steps: int, rec_every: int,
    outside: str, clamp_top: bool, wind_sigma_m_s: float, wind_tau_s: float, seed: int, rec: np.ndarray,
    status: np.ndarray, events: np.ndarray, final: np.ndarray, m_offset: int = 0,
) -> None:  # fmt: skip
    _kernel.integrate(
        winds.kernel_args(), fmember, float(t0_s),
        np.ascontiguousarray(lat_deg, dtype=np.float64), np.ascontiguousarray(lon_deg, dtype=np.float64),
        np.ascontiguousarray(alt_m, dtype=np.float64), kinds, par, float(step_s), int(n_steps), int(rec_every),
        _POLICY_CODE[outside], bool(clamp_top), float(wind_sigma_m_s), float(wind_tau_s), int(seed), int(m_offset), _TAB, _TAB0, _TABSTEP,
        rec, status, events, final,
    )  # fmt: skip


def _iso(winds: WindField, t_s: float) -> str:
    if not math.isfinite(t_s):
        return "?"
    return isoformat(winds.times[0] + np.timedelta64(round(t_s * 1e9), "ns"))


def _to_times(winds: WindField, t_s: np.ndarray) -> np.ndarray:
    out = np.full(t_s.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(t_s)
    out[ok] = winds.times[0] + np.round(t_s[ok] * 1e9).astype("timedelta64[ns]")
    return out


def build_prediction(
    winds: WindField, profile: FlightProfile, raw: dict[str, Any], assumptions: dict[str, Any]
) -> Prediction:
    """Wrap raw kernel arrays into a :class:`Prediction`."""
    rec, final, ev = raw["rec"], raw["final"], raw["events"]
    last_event = profile.stages[-1].end_event
    names = {_kernel.RUNNING: "time_limit", _kernel.FINISHED: last_event, _kernel.DOMAIN: "domain_edge"}
    status = np.array([names[int(s)] for s in raw["status"]], dtype=object)
    events: dict[str, dict[str, np.ndarray]] = {}
    for k, st in enumerate(profile.stages):
        events[st.end_event] = {
            "time": _to_times(winds, ev[:, k, 0]),
            "lat_deg": ev[:, k, 1],
            "lon_deg": np.asarray(wrap_lon_deg(ev[:, k, 2])),
            "alt_m": ev[:, k, 3],
        }
    # Points recorded after a member ended are NaN; also blank the steps past its end time.
    return Prediction(
        times=raw["times"],
        lat_deg=rec[:, :, 0],
        lon_deg=np.asarray(wrap_lon_deg(rec[:, :, 1])),
        alt_m=rec[:, :, 2],
        status=status,
        end_time=_to_times(winds, final[:, 0]),
        end_lat_deg=final[:, 1],
        end_lon_deg=np.asarray(wrap_lon_deg(final[:, 2])),
        end_alt_m=final[:, 3],
        events=events,
        assumptions=assumptions,
    )


def _ground_source(ground_alt_m: float | None, alt_m: float) -> str:
    if ground_alt_m is not None:
        return "given"
    return (
        "start altitude (start below 5 km: taken as the launch site)" if alt_m < 5000.0 else "0 m (default)"
    )


def _ground_note(ground_alt_m: float | None, alt_m: float) -> str | None:
    """Why the ground is where it is when the caller did not say (issue 19), else None."""
    if ground_alt_m is not None:
        return None
    if alt_m < 5000.0:
        return (
            f"no ground altitude given: descents end at the start altitude {alt_m:g} m, correct for a "
            "launch from the ground; for a prediction started in mid-air give the ground altitude "
            "(ground_alt_m), or the landing is placed at the start altitude"
        )
    return "no ground altitude given: descents end at 0 m (sea level); give ground_alt_m for high terrain"


def predict(
    winds: WindField,
    *,
    lat_deg: float,
    lon_deg: float,
    time: Any,
    alt_m: float = 0.0,
    profile: str | FlightProfile = "burst",
    hours: float = 72.0,
    step_s: float = 60.0,
    output_step_s: float = 600.0,
    ensemble: EnsembleSettings | int | None = None,
    outside: str = "stop",
    ground_alt_m: float | None = None,
    error_estimate: bool = True,
    progress: Callable[[int, int], None] | None = None,
    members: tuple[int, int] | None = None,
) -> Prediction:
    """Predict a flight from a launch (or any fix) at ``(lat_deg, lon_deg, alt_m)`` and ``time``.

    ``profile`` is ``"burst"``, ``"float"``, a TOML/JSON path or a :class:`FlightProfile`; leading
    ascents whose target is at or below ``alt_m`` are skipped (start at float altitude).
    ``ground_alt_m`` (default: the launch altitude when below 5 km, else 0) ends descents; when
    the default is used the assumptions say so (``ground_alt_source``, ``ground_alt_note``): a
    prediction started in mid-air below 5 km would otherwise land at its start altitude silently.
    ``outside`` is one of :data:`DOMAIN_POLICIES` (``stop`` ends a member with status
    ``domain_edge``). The track is recorded every ``output_step_s`` seconds.
    ``members=(m0, m1)`` runs only those ensemble members (rows identical to the whole run's;
    :func:`concat_predictions` joins such pieces — the seam :mod:`skywarden.scale` uses).
    """
    prof = _start_stages(FlightProfile.resolve(profile), alt_m)
    settings = (
        EnsembleSettings(members=ensemble) if isinstance(ensemble, int) else (ensemble or EnsembleSettings())
    )
    if hours <= 0:
        raise ValidationError(f"hours must be positive; got {hours}")
    n = winds.n_members if (settings.members == 1 and winds.n_members > 1) else settings.members
    use_file_members = winds.n_members > 1
    if n > 1:
        prof = prof.with_spreads(
            ascent_rate_sigma_m_s=settings.ascent_rate_sigma_m_s,
            burst_alt_sigma_m=settings.burst_alt_sigma_m,
            float_alt_sigma_m=settings.float_alt_sigma_m,
            descent_speed_sigma_m_s=settings.descent_speed_sigma_m_s,
        )
    ground = ground_alt_m if ground_alt_m is not None else (alt_m if alt_m < 5000.0 else 0.0)
    t0_s = float(winds.seconds_since_t0(time))
    start_alt = np.full(n, float(alt_m))
    first = prof.stages[0]
    if isinstance(first, Float) and n > 1 and first.alt_sigma_m > 0:
        start_alt[1:] += np.random.default_rng(settings.seed + 1).normal(0.0, first.alt_sigma_m, n - 1)
    sigma = 0.0 if (use_file_members or n == 1) else settings.wind_sigma_m_s
    if progress is not None:
        progress(0, n)
    raw = run_profile(
        winds, prof, t0_s=t0_s, lat_deg=np.full(n, float(lat_deg)), lon_deg=np.full(n, float(lon_deg)),
        alt_m=start_alt, ground_alt_m=ground, duration_s=hours * 3600.0, step_s=step_s,
        output_step_s=output_step_s, outside=outside, wind_sigma_m_s=sigma, wind_tau_s=settings.wind_tau_s,
        seed=settings.seed, members=members,
    )  # fmt: skip
    if progress is not None:
        progress(n, n)
    assumptions: dict[str, Any] = {
        "kind": "forward prediction",
        "launch": {"lat_deg": lat_deg, "lon_deg": lon_deg, "alt_m": alt_m, "time_utc": isoformat(time)},
        "winds": winds.describe(),
        "profile": prof.name,
        "stages": prof.describe(),
        "ground_alt_m": ground,
        "ground_alt_source": _ground_source(ground_alt_m, alt_m),
        "ground_alt_note": _ground_note(ground_alt_m, alt_m),
        "integrator": "RK4, fixed step, WGS84 geodetic (dlat=v/(M+h), dlon=u/((N+h)cos lat))",
        "step_s": step_s,
        "output_step_s": output_step_s,
        "duration_h": hours,
        "outside_policy": outside,
        "descent_law": "v(h) = v0 sqrt(rho0/rho(h)), US Standard Atmosphere 1976 density",
        "vertical_extrapolation": "below the lowest level the lowest-level wind; above the top level the top-level wind",
        "ensemble": {
            "members": n,
            "source": "wind-file members" if use_file_members else ("stochastic" if n > 1 else "deterministic"),
            "wind_sigma_m_s": sigma,
            "wind_tau_s": settings.wind_tau_s if sigma > 0 else None,
            "spreads": None if n == 1 else {
                "ascent_rate_sigma_m_s": settings.ascent_rate_sigma_m_s,
                "burst_alt_sigma_m": settings.burst_alt_sigma_m,
                "float_alt_sigma_m": settings.float_alt_sigma_m,
                "descent_speed_sigma_m_s": settings.descent_speed_sigma_m_s,
            },
            "seed": settings.seed,
        },
    }  # fmt: skip
    if error_estimate:
        assumptions["integration_error_m"] = _step_halving_error(
            winds, prof, t0_s, lat_deg, lon_deg, alt_m, ground, hours * 3600.0, step_s, outside,
            raw["par"][:1],
        )  # fmt: skip
    return build_prediction(winds, prof, raw, assumptions)


def _step_halving_error(
    winds: WindField, prof: FlightProfile, t0_s: float, lat: float, lon: float, alt: float, ground: float,
    duration_s: float, step_s: float, outside: str, par0: np.ndarray,
) -> float | None:  # fmt: skip
    """Distance (m) between the nominal end point at ``step_s`` and at ``step_s/2``.

    Both runs are deterministic (member 0's stage parameters, no stochastic wind), so the
    difference measures the integration error alone, not the noise of a perturbed member.
    """
    runs = [
        run_profile(
            winds, prof, t0_s=t0_s, lat_deg=np.array([lat]), lon_deg=np.array([lon]), alt_m=np.array([alt]),
            ground_alt_m=ground, duration_s=duration_s, step_s=h, output_step_s=duration_s,
            outside="stop" if outside == "raise" else outside,
            stage_params=[par0[:, k] for k in range(par0.shape[1])],
        )
        for h in (step_s, step_s / 2.0)
    ]  # fmt: skip
    final0, half = runs[0]["final"][0], runs[1]
    f = half["final"][0]
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(final0))):
        return None
    _, _, dist = geodesic_inverse(final0[1], final0[2], f[1], f[2])
    return float(np.hypot(float(dist), f[3] - final0[3]))


def to_times(values: Any) -> np.ndarray:
    """Helper for callers: anything time-like → ``datetime64[ns]``."""
    return np.asarray(to_datetime64(values))


def predict_from_track(
    winds: WindField, track: Any, *, profile: str | FlightProfile = "burst", **kwargs: Any
) -> Prediction:
    """Predict from the last fix of a track (:class:`skywarden.air.Track` or anything with
    ``last_fix()`` returning ``time, lat_deg, lon_deg, alt_m, vel_enu_m_s, phase``): the fix's
    phase and vertical rate choose the stages (:func:`~skywarden.flight.stages.profile_for_fix`).
    Other keyword arguments go to :func:`predict`.
    """
    from .stages import profile_for_fix

    fix = track.last_fix()
    prof = profile_for_fix(fix.phase, fix.alt_m, float(fix.vel_enu_m_s[2]), FlightProfile.resolve(profile))
    first_alt = getattr(track, "alt_m", None)
    if first_alt is not None and len(first_alt) and np.isfinite(first_alt[0]):
        # no terrain model: the ground is taken at the track's first altitude (its launch site)
        kwargs.setdefault("ground_alt_m", float(min(first_alt[0], fix.alt_m)))
    pred = predict(
        winds,
        lat_deg=fix.lat_deg,
        lon_deg=fix.lon_deg,
        alt_m=fix.alt_m,
        time=fix.time,
        profile=prof,
        **kwargs,
    )
    pred.assumptions["start"] = {
        "from": "last fix of a track",
        "phase": fix.phase,
        "vertical_rate_m_s": float(fix.vel_enu_m_s[2]),
    }
    return pred


def concat_predictions(parts: Sequence[Prediction]) -> Prediction:
    """Join member-block pieces of one prediction (``predict(..., members=…)`` in member order)
    into the whole: member arrays stacked in order, times and assumptions from the first piece."""
    if not parts:
        raise ValidationError("no prediction pieces to join")
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    events = {
        name: {k: np.concatenate([p.events[name][k] for p in parts]) for k in first.events[name]}
        for name in first.events
    }
    return Prediction(
        times=first.times,
        lat_deg=np.concatenate([p.lat_deg for p in parts]),
        lon_deg=np.concatenate([p.lon_deg for p in parts]),
        alt_m=np.concatenate([p.alt_m for p in parts]),
        status=np.concatenate([p.status for p in parts]),
        end_time=np.concatenate([p.end_time for p in parts]),
        end_lat_deg=np.concatenate([p.end_lat_deg for p in parts]),
        end_lon_deg=np.concatenate([p.end_lon_deg for p in parts]),
        end_alt_m=np.concatenate([p.end_alt_m for p in parts]),
        events=events,
        assumptions=first.assumptions,
    )
