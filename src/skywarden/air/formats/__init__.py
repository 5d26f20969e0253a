"""Report file readers, one per format, behind :func:`read_file` (which sniffs the format).

=============  ===========================================================================
format         file
=============  ===========================================================================
``plain``      CSV with header ``time,lat,lon,alt_m`` (ISO 8601 UTC), optional ``id``
``csv``        any CSV with a column/unit :class:`~.csvfiles.CsvMapping` (``mapping=``)
``eoss``       EOSS APRS tracker log (feet, mph, ``HH:MM:SS`` → ``date=`` needed)
``nbp3``       NOEXC NBP multi-receiver log (two header rows, ``HHMMSS``, unsigned west lon)
``sondehub``   SondeHub-style telemetry JSON
``geojson``    GeoJSON points / lines with times
``aprs``       raw APRS packets, one per line (aprslib)
``adsb``       ``time,hex`` ADS-B / Mode S messages (pyModeS)
``aprsfi``     aprs.fi CSV export ``time,lasttime,lat,lng,…,altitude,comment`` (no ids)
=============  ===========================================================================
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...errors import NotFoundError, OptionError, ReportFormatError
from ..table import Reports
from .csvfiles import APRSFI_MAPPING, EOSS_MAPPING, PLAIN_MAPPING, CsvMapping, read_csv_mapped, read_nbp3
from .jsonfiles import read_geojson, read_sondehub
from .messages import read_adsb, read_aprs

__all__ = ["FORMATS", "CsvMapping", "read_file", "sniff_format"]

FORMATS = ("plain", "csv", "eoss", "nbp3", "sondehub", "geojson", "aprs", "adsb", "aprsfi")
"""Valid values of ``format=`` / ``--format``."""


def sniff_format(path: Path, text: str) -> str:
    """Guess the format from the first lines; a clear error when nothing fits."""
    head = text.lstrip("\ufeff").lstrip()[:4000]
    lines = [ln for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    first = lines[0] if lines else ""
    norm = first.lower().replace(" ", "").replace("_", "")
    if head.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature"):
            return "geojson"
        if data is not None:
            return "sondehub"
    if "combinedlog" in norm or first.lower().startswith("combined log"):
        return "nbp3"
    if "gpsaltitude" in norm and "speed(mph)" in norm:
        return "eoss"
    cells = [c.strip().lower() for c in first.split(",")]
    if {"time", "lat", "lon", "alt_m"} <= set(cells):
        return "plain"
    if {"time", "lat", "lng", "altitude"} <= set(cells):
        return "aprsfi"
    if ">" in first and ":" in first.split(">", 1)[1]:
        return "aprs"
    parts = [p for p in first.replace(",", " ").split() if p]
    if len(parts) == 2 and len(parts[1]) in (14, 28) and all(c in "0123456789abcdefABCDEF" for c in parts[1]):
        return "adsb"
    raise ReportFormatError(
        "could not recognise the file format; pass --format",
        path=path,
        line=1,
        expected=f"one of {', '.join(FORMATS)} (a plain CSV starts with the header time,lat,lon,alt_m)",
        got=first,
    )


def read_file(
    path: Path, *, format: str | None = None, date: Any = None, lon_sign: str = "auto", mapping: Any = None
) -> Reports:
    """Read one file (see :func:`skywarden.air.reports.read_reports`)."""
    if not path.is_file():
        raise NotFoundError(f"report file {str(path)!r} does not exist")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ReportFormatError("binary data, not a text report file", path=path, line=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if not text.strip():
        raise ReportFormatError("the file is empty", path=path, line=1, expected="report rows")
    fmt = format if format is not None else ("csv" if mapping is not None else sniff_format(path, text))
    if fmt not in FORMATS:
        raise OptionError("format", fmt, FORMATS)
    if fmt == "plain":
        return read_csv_mapped(path, text, PLAIN_MAPPING, lon_sign=lon_sign)
    if fmt == "aprsfi":
        return read_csv_mapped(path, text, APRSFI_MAPPING, lon_sign=lon_sign)
    if fmt == "eoss":
        return read_csv_mapped(path, text, EOSS_MAPPING, date=date, lon_sign=lon_sign)
    if fmt == "csv":
        if mapping is None:
            raise ReportFormatError(
                "format 'csv' needs a column mapping",
                path=path,
                expected="--columns time=Time,lat=Lat,lon=Lon,alt=Alt [--units alt=ft] or --config map.toml",
            )
        return read_csv_mapped(path, text, CsvMapping.load(mapping), date=date, lon_sign=lon_sign)
    if fmt == "nbp3":
        return read_nbp3(path, text, date=date, lon_sign=lon_sign)
    if fmt == "sondehub":
        return read_sondehub(path, text)
    if fmt == "geojson":
        return read_geojson(path, text)
    if fmt == "aprs":
        return read_aprs(path, text, date=date)
    return read_adsb(path, text)
