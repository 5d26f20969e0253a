"""``skywarden overflight`` and ``skywarden quiet``: who can image a site, when, how well — and when
nobody is looking. Thin layer over :mod:`skywarden.space.overflight.query`
(the request) and :mod:`skywarden.space.overflight.output` (the writers)."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..errors import InputError, OptionError, SkywardenWarning
from ..timeutil import isoformat
from ._common import console, console_err, dump_json, progress_callback
from ._dask import DASK_OPTION, dask_client

__all__ = ["register"]

_QUIET_SUFFIXES = (".csv", ".json", ".ics")


@contextmanager
def _show_warnings() -> Iterator[None]:
    """Collect skywarden warnings and print each once on stderr (the API never prints)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkywardenWarning)
        yield
    for w in caught:
        if issubclass(w.category, SkywardenWarning):
            console_err.print(f"[yellow]warning:[/] {w.message}", highlight=False)


def _sites(site: list[str] | None, sites_file: Path | None) -> list[Any]:
    from ..sites import load_sites, parse_site

    out = [parse_site(s) for s in site or []]
    if sites_file is not None:
        out.extend(load_sites(sites_file))
    if not out:
        raise InputError("give at least one site: --site LAT,LON[,ALT_M] or --sites FILE")
    return out


def _search(
    catalog: Path, site: list[str] | None, sites_file: Path | None, start: str | None, duration: str,
    kind: list[str] | None, max_gsd: float | None, min_elevation: float | None, ids: list[str] | None,
    country: list[str] | None, operator: list[str] | None, sensors: Path | None, ucs: Path | None,
    force: bool, dask: str | None = None,
) -> Any:  # fmt: skip
    from ..space.overflight.query import search_overflights

    site_list = _sites(site, sites_file)
    with _show_warnings(), progress_callback("overflight windows") as cb, dask_client(dask) as client:
        return search_overflights(
            catalog, site_list, start, duration, kind=kind, max_gsd_m=max_gsd, min_elevation_deg=min_elevation,
            norad_ids=ids, countries=country, operators=operator, sensors=sensors, ucs=ucs, force=force,
            progress=cb, access=_access(client),
        )  # fmt: skip


def _access(client: Any) -> Any:
    """The access-window function for ``--dask`` (None: the library's in-process one)."""
    if client is None:
        return None
    from ..scale import access_windows as scale_access_windows

    return functools.partial(scale_access_windows, client=client)


def _fmt(value: float, digits: int = 1) -> str:
    return "—" if not math.isfinite(value) else f"{value:.{digits}f}"


def _windows_table(windows: list[Any], t0: Any, t1: Any) -> Table:
    table = Table(title=f"Access windows {isoformat(t0)} → {isoformat(t1)} ({len(windows)})")
    for col in ("site", "object", "kind", "start (UTC)", "end (UTC)", "min", "el°", "off°", "GSD m",
                "sun°", "image", "notes"):  # fmt: skip
        table.add_column(col, no_wrap=col.endswith("(UTC)"))
    for w in windows:
        notes = []
        if w.assumed:
            notes.append("assumed")
        elif w.confidence == "low":
            notes.append("low-confidence sensor data")
        if w.clipped_start:
            notes.append("under way at start")
        if w.clipped_end:
            notes.append("under way at end")
        table.add_row(
            w.site, f"{w.name} ({w.norad_id})", w.kind, isoformat(w.start), isoformat(w.end),
            f"{w.duration_s / 60:.1f}", _fmt(w.max_elevation_deg), _fmt(w.min_off_nadir_deg),
            _fmt(w.gsd_m, 2), _fmt(w.sun_elevation_deg), "yes" if w.can_image else "dark",
            ", ".join(notes),
        )  # fmt: skip
    return table


_CATALOG = typer.Option(..., "--catalog", help="Catalog file (TLE, 3LE or OMM).", exists=True, dir_okay=False)
_SITE = typer.Option(
    None, "--site", help="Inline site LAT,LON[,ALT_M] (optionally NAME=LAT,LON); repeatable."
)
_SITES = typer.Option(None, "--sites", help="Sites file: GeoJSON, CSV or TOML.", exists=True, dir_okay=False)
_START = typer.Option(None, "--start", help="Start, ISO 8601 UTC (default: now), e.g. 2026-03-19T12:00:00Z.")
_DURATION = typer.Option("24h", "--duration", help="Length of the window, e.g. 48h, 90min, 2d.")
_KIND = typer.Option(None, "--kind", help="Sensor kind: optical, sar, ir or all (comma list or repeat).")
_MAX_GSD = typer.Option(None, "--max-gsd", help="Only windows with GSD at best geometry <= this, metres.")
_MIN_EL = typer.Option(
    None, "--min-elevation", help="Plain elevation mask (deg) instead of sensor geometry; any object."
)
_IDS = typer.Option(None, "--ids", help="Only these NORAD numbers (comma list or repeat).")
_COUNTRY = typer.Option(None, "--country", help="Only operators from these countries (sensor table / UCS).")
_OPERATOR = typer.Option(None, "--operator", help="Only operators whose name contains this text.")
_SENSORS = typer.Option(
    None,
    "--sensors",
    help="Your own sensor table (CSV) overriding/extending the shipped one.",
    exists=True,
    dir_okay=False,
)
_UCS = typer.Option(
    None,
    "--ucs",
    help="UCS Satellite Database CSV: countries, operators, default classes.",
    exists=True,
    dir_okay=False,
)
_FORCE = typer.Option(False, "--force", help="Allow windows longer than 30 days.")


def overflight(
    catalog: Path = _CATALOG,
    site: list[str] | None = _SITE,
    sites_file: Path | None = _SITES,
    start: str | None = _START,
    duration: str = _DURATION,
    kind: list[str] | None = _KIND,
    max_gsd: float | None = _MAX_GSD,
    min_elevation: float | None = _MIN_EL,
    ids: list[str] | None = _IDS,
    country: list[str] | None = _COUNTRY,
    operator: list[str] | None = _OPERATOR,
    sensors: Path | None = _SENSORS,
    ucs: Path | None = _UCS,
    force: bool = _FORCE,
    json_out: bool = typer.Option(False, "--json", help="Print the windows as a JSON list."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write windows to .csv, .json, .ics, .czml or .geojson."
    ),
    dask: str | None = DASK_OPTION,
) -> None:
    """Which imaging satellites can see the site(s), when, and how well."""
    from ..space.overflight.output import write_access_windows

    found = _search(
        catalog, site, sites_file, start, duration, kind, max_gsd, min_elevation, ids, country, operator,
        sensors, ucs, force, dask,
    )  # fmt: skip
    if output is not None:
        write_access_windows(output, found.windows, found.catalog, found.sites, found.start, found.end)
        console_err.print(f"wrote {len(found.windows)} windows to {output}")
    if json_out:
        typer.echo(dump_json(found.records()))
    elif output is None:
        console.print(_windows_table(found.windows, found.start, found.end))


def quiet(
    catalog: Path = _CATALOG,
    site: list[str] | None = _SITE,
    sites_file: Path | None = _SITES,
    start: str | None = _START,
    duration: str = _DURATION,
    kind: list[str] | None = _KIND,
    max_gsd: float | None = _MAX_GSD,
    ids: list[str] | None = _IDS,
    country: list[str] | None = _COUNTRY,
    operator: list[str] | None = _OPERATOR,
    sensors: Path | None = _SENSORS,
    ucs: Path | None = _UCS,
    force: bool = _FORCE,
    threat: list[str] | None = typer.Option(
        None,
        "--threat",
        help="Threat rule KIND[:MAX_GSD_M], repeatable, e.g. --threat optical:1.0 --threat sar. "
        "Default: from --kind/--max-gsd.",
    ),
    any_light: bool = typer.Option(False, "--any-light", help="Count optical windows at night too."),
    min_duration: str = typer.Option(
        "0s", "--min-duration", help="Drop quiet windows shorter than this, e.g. 30min."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the quiet windows as a JSON list."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to .csv, .json or .ics."),
    dask: str | None = DASK_OPTION,
) -> None:
    """When is nobody looking? Quiet windows per site for a threat set."""
    from ..space.overflight.output import write_quiet_windows
    from ..space.overflight.query import search_quiet

    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in _QUIET_SUFFIXES:
            raise OptionError("-o suffix", suffix or output.name, _QUIET_SUFFIXES)
    site_list = _sites(site, sites_file)
    with _show_warnings(), progress_callback("overflight windows") as cb, dask_client(dask) as client:
        result = search_quiet(
            catalog, site_list, start, duration, threat, kind=kind, max_gsd_m=max_gsd, any_light=any_light,
            min_duration=min_duration, norad_ids=ids, countries=country, operators=operator, sensors=sensors,
            ucs=ucs, force=force, progress=cb, access=_access(client),
        )  # fmt: skip
    rules, quiet_list, rows = result.threats, result.quiet, result.records()
    t0, t1, windows = result.overflight.start, result.overflight.end, result.overflight.windows
    if output is not None:
        write_quiet_windows(output, quiet_list)
        console_err.print(f"wrote {len(quiet_list)} quiet windows to {output}")
    if json_out:
        typer.echo(dump_json(rows))
    elif output is None:
        desc = "; ".join(
            f"{r.kind}" + (f" GSD<={r.max_gsd_m:g} m" if r.max_gsd_m is not None else "") for r in rules
        )
        table = Table(title=f"Quiet windows {isoformat(t0)} → {isoformat(t1)} — threats: {desc}")
        for col in ("site", "start (UTC)", "end (UTC)", "duration"):
            table.add_column(col)
        for q in quiet_list:
            table.add_row(q.site, isoformat(q.start), isoformat(q.end), f"{q.duration_s / 60:.1f} min")
        console.print(table)
        console.print(f"{len(windows)} threat-candidate windows considered.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``overflight`` and ``quiet`` to the app."""
    app.command("overflight")(overflight)
    app.command("quiet")(quiet)
