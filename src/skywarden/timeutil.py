"""Times in skywarden: UTC inside, ISO 8601 outside.

Accepted inputs for one time: an aware or naive ``datetime`` (naive means UTC), a
``numpy.datetime64`` (UTC), an ISO 8601 string (``2026-03-19T12:00:00Z``, ``2026-03-19 12:00``,
``2026-03-19``; an offset such as ``+02:00`` is converted to UTC), ``now``, or a Julian date given
as a float ``>= 1e6`` (JD, UTC scale). Durations: ``90s``, ``15m``/``15min``, ``24h``, ``2d``,
``1w``, combinations like ``1h30m``, ISO 8601 ``PT24H``/``P2DT3H``, or a number of seconds.

Arrays of times are ``numpy.datetime64[ns]`` without a zone, always meaning UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from .errors import TimeFormatError

__all__ = [
    "JD_UNIX_EPOCH",
    "datetime64_to_jd",
    "format_duration",
    "isoformat",
    "jd_to_datetime64",
    "parse_duration",
    "parse_time",
    "time_grid",
    "to_datetime64",
    "utc_now",
]

JD_UNIX_EPOCH = 2440587.5
"""Julian date of 1970-01-01T00:00:00 UTC."""

_EXAMPLE = "e.g. 2026-03-19T12:00:00Z, 2026-03-19 12:00, 2026-03-19, now, or JD 2461118.0"
_DURATION_EXAMPLE = "e.g. 90s, 15m, 24h, 2d, 1h30m, PT24H, or a number of seconds"


def utc_now() -> datetime:
    """The current time, UTC, aware."""
    return datetime.now(UTC)


def parse_time(value: Any) -> datetime:
    """Parse one time to an aware UTC ``datetime`` (microsecond resolution).

    >>> parse_time("2026-03-19T12:00:00+02:00").isoformat()
    '2026-03-19T10:00:00+00:00'
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise TimeFormatError(f"not a time: NaT; {_EXAMPLE}")
        us = value.astype("datetime64[us]").astype(np.int64)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))
    if isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool):
        jd = float(value)
        if not np.isfinite(jd) or jd < 1e6:
            raise TimeFormatError(f"number {value!r} is not a Julian date (expected >= 1e6); {_EXAMPLE}")
        seconds = (jd - JD_UNIX_EPOCH) * 86400.0
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=round(seconds, 6))
    if not isinstance(value, str):
        raise TimeFormatError(f"cannot read a time from {type(value).__name__} {value!r}; {_EXAMPLE}")
    text = value.strip()
    if text.lower() == "now":
        return utc_now()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        return parse_time(number)
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise TimeFormatError(f"time {value!r} is not ISO 8601; {_EXAMPLE}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_UNIT_SECONDS = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "w": 604800.0, "week": 604800.0, "weeks": 604800.0,
}  # fmt: skip
_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)")


