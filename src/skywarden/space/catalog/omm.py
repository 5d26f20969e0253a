"""CCSDS Orbit Mean-elements Messages (OMM, CCSDS 502.0-B-2/-3) in XML, JSON, CSV and KVN.

Keywords (CCSDS 502.0-B-2 §4, the ones the GP catalogs use)::

    metadata     OBJECT_NAME OBJECT_ID CENTER_NAME REF_FRAME TIME_SYSTEM MEAN_ELEMENT_THEORY
    meanElements EPOCH MEAN_MOTION [rev/day] ECCENTRICITY INCLINATION RA_OF_ASC_NODE
                 ARG_OF_PERICENTER MEAN_ANOMALY [deg]
    tleParameters EPHEMERIS_TYPE CLASSIFICATION_TYPE NORAD_CAT_ID ELEMENT_SET_NO REV_AT_EPOCH
                 BSTAR [1/ER] MEAN_MOTION_DOT [rev/day²] MEAN_MOTION_DDOT [rev/day³]

* JSON: a list of flat records (CelesTrak: numbers; Space-Track: every value a string plus extra
  fields such as ``TLE_LINE1``, which are ignored), or one record.
* CSV: CelesTrak's header row of the same keywords.
* XML: ``<ndm>`` holding ``<omm>`` elements, or one ``<omm>``;
  ``<omm><header/><body><segment><metadata/><data><meanElements/><tleParameters/>``.
* KVN: ``KEY = value [unit]`` lines, ``COMMENT`` lines, one message per ``CCSDS_OMM_VERS``.

CelesTrak's CSV/JSON omit CENTER_NAME, REF_FRAME, TIME_SYSTEM and MEAN_ELEMENT_THEORY; they
default to EARTH, TEME, UTC, SGP4. A message that names another frame, time system or theory is
rejected. NORAD_CAT_ID is required (CCSDS marks it optional, but only "required if
MEAN_ELEMENT_THEORY=SGP/SGP4", and a catalog is keyed by it); it may have up to nine digits (CCSDS); writing above 339,999 to a TLE fails.
Numbers are written with ``repr`` (shortest text that reads back to the same float), epochs
with microseconds, so every encoding round-trips an :class:`Elements` exactly.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape

from ...errors import OMMError, OptionError
from .elements import Elements
from .issues import RecordIssue

__all__ = [
    "OMM_FIELDS",
    "elements_to_omm",
    "omm_to_elements",
    "parse_omm_epoch",
    "read_omm_text",
    "to_omm_csv",
    "to_omm_json",
    "to_omm_kvn",
    "to_omm_xml",
]

OMM_FORMATS = ("omm-xml", "omm-json", "omm-csv", "omm-kvn")

OMM_FIELDS = (
    "OBJECT_NAME",
    "OBJECT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE",
    "NORAD_CAT_ID",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
"""CelesTrak's column order (CSV header, JSON keys)."""

