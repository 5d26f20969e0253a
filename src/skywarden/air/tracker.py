"""From reports to :class:`~skywarden.air.track.Track` objects: :func:`track_reports`.

Steps: sort by time (out-of-order input is fine) → drop duplicate packets (several receivers)
→ split by object id (ICAO address, APRS callsign, radiosonde serial, ``id`` column) → reports
without an id that fall on an identified object's path join it (multi-source fusion: e.g. a
radar-like plain CSV of an aircraft that also sends ADS-B, :func:`_fuse_with_identified`) → the
rest go through :func:`~skywarden.air.association.associate` (GNN, M-of-N, per-report times,
class-dependent gates and coasting) → per object a local ENU frame at its first fix, the Kalman
filter + RTS smoother (:mod:`skywarden.air.kalman`, outliers gated and logged) → phases, burst,
landing (:mod:`skywarden.air.phases`) → classification with probability and reasons
(:mod:`skywarden.air.classify`): identity (emitter category, APRS symbol, radiosonde type),
kinematics, and the wind residual against a given wind (``wind=``) or else the wind implied by
the balloons of the same scene.

Measurement errors per source: a report's stated accuracy (``h_acc_m``/``v_acc_m``) where given,
else :data:`DEFAULT_SIGMA_M` by altitude datum (a barometric ADS-B altitude without the
GNSS-baro difference is a pressure altitude: 30 m vertical rather than 15 m).

Reports without a finite latitude, longitude and altitude (an APRS packet without ``/A=``) are
not used. With ``model="auto"`` every object is first filtered with the balloon model; objects that
classify as aircraft are filtered again with the aircraft (constant-acceleration) model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import OptionError
from .association import AssociationConfig, associate
from .classify import classify_kinematics
from .frame import LocalFrame
from .kalman import AIRCRAFT, BALLOON, MODELS, MotionModel, run_filter
from .phases import detect_phases, phase_changes
from .table import Reports, concat
from .track import Event, Track, WindProfile

__all__ = ["FUSION_GATE_M", "TrackingResult", "WindFunction", "build_track", "track_reports"]

WindFunction = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[Any, Any]]
"""``wind(lat_deg, lon_deg, alt_m, time_datetime64) -> (u_east_m_s, v_north_m_s)``."""
FUSION_GATE_M = 4.0
"""An anonymous report joins an identified object when it lies within this many combined
1-sigma of the object's position interpolated at the report's time (per axis, plus the
object's motion over half its local report spacing as interpolation uncertainty)."""

log = logging.getLogger(__name__)

DEFAULT_SIGMA_M = {"gps": (10.0, 10.0, 15.0), "pressure": (10.0, 10.0, 30.0), "unknown": (15.0, 15.0, 30.0)}
"""Measurement 1-sigma (East, North, Up) in metres when a report states no accuracy."""
MIN_SIGMA_M = 2.0  # m: floor under stated accuracies (GNSS estimates are optimistic)
REPORTED_VELOCITY_SIGMA_M_S = (1.5, 1.5, 2.0)
"""1-sigma (East, North, Up) of a reported velocity (APRS course/speed, ADS-B velocity, tracker
logs), m/s: GNSS speed is good to a few tenths, but a payload swings under its balloon and
APRS quantises speed to whole knots; the vertical rate is coarser still."""
BURST_FIX_WINDOW_S = 30.0  # s: burst altitude = highest accepted fix this close to the smoothed peak


@dataclass
class TrackingResult:
    """Tracks plus bookkeeping; iterating over it yields the tracks."""

    tracks: list[Track]
    duplicates_dropped: int = 0
    clutter_reports: int = 0
    rejected_rows: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Track]:
        return iter(self.tracks)

    def __len__(self) -> int:
        return len(self.tracks)

    def __getitem__(self, key: int | str) -> Track:
        if isinstance(key, str):
            for trk in self.tracks:
                if trk.id == key:
                    return trk
            raise KeyError(key)
        return self.tracks[key]


def _variances(rep: Reports) -> np.ndarray:
    datum = rep.alt_datum
    base = np.array([DEFAULT_SIGMA_M.get(str(d), DEFAULT_SIGMA_M["unknown"]) for d in datum]).reshape(-1, 3)
    sig = base.copy()
    h = np.where(np.isfinite(rep.h_acc_m), np.maximum(rep.h_acc_m, MIN_SIGMA_M), np.nan)
    v = np.where(np.isfinite(rep.v_acc_m), np.maximum(rep.v_acc_m, MIN_SIGMA_M), np.nan)
    sig[:, 0] = np.where(np.isfinite(h), h, sig[:, 0])
    sig[:, 1] = np.where(np.isfinite(h), h, sig[:, 1])
    sig[:, 2] = np.where(np.isfinite(v), v, sig[:, 2])
    return sig**2


