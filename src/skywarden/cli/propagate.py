"""``skywarden propagate``: a catalog × a time grid → Parquet or CSV, one row per (object, time).

Streams block by block (:func:`skywarden.space.orbit.propagate.iter_propagate`), so the output file
can be far larger than memory. Columns: ``norad_id``, ``time`` (UTC; Parquet timestamp, CSV
ISO 8601 ``Z``), ``x_km, y_km, z_km`` (TEME/ITRS) or ``lat_deg, lon_deg, alt_km`` (geodetic),
``vx_km_s, vy_km_s, vz_km_s`` with ``--velocities``, and ``error_code`` (0 = good; python-sgp4
codes, NaN position otherwise).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import typer

from ..errors import NotFoundError, OptionError
from ..space.orbit.output import EPHEMERIS_SUFFIXES, write_ephemeris_rows
from ..timeutil import isoformat, time_grid
from ._common import console, console_err, dump_json, progress_callback
from ._dask import DASK_OPTION, dask_client

__all__ = ["register", "write_ephemeris_rows"]

_OUTPUT_SUFFIXES = EPHEMERIS_SUFFIXES


def _parse_ids(ids: list[str] | None) -> list[int] | None:
    if not ids:
        return None
    out: list[int] = []
    for chunk in ids:
        for part in chunk.replace(" ", ",").split(","):
            if not part:
                continue
            try:
                out.append(int(part))
            except ValueError:
                raise OptionError("--ids", part, ["NORAD catalog numbers such as 25544,20580"]) from None
    return out


def propagate_command(
    catalog: Path = typer.Option(..., "--catalog", "-c", help="Catalog file (TLE, 3LE or OMM)."),
    start: str = typer.Option(..., "--start", help="First time, UTC (e.g. 2026-03-19T00:00:00Z)."),
    duration: str = typer.Option(
        "24h", "--duration", help="Window length; times are [start, start+duration)."
    ),
    step: str = typer.Option("60s", "--step", help="Time step (e.g. 60s, 5m)."),
    frame: str = typer.Option("teme", "--frame", help="teme | itrs | geodetic."),
    backend: str = typer.Option("auto", "--backend", help="auto | sgp4 | astroz."),
    ids: list[str] | None = typer.Option(None, "--ids", help="Only these NORAD ids (comma-separated)."),
    velocities: bool = typer.Option(False, "--velocities", help="Also write velocities (km/s)."),
    dut1: float = typer.Option(0.0, "--dut1", help="UT1 − UTC in seconds for the Earth-fixed frames."),
    output: Path = typer.Option(..., "--output", "-o", help="Output file: .parquet or .csv."),
    json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    dask: str | None = DASK_OPTION,
) -> None:
    """Propagate a catalog with SGP4 over a time grid and write one row per (object, time)."""
    from ..scale import iter_propagate
    from ..space.catalog.catalog import load_catalog

    if output.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise OptionError("output suffix", output.suffix or output.name, _OUTPUT_SUFFIXES)
    times = time_grid(start, duration, step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cat = load_catalog(catalog)
        elements = cat.elements
        wanted = _parse_ids(ids)
        if wanted is not None:
            by_id = {el.norad_id: el for el in elements}
            missing = [i for i in wanted if i not in by_id]
            if missing:
                raise NotFoundError(f"NORAD ids not in {catalog}: {', '.join(map(str, missing))}")
            elements = [by_id[i] for i in wanted]
        failed: set[int] = set()
        with (
            progress_callback(f"propagating {len(elements):,} objects × {times.size:,} steps") as callback,
            dask_client(dask) as client,
        ):
            blocks = iter_propagate(
                elements, times, frame, velocities=velocities, backend=backend, dut1_s=dut1,
                progress=callback, client=client,
            )  # fmt: skip

            def counted() -> Any:
                for block in blocks:
                    bad = np.flatnonzero((block.errors != 0).any(axis=1))
                    failed.update((bad + block.object_start).tolist())
                    yield block

            rows = write_ephemeris_rows(counted(), output)
    for w in caught:
        console_err.print(f"[yellow]warning:[/] {w.message}", highlight=False, soft_wrap=True)
    summary = {
        "output": str(output),
        "rows": rows,
        "objects": len(elements),
        "steps": int(times.size),
        "start": isoformat(times[0]) if times.size else None,
        "step": step,
        "frame": frame,
        "objects_with_errors": len(failed),
    }
    if json_out:
        typer.echo(dump_json(summary))
    else:
        console.print(
            f"wrote {rows:,} rows ({len(elements):,} objects × {times.size:,} steps, {frame}) to {output}"
            + (f"; {len(failed):,} objects had SGP4 errors (NaN rows, error_code > 0)" if failed else ""),
            highlight=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Add ``propagate`` to the ``skywarden`` app."""
    app.command("propagate")(propagate_command)
