"""CSV report readers: the plain ``time,lat,lon,alt_m`` file, any CSV through a column/unit
mapping, the EOSS APRS tracker logs (a mapping preset) and the NOEXC NBP3 multi-receiver log.

EOSS logs (Edge of Space Sciences, KC0D trackers): altitudes in **feet**,
``Time`` a bare ``HH:MM:SS`` (UTC clock, no date → ``date=`` required); the speed column,
labelled mph, holds knots (see :data:`EOSS_MAPPING`), header spelling varies
between flights (``Baro_altitude`` vs ``Baro altitude``) and some files start with a UTF-8 BOM;
headers are matched after dropping the BOM, case, spaces and underscores. ``GPS altitude`` is
read as the geometric altitude; ``Horiz_accuracy``/``Vertical_accuracy`` (u-blox hAcc/vAcc,
metres) become ``h_acc_m``/``v_acc_m``; speed and heading become an East/North velocity.

NBP3 (NOEXC): two header rows, then three side-by-side blocks (``Combined Log``, one per
receiver) of ``Callsign,Latitude,Longitude,Altitude,UTC Time,Voltage (Raw),CRC16``; metres;
``HHMMSS`` times without a date; longitudes written unsigned although the flight was in Ohio
(west). Every block is read (the source column names the block), so one packet heard by
several receivers appears several times: the tracker (or :meth:`Reports.deduplicate`) drops
the copies. CRC fields mangled into floats by a spreadsheet (``4E+052``) are ignored.
"""

from __future__ import annotations

import csv
import json
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DataQualityWarning, OptionError, ReportFormatError, ValidationError
from ..table import Reports
from ._common import (
    ALT_UNITS_M,
    SPEED_UNITS_M_S,
    RowSink,
    apply_lon_sign,
    epoch_to_datetime64,
    iso_to_datetime64,
    require_date,
    times_from_day_seconds,
    unit_factor,
)

__all__ = ["APRSFI_MAPPING", "EOSS_MAPPING", "PLAIN_MAPPING", "CsvMapping", "read_csv_mapped", "read_nbp3"]

MAPPED_FIELDS = ("time", "lat", "lon", "alt", "id", "speed", "heading", "vz", "h_acc", "v_acc")
TIME_KINDS = ("iso", "time_of_day", "epoch")


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lstrip("\ufeff").lower() if ch.isalnum())


@dataclass(frozen=True)
class CsvMapping:
    """How to read a CSV: which header holds each field, and in which unit.

    ``columns`` maps fields (``time, lat, lon, alt`` required; ``id, speed, heading, vz,
    h_acc, v_acc`` optional) to header names (matched ignoring case, spaces, underscores and a
    BOM). ``units`` maps ``alt``/``h_acc``/``v_acc`` to a length unit (``m, ft, km``) and
    ``speed``/``vz`` to a speed unit (``m_s, mph, kt, km_h, ft_min``). ``time`` is ``"iso"``
    (ISO 8601, zone-less = UTC), ``"time_of_day"`` (needs a date) or ``"epoch"`` (Unix s).
    ``single_object``: the file is one object's log (a tracker's own record); without an id
    column its rows get the file name (stem) as id instead of going through association.
    """

    columns: Mapping[str, str]
    units: Mapping[str, str] = field(default_factory=dict)
    time: str = "iso"
    alt_datum: str = "unknown"
    name: str = "csv"
    single_object: bool = False

    def __post_init__(self) -> None:
        for key in self.columns:
            if key not in MAPPED_FIELDS:
                raise OptionError("column field", key, MAPPED_FIELDS)
        missing = [k for k in ("time", "lat", "lon", "alt") if k not in self.columns]
        if missing:
            raise ValidationError(
                f"CSV mapping lacks the column(s) {missing}; example: "
                "--columns time=Time,lat=Latitude,lon=Longitude,alt=GPS_altitude"
            )
        for key, unit in self.units.items():
            unit_factor("speed" if key in ("speed", "vz") else "length", unit)
        if self.time not in TIME_KINDS:
            raise OptionError("time kind", self.time, TIME_KINDS)
        if self.alt_datum not in ("gps", "pressure", "unknown"):
            raise OptionError("alt_datum", self.alt_datum, ("gps", "pressure", "unknown"))

    @classmethod
    def load(cls, value: Any) -> CsvMapping:
        """From a CsvMapping, a dict, a ``k=v,k=v`` string or a TOML/JSON file path."""
        if isinstance(value, CsvMapping):
            return value
        if isinstance(value, str | Path) and Path(value).suffix.lower() in (".toml", ".json"):
            path = Path(value)
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                import tomllib

                data = tomllib.loads(text)
            return cls.load(data)
        if isinstance(value, str):
            return cls(columns=parse_pairs(value, "--columns"))
        if isinstance(value, Mapping):
            known = {f.name for f in fields(cls)}
            bad = [k for k in value if k not in known]
            if bad:
                raise OptionError("mapping key", bad[0], sorted(known))
            return cls(**dict(value))
        raise ValidationError(f"cannot build a CSV mapping from {type(value).__name__}")


