"""Ephemeris writers: :class:`~skywarden.space.orbit.propagate.Ephemeris` blocks → Parquet or CSV rows.

One row per (object, time), streamed block by block (so the file may be far larger than memory):
``norad_id``, ``time`` (UTC; Parquet ``timestamp[ns, UTC]``, CSV ISO 8601 with milliseconds and
``Z``), the block's three position components (``x_km, y_km, z_km`` in TEME/ITRS or ``lat_deg,
lon_deg, alt_km``), ``vx_km_s, vy_km_s, vz_km_s`` when the blocks carry velocities, and
``error_code`` (0 = good; python-sgp4 codes with NaN positions otherwise). Written with pyarrow.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import OptionError

__all__ = ["EPHEMERIS_SUFFIXES", "ephemeris_table", "write_ephemeris_rows"]

EPHEMERIS_SUFFIXES = (".parquet", ".pq", ".csv")


def ephemeris_table(block: Any, csv: bool = False) -> Any:
    """One block as a ``pyarrow.Table`` (CSV-style text times when ``csv``)."""
    import pyarrow as pa

    n_obj, n_t = block.shape
    if csv:
        stamps = np.char.add(np.datetime_as_string(block.times, unit="ms"), "Z")
        time_col = pa.array(np.tile(stamps, n_obj))
    else:
        time_col = pa.array(np.tile(block.times, n_obj), type=pa.timestamp("ns", tz="UTC"))
    columns = {"norad_id": pa.array(np.repeat(block.norad_ids, n_t)), "time": time_col}
    flat = block.positions.reshape(-1, 3)
    for k, name in enumerate(block.components):
        columns[name] = pa.array(flat[:, k])
    if block.velocities is not None:
        vflat = block.velocities.reshape(-1, 3)
        for k, name in enumerate(("vx_km_s", "vy_km_s", "vz_km_s")):
            columns[name] = pa.array(vflat[:, k])
    columns["error_code"] = pa.array(block.errors.reshape(-1))
    return pa.table(columns)


def write_ephemeris_rows(blocks: Iterable[Any], path: str | Path) -> int:
    """Write :class:`Ephemeris` blocks to ``path`` (``.parquet``/``.pq`` or ``.csv``); rows written."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EPHEMERIS_SUFFIXES:
        raise OptionError("output suffix", suffix or path.name, EPHEMERIS_SUFFIXES)
    csv = suffix == ".csv"
    writer: Any = None
    rows = 0
    try:
        for block in blocks:
            table = ephemeris_table(block, csv)
            if writer is None:
                writer = (
                    pcsv.CSVWriter(str(path), table.schema)
                    if csv
                    else pq.ParquetWriter(str(path), table.schema)
                )
            writer.write_table(table)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows
