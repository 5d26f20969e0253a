"""``skywarden track FILE…``: read position reports, track, classify, summarise or export."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.table import Table

from ..air.output import TRACK_SUFFIXES, tracking_summary, write_tracks
from ..errors import DataQualityWarning, OptionError
from ..timeutil import isoformat
from ._common import console, console_err, dump_json, progress_callback

__all__ = ["register"]

_OUTPUTS = TRACK_SUFFIXES


def _mapping(columns: str | None, units: str | None, config: Path | None, time_kind: str | None) -> Any:
    from ..air.formats.csvfiles import CsvMapping, parse_pairs

    if config is not None:
        return CsvMapping.load(config)
    if columns is None:
        return None
    return CsvMapping(
        columns=parse_pairs(columns, "--columns"),
        units=parse_pairs(units, "--units") if units else {},
        time=time_kind or "iso",
    )


def _fmt_time(value: Any) -> str:
    return isoformat(value) if value is not None else "-"


def _hms(value: Any) -> str:
    return isoformat(value)[11:19]


def track(
    files: list[Path] = typer.Argument(..., help="Report files (formats may differ)."),
    fmt: str | None = typer.Option(
        None,
        "--format",
        help="plain, csv, eoss, nbp3, sondehub, geojson, aprs, adsb, aprsfi (default: detect).",
    ),
    date: str | None = typer.Option(
        None, "--date", help="UTC date for files with time-of-day only (2023-04-22)."
    ),
    lon_sign: str = typer.Option(
        "auto", "--lon-sign", help="auto, as-is, west or east (NBP3 logs: auto = west)."
    ),
    columns: str | None = typer.Option(
        None, "--columns", help="CSV mapping, e.g. time=Time,lat=Lat,lon=Lon,alt=Alt_ft,id=Call."
    ),
    units: str | None = typer.Option(None, "--units", help="CSV units, e.g. alt=ft,speed=mph."),
    time_kind: str | None = typer.Option(None, "--time-kind", help="CSV times: iso, time_of_day or epoch."),
    config: Path | None = typer.Option(
        None, "--config", help="CSV mapping as TOML/JSON (columns, units, time)."
    ),
    model: str = typer.Option("auto", "--model", help="auto, balloon (CV) or aircraft (CA)."),
    wind: Path | None = typer.Option(
        None, "--wind", help="Wind field (GRIB2/NetCDF): each track's speed against it is class evidence."
    ),
    json_out: bool = typer.Option(False, "--json", help="Per-track JSON summary on stdout."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write tracks.geojson, .czml or .csv."),
) -> None:
    """Track objects in position reports: class, phases, burst, landing point, max altitude."""
    from ..air import read_reports, track_reports

    if output is not None and output.suffix.lower() not in _OUTPUTS:
        raise OptionError("--output suffix", output.suffix, _OUTPUTS)
    mapping = _mapping(columns, units, config, time_kind)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        reports = read_reports(files, format=fmt, date=date, lon_sign=lon_sign, mapping=mapping)
    for w in caught:
        console_err.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    with progress_callback("tracking objects") as callback:
        winds = None
        if wind is not None:
            from ..weather import load_winds

            winds = load_winds(wind)
        result = track_reports(reports, model=model, progress=callback, wind=winds)
    if output is not None:
        write_tracks(result, output)
        console_err.print(f"wrote {len(result)} track(s) to {output}")
    if json_out:
        console.print_json(dump_json(tracking_summary(reports, result)))
        return
    if output is not None:
        return
    day = isoformat(reports.time[0])[:10] if len(reports) else "-"
    table = Table(
        title=f"{len(result)} track(s) from {len(reports)} reports; times UTC, from {day}",
        box=box.SIMPLE_HEAD,
        show_lines=True,
    )
    table.add_column("id", overflow="fold", max_width=10)
    table.add_column("class", min_width=12)
    table.add_column("phases (from)", min_width=19)
    table.add_column("max m", justify="right")
    table.add_column("burst", min_width=8)
    table.add_column("landing", min_width=10)
    for trk in result:
        s = trk.summary()
        phases = "\n".join(f"{_hms(p['start'])} {p['phase']}" for p in s["phases"])
        burst = f"{s['burst_alt_m']:.0f} m\n{_hms(s['burst_time'])}" if trk.burst else "-"
        land = (
            f"{trk.landing.lat_deg:.4f}\n{trk.landing.lon_deg:.4f}\n{_hms(trk.landing.time)}"
            if trk.landing
            else "-"
        )
        label = trk.classification.label + ("\n(new object)" if trk.new_object else "")
        table.add_row(trk.id, label, phases, f"{s['max_alt_m']:.0f}", burst, land)
    console.print(table)
    if reports.rejected:
        console.print(f"{len(reports.rejected)} bad row(s) skipped; first: {reports.rejected[0]}")
    if result.duplicates_dropped:
        console.print(f"{result.duplicates_dropped} duplicate report(s) dropped")
    if result.clutter_reports:
        console.print(f"{result.clutter_reports} unassociated report(s) (clutter)")


def register(app: typer.Typer) -> None:
    """Add ``track`` to the app."""
    app.command("track")(track)
