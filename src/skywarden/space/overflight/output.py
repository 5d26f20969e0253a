"""Writers for access and quiet windows: CSV, JSON, iCalendar, CZML and GeoJSON by file suffix.

JSON rows are :meth:`AccessWindow.to_dict` / :meth:`QuietWindow.to_dict` (the ``--json``
contract); CSV has the :data:`WINDOW_CSV_FIELDS` columns (``assumed_fields`` joined with ``;``,
None as an empty cell); iCalendar one event per window (:mod:`skywarden.export.ical`); GeoJSON and
CZML draw the sites and each window's sub-satellite track
(:func:`~skywarden.space.overflight.ground_tracks`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import OptionError
from ...export.jsonable import json_text, to_jsonable
from ...timeutil import isoformat

__all__ = [
    "QUIET_CSV_FIELDS",
    "QUIET_SUFFIXES",
    "WINDOW_CSV_FIELDS",
    "WINDOW_SUFFIXES",
    "windows_csv",
    "write_access_windows",
    "write_quiet_windows",
]

WINDOW_SUFFIXES = (".csv", ".json", ".ics", ".czml", ".geojson")
QUIET_SUFFIXES = (".csv", ".json", ".ics")
WINDOW_CSV_FIELDS = (
    "norad_id", "name", "site", "kind", "start", "best", "end", "duration_s", "max_elevation_deg",
    "min_off_nadir_deg", "slant_range_km", "gsd_m", "sun_elevation_deg", "can_image", "criterion",
    "limit_deg", "system", "country", "operator", "assumed", "assumed_fields", "clipped_start",
    "clipped_end",
)  # fmt: skip
QUIET_CSV_FIELDS = ("site", "start", "end", "duration_s")


def windows_csv(rows: list[dict[str, Any]], fields: Sequence[str]) -> str:
    """CSV text of window records with the given columns (extra keys ignored)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = to_jsonable(row)
        if isinstance(flat.get("assumed_fields"), list):
            flat["assumed_fields"] = ";".join(flat["assumed_fields"])
        writer.writerow({k: "" if flat.get(k) is None else flat.get(k) for k in fields})
    return buf.getvalue()


def _suffix(path: Path, allowed: Sequence[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise OptionError("-o suffix", suffix or path.name, allowed)
    return suffix


def _write_records(
    path: Path, suffix: str, items: Sequence[Any], fields: Sequence[str], calendar: str | None = None
) -> None:
    """The formats both window kinds share: CSV (``fields``), JSON and iCalendar (``calendar`` name)."""
    if suffix == ".ics":
        from ...export import ical

        ical.write(path, items, **({} if calendar is None else {"name": calendar}))
        return
    rows = [w.to_dict() for w in items]
    path.write_text(windows_csv(rows, fields) if suffix == ".csv" else json_text(rows), encoding="utf-8")


def write_access_windows(
    path: str | Path, windows: Sequence[Any], catalog: Any, sites: Sequence[Any], start: Any, end: Any
) -> Path:
    """Write access windows to ``path``: ``.csv``, ``.json``, ``.ics``, ``.czml`` or ``.geojson``.

    ``catalog`` (for the ground tracks of the map formats), ``sites`` and ``start``/``end`` are
    those of the request (:class:`~skywarden.space.overflight.query.OverflightSearch`).
    """
    path = Path(path)
    suffix = _suffix(path, WINDOW_SUFFIXES)
    if suffix in (".csv", ".json", ".ics"):
        _write_records(path, suffix, windows, WINDOW_CSV_FIELDS)
    else:
        from .access import ground_tracks

        tracks = ground_tracks(windows, catalog)
        if suffix == ".geojson":
            from ...export import geojson

            feats = [
                geojson.feature(s.geojson_geometry(), {"site": s.name, "radius_m": s.radius_m}) for s in sites
            ]
            for w, (t, lat, lon, alt) in zip(windows, tracks, strict=True):
                props = w.to_dict()
                props["times"] = [isoformat(x) for x in t.astype("datetime64[us]").tolist()]
                feats.append(geojson.feature(geojson.line_string(lon, lat, alt), props))
            geojson.write(path, geojson.feature_collection(feats, start=start, end=end))
        else:
            from ...export import czml

            packets = [czml.document("skywarden overflight", start, end)]
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
    return path


def write_quiet_windows(path: str | Path, quiet: Sequence[Any]) -> Path:
    """Write quiet windows to ``path``: ``.csv`` (site, start, end, duration_s), ``.json`` or ``.ics``."""
    path = Path(path)
    _write_records(path, _suffix(path, QUIET_SUFFIXES), quiet, QUIET_CSV_FIELDS, "skywarden quiet windows")
    return path
