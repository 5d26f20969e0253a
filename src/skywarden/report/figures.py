"""The report's figures, drawn with matplotlib's object API (no pyplot state, Agg canvas).

Each function takes a :class:`~skywarden.scenario.ScenarioResult` and returns
``(figure, caption)``; the caption names the data, its source and date, and the assumptions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..timeutil import isoformat, to_datetime64
from .basemap import BASEMAP_SOURCE, centre_lon, draw_basemap, shift_lon

__all__ = [
    "altitude_figure",
    "ensemble_figure",
    "map_figure",
    "overflight_figure",
    "real_flight_figure",
    "termination_figure",
]

_ZONE_COLOURS = {"US-ADIZ-ALASKA": "#c0392b", "CA-ADIZ": "#d35400", "US-ADIZ-CONUS": "#8e44ad"}


def _air_source(res: Any) -> str:
    w = res.datasets.winds[0]
    return f"{w.name}, {w.date}; {w.licence.rstrip('.')}"


def _to_utc_naive(t: Any) -> Any:
    return to_datetime64(t)


def map_figure(res: Any) -> tuple[Figure, str]:
    """Reports, track, launch region, ensemble, ADIZ zones, sites and the recommended termination."""
    pred, bt, track = res.prediction, res.backtrack, res.track
    lats = [pred.lat_deg.ravel(), bt.launch_lat_deg, track.lat_deg, np.array([s.lat_deg for s in res.sites])]
    lons = [pred.lon_deg.ravel(), bt.launch_lon_deg, track.lon_deg, np.array([s.lon_deg for s in res.sites])]
    all_lat = np.concatenate(lats)
    all_lon = np.concatenate(lons)
    c = centre_lon(all_lon)
    x = shift_lon(all_lon, c)
    ok = np.isfinite(x) & np.isfinite(all_lat)
    pad = 3.0
    extent = (float(x[ok].min() - pad), float(x[ok].max() + pad), float(all_lat[ok].min() - pad),
              float(all_lat[ok].max() + pad))  # fmt: skip
    fig = Figure(figsize=(10, 6.2), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    draw_basemap(ax, extent, c)
    for zone in res.zones:
        colour = _ZONE_COLOURS.get(zone.id, "#555555")
        for k, poly in enumerate(zone.geometry.geoms):
            zx, zy = poly.exterior.xy
            ax.fill(shift_lon(np.asarray(zx), c), np.asarray(zy), facecolor=colour, alpha=0.08, edgecolor=colour,
                    linewidth=1.0, label=f"{zone.name} ({zone.confidence or 'n/a'} confidence)" if k == 0 else None)  # fmt: skip
    n_draw = min(pred.n_members, 60)
    for m in range(n_draw):
        ax.plot(shift_lon(pred.lon_deg[m], c), pred.lat_deg[m], color="#2e86c1", alpha=0.18, linewidth=0.6,
                label="ensemble members (forecast)" if m == 0 else None)  # fmt: skip
    ax.scatter(shift_lon(bt.launch_lon_deg, c), bt.launch_lat_deg, s=3, color="#7d3c98", alpha=0.35,
               label="launch candidates (backtrack)")  # fmt: skip
    from ..scenario.second_object import HIDDEN_LAUNCH

    ax.scatter([shift_lon(HIDDEN_LAUNCH["lon_deg"], c)], [HIDDEN_LAUNCH["lat_deg"]], marker="*", s=160,
               color="#f1c40f", edgecolor="black", zorder=5, label="hidden launch (simulation truth)")  # fmt: skip
    for t in res.tracking.tracks:
        is_obj = t is track
        ax.plot(shift_lon(t.lon_deg, c), t.lat_deg, color="black" if is_obj else "#7f8c8d",
                linewidth=2.2 if is_obj else 1.0, linestyle="-" if is_obj else "--", zorder=4,
                label=f"track {t.id}: {t.classification.label}")  # fmt: skip
    for s in res.sites:
        ax.scatter(
            [shift_lon(s.lon_deg, c)],
            [s.lat_deg],
            marker="^",
            s=50,
            color="#27ae60",
            edgecolor="black",
            zorder=6,
        )
        ax.annotate(s.name, (float(shift_lon(s.lon_deg, c)), s.lat_deg), xytext=(4, 4), textcoords="offset points",
                    fontsize=8)  # fmt: skip
    rec = res.termination.recommendation or {}
    if rec.get("lat") is not None:
        ax.scatter([shift_lon(rec["lon"], c)], [rec["lat"]], marker="X", s=120, color="#e74c3c", edgecolor="black",
                   zorder=7, label=f"recommended termination {rec.get('time', '')}")  # fmt: skip
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    ax.set_title("A second object: reports, track, launch region, forecast and zones")
    caption = (
        f"Air data: {_air_source(res)}. Reports are simulated (see scene 1). ADIZ: "
        + "; ".join(
            f"{z.name} from {z.source.split(';')[0]}, confidence {z.confidence or 'n/a'}" for z in res.zones
        )
        + f". Map: plate carrée, {BASEMAP_SOURCE}; small islands (most Aleutians) are missing at 1:110m. "
        f"{n_draw} of {pred.n_members} members drawn."
    )
    return fig, caption


def altitude_figure(res: Any) -> tuple[Figure, str]:
    """Altitude of the reports, the track (with its phases), the truth and the forecast."""
    track, truth, pred = res.track, res.truth, res.prediction
    fig = Figure(figsize=(10, 3.6), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ok = np.isfinite(truth.alt_m[0])
    ax.plot(_to_utc_naive(truth.times[ok]), truth.alt_m[0, ok] / 1000.0, color="#f1c40f", linewidth=1.5,
            linestyle="--", label="simulation truth (ascent from the hidden launch, float)")  # fmt: skip
    rep = track.reports
    ax.scatter(_to_utc_naive(rep.time), np.asarray(rep.alt_m) / 1000.0, s=4, color="#7f8c8d", label="reports")
    ax.plot(
        _to_utc_naive(track.time),
        track.alt_m / 1000.0,
        color="black",
        linewidth=1.5,
        label=f"track {track.id}",
    )
    mean_alt = np.nanmean(pred.alt_m, axis=0)
    ax.plot(
        _to_utc_naive(pred.times), mean_alt / 1000.0, color="#2e86c1", linewidth=1.5, label="forecast (mean)"
    )
    colours = {"ascent": "#d5f5e3", "float": "#d6eaf8", "descent": "#fadbd8", "pre-launch": "#f2f3f4",
               "landed": "#fdebd0"}  # fmt: skip
    for run in track.phase_runs:
        ax.axvspan(_to_utc_naive(run["start"]), _to_utc_naive(run["end"]), color=colours.get(run["phase"], "#eeeeee"),
                   alpha=0.8, zorder=0)  # fmt: skip
        ax.text(_to_utc_naive(run["start"]), 1.0, f" tracker phase: {run['phase']}", fontsize=8, va="bottom")
    ax.set_ylabel("altitude (km)")
    ax.set_xlabel("UTC")
    ax.set_ylim(0, max(22.0, float(np.nanmax(truth.alt_m)) / 1000.0 + 2))
    ax.legend(loc="lower right", fontsize=7)
    ax.set_title("Altitude profile and phases")
    caption = (
        f"Air data: {_air_source(res)}. Phases as labelled by skywarden's tracker from the reports alone "
        "(the ascent happened before the first report). Forecast: float at the tracked altitude."
    )
    return fig, caption


def _mean_path(pred: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ensemble mean path for the spread figure: the library's one ensemble mean
    (:func:`skywarden.geo.mean_position`, ECEF, antimeridian-safe) at each time any member is
    still inside the wind field."""
    from ..geo import mean_position

    ok = np.isfinite(pred.lat_deg).any(axis=0)
    lat, lon, alt = mean_position(pred.lat_deg[:, ok], pred.lon_deg[:, ok], pred.alt_m[:, ok], axis=0)
    return pred.times[ok], lat, lon, alt