def _seconds(times: np.ndarray, t0: np.datetime64) -> np.ndarray:
    return (times - t0).astype("timedelta64[ns]").astype(np.int64) / 1e9


def build_track(
    rep: Reports,
    track_id: str,
    *,
    model: MotionModel | str = "auto",
    wind: WindProfile | None = None,
    new_object: bool = False,
    use_reported_velocity: bool | str = "auto",
    wind_field: WindFunction | None = None,
) -> Track:
    """Filter, smooth, phase and classify the reports of ONE object (time-sorted, no NaN).

    ``use_reported_velocity``: True makes the reports' own velocities (where given)
    measurements too (:data:`REPORTED_VELOCITY_SIGMA_M_S`, gated like positions); False ignores
    them; ``"auto"`` uses them with the aircraft model only. A balloon payload swings under its
    balloon, so its GNSS velocity follows the swing rather than the flight (on EOSS-323 it lifts
    the track's p90 turn rate from 1.35 to 1.64 °/s, enough to look like a turning aircraft)."""
    if use_reported_velocity not in (True, False, "auto"):
        raise OptionError("use_reported_velocity", use_reported_velocity, [True, False, "auto"])
    frame = LocalFrame(float(rep.lat_deg[0]), float(rep.lon_deg[0]), float(rep.alt_m[0]))
    z = frame.to_enu(rep.lat_deg, rep.lon_deg, rep.alt_m)
    t = _seconds(rep.time, rep.time[0])
    r = _variances(rep)
    vel = None
    if use_reported_velocity is not False and np.isfinite(rep.vel_enu_m_s).any():
        vel = frame.velocity_from_local_enu(rep.vel_enu_m_s, rep.lat_deg, rep.lon_deg)
    balloon_vel = vel if use_reported_velocity is True else None
    chosen = MODELS[model] if isinstance(model, str) and model != "auto" else model
    first = BALLOON if chosen == "auto" else chosen
    assert isinstance(first, MotionModel)
    args = (rep, track_id, frame, z, t, r)
    trk = _make(*args, vel if first.order == 3 else balloon_vel, first, wind, new_object, wind_field)
    if chosen == "auto" and trk.classification.label == "aircraft":
        trk = _make(*args, vel, AIRCRAFT, wind, new_object, wind_field)
        if trk.classification.label != "aircraft":  # keep the decision of the first pass
            trk = _make(*args, balloon_vel, BALLOON, wind, new_object, wind_field)
    return trk


def _make(
    rep: Reports,
    track_id: str,
    frame: LocalFrame,
    z: np.ndarray,
    t: np.ndarray,
    r: np.ndarray,
    vel: np.ndarray | None,
    model: MotionModel,
    wind: WindProfile | None,
    new_object: bool,
    wind_field: WindFunction | None = None,
) -> Track:
    vel_var = None if vel is None else np.square(REPORTED_VELOCITY_SIGMA_M_S)
    res = run_filter(t, z, r, model, vel_enu_m_s=vel, vel_var_m2_s2=vel_var)
    lat, lon, alt = frame.to_geodetic(res.pos_enu_m)
    vel = frame.velocity_to_local_enu(res.vel_enu_m_s, lat, lon)
    gs = np.hypot(vel[:, 0], vel[:, 1])
    ph = detect_phases(t, alt, vel[:, 2], gs)
    float_s = sum(float(t[j - 1] - t[i]) for i, j in ph.float_spans)
    residual = None
    if wind_field is not None:
        u, v = wind_field(lat, lon, alt, rep.time)
        diff = np.hypot(vel[:, 0] - np.asarray(u, float), vel[:, 1] - np.asarray(v, float))
        residual = float(np.nanmedian(diff)) if np.isfinite(diff).any() else None
    cats = [str(c) for c in rep.category if c]
    category = max(set(cats), key=cats.count) if cats else ""
    cls = classify_kinematics(
        t,
        alt,
        vel,
        float_s=float_s,
        wind_uv=wind.at if wind is not None else None,
        pos_enu_m=z,
        category=category,
        wind_residual_m_s=residual,
    )
    if not cls.is_balloon:  # balloon phases mean nothing for an aircraft
        airborne = cls.label in ("aircraft", "glider", "rotorcraft")
        phase = np.full(len(t), "airborne" if airborne else "unknown", dtype=object)
        burst = landing = None
        launch = None
    else:
        phase = ph.phase
        launch = rep.time[ph.launch] if ph.launch is not None else None
        burst = None
        if ph.burst is not None:
            near = res.accepted & (np.abs(t - t[ph.burst]) <= BURST_FIX_WINDOW_S)
            i = int(np.flatnonzero(near)[np.argmax(rep.alt_m[near])]) if np.any(near) else ph.burst
            burst = Event(rep.time[i], float(rep.lat_deg[i]), float(rep.lon_deg[i]), float(rep.alt_m[i]))
        landing = None
        if ph.landing is not None:
            hold = (t >= t[ph.landing]) & (t < t[ph.landing] + 60.0) & res.accepted
            hold[ph.landing] = True
            landing = Event(
                rep.time[ph.landing],
                float(np.median(rep.lat_deg[hold])),
                float(np.median(rep.lon_deg[hold])),
                float(np.median(rep.alt_m[hold])),
            )
    datums = {str(d) for d in rep.alt_datum}
    return Track(
        id=track_id,
        time=rep.time.copy(),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=alt,
        vel_enu_m_s=vel,
        pos_sigma_m=res.pos_sigma_m,
        phase=phase,
        reports=rep,
        accepted=res.accepted,
        alt_datum=datums.pop() if len(datums) == 1 else "mixed",
        model=model.name,
        burst=burst,
        landing=landing,
        launch_time=launch,
        classification=cls,
        new_object=new_object,
        phase_runs=phase_changes(rep.time, phase),
        wind_residual_m_s=cls.features.get("wind_residual_m_s"),
    )


