"""``skywarden demo``: the "second object" scenario told end to end, then an HTML report.

The story and every computation live in :mod:`skywarden.scenario` (this module only renders):
reports of an unknown high-altitude object → track and class → launch region → ensemble forecast
→ ADIZ entry and site passes → line of sight → safe termination; alongside, imaging-satellite
overflight / quiet windows for the same sites and a conjunction screen. Offline by default on the
packaged samples; ``--live`` fetches today's CelesTrak elements and NOAA GFS run through the cached
downloaders. Output fits an 80-column terminal: times are written ``MM-DD HH:MM:SSZ`` (the year is
in each scene's data line).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Group
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ..export import czml, geojson
from ..timeutil import time_grid, to_datetime64
from ._common import console, console_err, dump_json

__all__ = ["demo_tables", "register", "short_time"]

_STEP_LABELS = {
    "tracking": "tracking reports",
    "ensemble": "forecast ensemble",
    "termination": "termination sweep",
    "overflight": "satellite overflights",
    "conjunctions": "conjunction screen",
}


def short_time(t: Any) -> str:
    """``MM-DD HH:MM:SSZ`` (UTC): a time that fits a narrow column; the year is in the scene line."""
    if t is None:
        return "–"
    s = str(np.datetime_as_string(to_datetime64(t), unit="s"))
    return f"{s[5:10]} {s[11:19]}Z"


def _table(title: str, columns: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", pad_edge=False, expand=False)
    for name, kind in columns:
        if kind == "time":
            table.add_column(name, no_wrap=True, min_width=15)
        elif kind == "num":
            table.add_column(name, justify="right", no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    return table


def demo_tables(res: Any) -> dict[str, Table]:
    """Every table the demo prints, by scene key (a test renders them at 80 columns)."""
    tables: dict[str, Table] = {}
    t = _table("Tracks from the reports", [("track", "text"), ("class", "text"), ("reports", "num"),
                                           ("last fix", "time"), ("alt km", "num")])  # fmt: skip
    for tr in res.tracking.tracks:
        t.add_row(tr.id, tr.classification.label, str(int(np.sum(tr.accepted))), short_time(tr.time[-1]),
                  f"{tr.alt_m[-1] / 1000:.1f}")  # fmt: skip
    tables["track"] = t
    t = _table(
        "ADIZ entry (ensemble)", [("zone", "text"), ("P", "num"), ("earliest", "time"), ("median", "time")]
    )
    for st in res.zone_stats:
        t.add_row(st.zone_name, f"{st.probability:.0%}", short_time(st.earliest), short_time(st.most_likely))
    tables["zones"] = t
    t = _table("Watched sites", [("site", "text"), ("P pass", "num"), ("first pass", "time"),
                                 ("P seen", "num"), ("first seen", "time")])  # fmt: skip
    passes = {e.site: e for e in res.site_exposure}
    seen = {c.station: c for c in res.ground_links}
    for s in res.sites:
        e, c = passes.get(s.name), seen.get(s.name)
        t.add_row(s.name, f"{e.probability:.0%}" if e else "0%", short_time(e.earliest if e else None),
                  f"{c.probability:.0%}" if c else "0%", short_time(c.median_first if c else None))  # fmt: skip
    tables["links"] = t
    plan = res.termination
    t = _table("Termination windows (E_c ≤ limit)", [("from", "time"), ("to", "time")])
    for a, b in plan.windows:
        t.add_row(short_time(a), short_time(b))
    tables["termination"] = t
    t = _table("Sharpest imaging windows", [("satellite", "text"), ("site", "text"), ("start", "time"),
                                            ("GSD m", "num"), ("ok", "text")])  # fmt: skip
    finite = [w for w in res.access if w.gsd_m == w.gsd_m]
    for w in sorted(finite, key=lambda w: w.gsd_m)[:5]:
        t.add_row(w.name, w.site, short_time(w.start), f"{w.gsd_m:.2f}", "yes" if w.can_image else "no")
    tables["overflight"] = t
    t = _table("Quiet windows (≥ 30 min)", [("site", "text"), ("from", "time"), ("to", "time")])
    for q in sorted(res.quiet, key=lambda q: (q.site, q.start))[:8]:
        t.add_row(q.site, short_time(q.start), short_time(q.end))
    tables["quiet"] = t
    t = _table("Conjunctions an analyst looks at first", [("TCA", "time"), ("objects", "text"), ("km", "num"),
                                                          ("km/s", "num"), ("Pc", "num")])  # fmt: skip
    for ev in res.triage.headline[:5]:
        t.add_row(short_time(ev.tca), f"{ev.primary_name} × {ev.secondary_name}", f"{ev.miss_distance_m / 1000:.2f}",
                  f"{ev.relative_speed_m_s / 1000:.1f}", f"{ev.pc:.0e}")  # fmt: skip
    tables["conjunctions"] = t
    return tables


def _scene_line(k: int, scene: Any) -> Group:
    """The scene's title and its data line (indented, wrapped under itself)."""
    return Group(
        Text(f"\n{k}. {scene.title}", style="bold"),
        Padding(Text(f"data: {scene.dataset} — {scene.date}", style="dim"), (0, 0, 0, 3), expand=False),
    )


