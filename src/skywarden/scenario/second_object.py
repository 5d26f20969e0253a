"""The "second object" scenario: every capability on one story, each scene with its data named.

Story (air scenes on the GFS wind field, space scenes on the satellite catalog):

1. **Reports** of an unknown high-altitude object arrive (six hours of positions, no identity,
   mixed with a few airliner reports). They are *simulated*: a balloon is flown through the same
   wind field from a hidden launch (:data:`HIDDEN_LAUNCH`) and sampled with GNSS-like noise, so
   the chain can be checked against a known truth. Nothing here is a real incident.
2. **Tracked and classified** (:func:`skywarden.track_reports`): the balloon is told from the
   aircraft by its speed and altitude behaviour, phases are found.
   A **real-data check** follows: the same tracker on a real solar-balloon flight (SHAB12V,
   2022-08-22, packaged with its attribution), its class and phases.
3. **Backtracked** (:func:`skywarden.backtrack`, ensemble): launch candidates for every float
   duration, i.e. a launch *region*; the hidden launch is checked against it.
4. **Predicted forward** as an ensemble (:func:`skywarden.predict`, float at the tracked altitude).
5. **ADIZ entry** probability and time (:func:`skywarden.zone_entry_probability`) for the Alaska
   (14 CFR 99.45) and Canadian (DAH, confidence medium) zones, and **passes of the watched sites**
   (:func:`skywarden.site_exposure`).
6. **Line of sight** from the watched sites (:func:`skywarden.ground_link_probability`).
7. **Safe termination** windows and the recommendation (:func:`skywarden.termination_windows`,
   FAA 14 CFR 450.101 limits).
8. Alongside: **imaging-satellite overflight and quiet windows** for the same sites
   (:func:`skywarden.access_windows`, :func:`skywarden.quiet_windows`) and a **conjunction screen**
   with formation pairs set aside (:func:`skywarden.space.safety.formation.triage_conjunctions`).

:func:`run_scenario` returns a :class:`ScenarioResult`; nothing here prints or writes (the CLI and
the report do). ``progress(step, done, total)`` reports the long steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..timeutil import isoformat, parse_duration, parse_time
from .datasets import Datasets, sample_datasets

__all__ = [
    "HIDDEN_LAUNCH",
    "WATCH_SITES",
    "ScenarioConfig",
    "ScenarioResult",
    "Scene",
    "run_scenario",
    "simulate_reports",
]

FIX_LAT_DEG, FIX_LON_DEG, FLOAT_ALT_M = 55.0, -150.0, 18_000.0
"""Where the object is at the last report: over the Gulf of Alaska, 18 km."""
FORECAST_ALT_SIGMA_M = 300.0
"""Ensemble spread (1σ) of the float altitude in the forecast, m."""
HIDDEN_LAUNCH = {"lat_deg": 51.42, "lon_deg": -159.52, "hours_before_fix": 25.0, "ascent_rate_m_s": 5.0}
"""The simulated object's launch (open sea south of the Alaska Peninsula: a ship launch), 25 h
before the last report; 1 h of ascent at 5 m/s, then a float at 18 km. Found by one deterministic
backtrack of the fix and kept as the truth the scenario must recover."""
WATCH_SITES = (
    ("Sitka, AK", 57.05, -135.33),
    ("Prince Rupert, BC", 54.31, -130.32),
    ("Prince George, BC", 53.92, -122.75),
    ("Spokane, WA", 47.66, -117.43),
)
"""Public places along the likely path (illustration only, not sensitive facilities)."""
AIRLINER_REPORTS = ((53.0, -158.0), (57.5, -137.0))
"""An airliner at 11 km crossing the area (≈ 1,450 km in 1.75 h, ≈ 230 m/s), reported once a minute."""
AIRLINER_HOURS = 1.75


@dataclass(frozen=True)
class ScenarioConfig:
    """Sizes of the scenario's steps (``reduced()`` for tests)."""

    members: int = 200
    hours: float = 36.0
    report_hours: float = 6.0
    report_step_s: float = 120.0
    backtrack_hours: float = 30.0
    backtrack_members: int = 10
    termination_members: int = 20
    termination_samples: int = 128
    termination_step: str = "1h"
    site_radius_km: float = 100.0
    space_hours: float = 24.0
    screen_threshold_km: float = 10.0
    seed: int = 1

    @classmethod
    def reduced(cls) -> ScenarioConfig:
        return cls(members=40, hours=30.0, backtrack_members=4, termination_members=6, termination_samples=48,
                   termination_step="2h", space_hours=6.0)  # fmt: skip


