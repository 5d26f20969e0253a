"""``skywarden conjunctions`` (catalog screening) and ``skywarden pc`` (Pc from CDM files)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..errors import DataQualityWarning, InputError, OptionError
from ..timeutil import isoformat
from ._common import console, console_err, dump_json, progress_callback
from ._dask import DASK_OPTION, dask_client

__all__ = ["register"]


def conjunctions(
    catalog: Path = typer.Option(..., "--catalog", help="Catalog file (TLE, 3LE or OMM)."),
    start: str = typer.Option(..., "--start", help="Window start, UTC (e.g. 2026-03-19T12:00:00Z)."),
    duration: str = typer.Option("24h", "--duration", help="Window length (e.g. 1h, 24h, 2d)."),
    threshold_km: float = typer.Option(5.0, "--threshold-km", help="Miss-distance threshold, km."),
    target: list[int] | None = typer.Option(
        None, "--target", help="NORAD id to screen against all (repeatable)."
    ),
    step_s: float = typer.Option(
        60.0, "--step-s", help="Grid step, s (never blind; coarser = more candidates)."
    ),
    hbr_m: float = typer.Option(20.0, "--hbr-m", help="Combined hard-body radius for the screening Pc, m."),
    json_out: bool = typer.Option(False, "--json", help="Events as JSON on stdout."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write events to .csv or .json."),
    cdm_dir: Path | None = typer.Option(None, "--cdm-dir", help="Write one CCSDS CDM (KVN) per event here."),
    include_colocated: bool = typer.Option(
        False,
        "--include-colocated",
        help="Also screen objects sharing one element set (docked modules, visiting vehicles) against each other.",
    ),
    dask: str | None = DASK_OPTION,
) -> None:
    """Screen a catalog for close approaches (all-vs-all, or --target vs all) in [start, start+duration)."""
    from ..scale import screen as scale_screen
    from ..space.catalog.catalog import load_catalog
    from ..space.safety.cdm import write_conjunction_cdms
    from ..space.safety.conjunction import colocated_groups
    from ..space.safety.output import EVENT_SUFFIXES, conjunction_records, write_conjunctions

    if output is not None and output.suffix.lower() not in EVENT_SUFFIXES:
        raise OptionError("--output suffix", output.suffix, list(EVENT_SUFFIXES))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        cat = load_catalog(catalog)
        with progress_callback("screening") as cb, dask_client(dask) as client:
            events = scale_screen(
                cat,
                start,
                duration,
                threshold_km,
                targets=target or None,
                step_s=step_s,
                hbr_m=hbr_m,
                progress=cb,
                include_colocated=include_colocated,
                client=client,
            )
    for w in caught:
        console_err.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    if not include_colocated:
        for group in colocated_groups(cat):
            if target and not any(el.norad_id in target for el in group):
                continue
            names = ", ".join(f"{el.norad_id} {el.name}".strip() for el in group)
            console_err.print(
                f"note: {len(group)} objects share one element set (docked or attached), not screened "
                f"against each other: {names} (--include-colocated lists them)",
                highlight=False,
            )
    rows = conjunction_records(events)
    if output is not None:
        count = write_conjunctions(events, output)
        console_err.print(f"wrote {count} events to {output}")
    if cdm_dir is not None:
        written = write_conjunction_cdms(events, cdm_dir)
        console_err.print(f"wrote {len(written)} CDMs to {cdm_dir}")
    if json_out:
        typer.echo(dump_json(rows))
        return
    if output is not None or cdm_dir is not None:
        return
    table = Table(
        title=f"{len(events)} conjunctions ≤ {threshold_km:g} km ({catalog.name}, {duration} from {start})"
    )
    for col in ("TCA (UTC)", "primary", "secondary", "miss m", "speed m/s", "R m", "T m", "N m", "Pc*"):
        table.add_column(col, justify="right" if col not in ("TCA (UTC)",) else "left")
    for e in events:
        table.add_row(
            isoformat(e.tca, timespec="milliseconds"), f"{e.primary} {e.primary_name}".strip(),
            f"{e.secondary} {e.secondary_name}".strip(), f"{e.miss_distance_m:,.0f}",
            f"{e.relative_speed_m_s:,.0f}", *(f"{x:,.0f}" for x in e.miss_rtn_m), f"{e.pc:.2e}",
        )  # fmt: skip
    console.print(table)
    console.print(
        "* Pc uses the default TLE covariance model (covariance_source=default-tle-model): an indicator only."
    )


def pc(
    files: list[Path] = typer.Argument(
        ..., help="CDM files (KVN or XML), or directories: every *.cdm, *.kvn, *.xml and *.txt inside."
    ),
    hbr_m: float | None = typer.Option(
        None, "--hbr-m", help="Combined hard-body radius, m (overrides the CDM)."
    ),
    method: str = typer.Option("foster", "--method", help="foster | alfano | chan | montecarlo | max"),
    samples: int = typer.Option(100_000, "--samples", help="Monte Carlo samples (method montecarlo)."),
    json_out: bool = typer.Option(False, "--json", help="Results as JSON on stdout."),
) -> None:
    """Recompute Pc from each CDM's states and covariances and show it beside the CDM's own value."""
    from ..space.safety.cdm_table import pc_from_cdms
    from ..space.safety.pc import METHODS

    if method not in METHODS:
        raise OptionError("--method", method, METHODS)
    files = _cdm_files(files)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        results = pc_from_cdms(files, hbr_m=hbr_m, method=method, n_samples=samples, progress=not json_out)
    for w in caught:
        console_err.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    failed = [r for r in results if "error" in r.extra]
    for r in failed:
        console_err.print(f"[red]error:[/] {r.extra['error']}", highlight=False)
    if json_out:
        typer.echo(dump_json([r.to_dict() for r in results]))
    else:
        _print_pc_table(results, method)
    if len(failed) == len(results):
        raise typer.Exit(code=2)


_CDM_SUFFIXES = (".cdm", ".kvn", ".xml", ".txt")


def _cdm_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their CDM files (sorted by name); plain paths pass as given."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _CDM_SUFFIXES)
            if not found:
                raise InputError(f"no CDM files ({', '.join(_CDM_SUFFIXES)}) in directory {path}")
            out.extend(found)
        else:
            out.append(path)
    return out


TABLE_ROWS = 50
"""Most rows ``skywarden pc`` prints as a table; beyond it, the highest Pcs first (``--json`` has all)."""


def _print_pc_table(results: list[Any], method: str) -> None:
    shown = results
    if len(results) > TABLE_ROWS:  # an archive: the riskiest first, unreadable ones after
        shown = sorted(results, key=lambda r: -r.pc if r.pc == r.pc else math.inf)[:TABLE_ROWS]
    title = f"Collision probability ({method}); CDM value beside ours"
    if len(shown) < len(results):
        title += f" — the {len(shown)} highest of {len(results)} (all with --json)"
    if method == "max":
        _print_pc_max_table(shown, title)
        return
    table = Table(title=title)
    for col in ("CDM", "TCA (UTC)", "miss m", "HBR m", "Pc skywarden", "Pc in CDM", "2-D ok"):
        table.add_column(col, overflow="fold")
    for r in shown:
        x = r.extra
        if "error" in x:
            table.add_row(Path(x["file"]).name or "CDM", "—", "—", "—", "unreadable", "—", "—")
            continue
        stated = "—" if x["cdm_pc"] is None else f"{x['cdm_pc']:.4e} {x['cdm_pc_method'] or ''}".strip()
        table.add_row(
            f"{Path(x['file']).name}\n{x['primary']} × {x['secondary']}",
            isoformat(x["tca"], timespec="milliseconds"),
            f"{r.miss_distance_m:,.1f}",
            f"{r.hbr_m:g} ({x['hbr_source']})",
            f"{r.pc:.4e}",
            stated,
            "yes" if r.short_term else "NO (try --method montecarlo)",
        )
    console.print(table)


def _print_pc_max_table(shown: list[Any], title: str) -> None:
    """``--method max``: each named maximum in its own column (the JSON's ``pc_max_size``,
    ``pc_max_scaled_covariance``, ``pc_max_absolute``), its aspect ratio or scale under it, and a
    legend saying which maximum is which (Alfano 2005); fits 80 columns."""
    table = Table(title=title)
    table.add_column("CDM", overflow="fold")
    for col in (
        "miss m",
        "HBR m",
        "max, size\n(AR)",
        "max, CDM\ncov. (×k)",
        "bound,\nany shape",
        "Pc in\nCDM",
    ):
        table.add_column(col, no_wrap=True)  # the numbers stay whole; the CDM name folds
    assumed = False
    for r in shown:
        x = r.extra
        if "error" in x:
            table.add_row(Path(x["file"]).name or "CDM", "—", "—", "unreadable", "—", "—", "—")
            continue
        ar, own = float(x["aspect_ratio"]), "pc_max_scaled_covariance" in x
        assumed |= not own
        scaled = (
            f"{x['pc_max_scaled_covariance']:.3e}\n(k {x['pc_max_covariance_scale']:.3g})" if own else "—"
        )
        table.add_row(
            f"{Path(x['file']).name}\n{x['primary']} × {x['secondary']}",
            f"{r.miss_distance_m:,.1f}",
            f"{r.hbr_m:.3g}\n({x['hbr_source']})",
            f"{x['pc_max_size']:.3e}\n(AR {ar:.3g}{'' if own else '*'})",
            scaled,
            f"{x['pc_max_absolute']:.3e}",
            "—" if x["cdm_pc"] is None else f"{x['cdm_pc']:.3e}",
        )
    console.print(table)
    console.print(
        "max, size: maximum Pc over covariance size at aspect ratio AR, major axis along the miss "
        "(AR: the CDM covariance's own in the encounter plane"
        + ("; AR 1*: 1 assumed, the CDM has no covariance" if assumed else "")
        + "). max, CDM cov. ×k: the CDM covariance's own shape and orientation scaled by k. "
        "Our Pc (JSON pc) is the larger of the two. bound, any shape: over all covariance shapes, "
        "sizes and orientations (degenerate limit). Alfano 2005, JAS 53(2).",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``conjunctions`` and ``pc`` to the main app."""
    app.command("conjunctions")(conjunctions)
    app.command("pc")(pc)
