"""``skywarden demo``: the built-in scenario on packaged sample data, offline.

It runs the main jobs end to end on the CelesTrak ``resource`` group (167 imaging satellites,
packaged with provenance in ``skywarden/data/samples``) and writes every output into one folder,
then prints where each output is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from ..export import czml, geojson
from ..timeutil import isoformat, time_grid
from ._common import console, dump_json

SAMPLE_CATALOG = "data/samples/resource-2026-05-30.tle"
SAMPLE_WINDS = "data/samples/gfs-2p5deg-npacific-2011011512.nc"
# The balloon scenario: an object floating near the western Aleutians, watched from Alaska.
BALLOON_FIX = (47.0, 175.0, 18_000.0, "2011-01-15T12:00:00Z")
WATCH_SITES = (
    ("Adak", 51.88, -176.64),
    ("Shemya (Eareckson)", 52.71, 174.11),
    ("Dutch Harbor", 53.89, -166.54),
)


def sample_catalog_path() -> Path:
    """Path of the packaged sample catalog (167 CelesTrak imaging satellites)."""
    return Path(str(resources.files("skywarden").joinpath(SAMPLE_CATALOG)))


def sample_winds_path() -> Path:
    """Path of the packaged GFS wind extract (North Pacific, valid 2011-01-15T12Z)."""
    return Path(str(resources.files("skywarden").joinpath(SAMPLE_WINDS)))


def _balloon_step(out: Path, outputs: list[tuple[str, Path]]) -> None:
    from ..flight.output import write_prediction
    from ..flight.predict import EnsembleSettings, predict
    from ..sites import Site
    from ..weather.winds import load_winds
    from ..zones.paths import paths_from_prediction
    from .exposure import exposure_report

    winds = load_winds(sample_winds_path())
    lat, lon, alt, when = BALLOON_FIX
    pred = predict(
        winds, lat_deg=lat, lon_deg=lon, alt_m=alt, time=when, profile="float", hours=36.0,
        ensemble=EnsembleSettings(members=200, seed=1), outside="stop",
    )  # fmt: skip
    write_prediction(pred, out / "balloon-prediction.geojson")
    write_prediction(pred, out / "balloon-prediction.czml")
    outputs.append(("balloon ensemble prediction (GeoJSON)", out / "balloon-prediction.geojson"))
    outputs.append(("balloon ensemble prediction (CZML)", out / "balloon-prediction.czml"))
    from ..zones.airspace import builtin_adiz

    sites = [Site(name, la, lo) for name, la, lo in WATCH_SITES]
    report = exposure_report(paths_from_prediction(pred), sites, builtin_adiz("us"), 100_000.0, 30.0)
    (out / "balloon-exposure.json").write_text(dump_json(report))
    outputs.append(("ADIZ entry and site exposure (JSON)", out / "balloon-exposure.json"))
    console.print(
        f"\n[bold]Balloon[/]: {pred.n_members}-member ensemble from {lat:.1f} N {lon:.1f} E at {alt / 1000:.0f} km, "
        f"{when}, 36 h, GFS winds valid {isoformat(winds.times[0])}"
    )
    for e in report["zone_entries"]:
        console.print(
            f"  enters {e['zone']} with probability {e['probability']:.0%}, most likely at {isoformat(e['time'])} "
            f"(earliest {isoformat(e['earliest'])})"
        )
    for e in report.get("site_exposure", []):
        console.print(f"  passes within 100 km of {e['site']} with probability {e['probability']:.0%}")
    _hazard_step(pred, winds, out, outputs)


DEMO_SITE = ("Brandenburg Gate, Berlin", 52.5163, 13.3777)


def _overflight_step(catalog: Any, at: Any, out: Path, outputs: list[tuple[str, Path]]) -> None:
    from ..export import ical
    from ..sites import Site
    from ..space.overflight.access import Threat, access_windows, quiet_windows
    from ..timeutil import parse_duration

    site = Site(DEMO_SITE[0], DEMO_SITE[1], DEMO_SITE[2])
    windows = access_windows(catalog, [site], at, "24h")
    (out / "overflight-windows.json").write_text(dump_json([w.to_dict() for w in windows]))
    ical.write(out / "overflight-windows.ics", windows)
    outputs.append(("imaging-satellite access windows over the site (JSON)", out / "overflight-windows.json"))
    outputs.append(("the same windows as a calendar (iCalendar)", out / "overflight-windows.ics"))
    end = at + parse_duration("24h")
    threats = (Threat(kind="optical", max_gsd_m=1.0), Threat(kind="sar"))
    quiet = quiet_windows(windows, [site], at, end, threats, min_duration="30min")
    (out / "quiet-windows.json").write_text(dump_json([q.to_dict() for q in quiet]))
    outputs.append(
        ("quiet windows: no sub-metre optical in daylight, no SAR (JSON)", out / "quiet-windows.json")
    )
    can_image = [w for w in windows if w.can_image]
    console.print(
        f"\n[bold]Overflight[/] of {site.name} in the 24 h from {isoformat(at)}: {len(windows)} access windows "
        f"({len(can_image)} able to image), {len(quiet)} quiet windows of 30 min or more against "
        "sub-metre optical in daylight and any SAR"
    )
    table = Table(title="Sharpest five windows")
    for col in ("satellite", "kind", "start (UTC)", "end (UTC)", "GSD m", "sun °", "can image"):
        table.add_column(col)
    finite = [w for w in windows if w.gsd_m == w.gsd_m]
    for w in sorted(finite, key=lambda w: w.gsd_m)[:5]:
        table.add_row(
            w.name, w.kind, isoformat(w.start), isoformat(w.end), f"{w.gsd_m:.2f}", f"{w.sun_elevation_deg:.0f}",
            "yes" if w.can_image else "no",
        )  # fmt: skip
    console.print(table)


def _hazard_step(pred: Any, winds: Any, out: Path, outputs: list[tuple[str, Path]]) -> None:
    from ..hazard.termination import termination_windows

    members = min(pred.n_members, 20)
    plan = termination_windows(
        pred.times, pred.lat_deg[:members], pred.lon_deg[:members], pred.alt_m[:members], "heavy-gondola",
        wind=winds, step="1h", n=128, coast_range_km=50.0,
    )  # fmt: skip
    (out / "termination-windows.json").write_text(dump_json(plan.as_dict()))
    outputs.append(("safe termination windows and recommendation (JSON)", out / "termination-windows.json"))
    rec = plan.recommendation or {}
    console.print(
        f"\n[bold]Termination[/] (heavy gondola, FAA 14 CFR 450.101 limits): {len(plan.windows)} window(s) within the "
        f"limits; recommended {rec.get('time', '-')} at {rec.get('lat', float('nan')):.2f}, "
        f"{rec.get('lon', float('nan')):.2f} (E_c {rec.get('ec', float('nan')):.1e})"
    )


def _conjunction_step(catalog: Any, at: Any, out: Path, outputs: list[tuple[str, Path]]) -> None:
    from ..space.safety.conjunction import screen

    events = screen(catalog, at, "24h", threshold_km=10.0)
    (out / "conjunctions.json").write_text(dump_json([e.to_dict() for e in events]))
    outputs.append(("conjunctions within 10 km over 24 h (JSON)", out / "conjunctions.json"))
    console.print(
        f"\n[bold]Conjunctions[/]: {len(events)} approaches within 10 km among the sample over 24 h"
    )
    for e in events[:5]:
        console.print(
            f"  {isoformat(e.tca)}  {e.primary_name} – {e.secondary_name}: {e.miss_distance_m / 1000:.2f} km "
            f"at {e.relative_speed_m_s / 1000:.1f} km/s"
        )
    if events:
        # one CCSDS CDM per event, then Pc recomputed from those files as an operator would
        from ..space.safety.cdm_table import pc_from_cdms
        from .conjunctions import _write_cdms

        cdm_dir = out / "cdms"
        count = _write_cdms(events, cdm_dir)
        results = pc_from_cdms(sorted(cdm_dir.glob("*.cdm")))
        top = max(results, key=lambda r: r.pc)
        outputs.append((f"{count} CCSDS conjunction data messages (KVN)", cdm_dir))
        slow = "" if top.short_term else "; a slow encounter, where the 2-D model is doubtful"
        console.print(
            f"  CDMs written and read back: highest Pc {top.pc:.1e} ({top.extra['primary']} × "
            f"{top.extra['secondary']}, default TLE covariance model: an indicator only{slow})"
        )


def _catalog_step(out: Path, outputs: list[tuple[str, Path]]) -> tuple[Any, Any]:
    from ..space.catalog.catalog import load_catalog
    from ..space.orbit.propagate import propagate

    catalog = load_catalog(sample_catalog_path())
    at = catalog.median_epoch
    summary = catalog.summary(at=at)
    (out / "catalog-summary.json").write_text(dump_json(summary))
    outputs.append(("catalog summary", out / "catalog-summary.json"))
    console.print(
        f"[bold]Catalog[/]: {len(catalog)} objects, epochs {isoformat(catalog.epoch_range[0])} … "
        f"{isoformat(catalog.epoch_range[1])}; median epoch {isoformat(at)}"
    )
    # Where is every satellite at the median epoch?
    eph = propagate(catalog, [at], frame="geodetic")
    lat, lon, alt_km = (eph.positions[:, 0, k] for k in range(3))
    order = np.argsort(-alt_km)
    table = Table(title=f"Sub-satellite points at {isoformat(at)} (highest 10 of {len(catalog)})")
    for col in ("NORAD", "name", "lat °", "lon °", "alt km", "class"):
        table.add_column(col, justify="right" if col not in ("name", "class") else "left")
    classes = catalog.orbit_classes
    for i in order[:10]:
        table.add_row(
            str(catalog.norad_ids[i]), catalog.names[i], f"{lat[i]:.3f}", f"{lon[i]:.3f}",
            f"{alt_km[i]:.1f}", str(classes[i]),
        )  # fmt: skip
    console.print(table)
    features = [
        geojson.feature(
            geojson.point(float(lon[i]), float(lat[i]), float(alt_km[i]) * 1000.0),
            {
                "norad_id": int(catalog.norad_ids[i]),
                "name": catalog.names[i],
                "time": at,
                "alt_km": float(alt_km[i]),
            },
        )
        for i in range(len(catalog))
        if np.isfinite(lat[i])
    ]
    geojson.write(
        out / "positions.geojson", geojson.feature_collection(features, source="CelesTrak resource group")
    )
    outputs.append(("positions at the median epoch (GeoJSON)", out / "positions.geojson"))
    # 90 minutes of ground tracks for the 3D map (CZML).
    times = time_grid(at, "90m", "60s")
    tracks = propagate(catalog, times, frame="geodetic")
    packets: list[dict[str, Any]] = [czml.document("skywarden demo: imaging satellites", times[0], times[-1])]
    for i in range(len(catalog)):
        p = tracks.positions[i]
        packets.append(
            czml.path_packet(
                f"sat-{catalog.norad_ids[i]}", catalog.names[i], times, p[:, 0], p[:, 1], p[:, 2] * 1000.0,
                width_px=1.0,
            )
        )  # fmt: skip
    czml.write(out / "satellites.czml", packets)
    outputs.append(("90-minute orbits (CZML, for Cesium)", out / "satellites.czml"))
    return catalog, at


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder for the outputs."),
    ) -> None:
        """Run the built-in scenario on packaged sample data and print where its outputs are."""
        out.mkdir(parents=True, exist_ok=True)
        outputs: list[tuple[str, Path]] = []
        catalog, at = _catalog_step(out, outputs)
        _overflight_step(catalog, at, out, outputs)
        _conjunction_step(catalog, at, out, outputs)
        _balloon_step(out, outputs)
        console.print("\n[bold]Outputs[/]")
        for label, path in outputs:
            console.print(f"  {label}: {path.resolve()}", soft_wrap=True, highlight=False)