def ensemble_figure(res: Any) -> tuple[Figure, str]:
    """Ensemble spread (distance of members from the mean path) and cumulative zone-entry probability."""
    from ..geo import geodesic_inverse

    pred = res.prediction
    t, lat, lon, _ = _mean_path(pred)
    ok = np.isfinite(pred.lat_deg).any(axis=0)
    _, _, d = geodesic_inverse(pred.lat_deg[:, ok], pred.lon_deg[:, ok], lat[None, :], lon[None, :])
    d = np.where(np.isfinite(pred.lat_deg[:, ok]), d / 1000.0, np.nan)
    fig = Figure(figsize=(10, 5.6), dpi=100, layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    tt = _to_utc_naive(t)
    with np.errstate(all="ignore"):
        p50 = np.nanpercentile(d, 50, axis=0)
        p90 = np.nanpercentile(d, 90, axis=0)
        alive = np.isfinite(pred.lat_deg[:, ok]).mean(axis=0)
    ax1.fill_between(tt, 0, p90, color="#aed6f1", label="90 % of members within")
    ax1.plot(tt, p50, color="#1f618d", label="median distance from the mean path")
    ax1.set_ylabel("km from mean path")
    ax1b = ax1.twinx()
    ax1b.plot(
        tt, 100 * alive, color="#7f8c8d", linestyle=":", label="members still inside the wind field (%)"
    )
    ax1b.set_ylabel("% members active")
    ax1b.set_ylim(0, 105)
    ax1.legend(loc="upper left", fontsize=7)
    ax1b.legend(loc="upper right", fontsize=7)
    ax1.set_title("Ensemble spread and ADIZ entry probability over time")
    all_t = _to_utc_naive(pred.times)
    for z, st in zip(res.zones, res.zone_stats, strict=True):
        entry = np.array([_to_utc_naive(e.time) for e in st.entries if e is not None], dtype="datetime64[ns]")
        cum = np.array([(entry <= x).sum() for x in all_t]) / max(st.n_members, 1)
        ax2.step(all_t, 100 * cum, where="post", color=_ZONE_COLOURS.get(z.id, "#555555"),
                 label=f"{z.name}: {st.probability:.0%}" + (f", median entry {isoformat(st.most_likely)}" if st.most_likely is not None else ""))  # fmt: skip
    ax2.set_ylabel("% members entered")
    ax2.set_xlabel("UTC")
    ax2.set_ylim(0, 100)
    ax2.legend(loc="upper left", fontsize=7)
    caption = (
        f"{pred.n_members}-member ensemble on {_air_source(res)}; entry = first time a member is inside "
        "the zone's polygon and altitude band; members leaving the wind field stop (they can no longer enter)."
    )
    return fig, caption


def overflight_figure(res: Any) -> tuple[Figure, str]:
    """Per site: imaging-satellite access windows (optical / SAR, able to image or not) and quiet windows."""
    fig = Figure(figsize=(10, 1.2 + 0.9 * len(res.sites)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    names = [s.name for s in res.sites]
    colours = {"optical": "#e67e22", "sar": "#8e44ad", "ir": "#c0392b"}
    for k, name in enumerate(names):
        for q in (q for q in res.quiet if q.site == name):
            ax.barh(k, _to_utc_naive(q.end) - _to_utc_naive(q.start), left=_to_utc_naive(q.start), height=0.8,
                    color="#abebc6", zorder=0)  # fmt: skip
        for w in (w for w in res.access if w.site == name):
            ax.barh(k, _to_utc_naive(w.end) - _to_utc_naive(w.start), left=_to_utc_naive(w.start), height=0.5,
                    color=colours.get(w.kind, "#7f8c8d"), alpha=0.9 if w.can_image else 0.3, zorder=2)  # fmt: skip
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("UTC")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="#e67e22", label="optical access (faint: cannot image, e.g. night)"),
                       Patch(color="#8e44ad", label="SAR access"),
                       Patch(color="#abebc6", label="quiet: no sub-metre optical in daylight, no SAR")],
              loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, fontsize=7)  # fmt: skip
    ax.set_title("Imaging-satellite overflight and quiet windows per site")
    cat = res.datasets.catalog
    caption = (
        f"Satellites: {cat.name}, {cat.date}; {cat.licence} Window {isoformat(res.space_start)} + "
        f"{res.config.space_hours:g} h. Sensor capabilities from skywarden's packaged sensor table "
        "(a confidence grade per row); satellites without a row use the table's defaults (flagged as "
        "assumed in the JSON)."
    )
    return fig, caption


