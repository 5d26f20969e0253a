"""``skywarden catalog info|convert|fetch|metadata``: read, summarise, convert and download catalogs."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import DataQualityWarning
from ..space.catalog.catalog import StaleLimits
from ..timeutil import isoformat, parse_duration
from ._common import console, console_err, dump_json, progress_callback

__all__ = ["register"]

catalog_app = typer.Typer(
    help="Satellite catalogs: TLE, 3LE and OMM (XML, JSON, CSV, KVN).", no_args_is_help=True
)

_MAX_ISSUES_SHOWN = 25


def _load(
    files: list[Path], fmt: str | None, strict: bool, at: str | None, limits: StaleLimits | None = None
) -> Any:
    from ..space.catalog.catalog import load_catalog

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # shown in the report instead
        return load_catalog(files, format=fmt, strict=strict, at=at, stale_days=limits)


@catalog_app.command("info")
def info(
    files: list[Path] = typer.Argument(..., help="Catalog files (TLE, 3LE, OMM XML/JSON/CSV/KVN)."),
    json_out: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    at: str | None = typer.Option(None, "--at", help="Time for element ages (default: newest epoch)."),
    fmt: str | None = typer.Option(
        None, "--format", help="Override format detection (tle, 3le, omm-json, …)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Reject the first bad record or checksum."),
    stale_leo_days: float = typer.Option(
        14.0, "--stale-leo-days", help="LEO elements older than this are stale."
    ),
    stale_other_days: float = typer.Option(30.0, "--stale-other-days", help="Non-LEO stale limit, days."),
) -> None:
    """Object count, epoch range, counts per orbit class, stale/duplicate/bad records.

    --json fields: objects, epoch_min, epoch_median, epoch_max, at, age_days, stale_limits_days,
    orbit_classes, issue_counts, issues (kind, file, line, norad_id, message), files.
    """
    catalog = _load(files, fmt, strict, at, StaleLimits(stale_leo_days, stale_other_days))
    summary = catalog.summary(at)
    summary["files"] = [str(f) for f in files]
    if json_out:
        typer.echo(dump_json(summary))
        return
    table = Table(title=escape(f"Catalog: {', '.join(str(f) for f in files)}"), show_header=False)
    table.add_row("objects", f"{summary['objects']:,}")
    if summary["objects"]:
        table.add_row(
            "epochs (min / median / max)",
            " / ".join(isoformat(summary[k]) for k in ("epoch_min", "epoch_median", "epoch_max")),
        )
        ages = summary["age_days"]
        table.add_row(
            "element age, days (min / median / max)",
            f"{ages['min']:.2f} / {ages['median']:.2f} / {ages['max']:.2f} at {isoformat(summary['at'])}",
        )
    for name, count in summary["orbit_classes"].items():
        table.add_row(f"orbit class {name}", f"{count:,}")
    limits = summary["stale_limits_days"]
    for kind, count in summary["issue_counts"].items():
        label = f"{kind} records" + (
            f" (> {limits['leo']:g} d LEO, > {limits['other']:g} d other)" if kind == "stale" else ""
        )
        table.add_row(label, f"{count:,}")
    console.print(table)
    issues = summary["issues"]
    if issues:
        shown = Table(title="Records with issues", show_lines=False)
        for column in ("kind", "file:line", "NORAD", "message"):
            shown.add_column(column)
        for issue in issues[:_MAX_ISSUES_SHOWN]:
            where = f"{issue['file']}:{issue['line']}" if issue["line"] is not None else issue["file"]
            shown.add_row(
                issue["kind"], escape(where), str(issue["norad_id"] or ""), escape(issue["message"])
            )
        console.print(shown)
        if len(issues) > _MAX_ISSUES_SHOWN:
            console.print(f"… and {len(issues) - _MAX_ISSUES_SHOWN:,} more (use --json for all)")


@catalog_app.command("convert")
def convert(
    source: list[Path] = typer.Argument(..., help="Input catalog file(s)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file; format from the extension."),
    fmt: str | None = typer.Option(None, "--format", help="Input format (default: detected)."),
    to: str | None = typer.Option(None, "--to", help="Output format (default: from the extension)."),
    strict: bool = typer.Option(False, "--strict", help="Reject the first bad record or checksum."),
) -> None:
    """Convert between TLE/3LE and OMM XML/JSON/CSV/KVN (.tle .txt .3le .xml .json .csv .kvn .omm)."""
    from ..space.catalog.catalog import write_catalog

    catalog = _load(source, fmt, strict, None)
    write_catalog(catalog, output, format=to)
    skipped = sum(1 for i in catalog.issues if i.kind in ("bad", "duplicate"))
    console_err.print(
        escape(f"wrote {len(catalog):,} objects to {output}")
        + (f" ({skipped} bad or duplicate records skipped; see 'skywarden catalog info')" if skipped else "")
    )


@catalog_app.command("fetch")
def fetch(
    group: str | None = typer.Option(
        None, "--group", help="CelesTrak group, e.g. active, stations, starlink."
    ),
    ids: list[int] | None = typer.Option(None, "--id", help="Catalog number (repeatable)."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Also write the catalog here (any format)."
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Cache folder (default: user cache dir)."
    ),
    max_age: str = typer.Option("2h", "--max-age", help="Reuse a cached answer younger than this."),
) -> None:
    """Download CelesTrak GP elements (OMM JSON) into the on-disk cache."""
    from ..space.catalog.catalog import load_catalog, write_catalog
    from ..space.catalog.celestrak import fetch_gp

    with progress_callback("CelesTrak") as callback:
        path = fetch_gp(
            group=group,
            ids=ids or None,
            cache_dir=cache_dir,
            max_age=parse_duration(max_age),
            progress=callback,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        catalog = load_catalog(path, format="omm-json")
    if output is not None:
        write_catalog(catalog, output)
    console_err.print(
        escape(f"{len(catalog):,} objects; cached at {path}" + (f"; wrote {output}" if output else ""))
    )


@catalog_app.command("metadata")
def metadata(
    files: list[Path] = typer.Argument(..., help="Catalog files."),
    ucs: Path = typer.Option(..., "--ucs", help="UCS Satellite Database CSV."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the joined table as CSV."),
    json_out: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Join operator, country, purpose, users and orbit class from the UCS database."""
    from ..space.catalog.metadata import join_metadata, load_ucs

    catalog = _load(files, None, False, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        table = join_metadata(catalog, load_ucs(ucs))
    if output is not None:
        table.to_csv(output, index=False)
    if json_out:
        typer.echo(dump_json(table.to_dict(orient="records")))
        return
    shown = Table(title=f"{int(table['in_ucs'].sum()):,} of {len(table):,} objects in the UCS database")
    columns = ("norad_id", "catalog_name", "operator", "country", "purpose", "users", "orbit_class")
    for column in columns:
        shown.add_column(column)
    for row in table.head(_MAX_ISSUES_SHOWN).itertuples(index=False):
        shown.add_row(*(escape(str(getattr(row, c) if getattr(row, c) is not None else "")) for c in columns))
    console.print(shown)


def register(app: typer.Typer) -> None:
    """Add ``skywarden catalog …``."""
    app.add_typer(catalog_app, name="catalog")
