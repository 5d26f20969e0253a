"""``skywarden overflight`` and ``skywarden quiet``: who can image a site, when, how well — and when
nobody is looking. Thin layer over :mod:`skywarden.space.overflight`."""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..errors import InputError, OptionError, SkywardenWarning
from ..timeutil import isoformat, parse_duration, parse_time, utc_now
from ._common import console, console_err, dump_json, progress_callback, to_jsonable

__all__ = ["register"]

_OUTPUT_SUFFIXES = (".csv", ".json", ".ics", ".czml", ".geojson")
_QUIET_SUFFIXES = (".csv", ".json", ".ics")
_CSV_FIELDS = (
    "norad_id", "name", "site", "kind", "start", "best", "end", "duration_s", "max_elevation_deg",
    "min_off_nadir_deg", "slant_range_km", "gsd_m", "sun_elevation_deg", "can_image", "criterion",
    "limit_deg", "system", "country", "operator", "assumed", "assumed_fields", "clipped_start",
    "clipped_end",
)  # fmt: skip


@contextmanager
def _show_warnings() -> Iterator[None]:
    """Collect skywarden warnings and print each once on stderr (the API never prints)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkywardenWarning)
        yield
    for w in caught:
        if issubclass(w.category, SkywardenWarning):
            console_err.print(f"[yellow]warning:[/] {w.message}", highlight=False)


def _split(values: Sequence[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _sites(site: list[str] | None, sites_file: Path | None) -> list[Any]:
    from ..zones.sites import load_sites, parse_site

    out = [parse_site(s) for s in site or []]
    if sites_file is not None:
        out.extend(load_sites(sites_file))
    if not out:
        raise InputError("give at least one site: --site LAT,LON[,ALT_M] or --sites FILE")
    return out


def _common(
    catalog: Path, site: list[str] | None, sites_file: Path | None, start: str | None, duration: str,
    kind: list[str] | None, max_gsd: float | None, min_elevation: float | None, ids: list[str] | None,
    country: list[str] | None, operator: list[str] | None, sensors: Path | None, ucs: Path | None,
    force: bool,
) -> tuple[Any, list[Any], Any, Any, list[Any]]:  # fmt: skip
    from ..space.catalog import load_catalog
    from ..space.overflight import access_windows
    from ..space.sensors import load_sensors

    site_list = _sites(site, sites_file)
    t0 = parse_time(start) if start else utc_now().replace(microsecond=0)
    span = parse_duration(duration)
    kinds = _split(kind) or ["all"]
    valid = ("optical", "sar", "ir", "all")
    for k in kinds:
        if k not in valid:
            raise OptionError("--kind", k, valid)
    try:
        norad_ids = [int(i) for i in _split(ids)] if ids else None
    except ValueError:
        raise OptionError("--ids", ids, ["comma-separated NORAD numbers, e.g. 40115,25544"]) from None
    metadata: dict[int, dict[str, Any]] | None = None
    if ucs is not None:
        from ..space.metadata import load_ucs

        frame = load_ucs(ucs)
        records: dict[Any, dict[Any, Any]] = frame.to_dict("index")
        metadata = {int(k): {str(c): v for c, v in row.items()} for k, row in records.items()}
    with _show_warnings():
        cat = load_catalog(catalog)
        table = load_sensors(sensors) if sensors else load_sensors()
        with progress_callback("overflight windows") as cb:
            windows = access_windows(
                cat, site_list, t0, span, sensors=table, kind=kinds, max_gsd_m=max_gsd,
                min_elevation_deg=min_elevation, norad_ids=norad_ids, countries=_split(country) or None,
                operators=_split(operator) or None, metadata=metadata, force=force, progress=cb,
            )  # fmt: skip
    return cat, site_list, t0, t0 + span, windows


def _csv_text(rows: list[dict[str, Any]], fields: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = to_jsonable(row)
        if isinstance(flat.get("assumed_fields"), list):
            flat["assumed_fields"] = ";".join(flat["assumed_fields"])
        writer.writerow({k: "" if flat.get(k) is None else flat.get(k) for k in fields})
    return buf.getvalue()


def _write_windows(path: Path, windows: list[Any], catalog: Any, sites: list[Any], t0: Any, t1: Any) -> None:
    suffix = path.suffix.lower()
    if suffix not in _OUTPUT_SUFFIXES:
        raise OptionError("-o suffix", suffix or path.name, _OUTPUT_SUFFIXES)
    rows = [w.to_dict() for w in windows]
    if suffix == ".csv":
        path.write_text(_csv_text(rows, _CSV_FIELDS), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(dump_json(rows), encoding="utf-8")
    elif suffix == ".ics":
        from ..export import ical

        ical.write(path, windows)
    else:
        from ..space.overflight import ground_tracks

        tracks = ground_tracks(windows, catalog)
        if suffix == ".geojson":
            from ..export import geojson

            feats = [
                geojson.feature(s.geojson_geometry(), {"site": s.name, "radius_m": s.radius_m}) for s in sites
            ]
            for w, (t, lat, lon, alt) in zip(windows, tracks, strict=True):
                props = w.to_dict()
                props["times"] = [isoformat(x) for x in t.astype("datetime64[us]").tolist()]
                feats.append(geojson.feature(geojson.line_string(lon, lat, alt), props))
            geojson.write(path, geojson.feature_collection(feats, start=t0, end=t1))
        else:
            from ..export import czml

            packets = [czml.document("skywarden overflight", t0, t1)]
            for i, s in enumerate(sites):
                packets.append(czml.point_packet(f"site-{i}", s.name, s.lat_deg, s.lon_deg, s.alt_m))
            for i, (w, (t, lat, lon, alt)) in enumerate(zip(windows, tracks, strict=True)):
                desc = f"{w.kind}, GSD {w.gsd_m:.2f} m, max elevation {w.max_elevation_deg:.1f} deg"
                packets.append(
                    czml.path_packet(
                        f"window-{i}", f"{w.name} over {w.site}", t, lat, lon, alt, description=desc
                    )
                )
            czml.write(path, packets)


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
) -> None:
    """Which imaging satellites can see the site(s), when, and how well."""
    cat, site_list, t0, t1, windows = _common(
        catalog, site, sites_file, start, duration, kind, max_gsd, min_elevation, ids, country, operator,
        sensors, ucs, force,
    )  # fmt: skip
    if output is not None:
        _write_windows(output, windows, cat, site_list, t0, t1)
        console_err.print(f"wrote {len(windows)} windows to {output}")
    if json_out:
        typer.echo(dump_json([w.to_dict() for w in windows]))
    elif output is None:
        console.print(_windows_table(windows, t0, t1))


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
) -> None:
    """When is nobody looking? Quiet windows per site for a threat set."""
    from ..space.overflight import Threat, quiet_windows

    rules = []
    for spec in _split(threat):
        k, _, g = spec.partition(":")
        try:
            rules.append(
                Threat(kind=k.strip(), max_gsd_m=float(g) if g else None, daylight_only=not any_light)
            )
        except ValueError:
            raise OptionError("--threat", spec, ["KIND[:MAX_GSD_M], e.g. optical:1.0 or sar"]) from None
    if not rules:
        rules = [
            Threat(kind=k, max_gsd_m=max_gsd, daylight_only=not any_light) for k in (_split(kind) or ["all"])
        ]
    kinds = sorted({r.kind for r in rules})
    _, site_list, t0, t1, windows = _common(
        catalog, site, sites_file, start, duration, kinds, None, None, ids, country, operator, sensors,
        ucs, force,
    )  # fmt: skip
    quiet_list = quiet_windows(windows, site_list, t0, t1, rules, min_duration=min_duration)
    rows = [q.to_dict() for q in quiet_list]
    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in _QUIET_SUFFIXES:
            raise OptionError("-o suffix", suffix or output.name, _QUIET_SUFFIXES)
        if suffix == ".csv":
            output.write_text(_csv_text(rows, ("site", "start", "end", "duration_s")), encoding="utf-8")
        elif suffix == ".json":
            output.write_text(dump_json(rows), encoding="utf-8")
        else:
            from ..export import ical

            ical.write(output, quiet_list, name="skywarden quiet windows")
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