def parse_duration(value: Any) -> timedelta:
    """Parse a duration to a ``timedelta``; a bare number means seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, np.timedelta64):
        return timedelta(microseconds=int(value.astype("timedelta64[us]").astype(np.int64)))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not np.isfinite(value):
            raise TimeFormatError(f"duration {value!r} is not finite; {_DURATION_EXAMPLE}")
        return timedelta(seconds=float(value))
    if not isinstance(value, str):
        raise TimeFormatError(f"cannot read a duration from {value!r}; {_DURATION_EXAMPLE}")
    text = value.strip()
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        pass
    iso = _ISO_DURATION.match(text)
    if iso and text.upper() not in ("P", "PT"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        return timedelta(
            weeks=parts.get("w", 0.0), days=parts.get("d", 0.0), hours=parts.get("h", 0.0),
            minutes=parts.get("m", 0.0), seconds=parts.get("s", 0.0),
        )  # fmt: skip
    compact = text.replace(" ", "")
    matches = list(_PART.finditer(compact))
    if matches and "".join(m.group(0) for m in matches) == compact:
        total = 0.0
        for m in matches:
            unit = m.group(2).lower()
            if unit not in _UNIT_SECONDS:
                break
            total += float(m.group(1)) * _UNIT_SECONDS[unit]
        else:
            return timedelta(seconds=total)
    raise TimeFormatError(f"duration {value!r} is not understood; {_DURATION_EXAMPLE}")


def format_duration(delta: timedelta | float) -> str:
    """Compact human form: ``1d 02h 03m 04s`` (seconds rounded)."""
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    sign = "-" if seconds < 0 else ""
    s = round(abs(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    if d:
        return f"{sign}{d}d {h:02d}h {m:02d}m {s:02d}s"
    if h:
        return f"{sign}{h}h {m:02d}m {s:02d}s"
    if m:
        return f"{sign}{m}m {s:02d}s"
    return f"{sign}{s}s"


def isoformat(value: Any, *, timespec: str = "seconds") -> str:
    """ISO 8601 UTC with a ``Z``: ``2026-03-19T12:00:00Z`` (``timespec`` as in datetime)."""
    t = parse_time(value)
    return t.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def to_datetime64(value: Any) -> np.ndarray:
    """One time or a sequence of times to ``datetime64[ns]`` (UTC, zone-less)."""
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.datetime64):
        return value.astype("datetime64[ns]")
    if isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim > 0):
        if len(value) and all(isinstance(v, str) and v.endswith("Z") for v in value):
            try:  # fast path: ISO 8601 UTC strings, as skywarden writes them
                return np.array([v[:-1] for v in value], dtype="datetime64[ns]")
            except ValueError:
                pass
        return np.array([to_datetime64(v) for v in value], dtype="datetime64[ns]")
    t = parse_time(value)
    return np.asarray(np.datetime64(t.replace(tzinfo=None), "ns"))


def time_grid(start: Any, duration: Any, step: Any) -> np.ndarray:
    """Times ``start, start+step, …`` covering the half-open window ``[start, start+duration)``.

    Returns ``datetime64[ns]`` (UTC).
    """
    t0 = to_datetime64(start)
    total = parse_duration(duration)
    dt = parse_duration(step)
    if dt.total_seconds() <= 0:
        raise TimeFormatError(f"step {step!r} must be positive; {_DURATION_EXAMPLE}")
    if total.total_seconds() < 0:
        raise TimeFormatError(f"duration {duration!r} must not be negative; {_DURATION_EXAMPLE}")
    step_ns = np.timedelta64(round(dt.total_seconds() * 1e9), "ns")
    n = int(np.ceil(total.total_seconds() / dt.total_seconds() - 1e-9))
    return t0 + np.arange(max(n, 1)) * step_ns


def datetime64_to_jd(times: Any) -> tuple[np.ndarray, np.ndarray]:
    """Split ``datetime64`` times into a Julian date pair ``(jd, fr)``, UTC scale.

    ``jd`` is the midnight-based whole part (…``.5``), ``fr`` the day fraction, so that
    ``jd + fr`` loses no precision (python-sgp4 convention).
    """
    t = np.asarray(to_datetime64(times) if not isinstance(times, np.ndarray) else times)
    ns = t.astype("datetime64[ns]").astype(np.int64)
    day_ns = 86_400_000_000_000
    days, rem = np.divmod(ns, day_ns)
    jd = days.astype(np.float64) + JD_UNIX_EPOCH
    fr = rem.astype(np.float64) / day_ns
    return jd, fr


def jd_to_datetime64(jd: Any, fr: Any = 0.0) -> np.ndarray:
    """Julian date (UTC scale), optionally split as ``jd + fr``, to ``datetime64[ns]``."""
    jd_a = np.asarray(jd, dtype=np.float64)
    fr_a = np.asarray(fr, dtype=np.float64)
    whole = np.floor(jd_a - JD_UNIX_EPOCH)
    frac = (jd_a - JD_UNIX_EPOCH - whole) + fr_a
    ns = whole.astype(np.int64) * 86_400_000_000_000 + np.round(frac * 86_400e9).astype(np.int64)
    return ns.astype("datetime64[ns]")
