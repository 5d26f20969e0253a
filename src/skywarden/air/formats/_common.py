"""Shared helpers of the report readers: units, time-of-day handling, row error collection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import OptionError, ReportFormatError, TimeFormatError
from ...timeutil import parse_time
from ..table import RejectedRow, Reports

__all__ = [
    "ALT_UNITS_M",
    "LON_SIGNS",
    "SPEED_UNITS_M_S",
    "RowSink",
    "apply_lon_sign",
    "day_start",
    "epoch_to_datetime64",
    "iso_to_datetime64",
    "parse_date",
    "parse_time_of_day_s",
    "require_date",
    "times_from_day_seconds",
    "unit_factor",
]

ALT_UNITS_M = {"m": 1.0, "ft": 0.3048, "km": 1000.0}
"""Length units accepted for altitudes and accuracies, as metres per unit."""
SPEED_UNITS_M_S = {"m_s": 1.0, "mph": 0.44704, "kt": 1852.0 / 3600.0, "km_h": 1.0 / 3.6, "ft_min": 0.00508}
"""Speed units accepted, as m/s per unit (mph and knot are exact by definition)."""
LON_SIGNS = ("auto", "as-is", "west", "east")

_TOD = re.compile(r"^(\d{1,2}):?(\d{2}):?(\d{2}(?:\.\d+)?)$")


def unit_factor(kind: str, unit: str) -> float:
    """Metres (or m/s) per ``unit``; a bad unit raises :class:`OptionError` listing the choices."""
    table = ALT_UNITS_M if kind == "length" else SPEED_UNITS_M_S
    try:
        return table[unit]
    except KeyError:
        raise OptionError(f"{kind} unit", unit, table) from None


def parse_date(value: Any) -> date:
    """A UTC calendar date from ``"2023-04-22"``, a date or a datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        try:
            return parse_time(value).date()
        except TimeFormatError:
            raise TimeFormatError(f"date {value!r} is not a date; example: 2023-04-22") from None


def require_date(path: Path, day: Any, what: str) -> date:
    """The ``--date`` value, or a clear error naming the file when it is missing."""
    if day is None:
        raise ReportFormatError(
            f"the times in this file are {what} without a date; give the flight's UTC date "
            "with --date YYYY-MM-DD (Python: date='2023-04-22')",
            path=path,
            field="time",
        )
    return parse_date(day)


def parse_time_of_day_s(text: str) -> float:
    """Seconds after midnight from ``HH:MM:SS``, ``HHMMSS`` or ``HMMSS`` (fractions allowed)."""
    s = text.strip()
    if s.isdigit() and len(s) < 6:
        s = s.zfill(6)
    m = _TOD.match(s)
    if not m:
        raise ValueError(f"expected a time of day HH:MM:SS or HHMMSS, got {text!r}")
    h, mi, sec = int(m.group(1)), int(m.group(2)), float(m.group(3))
    if h > 23 or mi > 59 or sec >= 61:
        raise ValueError(f"time of day out of range: {text!r}")
    return h * 3600.0 + mi * 60.0 + sec


def times_from_day_seconds(day: date, seconds: np.ndarray) -> np.ndarray:
    """datetime64[ns] for time-of-day seconds on ``day``; a backwards jump of more than 12 h
    (a flight past midnight UTC) moves later rows to the next day."""
    secs = np.asarray(seconds, dtype=np.float64)
    if len(secs) > 1:
        wraps = np.concatenate([[0], np.cumsum(np.diff(secs) < -43_200.0)])
        secs = secs + 86_400.0 * wraps
    base = np.datetime64(datetime(day.year, day.month, day.day), "ns")
    return base + np.round(secs * 1e9).astype("timedelta64[ns]")


def apply_lon_sign(lon_deg: np.ndarray, lon_sign: str) -> np.ndarray:
    """``"west"`` negates positive longitudes, ``"east"`` makes them positive; else unchanged."""
    if lon_sign not in LON_SIGNS:
        raise OptionError("lon_sign", lon_sign, LON_SIGNS)
    if lon_sign == "west":
        return -np.abs(lon_deg)
    if lon_sign == "east":
        return np.abs(lon_deg)
    return lon_deg


@dataclass
class RowSink:
    """Collects good rows as Python lists and bad rows as :class:`RejectedRow`."""

    path: Path
    source: str = ""
    rows: dict[str, list[Any]] = field(default_factory=dict)
    rejected: list[RejectedRow] = field(default_factory=list)

    def add(self, **values: Any) -> None:
        for key, value in values.items():
            self.rows.setdefault(key, []).append(value)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(RejectedRow(self.path.name, line, reason))

    def __len__(self) -> int:
        return len(self.rows.get("line", []))

    def column(self, name: str, default: Any = np.nan) -> Any:
        return self.rows.get(name, default) if name in self.rows else default

    def build(self, time: Any, **kw: Any) -> Reports:
        if len(self) == 0:
            out = Reports.empty()
            out.rejected = list(self.rejected)
            return out
        return Reports.from_columns(
            time,
            self.rows["lat"],
            self.rows["lon"],
            self.rows["alt"],
            line=self.rows["line"],
            rejected=self.rejected,
            **kw,
        )


_ISO_LOOSE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d+)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def iso_to_datetime64(text: str) -> np.datetime64:
    """One ISO 8601-like time as UTC datetime64[ns], read as real exports write it.

    Accepted beyond strict ISO 8601: a space (or several) instead of ``T``; unpadded month, day,
    hour, minute or second (``2022-04-10 1:45:47``, as in an aprs.fi export); a zone ``Z``,
    ``UTC``/``GMT``, ``+02``, ``+0200`` or ``+02:00`` (local offsets are converted to UTC);
    zone-less means UTC. Anything else goes to :func:`skywarden.timeutil.parse_time`, whose
    error shows an accepted example."""
    m = _ISO_LOOSE.match(text.strip())
    if m is None:
        t = parse_time(text)
        return np.datetime64(t.replace(tzinfo=None), "ns")
    y, mo, d, h, mi, sec, frac, zone = m.groups()
    out = np.datetime64(f"{y}-{int(mo):02d}-{int(d):02d}", "ns")
    if int(mo) > 12 or int(d) > 31 or int(h or 0) > 24 or int(mi or 0) > 59 or int(sec or 0) > 60:
        raise TimeFormatError(f"time {text!r} has a field out of range; example: 2023-04-22T14:35:35Z")
    ns = (int(h or 0) * 3600 + int(mi or 0) * 60 + int(sec or 0)) * 1_000_000_000
    if frac:
        ns += round(float(frac) * 1e9)
    if zone and zone.upper() not in ("Z", "UTC", "GMT"):
        digits = zone[1:].replace(":", "")
        offset_min = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        ns -= (1 if zone[0] == "+" else -1) * offset_min * 60_000_000_000
    return out + np.timedelta64(ns, "ns")


def epoch_to_datetime64(value: float) -> np.datetime64:
    """Unix seconds to datetime64[ns]."""
    return np.datetime64(round(float(value) * 1e9), "ns")


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