def _wind_function(wind: Any) -> WindFunction | None:
    """A callable ``(lat, lon, alt_m, time) -> (u, v)`` from a callable or from any object with
    ``interp(time, alt_m, lat_deg, lon_deg, outside=...)`` (a ``skywarden.weather.WindField``;
    the air domain does not import the weather domain: duck typing). Outside the field's extent
    the wind is clamped to its edge."""
    if wind is None or callable(wind):
        return wind
    if hasattr(wind, "interp"):
        field = wind

        def at(lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, time: np.ndarray) -> tuple[Any, Any]:
            return field.interp(time, alt, lat, lon, outside="clamp")  # type: ignore[no-any-return]

        return at
    raise OptionError(
        "wind", type(wind).__name__, ["a callable (lat, lon, alt_m, time) -> (u, v)", "a WindField"]
    )


def _fuse_with_identified(
    groups: list[tuple[str, Reports, bool]],
    anon: Reports,
    frame: LocalFrame,
    z: np.ndarray,
    t_anon: np.ndarray,
) -> np.ndarray:
    """Multi-source fusion: mark the anonymous reports that belong to an identified object (e.g.
    a radar-like plain CSV of an aircraft that also sends ADS-B) and append them to its group.

    Each identified object's reports are linearly interpolated to the anonymous report's time
    (within its time span); the report joins the nearest object whose interpolated position is
    within :data:`FUSION_GATE_M` combined sigmas on every axis."""
    joined = np.zeros(len(anon), bool)
    if not groups or not len(anon):
        return joined
    r_anon = np.sqrt(_variances(anon))
    best = np.full(len(anon), np.inf)
    owner = np.full(len(anon), -1)
    t0 = anon.time[0]
    for g, (_, rep, _) in enumerate(groups):
        if len(rep) < 2:
            continue
        tg = _seconds(rep.time, t0)
        inside = (t_anon >= tg[0]) & (t_anon <= tg[-1])
        if not inside.any():
            continue
        zg = frame.to_enu(rep.lat_deg, rep.lon_deg, rep.alt_m)
        ti = t_anon[inside]
        zi = np.stack([np.interp(ti, tg, zg[:, a]) for a in range(3)], axis=1)
        j = np.clip(np.searchsorted(tg, ti), 1, len(tg) - 1)
        step = np.linalg.norm(zg[j] - zg[j - 1], axis=1)[:, None] / 2.0  # interpolation error bound
        sig = np.sqrt(r_anon[inside] ** 2 + _variances(rep.take(j)) + step**2)
        d = np.max(np.abs(z[inside] - zi) / sig, axis=1)
        idx = np.flatnonzero(inside)
        better = (d <= FUSION_GATE_M) & (d < best[idx])
        best[idx[better]] = d[better]
        owner[idx[better]] = g
    joined = owner >= 0
    for g in np.unique(owner[joined]).tolist():
        ident, rep, new = groups[g]
        merged = concat([rep, anon.take(owner == g)]).sorted()
        groups[g] = (ident, merged, new)
    return joined