def _print_story(res: Any) -> None:
    tables = demo_tables(res)
    notes: dict[str, list[str]] = {
        "reports": [f"{res.scene('reports').numbers['reports']} reports without identity (simulated: "
                    "the truth is known, so each step can be checked)"],
        "track": [f"object {res.track.id}: {res.track.classification.label} — "
                  + "; ".join(res.track.classification.reasons)],
        "backtrack": [f"{res.backtrack.launch_lat_deg.size} launch candidates; nearest to the hidden launch: "
                      f"{res.scene('backtrack').numbers['nearest_candidate_to_truth_km']:.0f} km"],
        "forecast": [f"{res.prediction.n_members} members over {res.config.hours:g} h"],
    }  # fmt: skip
    if res.real_tracking is not None:
        real = res.scene("real").numbers
        notes["real"] = [
            f"{real['reports']} real APRS reports → {real['tracks']} track(s): {real['class']}",
            "phases: " + ", ".join(real["phases"]),
            f"credit: {res.datasets.real_flight.licence}",
        ]
    rec = res.termination.recommendation or {}
    if rec:
        notes["termination"] = [
            f"recommended: {short_time(rec.get('time'))} at {rec.get('lat', float('nan')):.2f}, "
            f"{rec.get('lon', float('nan')):.2f} (E_c {float(rec.get('ec') or 0):.1e}; limit "
            f"{res.termination.limits.ec_max:g}, {res.termination.limits.source})"
        ]
    set_aside = [f"{p.primary_name} / {p.secondary_name}: {p.kind} ({p.events} listings, ≤ "
                 f"{p.max_relative_speed_m_s:.1f} m/s), left out" for p in res.triage.pairs]  # fmt: skip
    notes["conjunctions"] = [f"{len(res.conjunctions)} approaches within {res.config.screen_threshold_km:g} km; "
                             f"Pc from a default TLE covariance: an indicator only", *set_aside]  # fmt: skip
    zones_conf = [
        f"{z.name}: boundary confidence {z.confidence}" for z in res.zones if z.confidence != "high"
    ]
    notes["zones"] = zones_conf
    if not res.datasets.live:
        console.print(
            "[yellow]Two dates on purpose:[/] air scenes run on the packaged GFS winds (2011-01-15), "
            "satellite scenes on the packaged catalog (2026-05-30); no public wind field of that day is "
            "packaged. `skywarden demo --live` uses today's data for both.",
            highlight=False,
        )
    for k, scene in enumerate(res.scenes, start=1):
        console.print(_scene_line(k, scene))
        for line in notes.get(scene.key, []):
            console.print(Padding(Text(line), (0, 0, 0, 3), expand=False))
        if scene.key in tables:
            console.print(tables[scene.key])
        if scene.key == "overflight":
            console.print(tables["quiet"])


