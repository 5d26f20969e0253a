"""``skywarden exposure`` and ``skywarden links``: what a track or prediction passes over, when it
enters airspace zones (with probabilities for ensembles), and what it could talk to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..errors import InputError, OptionError
from ..sites import Site, load_sites, parse_site
from ..timeutil import isoformat
from ..zones.airspace import Zone, builtin_adiz, load_zones
from ..zones.paths import Paths, read_prediction, read_track_files
from ..zones.report import (
    EXPOSURE_SUFFIXES,
    LINK_SUFFIXES,
    exposure_report,
    link_report,
    write_exposure,
    write_links,
)
from ._common import console, console_err, dump_json, progress_callback

_EXPOSURE_OUTPUTS = EXPOSURE_SUFFIXES
_LINK_OUTPUTS = LINK_SUFFIXES


def _paths(track: list[Path] | None, prediction: Path | None, fmt: str | None, date: str | None) -> Paths:
    if bool(track) == (prediction is not None):
        raise InputError("give exactly one of --track FILE… or --prediction FILE")
    if prediction is not None:
        return read_prediction(prediction)
    assert track is not None
    return read_track_files(track, format=fmt, date=date)


def _sites(sites_file: Path | None, site: list[str] | None) -> list[Site]:
    out: list[Site] = list(load_sites(sites_file)) if sites_file is not None else []
    out.extend(parse_site(s) for s in site or [])
    return out


def _zones(zones_files: list[Path] | None, adiz: str | None) -> list[Zone]:
    out: list[Zone] = load_zones(zones_files) if zones_files else []
    if adiz:
        out.extend(builtin_adiz(adiz))
    return out


def exposure(
    track: list[Path] | None = typer.Option(
        None, "--track", help="Track file(s): any format `skywarden track` reads."
    ),
    prediction: Path | None = typer.Option(
        None, "--prediction", help="Output of `skywarden predict` (.csv or .geojson)."
    ),
    fmt: str | None = typer.Option(None, "--format", help="Track file format (default: detect)."),
    date: str | None = typer.Option(None, "--date", help="UTC date for track files with time-of-day only."),
    sites_file: Path | None = typer.Option(None, "--sites", help="Sites (GeoJSON, CSV or TOML)."),
    site: list[str] | None = typer.Option(None, "--site", help="Inline site lat,lon[,alt_m] (repeatable)."),
    zones_files: list[Path] | None = typer.Option(None, "--zones", help="Zone file(s): GeoJSON or OpenAir."),
    adiz: str | None = typer.Option(
        None, "--adiz", help="Built-in ADIZ: us, cn, ca or zone ids (comma-separated)."
    ),
    radius_km: float = typer.Option(10.0, "--radius-km", help="Pass radius around each site, km."),
    camera_half_angle_deg: float = typer.Option(
        30.0, "--camera-half-angle", help="Onboard camera half-angle, deg."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write .json, .geojson or .czml."),
) -> None:
    """Sites passed and airspace zones entered by a track or a predicted ensemble."""
    if output is not None and output.suffix.lower() not in _EXPOSURE_OUTPUTS:
        raise OptionError("--output suffix", output.suffix, _EXPOSURE_OUTPUTS)
    if radius_km <= 0:
        raise InputError(f"--radius-km must be positive, got {radius_km}")
    paths = _paths(track, prediction, fmt, date)
    sites = _sites(sites_file, site)
    zones = _zones(zones_files, adiz)
    if not sites and not zones:
        raise InputError("nothing to test against: give --sites/--site and/or --zones/--adiz")
    report = exposure_report(paths, sites, zones, radius_km * 1000.0, camera_half_angle_deg)
    for z in zones:
        if z.confidence and z.confidence != "high":
            console_err.print(
                f"note: {z.name} boundary confidence {z.confidence} ({z.confidence_reason}); source: {z.source}",
                highlight=False,
            )
    if output is not None:
        write_exposure(output, report, paths, sites, zones)
        console_err.print(f"wrote {output}")
    if json_out:
        console.print_json(dump_json(report))
        return
    table = Table(title=f"Zone entries ({paths.kind}, {paths.n_members} member(s))")
    for col in ("zone", "time (UTC)", "lat", "lon", "alt m", "probability"):
        table.add_column(col)
    for e in report["zone_entries"]:
        table.add_row(
            e["zone"],
            isoformat(e["time"]),
            f"{e['lat']:.3f}",
            f"{e['lon']:.3f}",
            f"{e['alt_m']:.0f}",
            f"{e['probability']:.0%}",
        )
    console.print(table)
    if report.get("site_exposure"):
        t2 = Table(title=f"Sites within {radius_km:g} km (ensemble)")
        for col in ("site", "probability", "earliest", "latest", "min distance km"):
            t2.add_column(col)
        for e in report["site_exposure"]:
            t2.add_row(
                e["site"],
                f"{e['probability']:.0%}",
                isoformat(e["earliest"]),
                isoformat(e["latest"]),
                f"{e['min_distance_m'] / 1000:.1f}",
            )
        console.print(t2)
    else:
        t2 = Table(title=f"Sites within {radius_km:g} km")
        for col in ("site", "object", "closest (UTC)", "distance km", "alt m", "inside", "camera sees"):
            t2.add_column(col)
        for p in report["site_passes"]:
            t2.add_row(p["site"], p["object"], isoformat(p["closest_time"]), f"{p['distance_m'] / 1000:.2f}",
                       f"{p['alt_m']:.0f}", f"{p['duration_s'] / 60:.1f} min", "yes" if p["camera_can_see"] else "no")  # fmt: skip
        console.print(t2)


def links(
    track: list[Path] | None = typer.Option(
        None, "--track", help="Track file(s): any format `skywarden track` reads."
    ),
    prediction: Path | None = typer.Option(
        None,
        "--prediction",
        help="Output of `skywarden predict`: windows along its mean path; with --ground, each station's chance over all members.",
    ),
    catalog_file: list[Path] | None = typer.Option(
        None, "--catalog", help="Satellite catalog(s) (TLE/3LE/OMM)."
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="Only satellites whose UCS purpose contains this (needs --ucs)."
    ),
    ucs: Path | None = typer.Option(None, "--ucs", help="UCS Satellite Database CSV for --purpose."),
    ground: Path | None = typer.Option(
        None, "--ground", help="Ground stations (sites file: GeoJSON, CSV or TOML)."
    ),
    fmt: str | None = typer.Option(None, "--format", help="Track file format (default: detect)."),
    date: str | None = typer.Option(None, "--date", help="UTC date for track files with time-of-day only."),
    min_elevation: float = typer.Option(
        10.0, "--min-elevation", help="Satellite elevation mask seen from the object, deg."
    ),
    ground_min_elevation: float = typer.Option(
        0.0, "--ground-min-elevation", help="Station elevation mask, deg."
    ),
    max_range_km: float | None = typer.Option(None, "--max-range-km", help="Longest usable link, km."),
    json_out: bool = typer.Option(False, "--json", help="Print the windows as JSON."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write .json or .csv."),
) -> None:
    """Line-of-sight windows between an air object and satellites or ground stations."""
    from ..space.catalog.catalog import load_catalog
    from ..space.catalog.metadata import select_by_purpose

    if output is not None and output.suffix.lower() not in _LINK_OUTPUTS:
        raise OptionError("--output suffix", output.suffix, _LINK_OUTPUTS)
    if not catalog_file and ground is None:
        raise InputError("give --catalog (satellites) and/or --ground (stations)")
    paths = _paths(track, prediction, fmt, date)
    notes: dict[str, Any] = {}
    sats: Any = None
    if catalog_file:
        sats = load_catalog(catalog_file)
        if purpose:
            if ucs is None:
                raise InputError(
                    "--purpose needs --ucs FILE (the UCS Satellite Database CSV; it is not shipped)"
                )
            sats = select_by_purpose(sats, ucs, purpose)
            notes["purpose"] = f"{purpose!r}: {len(sats)} satellites in the UCS database (1 May 2023)"
    stations = load_sites(ground) if ground is not None else []
    with progress_callback("link windows") as bar:
        report = link_report(
            paths, sats, stations, min_elevation_deg=min_elevation, ground_min_elevation_deg=ground_min_elevation,
            max_range_km=max_range_km, notes=notes, progress=bar,
        )  # fmt: skip
    windows = report["windows"]
    chances = report.get("ground_link_probability", [])
    if output is not None:
        write_links(output, report)
        console_err.print(f"wrote {len(windows)} window(s) to {output}")
    if json_out:
        console.print_json(dump_json(report))
        return
    table = Table(title=f"{len(windows)} line-of-sight window(s)")
    with_p = any("probability" in w for w in windows)
    cols = ["object", "kind", "target", "name", "start (UTC)", "end (UTC)", "max el °", "min range km"]
    for col in cols + (["P(members)"] if with_p else []):
        table.add_column(col)
    for w in windows:
        cells = [w["object"], w["kind"], w["target"], w["name"], isoformat(w["start"]), isoformat(w["end"]),
                 f"{w['max_elevation_deg']:.1f}", f"{w['min_range_km']:.0f}"]  # fmt: skip
        if with_p:
            p = w.get("probability")
            cells.append("—" if p is None else f"{p:.0%}")
        table.add_row(*cells)
    console.print(table)
    if chances:
        chance_table = Table(title="Ground stations: chance of line of sight over the ensemble")
        for col in ("station", "probability", "earliest (UTC)", "median first (UTC)"):
            chance_table.add_column(col)
        for c in chances:
            chance_table.add_row(
                c["station"], f"{c['probability']:.0%}",
                isoformat(c["earliest"]) if c["earliest"] is not None else "—",
                isoformat(c["median_first"]) if c["median_first"] is not None else "—",
            )  # fmt: skip
        console.print(chance_table)


def register(app: typer.Typer) -> None:
    """Add ``exposure`` and ``links``."""
    app.command("exposure")(exposure)
    app.command("links")(links)