def _scene_wind(tracks: list[Track]) -> WindProfile | None:
    """Wind per altitude pooled from the balloon tracks (sample-weighted)."""
    profiles = [trk.implied_wind() for trk in tracks if trk.classification.is_balloon]
    profiles = [p for p in profiles if len(p.alt_m)]
    if not profiles:
        return None
    alt = np.concatenate([p.alt_m for p in profiles])
    order = np.argsort(alt, kind="stable")
    keys, inv = np.unique(alt[order], return_inverse=True)
    w = np.concatenate([p.n for p in profiles])[order].astype(float)
    u = np.bincount(inv, np.concatenate([p.u_m_s for p in profiles])[order] * w) / np.bincount(inv, w)
    v = np.bincount(inv, np.concatenate([p.v_m_s for p in profiles])[order] * w) / np.bincount(inv, w)
    t = np.concatenate([p.time for p in profiles])[order]
    n = np.bincount(inv, w).astype(np.int64)
    first = np.unique(inv, return_index=True)[1]
    return WindProfile(keys, u, v, n, t[first])


def track_reports(
    reports: Reports,
    *,
    model: str | MotionModel = "auto",
    association: AssociationConfig | None = None,
    min_reports: int = 3,
    progress: Callable[[int, int], None] | None = None,
    use_reported_velocity: bool | str = "auto",
    wind: WindFunction | Any = None,
) -> TrackingResult:
    """Turn reports into tracks (see the module docstring).

    ``model`` is ``"auto"``, ``"balloon"`` (CV), ``"aircraft"`` (CA) or a
    :class:`~skywarden.air.kalman.MotionModel`. Reports with an ``object_id`` are grouped by
    it; the rest are associated (``association`` tunes it). Objects with fewer than
    ``min_reports`` good reports are not tracked. ``progress(done, total)`` counts objects.
    ``use_reported_velocity``: the reports' own velocities are measurements too (see
    :func:`build_track`). ``wind(lat_deg, lon_deg, alt_m, time) -> (u, v)`` m/s (arrays in,
    arrays out) or a ``skywarden.WindField`` (from ``load_winds``): each track's velocity is
    compared with it and the median difference (``Track.wind_residual_m_s``) is classification
    evidence. Without it the wind implied by the scene's balloons is used for the same test.
    """
    if isinstance(model, str) and model != "auto" and model not in MODELS:
        raise OptionError("model", model, ["auto", *MODELS])
    wind = _wind_function(wind)
    good = np.isfinite(reports.lat_deg) & np.isfinite(reports.lon_deg) & np.isfinite(reports.alt_m)
    clean, n_dup = reports.take(good).deduplicate()
    groups: list[tuple[str, Reports, bool]] = []
    for ident in clean.ids:
        groups.append((ident, clean.take(clean.object_id == ident), False))
    anon = clean.take(clean.object_id == "")
    n_clutter = 0
    if len(anon):
        frame = LocalFrame(float(anon.lat_deg[0]), float(anon.lon_deg[0]), 0.0)
        z = frame.to_enu(anon.lat_deg, anon.lon_deg, anon.alt_m)
        t_anon = _seconds(anon.time, anon.time[0])
        joined = _fuse_with_identified(groups, anon, frame, z, t_anon)
        if joined.any():
            anon, z, t_anon = anon.take(~joined), z[~joined], t_anon[~joined]
        assoc = associate(
            t_anon, z, association or AssociationConfig(), r_var_m2=_variances(anon),
            pressure_alt=anon.alt_datum == "pressure",
        )  # fmt: skip
        n_clutter = len(assoc.clutter)
        for k, (idx, born) in enumerate(zip(assoc.tracks, assoc.birth_scan, strict=True)):
            groups.append((f"T{k + 1:03d}", anon.take(idx), born > 0))
    groups = [g for g in groups if len(g[1]) >= min_reports]
    tracks: list[Track] = []
    for i, (ident, rep, new) in enumerate(groups):
        tracks.append(
            build_track(
                rep,
                ident,
                model=model,
                new_object=new,
                use_reported_velocity=use_reported_velocity,
                wind_field=wind,
            )
        )
        if progress is not None:
            progress(i + 1, len(groups) * 2)
    scene = _scene_wind(tracks) if wind is None else None
    if scene is not None:  # second pass: airspeed relative to the balloons' wind
        for i, (ident, rep, new) in enumerate(groups):
            if not tracks[i].classification.is_balloon:
                tracks[i] = build_track(
                    rep,
                    ident,
                    model=model,
                    wind=scene,
                    new_object=new,
                    use_reported_velocity=use_reported_velocity,
                )
            if progress is not None:
                progress(len(groups) + i + 1, len(groups) * 2)
    if n_dup:
        log.info("dropped %d duplicate reports", n_dup)
    return TrackingResult(
        tracks=tracks,
        duplicates_dropped=n_dup,
        clutter_reports=n_clutter,
        rejected_rows=len(reports.rejected),
        stats={"reports": len(reports), "unusable": int(np.count_nonzero(~good))},
    )