@contextmanager
def _bars() -> Any:
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console_err, transient=True)  # fmt: skip
    tasks: dict[str, Any] = {}

    def update(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(_STEP_LABELS.get(step, step), total=total)
        bar.update(tasks[step], completed=done, total=total)

    with bar:
        yield update


def _write_outputs(res: Any, out: Path) -> list[tuple[str, Path]]:
    from ..export import ical
    from ..flight import write_prediction
    from ..report import write_report
    from ..space import pc_from_cdms, propagate, write_conjunction_cdms

    outputs: list[tuple[str, Path]] = []

    def put(label: str, path: Path) -> None:
        outputs.append((label, path))

    put("the report (open in a browser; self-contained)", write_report(res, out / "report.html"))
    doc = {"datasets": [d.to_dict() for d in (res.datasets.catalog, *res.datasets.winds)],
           "live": res.datasets.live, "scenes": [s.to_dict() for s in res.scenes]}  # fmt: skip
    (out / "scenario.json").write_text(dump_json(doc))
    put("every scene with its data, source, date and key numbers (JSON)", out / "scenario.json")
    put("the simulated reports the tracker read (CSV)", out / "reports.csv")
    feats = [geojson.feature(geojson.line_string(t.lon_deg, t.lat_deg, t.alt_m),
                             {"id": t.id, "class": t.classification.label, "start": t.time[0], "end": t.time[-1]})
             for t in res.tracking.tracks]  # fmt: skip
    geojson.write(out / "tracks.geojson", geojson.feature_collection(feats, source="simulated reports"))
    put("tracks (GeoJSON)", out / "tracks.geojson")
    write_prediction(res.backtrack.paths, out / "backtrack.geojson")
    put("backtrack: backward runs and launch candidates (GeoJSON)", out / "backtrack.geojson")
    write_prediction(res.prediction, out / "balloon-prediction.geojson")
    write_prediction(res.prediction, out / "balloon-prediction.czml")
    put("forecast ensemble (GeoJSON)", out / "balloon-prediction.geojson")
    put("forecast ensemble (CZML, for Cesium)", out / "balloon-prediction.czml")
    exposure = {
        "zone_entries": [{"zone": s.zone_name, "zone_id": s.zone_id, "probability": s.probability,
                          "earliest": s.earliest, "time": s.most_likely, "latest": s.latest,
                          "n_members": s.n_members} for s in res.zone_stats],
        "zones": [z.provenance() for z in res.zones],
        "site_exposure": [e.to_dict() for e in res.site_exposure],
        "ground_links": [{"station": c.station, "probability": c.probability, "earliest": c.earliest,
                          "median_first": c.median_first} for c in res.ground_links],
        "radius_m": res.config.site_radius_km * 1000.0,
    }  # fmt: skip
    (out / "balloon-exposure.json").write_text(dump_json(exposure))
    put("ADIZ entry, site passes and line of sight (JSON)", out / "balloon-exposure.json")
    (out / "termination-windows.json").write_text(dump_json(res.termination.as_dict()))
    put("safe termination windows and recommendation (JSON)", out / "termination-windows.json")
    (out / "overflight-windows.json").write_text(dump_json([w.to_dict() for w in res.access]))
    ical.write(out / "overflight-windows.ics", res.access)
    (out / "quiet-windows.json").write_text(dump_json([q.to_dict() for q in res.quiet]))
    put("imaging-satellite access windows over the sites (JSON)", out / "overflight-windows.json")
    put("the same windows as a calendar (iCalendar)", out / "overflight-windows.ics")
    put("quiet windows: no sub-metre optical in daylight, no SAR (JSON)", out / "quiet-windows.json")
    (out / "conjunctions.json").write_text(dump_json([e.to_dict() for e in res.conjunctions]))
    (out / "conjunction-triage.json").write_text(dump_json(res.triage.to_dict()))
    put("all approaches (JSON)", out / "conjunctions.json")
    put("headline encounters and formation pairs (JSON)", out / "conjunction-triage.json")
    if res.conjunctions:
        paths = write_conjunction_cdms(res.conjunctions, out / "cdms")
        top = max(pc_from_cdms(paths), key=lambda r: r.pc)
        put(f"{len(paths)} CCSDS conjunction data messages (KVN)", out / "cdms")
        console.print(
            f"   CDMs written and read back: highest recomputed Pc {top.pc:.1e} ({top.extra['primary']} × "
            f"{top.extra['secondary']}) — the formation pair when it is in the screen",
            highlight=False,
        )
    cat, at = res.catalog, res.space_start
    (out / "catalog-summary.json").write_text(dump_json(cat.summary(at=at)))
    put("catalog summary", out / "catalog-summary.json")
    eph = propagate(cat, [at], frame="geodetic")
    pts = [geojson.feature(geojson.point(float(p[0, 1]), float(p[0, 0]), float(p[0, 2]) * 1000.0),
                           {"norad_id": int(cat.norad_ids[i]), "name": cat.names[i], "time": at})
           for i, p in enumerate(eph.positions) if np.isfinite(p[0, 0])]  # fmt: skip
    geojson.write(
        out / "positions.geojson", geojson.feature_collection(pts, source=res.datasets.catalog.name)
    )
    put("satellite positions at the screen start (GeoJSON)", out / "positions.geojson")
    times = time_grid(at, "90m", "60s")
    tracks = propagate(cat, times, frame="geodetic")
    packets: list[dict[str, Any]] = [czml.document("skywarden demo: imaging satellites", times[0], times[-1])]
    for i in range(len(cat)):
        p = tracks.positions[i]
        packets.append(czml.path_packet(f"sat-{cat.norad_ids[i]}", cat.names[i], times, p[:, 0], p[:, 1],
                                        p[:, 2] * 1000.0, width_px=1.0))  # fmt: skip
    czml.write(out / "satellites.czml", packets)
    put("90-minute orbits (CZML, for Cesium)", out / "satellites.czml")
    return outputs


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder for the outputs."),
        live: bool = typer.Option(
            False,
            "--live",
            help="Today's CelesTrak elements and NOAA GFS run (cached downloaders; needs network).",
        ),
        small: bool = typer.Option(False, "--small", help="A reduced run (fewer members, shorter windows)."),
        serve: bool = typer.Option(
            False,
            "--serve",
            help="Then load the scenario into the service (SQLite store in --out) and run it.",
        ),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port for --serve (127.0.0.1)."),
    ) -> None:
        """Tell the "second object" scenario end to end and write an HTML report (offline by default)."""
        from ..scenario import ScenarioConfig, live_datasets, run_scenario, sample_datasets

        out.mkdir(parents=True, exist_ok=True)
        config = ScenarioConfig.reduced() if small else ScenarioConfig()
        datasets = live_datasets(hours=config.hours) if live else sample_datasets()
        with _bars() as update:
            res = run_scenario(datasets, config, work_dir=out, progress=update)
        _print_story(res)
        with _bars() as update:
            update("writing outputs and the report", 0, 1)
            outputs = _write_outputs(res, out)
        console.print("\n[bold]Outputs[/] (the report first)")
        for label, path in outputs:
            console.print(f"  {label}:\n    {path.resolve()}", soft_wrap=True, highlight=False)
        if serve:
            _serve(res, out, port)


def _serve(res: Any, out: Path, port: int) -> None:
    from ..scenario.service_load import ServiceThread, load_into_service, prepare_store

    db_url = f"sqlite:///{(out / 'service.db').resolve()}"
    token = prepare_store(db_url)
    service = ServiceThread(db_url, port=port, data_dir=out / "service-data").start()
    try:
        loaded = load_into_service(res, service.url, token)
        console.print(
            f"\n[bold]Service[/] on {service.url} (store {out / 'service.db'}); the scenario is loaded "
            f"(catalog {loaded['catalog_id']}, {len(loaded['site_ids'])} sites, the reports re-tracked).\n"
            f"  map: {loaded['map_url']}\n  sign in with this admin token (shown once): {token}\n"
            "  Ctrl-C stops the service.",
            soft_wrap=True,
            highlight=False,
        )
        service.wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
