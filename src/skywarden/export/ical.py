"""iCalendar (RFC 5545) export: one ``VEVENT`` per window, times in UTC.

Works for anything with ``start`` and ``end`` (aware UTC datetimes) — access windows, quiet
windows — with a summary and description built by the caller or the defaults here.
``UID`` is stable: it is derived from the window's identity (object, site, start rounded to the
second), so re-exporting the same pass replaces the calendar entry instead of duplicating it.
``DTSTAMP`` is the export time unless given (pass one for byte-identical output).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event

__all__ = ["calendar", "window_uid", "write"]

_PRODID = "-//skywarden//overflight watch//EN"


def window_uid(window: Any) -> str:
    """Stable ``UID`` for a window: hash of (norad_id, site, start to the second)."""
    start = window.start.astimezone(UTC).replace(microsecond=0)
    key = f"{getattr(window, 'norad_id', 'quiet')}|{getattr(window, 'site', '')}|{start.isoformat()}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:24] + "@skywarden"


def _summary(window: Any) -> str:
    if hasattr(window, "norad_id"):
        gsd = getattr(window, "gsd_m", float("nan"))
        res = f", {gsd:.2f} m" if gsd == gsd else ""
        flag = "" if getattr(window, "can_image", True) else " (no sun)"
        return f"{window.name or window.norad_id} over {window.site}: {window.kind}{res}{flag}"
    return f"Quiet window at {window.site}"


def _description(window: Any) -> str:
    if not hasattr(window, "norad_id"):
        return f"No threat window at {window.site} for {window.duration_s / 60:.1f} min."
    lines = [
        f"NORAD {window.norad_id} {window.name} ({window.system or 'no table row'})",
        f"best geometry {window.best.astimezone(UTC).isoformat().replace('+00:00', 'Z')}",
        f"max elevation {window.max_elevation_deg:.2f} deg, min off-nadir {window.min_off_nadir_deg:.2f} deg",
        f"slant range {window.slant_range_km:.1f} km, GSD "
        + (f"{window.gsd_m:.2f} m" if window.gsd_m == window.gsd_m else "unknown"),
        f"sun elevation {window.sun_elevation_deg:.1f} deg, can image: {window.can_image}",
    ]
    if getattr(window, "confidence", ""):
        lines.append(f"sensor data confidence: {window.confidence}")
    if window.assumed:
        lines.append(f"assumed: {', '.join(window.assumed_fields)}")
    if window.clipped_start or window.clipped_end:
        lines.append(f"clipped: start={window.clipped_start} end={window.clipped_end}")
    return "\n".join(lines)


def calendar(
    windows: Iterable[Any],
    *,
    name: str = "skywarden overflight windows",
    dtstamp: datetime | None = None,
    summary: Callable[[Any], str] = _summary,
    description: Callable[[Any], str] = _description,
) -> bytes:
    """The iCalendar text (bytes, CRLF lines) with one ``VEVENT`` per window."""
    cal = Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = (dtstamp or datetime.now(UTC)).astimezone(UTC)
    for w in windows:
        ev = Event()
        ev.add("uid", window_uid(w))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", w.start.astimezone(UTC))
        ev.add("dtend", w.end.astimezone(UTC))
        ev.add("summary", summary(w))
        ev.add("description", description(w))
        if getattr(w, "site", None):
            ev.add("location", w.site)
        cal.add_component(ev)
    return cal.to_ical()


def write(path: str | Path, windows: Iterable[Any], **kwargs: Any) -> Path:
    """Write :func:`calendar` to ``path``; returns the path."""
    p = Path(path)
    p.write_bytes(calendar(windows, **kwargs))
    return p