_METADATA = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM", "MEAN_ELEMENT_THEORY")
_MEAN = (
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
)
_TLE_PARAMS = (
    "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE",
    "NORAD_CAT_ID",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
_REQUIRED = (
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "NORAD_CAT_ID",
)
_SECTIONS = (("metadata", _METADATA), ("meanElements", _MEAN), ("tleParameters", _TLE_PARAMS))
"""NDM/XML section → its keywords, in the order every writer puts them."""
_ALLOWED = {
    "CENTER_NAME": ("EARTH",),
    "REF_FRAME": ("TEME",),
    "TIME_SYSTEM": ("UTC",),
    "MEAN_ELEMENT_THEORY": ("SGP4", "SGP/SGP4"),
}
_WRITTEN_METADATA = {key: allowed[0] for key, allowed in _ALLOWED.items()}
"""What every written OMM declares, the first accepted value of each: EARTH, TEME, UTC, SGP4."""
_FLOAT_FIELDS = {
    "MEAN_MOTION": ("mean_motion_rev_day", "mean motion, rev/day (e.g. 15.49331404)"),
    "ECCENTRICITY": ("eccentricity", "eccentricity 0 ≤ e < 1 (e.g. 0.0001009)"),
    "INCLINATION": ("inclination_deg", "inclination, degrees (e.g. 53.1597)"),
    "RA_OF_ASC_NODE": ("raan_deg", "right ascension of the ascending node, degrees"),
    "ARG_OF_PERICENTER": ("arg_perigee_deg", "argument of pericenter, degrees"),
    "MEAN_ANOMALY": ("mean_anomaly_deg", "mean anomaly, degrees"),
    "BSTAR": ("bstar_per_er", "B*, 1/earth radii (e.g. 0.00057128)"),
    "MEAN_MOTION_DOT": ("mean_motion_dot", "ṅ/2, rev/day² (e.g. 0.00031477)"),
    "MEAN_MOTION_DDOT": ("mean_motion_ddot", "n̈/6, rev/day³ (e.g. 0)"),
}
_INT_FIELDS = {
    "EPHEMERIS_TYPE": ("ephemeris_type", 0),
    "ELEMENT_SET_NO": ("element_set_no", 999),
    "REV_AT_EPOCH": ("rev_at_epoch", 0),
}
_EPOCH_RE = re.compile(
    r"\s*(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(?:Z|[+-]00:?00)?\s*"
)
_EPOCH_EXAMPLE = "ISO 8601 UTC such as 2026-09-20T13:39:33.839424 (or day-of-year 2026-263T13:39:33.839424)"
_UNIT_RE = re.compile(r"\s*\[[^\]]*\]\s*$")
_INT_RE = re.compile(r"\s*[+-]?\d+\s*")


def parse_omm_epoch(text: str) -> datetime:
    """OMM EPOCH (ISO 8601 calendar or day-of-year form, UTC) → aware UTC datetime.

    Digits beyond microseconds are rounded half up. Raises ``ValueError`` when not understood.
    """
    match = _EPOCH_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"not an OMM epoch: {text!r}")
    year, month, day, doy, hh, mm, ss, frac = match.groups()
    digits = (frac or "0")[:7].ljust(7, "0")
    micro = (int(digits) + 5) // 10
    base = (
        datetime(int(year), int(month), int(day), tzinfo=UTC)
        if doy is None
        else datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(doy) - 1)
    )
    if doy is not None and base.year != int(year):
        raise ValueError(f"day of year out of range: {text!r}")
    if int(hh) > 23 or int(mm) > 59 or int(ss) > 60:
        raise ValueError(f"time of day out of range: {text!r}")
    return base + timedelta(hours=int(hh), minutes=int(mm), seconds=int(ss), microseconds=micro)


