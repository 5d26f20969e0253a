"""Writers for screened conjunctions: the event table as CSV or JSON (``skywarden conjunctions -o``).

Columns and JSON fields are those of :meth:`~skywarden.space.safety.conjunction.Conjunction.to_dict`
(the ``conjunctions --json`` contract); CSV times are ISO 8601 UTC with milliseconds and ``Z``.
One CCSDS CDM per event: :func:`skywarden.space.safety.cdm.write_conjunction_cdms`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...errors import OptionError
from ...export.jsonable import json_text
from ...timeutil import isoformat

__all__ = ["EVENT_COLUMNS", "EVENT_SUFFIXES", "conjunction_records", "events_csv", "write_conjunctions"]

EVENT_COLUMNS = (
    "tca", "primary", "secondary", "primary_name", "secondary_name", "miss_distance_m",
    "relative_speed_m_s", "miss_r_m", "miss_t_m", "miss_n_m", "pc", "hbr_m", "covariance_source",
)  # fmt: skip
"""CSV column order of the event table."""

EVENT_SUFFIXES = (".csv", ".json")


def conjunction_records(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The JSON-able records ``skywarden conjunctions --json`` prints, one per event."""
    return [e.to_dict() for e in events]


def events_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of event records (:func:`conjunction_records`), TCA with milliseconds."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(EVENT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: isoformat(v, timespec="milliseconds") if k == "tca" else v for k, v in row.items()}
        )
    return buf.getvalue()


def write_conjunctions(events: Iterable[Any], path: str | Path) -> int:
    """Write the events to ``path`` (``.csv`` or ``.json``, by suffix); the number written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EVENT_SUFFIXES:
        raise OptionError("--output suffix", path.suffix, list(EVENT_SUFFIXES))
    rows = conjunction_records(events)
    if suffix == ".json":
        text = json_text(rows) + "\n"
    else:
        text = events_csv(rows)
    path.write_text(text, encoding="utf-8")
    return len(rows)