def termination_figure(res: Any) -> tuple[Figure, str]:
    """E_c and maximum individual risk along the forecast with the limits and the recommendation."""
    plan = res.termination
    fig = Figure(figsize=(10, 3.8), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    t = np.array([_to_utc_naive(c.time) for c in plan.candidates], dtype="datetime64[ns]")
    floor = 1e-12
    ec = np.maximum([c.ec for c in plan.candidates], floor)
    ind = np.maximum([c.max_individual_risk for c in plan.candidates], floor)
    ax.semilogy(t, ec, "o-", color="#c0392b", label="E_c (expected casualties)")
    ax.semilogy(t, ind, "s--", color="#2874a6", label="max individual risk")
    ax.axhline(
        plan.limits.ec_max,
        color="#c0392b",
        linewidth=0.8,
        linestyle=":",
        label=f"E_c limit {plan.limits.ec_max:g}",
    )
    ax.axhline(plan.limits.individual_max, color="#2874a6", linewidth=0.8, linestyle=":",
               label=f"individual limit {plan.limits.individual_max:g}")  # fmt: skip
    for a, b in plan.windows:
        ax.axvspan(_to_utc_naive(a), _to_utc_naive(b), color="#d5f5e3", zorder=0)
    rec = plan.recommendation or {}
    if rec.get("time"):
        when: Any = _to_utc_naive(rec["time"])
        ax.axvline(when, color="black", linewidth=1.2, label=f"recommended {rec['time']}")
    ax.set_ylim(floor / 2, 1.0)
    ax.set_ylabel(f"risk (values < {floor:g} drawn at {floor:g})")
    ax.set_xlabel("UTC (candidate termination time)")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title("Casualty expectation along the forecast; green = within both limits")
    payload = plan.assumptions.get("payload", {})
    population = plan.assumptions.get("population", {})
    pay = payload.get("name", "heavy-gondola") if isinstance(payload, dict) else str(payload)
    desc = (
        f" ({payload.get('description')})" if isinstance(payload, dict) and payload.get("description") else ""
    )
    pop = population.get("population", population) if isinstance(population, dict) else population
    caption = (
        f"Limits: {plan.limits.source}. Payload {pay}{desc}. Population: {pop}. Release states from the first "
        f"{min(res.config.termination_members, res.prediction.n_members)} ensemble members; winds {_air_source(res)}. "
        "Full assumptions in termination-windows.json."
    )
    return fig, caption


_PHASE_COLOURS = {"ascent": "#d5f5e3", "float": "#d6eaf8", "descent": "#fadbd8", "pre-launch": "#f2f3f4",
                  "landed": "#fdebd0", "altitude-step": "#fcf3cf"}  # fmt: skip


def real_flight_figure(res: Any) -> tuple[Figure, str]:
    """Altitude and tracker phases of the packaged real flight (scene ``real``)."""
    result = res.real_tracking
    rf = res.datasets.real_flight
    fig = Figure(figsize=(10, 3.4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    track = max(result.tracks, key=lambda t: len(t.time))
    rep = track.reports
    ax.scatter(
        _to_utc_naive(rep.time), np.asarray(rep.alt_m) / 1000.0, s=4, color="#7f8c8d", label="APRS reports"
    )
    ax.plot(_to_utc_naive(track.time), track.alt_m / 1000.0, color="black", linewidth=1.2,
            label=f"track {track.id}: {track.classification.label}")  # fmt: skip
    seen: set[str] = set()
    for run in track.phase_runs:
        phase = run["phase"]
        ax.axvspan(_to_utc_naive(run["start"]), _to_utc_naive(run["end"]), color=_PHASE_COLOURS.get(phase, "#eeeeee"),
                   zorder=0, label=None if phase in seen else f"phase: {phase}")  # fmt: skip
        seen.add(phase)
    ax.set_ylabel("altitude (km)")
    ax.set_xlabel("UTC")
    ax.legend(loc="lower center", fontsize=7, ncol=4)
    ax.set_title("Real-data check: the tracker's phases on a real solar balloon")
    caption = f"{rf.name}; {rf.date}; {rf.source}. {rf.licence}"
    return fig, caption