def _format_epoch(epoch: datetime) -> str:
    moment = epoch.astimezone(UTC) if epoch.tzinfo else epoch.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def omm_to_elements(
    record: Mapping[str, Any],
    *,
    path: str | None = None,
    line: int | None = None,
    lines: Mapping[str, int] | None = None,
) -> Elements:
    """One OMM record (keyword → value, numbers or strings) → :class:`Elements`.

    Raises :class:`OMMError` naming the keyword (and its line when ``lines`` maps keywords to
    line numbers) with the expected form.
    """
    where = lines or {}

    def fail(key: str, message: str, expected: str, got: Any) -> OMMError:
        return OMMError(
            message,
            path=path,
            line=where.get(key, line),
            field=key,
            expected=expected,
            got=None if got is None else str(got),
        )

    def text(key: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    for key in _REQUIRED:
        if text(key) is None:
            raise fail(key, "required keyword missing or empty", f"{key} = <value>", record.get(key))
    for key, allowed in _ALLOWED.items():
        value = text(key)
        if value is not None and value.upper() not in allowed:
            raise fail(key, f"unsupported {key}", " or ".join(allowed), value)
    values: dict[str, Any] = {}
    for key, (name, what) in _FLOAT_FIELDS.items():
        raw = record.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[name] = 0.0
            continue
        try:
            number = float(raw) if not isinstance(raw, str) else float(_UNIT_RE.sub("", raw))
        except (TypeError, ValueError):
            raise fail(key, "not a number", what, raw) from None
        if isinstance(raw, bool) or not math.isfinite(number):
            raise fail(key, "not a finite number", what, raw)
        values[name] = number
    for key, (name, default) in _INT_FIELDS.items():
        raw = record.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[name] = default
            continue
        values[name] = _integer(raw, fail, key, f"{key.lower()}, an integer")
    norad = _integer(record.get("NORAD_CAT_ID"), fail, "NORAD_CAT_ID", "catalog number, 0 … 999999999")
    if not 0 <= norad <= 999_999_999:
        raise fail("NORAD_CAT_ID", "catalog number out of range", "0 … 999999999 (up to nine digits)", norad)
    epoch_text = text("EPOCH") or ""
    try:
        epoch = parse_omm_epoch(epoch_text)
    except ValueError:
        raise fail("EPOCH", "epoch not understood", _EPOCH_EXAMPLE, epoch_text) from None
    if not 0.0 <= values["eccentricity"] < 1.0:
        raise fail("ECCENTRICITY", "eccentricity out of range", "0 ≤ e < 1", record.get("ECCENTRICITY"))
    if not values["mean_motion_rev_day"] > 0.0:
        raise fail("MEAN_MOTION", "mean motion must be positive", "rev/day > 0", record.get("MEAN_MOTION"))
    source = f"{path or '<omm>'}:{line or 1}"
    return Elements(
        norad_id=norad,
        epoch=epoch,
        name=text("OBJECT_NAME") or "",
        object_id=text("OBJECT_ID") or "",
        classification=text("CLASSIFICATION_TYPE") or "U",
        source=source,
        **values,
    )


def _integer(raw: Any, fail: Any, key: str, what: str) -> int:
    if isinstance(raw, bool):
        raise fail(key, "not an integer", what, raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INT_RE.fullmatch(_UNIT_RE.sub("", raw)):
        return int(_UNIT_RE.sub("", raw))
    raise fail(key, "not an integer", what, raw)


def elements_to_omm(elements: Elements) -> dict[str, Any]:
    """:class:`Elements` → CelesTrak-style OMM record (numbers as numbers, epoch as text)."""
    return {
        "OBJECT_NAME": elements.name,
        "OBJECT_ID": elements.object_id,
        "EPOCH": _format_epoch(elements.epoch),
        "MEAN_MOTION": elements.mean_motion_rev_day,
        "ECCENTRICITY": elements.eccentricity,
        "INCLINATION": elements.inclination_deg,
        "RA_OF_ASC_NODE": elements.raan_deg,
        "ARG_OF_PERICENTER": elements.arg_perigee_deg,
        "MEAN_ANOMALY": elements.mean_anomaly_deg,
        "EPHEMERIS_TYPE": elements.ephemeris_type,
        "CLASSIFICATION_TYPE": elements.classification,
        "NORAD_CAT_ID": elements.norad_id,
        "ELEMENT_SET_NO": elements.element_set_no,
        "REV_AT_EPOCH": elements.rev_at_epoch,
        "BSTAR": elements.bstar_per_er,
        "MEAN_MOTION_DOT": elements.mean_motion_dot,
        "MEAN_MOTION_DDOT": elements.mean_motion_ddot,
    }


def _text_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


# --------------------------------------------------------------------------------------- writers
def _omm_sections(elements: Elements) -> dict[str, list[tuple[str, str]]]:
    """One object's OMM as (keyword, text) pairs per NDM/XML section, in CCSDS order.

    Sections ``metadata``, ``meanElements``, ``tleParameters``; the metadata declares
    :data:`_WRITTEN_METADATA`. Values carry no units (angles in degrees, mean motion in rev/day,
    BSTAR in 1/earth radii); numbers are written with ``repr``, the epoch with microseconds.
    """
    record = {**elements_to_omm(elements), **_WRITTEN_METADATA}
    return {section: [(key, _text_value(record[key])) for key in keys] for section, keys in _SECTIONS}


def to_omm_json(elements: Iterable[Elements], *, indent: int | None = None) -> str:
    """CelesTrak-style JSON array of OMM records."""
    return json.dumps([elements_to_omm(e) for e in elements], indent=indent, allow_nan=False)


def to_omm_csv(elements: Iterable[Elements]) -> str:
    """CelesTrak-style CSV: header row of the :data:`OMM_FIELDS`, one row per object."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OMM_FIELDS)
    for item in elements:
        record = elements_to_omm(item)
        writer.writerow([_text_value(record[key]) for key in OMM_FIELDS])
    return buffer.getvalue()


def to_omm_kvn(elements: Iterable[Elements], *, originator: str = "skywarden") -> str:
    """KVN: one OMM per object, each starting with ``CCSDS_OMM_VERS = 2.0``."""
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    blocks = []
    for item in elements:
        rows = [("CCSDS_OMM_VERS", "2.0"), ("CREATION_DATE", created), ("ORIGINATOR", originator)]
        rows += [pair for pairs in _omm_sections(item).values() for pair in pairs]
        blocks.append("\n".join(f"{key:<20}= {value}".rstrip() for key, value in rows))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def to_omm_xml(elements: Iterable[Elements], *, originator: str = "skywarden") -> str:
    """CCSDS NDM/XML: an ``<ndm>`` with one ``<omm id="CCSDS_OMM_VERS" version="2.0">`` per object."""
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml_unqualified/'
        'ndmxml-2.0.0-master-2.0.xsd">',
    ]

    def tags(pairs: Sequence[tuple[str, str]], pad: str) -> list[str]:
        return [f"{pad}<{key}>{escape(text)}</{key}>" for key, text in pairs]

    for item in elements:
        sections = _omm_sections(item)
        out += [
            '  <omm id="CCSDS_OMM_VERS" version="2.0">',
            "    <header>",
            f"      <CREATION_DATE>{created}</CREATION_DATE>",
            f"      <ORIGINATOR>{escape(originator)}</ORIGINATOR>",
            "    </header>",
            "    <body>",
            "      <segment>",
            "        <metadata>",
            *tags(sections["metadata"], " " * 10),
            "        </metadata>",
            "        <data>",
            "          <meanElements>",
            *tags(sections["meanElements"], " " * 12),
            "          </meanElements>",
            "          <tleParameters>",
            *tags(sections["tleParameters"], " " * 12),
            "          </tleParameters>",
            "        </data>",
            "      </segment>",
            "    </body>",
            "  </omm>",
        ]
    out.append("</ndm>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------- readers
_Record = tuple[dict[str, Any], int, dict[str, int]]  # keyword → value, record line, keyword → line


def _line_text(text: str, line: int) -> str:
    """The 1-based ``line`` of ``text`` (lines split at ``\\n``, as JSON and expat count), ≤ 80 chars."""
    lines = text.split("\n")
    return lines[line - 1].rstrip("\r")[:80] if 0 < line <= len(lines) else ""


def _json_records(text: str, path: str) -> list[_Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OMMError(
            f"not valid JSON: {exc.msg}",
            path=path,
            line=exc.lineno,
            field="json",
            expected='a JSON array of OMM records, e.g. [{"NORAD_CAT_ID": 25544, "EPOCH": ...}]',
            got=_line_text(text, exc.lineno),
        ) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise OMMError(
            "JSON top level is neither a list of records nor one record",
            path=path,
            line=1,
            field="json",
            expected="[{...}, {...}]",
            got=type(data).__name__,
        )
    # JSON gives no line per record; count records from 1 in ``line`` (documented in the issue text).
    return [
        (item if isinstance(item, dict) else {"__bad__": item}, index + 1, {})
        for index, item in enumerate(data)
    ]


def _csv_records(text: str, path: str) -> list[_Record]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().upper() for h in next(reader)]
    except StopIteration:
        return []
    except csv.Error as exc:
        raise OMMError(
            f"CSV header unreadable: {exc}",
            path=path,
            line=1,
            field="header",
            expected=",".join(OMM_FIELDS),
            got=text[:80],
        ) from None
    if "NORAD_CAT_ID" not in header or "EPOCH" not in header:
        raise OMMError(
            "CSV header lacks the OMM keywords",
            path=path,
            line=1,
            field="header",
            expected=",".join(OMM_FIELDS),
            got=",".join(header),
        )
    records: list[_Record] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise OMMError(
                f"CSV row unreadable: {exc}",
                path=path,
                line=reader.line_num,
                field="row",
                expected=",".join(OMM_FIELDS),
                got="",
            ) from None
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            records.append(
                ({"__bad__": f"{len(row)} columns, header has {len(header)}"}, reader.line_num, {})
            )
            continue
        records.append((dict(zip(header, row, strict=True)), reader.line_num, {}))
    return records


def _kvn_records(text: str, path: str) -> list[_Record]:
    records: list[_Record] = []
    current: dict[str, Any] = {}
    lines_of: dict[str, int] = {}
    start = 0
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().upper()
        if not sep or not re.fullmatch(r"[A-Z0-9_]+", key):
            raise OMMError(
                "not a KVN line",
                path=path,
                line=number,
                field="kvn",
                expected="KEYWORD = value (e.g. MEAN_MOTION = 15.49331404)",
                got=raw,
            )
        if key == "CCSDS_OMM_VERS" or (key in current and key != "COMMENT"):
            if current:
                records.append((current, start, lines_of))
            current, lines_of, start = {}, {}, number
        if not current:
            start = number
        current[key] = value.strip()  # units ("[deg]") are removed from numeric keywords only
        lines_of[key] = number
    if current:
        records.append((current, start, lines_of))
    return records


def _xml_records(text: str, path: str) -> list[_Record]:
    parser = expat.ParserCreate()
    records: list[_Record] = []
    stack: list[str] = []
    state: dict[str, Any] = {"record": None, "lines": None, "start": 0, "text": []}

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = local(tag)
        stack.append(name)
        if name == "omm":
            state.update(record={}, lines={}, start=parser.CurrentLineNumber)
        state["text"] = []

    def end(tag: str) -> None:
        name = stack.pop() if stack else local(tag)
        record = state["record"]
        if name == "omm" and record is not None:
            records.append((record, state["start"], state["lines"]))
            state["record"] = None
        elif record is not None and name.isupper() and name != "COMMENT" and name != "USER_DEFINED":
            record[name] = "".join(state["text"]).strip()
            state["lines"][name] = parser.CurrentLineNumber
        state["text"] = []

    def data(chunk: str) -> None:
        state["text"].append(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text.encode("utf-8", "replace"), True)
    except (LookupError, ValueError) as exc:  # unknown encoding declared; bad characters
        raise OMMError(
            f"XML cannot be decoded: {exc}",
            path=path,
            line=1,
            field="xml",
            expected='<?xml version="1.0" encoding="UTF-8"?> then CCSDS NDM/XML',
            got=_line_text(text, 1),
        ) from None
    except expat.ExpatError as exc:
        raise OMMError(
            f"not well-formed XML: {expat.errors.messages[exc.code]}",
            path=path,
            line=exc.lineno,
            field="xml",
            expected="CCSDS NDM/XML: <ndm><omm><header/><body><segment>...</omm></ndm>",
            got=_line_text(text, exc.lineno),
        ) from None
    return records


_READERS = {
    "omm-json": _json_records,
    "omm-csv": _csv_records,
    "omm-kvn": _kvn_records,
    "omm-xml": _xml_records,
}


def read_omm_text(
    text: str, format: str, *, path: str = "<string>", strict: bool = False
) -> tuple[list[Elements], list[RecordIssue]]:
    """All OMM records in ``text`` (``format``: omm-xml, omm-json, omm-csv or omm-kvn).

    A file that is not valid XML/JSON/CSV/KVN raises :class:`OMMError` (line and expected
    form); one bad record is skipped and listed as a ``bad`` issue (raised when ``strict``).
    For JSON, whose records have no line numbers, ``line`` is the 1-based record index.
    """
    if format not in _READERS:
        raise OptionError("format", format, OMM_FORMATS)
    out: list[Elements] = []
    issues: list[RecordIssue] = []
    for record, line, lines in _READERS[format](text, path):
        try:
            if "__bad__" in record:
                raise OMMError(
                    "record is not a set of OMM keywords",
                    path=path,
                    line=line,
                    field="record",
                    expected="KEYWORD: value pairs (" + ", ".join(_REQUIRED) + ")",
                    got=str(record["__bad__"]),
                )
            out.append(omm_to_elements(record, path=path, line=line, lines=lines))
        except OMMError as exc:
            if strict:
                raise
            norad = str(record.get("NORAD_CAT_ID", "")).strip()
            issues.append(
                RecordIssue(
                    "bad",
                    path,
                    exc.line,
                    f"field {exc.field!r}: {exc.reason}",
                    int(norad) if norad.isdigit() and norad.isascii() else None,
                )
            )
    return out, issues