@dataclass(frozen=True)
class Scene:
    """One step of the story and the data it ran on (shown on screen and in the report)."""

    key: str
    title: str
    dataset: str
    source: str
    date: str
    assumptions: tuple[str, ...] = ()
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "dataset": self.dataset,
            "source": self.source,
            "date": self.date,
            "assumptions": list(self.assumptions),
            "numbers": self.numbers,
        }


@dataclass
class ScenarioResult:
    """Everything the scenario computed (library objects), with one :class:`Scene` per step."""

    datasets: Datasets
    config: ScenarioConfig
    scenes: list[Scene]
    reports_csv: str
    truth: Any
    tracking: Any
    track: Any
    backtrack: Any
    prediction: Any
    zone_stats: list[Any]
    zones: list[Any]
    sites: list[Any]
    site_exposure: list[Any]
    ground_links: list[Any]
    termination: Any
    catalog: Any
    space_start: Any
    access: list[Any]
    quiet: list[Any]
    conjunctions: list[Any]
    triage: Any
    real_tracking: Any = None
    """The tracker's result on the packaged real flight (scene ``real``), or None."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def reports_start(self) -> str:
        """Time of the first report (ISO 8601 Z)."""
        return self.reports_csv.splitlines()[1].split(",", 1)[0]

    def scene(self, key: str) -> Scene:
        return next(s for s in self.scenes if s.key == key)

    def key_numbers(self) -> dict[str, Any]:
        """The headline numbers of every scene (what tests compare with the step-by-step API)."""
        return {s.key: s.numbers for s in self.scenes}


def _progress(cb: Callable[[str, int, int], None] | None, step: str) -> Callable[[int, int], None] | None:
    if cb is None:
        return None
    return lambda done, total: cb(step, done, total)


def simulate_reports(winds: Any, fix_time: Any, config: ScenarioConfig, seed: int = 7) -> tuple[str, Any]:
    """CSV text ``time,lat,lon,alt_m`` of the simulated reports, and the truth (a Prediction).

    The balloon is flown from :data:`HIDDEN_LAUNCH` through ``winds`` (deterministic, RK4, 60 s)
    and sampled every ``report_step_s`` over the ``report_hours`` before ``fix_time`` with 30 m
    horizontal and 20 m vertical noise (1σ; GNSS class); 5 % of samples are dropped. An airliner's
    reports (:data:`AIRLINER_REPORTS`) are mixed in; no report carries an identity.
    """
    from ..flight import Ascent, FlightProfile, Float, predict

    t_fix = np.datetime64(parse_time(fix_time).replace(tzinfo=None), "ns")
    launch = t_fix - np.timedelta64(int(HIDDEN_LAUNCH["hours_before_fix"] * 3600), "s")
    profile = FlightProfile(
        (
            Ascent(rate_m_s=HIDDEN_LAUNCH["ascent_rate_m_s"], target_alt_m=FLOAT_ALT_M),
            Float(alt_m=FLOAT_ALT_M),
        ),
        name="hidden truth: ascent 5 m/s, float 18 km",
    )
    truth = predict(
        winds, lat_deg=HIDDEN_LAUNCH["lat_deg"], lon_deg=HIDDEN_LAUNCH["lon_deg"], time=isoformat(launch),
        profile=profile, hours=HIDDEN_LAUNCH["hours_before_fix"] + 0.01, output_step_s=config.report_step_s,
        outside="hold", error_estimate=False,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    t0 = t_fix - np.timedelta64(int(config.report_hours * 3600), "s")
    sel = (truth.times >= t0) & (truth.times <= t_fix) & np.isfinite(truth.lat_deg[0])
    times = truth.times[sel]
    lat, lon, alt = truth.lat_deg[0, sel], truth.lon_deg[0, sel], truth.alt_m[0, sel]
    if times.size < 3:
        raise ValidationError(
            f"the simulated object has no positions in the {config.report_hours:g} h before {isoformat(t_fix)}: "
            "the wind files must cover the hidden launch "
            f"({HIDDEN_LAUNCH['hours_before_fix']:g} h before the last report) to the end of the forecast"
        )
    keep = rng.random(times.size) > 0.05
    keep[-1] = True  # the last report is the fix
    cos = math.cos(math.radians(FIX_LAT_DEG))
    rows = []
    for t, la, lo, al in zip(times[keep], lat[keep], lon[keep], alt[keep], strict=True):
        la += rng.normal(0.0, 30.0) / 111_320.0
        lo += rng.normal(0.0, 30.0) / (111_320.0 * cos)
        rows.append((t, la, lo, al + rng.normal(0.0, 20.0)))
    (a_lat, a_lon), (b_lat, b_lon) = AIRLINER_REPORTS
    n_air = int(AIRLINER_HOURS * 60) + 1
    for k in range(n_air):  # one report a minute, straight line in lon/lat (short enough)
        frac = k / (n_air - 1)
        t = t0 + np.timedelta64(3600 + int(frac * AIRLINER_HOURS * 3600), "s")
        rows.append(
            (t, a_lat + frac * (b_lat - a_lat), a_lon + frac * (b_lon - a_lon), 11_000.0 + rng.normal(0, 15))
        )
    rows.sort(key=lambda r: r[0])
    lines = ["time,lat,lon,alt_m"]
    lines += [f"{isoformat(t)},{la:.6f},{lo:.6f},{al:.1f}" for t, la, lo, al in rows]
    return "\n".join(lines) + "\n", truth


def run_scenario(
    datasets: Datasets | None = None,
    config: ScenarioConfig | None = None,
    *,
    work_dir: Any = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ScenarioResult:
    """Run the whole story (module docstring) and return every result with its scenes.

    ``work_dir`` receives the simulated report file (``reports.csv``) the tracker reads; a
    temporary folder when None.
    """
    import tempfile
    from pathlib import Path

    from ..air import read_reports, track_reports
    from ..flight import EnsembleSettings, backtrack, predict
    from ..hazard import termination_windows
    from ..sites import Site
    from ..space import Threat, access_windows, load_catalog, quiet_windows, screen, triage_conjunctions
    from ..weather import load_winds
    from ..zones.airspace import builtin_adiz
    from ..zones.entry import zone_entry_probability
    from ..zones.exposure import site_exposure
    from ..zones.links import ground_link_probability

    ds = datasets or sample_datasets()
    cfg = config or ScenarioConfig()
    scenes: list[Scene] = []
    winds_ds = ds.winds[0]
    air_dataset, air_source, air_date = winds_ds.name, f"{winds_ds.source}; {winds_ds.licence}", winds_ds.date
    winds = load_winds(ds.wind_paths)

    # 1-2. reports → tracks → classification
    csv_text, truth = simulate_reports(winds, ds.fix_time, cfg, seed=cfg.seed + 6)
    folder = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="skywarden-scenario-"))
    folder.mkdir(parents=True, exist_ok=True)
    reports_path = folder / "reports.csv"
    reports_path.write_text(csv_text, encoding="utf-8")
    reports = read_reports(reports_path)
    tracking = track_reports(reports, progress=_progress(progress, "tracking"))
    balloons = [t for t in tracking.tracks if t.classification.is_balloon]
    track = max(balloons or tracking.tracks, key=lambda t: float(np.nanmax(t.alt_m)))
    scenes.append(
        Scene(
            "reports",
            "Reports of an unknown high-altitude object arrive",
            "simulated position reports",
            f"flown through {air_dataset} from a hidden launch, with GNSS-class noise, plus airliner reports",
            f"{isoformat(reports.time.min())} to {isoformat(reports.time.max())}",
            ("Simulated, not a real incident: the truth is known so every later step can be checked.",),
            {"reports": len(reports.time), "file": reports_path.name},
        )
    )
    fix_t = track.time[-1]
    fix = (float(track.lat_deg[-1]), float(track.lon_deg[-1]), float(track.alt_m[-1]))
    scenes.append(
        Scene(
            "track",
            "Tracked and classified",
            "the simulated reports",
            "skywarden tracker (Kalman filter, association, phases)",
            isoformat(fix_t),
            (f"{len(tracking.tracks)} tracks from unlabelled reports; the classifier's reasons are kept.",),
            {
                "tracks": len(tracking.tracks),
                "object": track.id,
                "class": track.classification.label,
                "reasons": list(track.classification.reasons),
                "fix_lat": fix[0],
                "fix_lon": fix[1],
                "fix_alt_m": fix[2],
                "fix_time": isoformat(fix_t),
                "phases": [r["phase"] for r in track.phase_runs],
            },
        )
    )

    # 2b. the same tracker on a real flight (a check the simulated reports cannot give)
    real = None
    if ds.real_flight is not None:
        rf = ds.real_flight
        real_reports = read_reports(rf.path)
        real = track_reports(real_reports)
        rt = max(real.tracks, key=lambda t: len(t.time))
        scenes.append(
            Scene(
                "real",
                "The same tracker on a real balloon flight",
                rf.name,
                f"{rf.source}; {rf.licence}",
                rf.date,
                (
                    "A real-data check of scene 2: a stratospheric solar balloon with commanded altitude steps; "
                    "not the scenario's object and not its date.",
                ),
                {
                    "reports": len(real_reports.time),
                    "tracks": len(real.tracks),
                    "class": rt.classification.label,
                    "reasons": list(rt.classification.reasons),
                    "max_alt_m": float(np.nanmax(rt.alt_m)),
                    "phases": list(dict.fromkeys(r["phase"] for r in rt.phase_runs)),
                },
            )
        )

    # 3. backtrack to a launch region
    bt = backtrack(
        winds, lat_deg=fix[0], lon_deg=fix[1], alt_m=fix[2], time=isoformat(fix_t), hours=cfg.backtrack_hours,
        ensemble=EnsembleSettings(members=cfg.backtrack_members, seed=cfg.seed),
    )  # fmt: skip
    from ..geo import geodesic_inverse

    _, _, d_m = geodesic_inverse(
        HIDDEN_LAUNCH["lat_deg"], HIDDEN_LAUNCH["lon_deg"], bt.launch_lat_deg, bt.launch_lon_deg
    )
    hidden_t = np.datetime64(parse_time(ds.fix_time).replace(tzinfo=None), "ns") - np.timedelta64(
        int(HIDDEN_LAUNCH["hours_before_fix"] * 3600), "s"
    )
    scenes.append(
        Scene(
            "backtrack",
            "Backtracked to a launch region",
            air_dataset,
            air_source,
            air_date,
            (
                "Float at the fix altitude for an unknown time, after a 5 m/s ascent: one launch candidate per "
                "30 min of float; the ensemble adds wind noise.",
            ),
            {
                "candidates": int(bt.launch_lat_deg.size),
                "nearest_candidate_to_truth_km": float(np.min(d_m)) / 1000.0 if d_m.size else math.nan,
                "hidden_launch": {
                    "lat": HIDDEN_LAUNCH["lat_deg"],
                    "lon": HIDDEN_LAUNCH["lon_deg"],
                    "time": isoformat(hidden_t),
                },
            },
        )
    )

    # 4. forward ensemble
    from ..flight import FlightProfile, Float

    float_here = FlightProfile(
        (Float(alt_sigma_m=FORECAST_ALT_SIGMA_M),), name="float at the tracked altitude"
    )
    pred = predict(
        winds, lat_deg=fix[0], lon_deg=fix[1], alt_m=fix[2], time=isoformat(fix_t), profile=float_here,
        hours=cfg.hours, ensemble=EnsembleSettings(members=cfg.members, seed=cfg.seed), outside="stop",
        progress=_progress(progress, "ensemble"),
    )  # fmt: skip
    scenes.append(
        Scene(
            "forecast",
            "Predicted forward as an ensemble",
            air_dataset,
            air_source,
            air_date,
            (
                f"{pred.n_members} members, float at the tracked altitude (1σ {FORECAST_ALT_SIGMA_M:g} m), "
                "stochastic wind perturbations (skywarden's default Ornstein–Uhlenbeck model); "
                "members stop at the wind field's edge.",
            ),
            {"members": pred.n_members, "hours": cfg.hours},
        )
    )

    # 5. ADIZ entry and site passes
    zones = builtin_adiz("US-ADIZ-ALASKA,CA-ADIZ,US-ADIZ-CONUS")
    stats = [zone_entry_probability(z, pred.times, pred.lat_deg, pred.lon_deg, pred.alt_m) for z in zones]
    sites = [Site(n, la, lo) for n, la, lo in WATCH_SITES]
    exposure = site_exposure(
        sites, pred.times, pred.lat_deg, pred.lon_deg, pred.alt_m, radius_m=cfg.site_radius_km * 1000.0
    )
    scenes.append(
        Scene(
            "zones",
            "ADIZ entry and passes of the watched sites",
            air_dataset,
            air_source,
            air_date,
            (
                *tuple(f"{z.name}: {z.source} (boundary confidence {z.confidence or 'n/a'})" for z in zones),
                f"A site is passed when a member comes within {cfg.site_radius_km:g} km.",
            ),
            {
                "zones": {
                    s.zone_id: {
                        "probability": s.probability,
                        "most_likely": isoformat(s.most_likely) if s.most_likely is not None else None,
                        "earliest": isoformat(s.earliest) if s.earliest is not None else None,
                    }
                    for s in stats
                },
                "sites": {
                    e.site: {
                        "probability": e.probability,
                        "earliest": isoformat(e.earliest) if e.earliest is not None else None,
                    }
                    for e in exposure
                },
            },
        )
    )

    # 6. line of sight from the watched sites
    links = ground_link_probability(
        pred.times, pred.lat_deg, pred.lon_deg, pred.alt_m, sites, min_elevation_deg=0.0
    )
    scenes.append(
        Scene(
            "links",
            "Line-of-sight windows from the watched sites",
            air_dataset,
            air_source,
            air_date,
            (
                "Geometric line of sight above 0° elevation, no terrain; per site the fraction of members seen.",
            ),
            {
                "sites": {
                    c.station: {
                        "probability": c.probability,
                        "first": isoformat(c.median_first) if c.median_first is not None else None,
                    }
                    for c in links
                }
            },
        )
    )

    # 7. termination
    m = min(cfg.termination_members, pred.n_members)
    plan = termination_windows(
        pred.times, pred.lat_deg[:m], pred.lon_deg[:m], pred.alt_m[:m], "heavy-gondola", wind=winds,
        step=cfg.termination_step, n=cfg.termination_samples, coast_range_km=50.0,
        progress=_progress(progress, "termination"),
    )  # fmt: skip
    rec = plan.recommendation or {}
    scenes.append(
        Scene(
            "termination",
            "Safe termination windows and the recommendation",
            air_dataset,
            air_source,
            air_date,
            (
                f"Payload 'heavy-gondola' (packaged); FAA 14 CFR 450.101 limits; first {m} members as release "
                "states; population model and assumptions as listed in the plan.",
            ),
            {
                "windows": len(plan.windows),
                "recommended_time": rec.get("time"),
                "recommended_lat": rec.get("lat"),
                "recommended_lon": rec.get("lon"),
                "recommended_ec": rec.get("ec"),
            },
        )
    )

    # 8. space: overflight / quiet windows and conjunctions
    catalog = load_catalog(ds.catalog.path)
    at = catalog.median_epoch if not ds.live else parse_time(ds.fix_time) - timedelta(hours=24)
    span = parse_duration(f"{cfg.space_hours:g}h")
    access = access_windows(catalog, sites, at, span, progress=_progress(progress, "overflight"))
    threats = (Threat(kind="optical", max_gsd_m=1.0), Threat(kind="sar"))
    quiet = quiet_windows(access, sites, at, at + span, threats, min_duration="30min")
    cat_ds = ds.catalog
    scenes.append(
        Scene(
            "overflight",
            "Imaging-satellite overflight and quiet windows for the same sites",
            cat_ds.name,
            f"{cat_ds.source}; {cat_ds.licence}",
            f"{isoformat(at)} + {cfg.space_hours:g} h ({cat_ds.date})",
            (
                "Quiet = no sub-metre optical imager in daylight and no radar imager in view; sensor "
                "capabilities from the packaged table with their confidence grades.",
                *(
                    ()
                    if ds.live
                    else (
                        "The satellite scenes run on the catalog's own date, not the wind field's: "
                        "no public wind field of that date is packaged.",
                    )
                ),
            ),
            {
                "access_windows": len(access),
                "can_image": sum(1 for w in access if w.can_image),
                "quiet_windows": len(quiet),
            },
        )
    )
    events = screen(
        catalog, at, span, threshold_km=cfg.screen_threshold_km, progress=_progress(progress, "conjunctions")
    )
    tri = triage_conjunctions(events, catalog, at, span)
    top = tri.headline[0] if tri.headline else None
    scenes.append(
        Scene(
            "conjunctions",
            "Conjunction screen of the catalog",
            cat_ds.name,
            f"{cat_ds.source}; {cat_ds.licence}",
            f"{isoformat(at)} + {cfg.space_hours:g} h",
            (
                f"All-vs-all within {cfg.screen_threshold_km:g} km; Pc from a default TLE covariance model "
                "(an indicator, not an operational Pc); formation pairs (relative speed < "
                f"{tri.criteria['max_relative_speed_m_s']:g} m/s and separation < "
                f"{tri.criteria['max_separation_km']:g} km all window) set aside.",
            ),
            {
                "events": len(events),
                "headline": len(tri.headline),
                "formations": [f"{p.primary_name} / {p.secondary_name}" for p in tri.pairs],
                "top": None
                if top is None
                else {
                    "pair": f"{top.primary_name} / {top.secondary_name}",
                    "tca": isoformat(top.tca),
                    "miss_km": top.miss_distance_m / 1000.0,
                    "speed_km_s": top.relative_speed_m_s / 1000.0,
                    "pc": top.pc,
                },
            },
        )
    )
    return ScenarioResult(
        datasets=ds, config=cfg, scenes=scenes, reports_csv=csv_text, truth=truth, tracking=tracking,
        track=track, backtrack=bt, prediction=pred, zone_stats=stats, zones=zones, sites=sites,
        site_exposure=exposure, ground_links=links, termination=plan, catalog=catalog, space_start=at,
        access=list(access), quiet=quiet, conjunctions=events, triage=tri, real_tracking=real,
    )  # fmt: skip