def parse_pairs(text: str, flag: str) -> dict[str, str]:
    """``"a=b,c=d"`` → ``{"a": "b", "c": "d"}`` (a clear error otherwise)."""
    out: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise ValidationError(f"{flag} expects field=value pairs separated by commas; got {item!r}")
        out[key.strip()] = val.strip()
    return out


PLAIN_MAPPING = CsvMapping(
    columns={"time": "time", "lat": "lat", "lon": "lon", "alt": "alt_m", "id": "id"},
    units={"alt": "m"},
    name="plain",
)
"""The no-flags format: header ``time,lat,lon,alt_m`` (ISO 8601 UTC), optional ``id``."""

EOSS_MAPPING = CsvMapping(
    columns={
        "time": "Time", "lat": "Latitude", "lon": "Longitude", "alt": "GPS altitude",
        "speed": "Speed (MPH)", "heading": "Heading", "h_acc": "Horiz_accuracy",
        "v_acc": "Vertical_accuracy",
    },
    units={"alt": "ft", "speed": "kt", "h_acc": "m", "v_acc": "m"},
    time="time_of_day",
    alt_datum="gps",
    name="eoss",
    single_object=True,
)  # fmt: skip
"""EOSS APRS tracker logs (feet, time of day). The column says ``Speed (MPH)`` but the values are
**knots** (the NMEA/APRS unit): on EOSS-340 and EOSS-323 the ground speed from differentiated
positions is 1.145 and 1.140 times the column read as mph, against 1.151 = kt/mph (and the
filter never sees this column); see ``tests/air/test_flights.py``."""


APRSFI_MAPPING = CsvMapping(
    columns={"time": "time", "lat": "lat", "lon": "lng", "alt": "altitude"},
    units={"alt": "m"},
    alt_datum="gps",
    name="aprsfi",
)
"""aprs.fi CSV exports (``time,lasttime,lat,lng,speed,course,altitude,comment``; times UTC
``YYYY-MM-DD HH:MM:SS``, sometimes unpadded; metres). The export drops the callsign, so rows
carry no id and go through association. ``speed`` (km/h) is not read: on the EarthSHAB files it
disagrees with the positions (see ``../shared/data/flights/earthshab/README.md``)."""


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _rows(text: str) -> Iterator[list[str]]:
    """CSV rows, one per physical line (so row i is line i); a line the csv module cannot
    split (NUL bytes, stray quotes) becomes a single-field row, rejected by the caller."""
    body = text.lstrip("\ufeff")
    for line in _NEWLINE.split(body[:-1] if body.endswith("\n") else body):
        try:
            yield next(csv.reader([line]), [])
        except csv.Error:
            yield [line]


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def read_csv_mapped(
    path: Path, text: str, mapping: CsvMapping, *, date: Any = None, lon_sign: str = "auto"
) -> Reports:
    """Read a CSV through ``mapping``; bad rows become ``Reports.rejected`` entries."""
    reader = _rows(text)
    header = next(reader, None)
    if not header:
        raise ReportFormatError("the file is empty", path=path, line=1, expected="a CSV header row")
    index = {_norm(h): i for i, h in enumerate(header)}
    cols: dict[str, int] = {}
    for key, name in mapping.columns.items():
        if _norm(name) in index:
            cols[key] = index[_norm(name)]
        elif key in ("time", "lat", "lon", "alt"):
            raise ReportFormatError(
                f"no column {name!r} for {key!r}",
                path=path,
                line=1,
                field=key,
                expected=f"a header with {', '.join(mapping.columns.values())}",
                got=",".join(header),
            )
    day = require_date(path, date, "times of day") if mapping.time == "time_of_day" else None
    k_alt = ALT_UNITS_M[mapping.units.get("alt", "m")]
    k_h = ALT_UNITS_M[mapping.units.get("h_acc", "m")]
    k_v = ALT_UNITS_M[mapping.units.get("v_acc", "m")]
    k_spd = SPEED_UNITS_M_S[mapping.units.get("speed", "m_s")]
    k_vz = SPEED_UNITS_M_S[mapping.units.get("vz", "m_s")]
    sink = RowSink(path)
    times: list[Any] = []
    width = max(cols.values()) + 1
    default_id = path.stem if mapping.single_object else ""
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < width:
            sink.reject(lineno, f"{len(row)} fields, expected at least {width}")
            continue
        key = "time"
        try:
            raw_t = row[cols["time"]].strip()
            if mapping.time == "time_of_day":
                from ._common import parse_time_of_day_s

                t: Any = parse_time_of_day_s(raw_t)
            elif mapping.time == "epoch":
                t = epoch_to_datetime64(_float(raw_t))
            else:
                t = iso_to_datetime64(raw_t)
            key = "lat"
            lat = _float(row[cols["lat"]])
            key = "lon"
            lon = _float(row[cols["lon"]])
            if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 360.0):
                raise ValueError(f"latitude/longitude out of range ({lat}, {lon})")
            key = "alt"
            alt = _float(row[cols["alt"]]) * k_alt
            vel = [math.nan, math.nan, math.nan]
            if "speed" in cols and "heading" in cols:
                key = "speed"
                spd = _float(row[cols["speed"]]) * k_spd
                hdg = math.radians(_float(row[cols["heading"]]))
                vel[0], vel[1] = spd * math.sin(hdg), spd * math.cos(hdg)
            if "vz" in cols:
                key = "vz"
                vel[2] = _float(row[cols["vz"]]) * k_vz
            h_acc = _optional(row, cols.get("h_acc")) * k_h
            v_acc = _optional(row, cols.get("v_acc")) * k_v
        except Exception as exc:  # one bad row never stops the file
            sink.reject(lineno, f"field {key!r}: {exc}")
            continue
        times.append(t)
        sink.add(
            lat=lat, lon=lon, alt=alt, vel=vel, h_acc=h_acc, v_acc=v_acc, line=lineno,
            id=row[cols["id"]].strip() if "id" in cols else default_id,
        )  # fmt: skip
    if day is not None:
        time = times_from_day_seconds(day, np.array(times, dtype=np.float64))
    else:
        time = np.array(times, dtype="datetime64[ns]")
    if len(sink) == 0:
        return sink.build(time)
    lon_arr = apply_lon_sign(np.array(sink.rows["lon"]), lon_sign)
    sink.rows["lon"] = list(lon_arr)
    return sink.build(
        time,
        object_id=np.array(sink.rows["id"], dtype=object),
        alt_datum=mapping.alt_datum,
        vel_enu_m_s=np.array(sink.rows["vel"], dtype=np.float64),
        h_acc_m=sink.rows["h_acc"],
        v_acc_m=sink.rows["v_acc"],
        source=f"{path.name} ({mapping.name})",
    )


def _optional(row: list[str], index: int | None) -> float:
    if index is None or index >= len(row) or not row[index].strip():
        return math.nan
    return _float(row[index])


NBP3_BLOCK = ("callsign", "latitude", "longitude", "altitude", "utctime", "voltageraw", "crc16")


def read_nbp3(path: Path, text: str, *, date: Any = None, lon_sign: str = "auto") -> Reports:
    """Read a NOEXC NBP-style multi-receiver log (all blocks; see the module docstring)."""
    rows = list(_rows(text))
    if len(rows) < 2:
        raise ReportFormatError("expected two header rows", path=path, line=1, got=str(rows[:1]))
    titles, header = rows[0], [_norm(h) for h in rows[1]]
    starts = [i for i in range(len(header)) if header[i : i + 7] == list(NBP3_BLOCK)]
    if not starts:
        raise ReportFormatError(
            "no receiver block found",
            path=path,
            line=2,
            expected="Callsign,Latitude,Longitude,Altitude,UTC Time,Voltage (Raw),CRC16",
            got=",".join(rows[1]),
        )
    day = require_date(path, date, "HHMMSS")
    from ._common import parse_time_of_day_s

    sink = RowSink(path)
    seconds: list[float] = []
    for lineno, row in enumerate(rows[2:], start=3):
        for start in starts:
            cells = row[start : start + 7]
            if len(cells) < 5 or not any(c.strip() for c in cells):
                continue
            try:
                sec = parse_time_of_day_s(cells[4])
                lat, lon, alt = _float(cells[1]), _float(cells[2]), _float(cells[3])
                if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                    raise ValueError(f"latitude/longitude out of range ({lat}, {lon})")
            except Exception as exc:
                sink.reject(lineno, f"block {titles[start] if start < len(titles) else start}: {exc}")
                continue
            seconds.append(sec)
            block = (
                titles[start].strip() if start < len(titles) and titles[start].strip() else f"block@{start}"
            )
            sink.add(
                lat=lat, lon=lon, alt=alt, id=cells[0].strip(), src=f"{path.name} [{block}]", line=lineno
            )
    lon_arr = np.array(sink.rows.get("lon", []), dtype=np.float64)
    if lon_sign == "auto":
        if len(lon_arr) and np.all(lon_arr >= 0):
            warnings.warn(
                f"{path}: NBP3 logs write west longitudes without a sign; all {len(lon_arr)} "
                "longitudes were made negative (west). Pass lon_sign='as-is' (--lon-sign as-is) "
                "to keep them.",
                DataQualityWarning,
                stacklevel=4,
            )
            lon_arr = -lon_arr
    else:
        lon_arr = apply_lon_sign(lon_arr, lon_sign)
    sink.rows["lon"] = list(lon_arr)
    # Times are ordered per block, not across blocks: roll over midnight per block.
    time = _per_block_times(day, np.array(seconds), np.array(sink.rows.get("src", []), dtype=object))
    return sink.build(
        time,
        object_id=np.array(sink.rows.get("id", []), dtype=object),
        alt_datum="gps",
        source=np.array(sink.rows.get("src", []), dtype=object),
    )


def _per_block_times(day: Any, seconds: np.ndarray, src: np.ndarray) -> np.ndarray:
    out = np.empty(len(seconds), dtype="datetime64[ns]")
    for name in dict.fromkeys(src.tolist()):
        m = src == name
        out[m] = times_from_day_seconds(day, seconds[m])
    return out
