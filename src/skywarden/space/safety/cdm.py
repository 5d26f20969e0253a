"""CCSDS Conjunction Data Messages (CCSDS 508.0-B-1): read and write KVN and XML, losslessly.

A :class:`CDM` keeps every keyword, value text, unit and COMMENT in file order, in four sections
(header, relative metadata/data, object 1, object 2), so ``read → write → read`` gives an equal
message in either format and KVN ↔ XML conversion loses nothing (values are kept as the exact
text; units as written). Typed accessors convert on demand: :attr:`CDM.tca` (aware UTC),
:meth:`CDM.state_m` (position m, velocity m/s in ``REF_FRAME``), :meth:`CDM.covariance_rtn`
(6×6 in m, m/s, RTN of that object), :attr:`CDM.hbr_m`, :attr:`CDM.collision_probability`.

KVN rules (508.0-B-1 §6): one ``KEYWORD = value [unit]`` per line, ``COMMENT text`` lines,
blank lines ignored, ``OBJECT = OBJECT1`` / ``OBJECT2`` open the two object sections. Keys are
upper-cased and inner spaces become underscores (the blue book's own sample has
``TRACKS USED``). XML (§7, NDM/XML 505.0-B): ``<cdm version="1.0">`` with ``header`` and
``body`` → ``relativeMetadataData`` (+ ``relativeStateVector``) and two ``segment`` elements of
``metadata`` and ``data`` (``odParameters``, ``additionalParameters``, ``stateVector``,
``covarianceMatrix``); units go in a ``units`` attribute.

Hard-body radius: CDM 1.0 has no HBR keyword. :attr:`CDM.hbr_m` looks, in order, for an ``HBR``
keyword (CDM 2.0), a ``COMMENT HBR = 15 [m]`` line (NASA CARA's convention), and the two objects'
``AREA_PC`` (radius of the circle of equal area, summed); None when none is present, and callers
then use :data:`DEFAULT_HBR_M`.

For thousands of messages at once (recomputing Pc over an archive) use
:func:`skywarden.space.safety.cdm_table.read_cdm_table` / :func:`~skywarden.space.safety.cdm_table.pc_from_cdms`:
the same values, read straight into columns about ten times faster.
"""

from __future__ import annotations

import importlib
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import InputError, OptionError, ParseError

__all__ = [
    "CDM",
    "DEFAULT_HBR_M",
    "CDMEntry",
    "cdm_from_conjunction",
    "cdm_from_states",
    "read_cdm",
    "write_cdm",
    "write_conjunction_cdms",
]

DEFAULT_HBR_M = 20.0
"""Combined hard-body radius used when neither ``--hbr-m`` nor the CDM gives one, metres.

A deliberately generous value: the HBRs in NASA CARA's published sample CDMs are 4–20 m."""

HEADER_KEYS = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_FOR", "MESSAGE_ID")
RELATIVE_STATE_KEYS = tuple(f"RELATIVE_{k}_{a}" for k in ("POSITION", "VELOCITY") for a in "RTN")
METADATA_KEYS = (
    "OBJECT", "OBJECT_DESIGNATOR", "CATALOG_NAME", "OBJECT_NAME", "INTERNATIONAL_DESIGNATOR",
    "OBJECT_TYPE", "OPERATOR_CONTACT_POSITION", "OPERATOR_ORGANIZATION", "OPERATOR_PHONE",
    "OPERATOR_EMAIL", "EPHEMERIS_NAME", "COVARIANCE_METHOD", "MANEUVERABLE", "ORBIT_CENTER",
    "REF_FRAME", "GRAVITY_MODEL", "ATMOSPHERIC_MODEL", "N_BODY_PERTURBATIONS", "SOLAR_RAD_PRESSURE",
    "EARTH_TIDES", "INTRACK_THRUST",
)  # fmt: skip
OD_KEYS = (
    "TIME_LASTOB_START", "TIME_LASTOB_END", "RECOMMENDED_OD_SPAN", "ACTUAL_OD_SPAN", "OBS_AVAILABLE",
    "OBS_USED", "TRACKS_AVAILABLE", "TRACKS_USED", "RESIDUALS_ACCEPTED", "WEIGHTED_RMS",
)  # fmt: skip
STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_COV_AXES = ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
COVARIANCE_KEYS = tuple(f"C{_COV_AXES[i]}_{_COV_AXES[j]}" for i in range(9) for j in range(i + 1))
COV_6X6_INDEX = tuple(
    (k, _COV_AXES.index(k[1:].split("_")[0]), _COV_AXES.index(k[1:].split("_")[1]))
    for k in COVARIANCE_KEYS[:21]
)
_DATA_GROUPS = {
    **{k: "odParameters" for k in OD_KEYS},
    **{k: "stateVector" for k in STATE_KEYS},
    **{k: "covarianceMatrix" for k in COVARIANCE_KEYS},
}
_KEY_OK = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ \t]*").fullmatch
_KVN_TEMPLATE = "KEYWORD = value [unit]   or   COMMENT text"
HBR_COMMENT_RE = re.compile(r"^HBR\s*=\s*([-+0-9.eE]+)\s*(?:\[\s*(\w+)\s*\])?")
UNIT_SCALE = {"m": 1.0, "km": 1e3, "m/s": 1.0, "km/s": 1e3, "m**2": 1.0, "km**2": 1e6, "m**2/s": 1.0,
          "km**2/s": 1e6, "m**2/s**2": 1.0, "km**2/s**2": 1e6}  # fmt: skip


@dataclass(slots=True)
class CDMEntry:
    """One keyword line: ``key`` (``COMMENT`` for comments), exact ``value`` text, ``unit`` or None."""

    key: str
    value: str
    unit: str | None = None
    line: int = field(default=0, compare=False)


@dataclass
class CDM:
    """A Conjunction Data Message as ordered keyword entries (see the module docstring)."""

    header: list[CDMEntry]
    relative: list[CDMEntry]
    objects: tuple[list[CDMEntry], list[CDMEntry]]
    source: str = field(default="", compare=False)
    _index: dict[int, tuple[int, dict[str, CDMEntry]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # --- generic access ---------------------------------------------------------------------
    def _section(self, where: str | int) -> list[CDMEntry]:
        if where == "header":
            return self.header
        if where == "relative":
            return self.relative
        if where in (1, 2):
            return self.objects[int(where) - 1]
        raise OptionError("section", where, ["header", "relative", 1, 2])

    def entry(self, key: str, where: str | int = "relative") -> CDMEntry | None:
        """First entry ``key`` in section ``where`` (``"header"``, ``"relative"``, 1 or 2)."""
        section = self._section(where)
        index = self._index.get(id(section))
        if index is None or index[0] != len(section):  # built once; rebuilt if entries were added
            first: dict[str, CDMEntry] = {}
            for e in section:
                first.setdefault(e.key, e)
            index = self._index[id(section)] = (len(section), first)
        return index[1].get(key)

    def get(self, key: str, where: str | int = "relative") -> str | None:
        """Value text of ``key`` in section ``where``, or None."""
        e = self.entry(key, where)
        return e.value if e is not None else None

    def number(self, key: str, where: str | int = "relative", *, si: bool = True) -> float | None:
        """``key`` as a float (converted to m, m/s, m², … when ``si`` and the unit is known), or None."""
        e = self.entry(key, where)
        if e is None:
            return None
        text = e.value.replace("\u2212", "-")
        try:
            value = float(text)
        except ValueError:
            raise ParseError(
                "not a number", path=self.source or None, line=e.line or None, field=key,
                expected="a decimal number such as 1.25E+03", got=e.value,
            ) from None  # fmt: skip
        if si and e.unit is not None:
            value *= UNIT_SCALE.get(e.unit.strip().lower(), 1.0)
        return value

    # --- typed accessors --------------------------------------------------------------------
    @property
    def tca(self) -> datetime:
        """Time of closest approach, aware UTC."""
        e = self.entry("TCA")
        if e is None:
            raise ParseError("the CDM has no TCA", path=self.source or None, field="TCA",
                             expected="TCA = 2010-03-13T22:37:52.618")  # fmt: skip
        return _parse_epoch(e, self.source)

    @property
    def miss_distance_m(self) -> float | None:
        """Stated miss distance, m."""
        return self.number("MISS_DISTANCE")

    @property
    def relative_speed_m_s(self) -> float | None:
        """Stated relative speed, m/s (optional in CDM 1.0)."""
        return self.number("RELATIVE_SPEED")

    @property
    def collision_probability(self) -> float | None:
        """Stated Pc, or None."""
        return self.number("COLLISION_PROBABILITY", si=False)

    @property
    def collision_probability_method(self) -> str | None:
        """Stated Pc method (e.g. ``FOSTER-1992``), or None."""
        return self.get("COLLISION_PROBABILITY_METHOD")

    def object_designator(self, which: int) -> str:
        """OBJECT_DESIGNATOR of object 1 or 2 (catalog number text)."""
        return self.get("OBJECT_DESIGNATOR", which) or ""

    def object_name(self, which: int) -> str:
        """OBJECT_NAME of object 1 or 2."""
        return self.get("OBJECT_NAME", which) or ""

    def state_m(self, which: int) -> tuple[np.ndarray, np.ndarray]:
        """Position (m) and velocity (m/s) of object 1 or 2 at TCA, in the object's ``REF_FRAME``."""
        values = []
        for key in STATE_KEYS:
            v = self.number(key, which)
            if v is None:
                raise ParseError(f"object {which} has no state vector", path=self.source or None,
                                 field=key, expected=f"{key} = 2570.097065 [km]")  # fmt: skip
            if self.entry(key, which).unit is None:  # type: ignore[union-attr]
                v *= 1e3  # the CDM's mandatory units are km and km/s
            values.append(v)
        return np.array(values[:3]), np.array(values[3:])

    def covariance_rtn(self, which: int) -> np.ndarray | None:
        """6×6 position/velocity covariance of object 1 or 2 in its RTN frame (m², m²/s, m²/s²)."""
        cov = np.zeros((6, 6))
        for key, row, col in COV_6X6_INDEX:
            value = self.number(key, which)
            if value is None:
                return None
            cov[row, col] = cov[col, row] = value
        return cov

    @property
    def hbr_m(self) -> float | None:
        """Combined hard-body radius, m, from an HBR keyword, an ``HBR =`` comment or AREA_PC."""
        for where in ("relative", 1, 2):
            if self.entry("HBR", where) is not None:
                return self.number("HBR", where)
        for where in ("header", "relative", 1, 2):
            for e in self._section(where):
                m = HBR_COMMENT_RE.match(e.value) if e.key == "COMMENT" else None
                if m:
                    try:
                        value = float(m.group(1))
                    except ValueError:  # the pattern admits "." or "1e": not a number after all
                        raise ParseError(
                            "not a number in the HBR comment", path=self.source or None,
                            line=e.line or None, field="HBR",
                            expected="COMMENT HBR = 15 [m] (a decimal number, unit m or km)",
                            got=f"COMMENT {e.value}",
                        ) from None  # fmt: skip
                    return value * (1e3 if (m.group(2) or "m").lower() == "km" else 1.0)
        areas = [a for a in (self.number("AREA_PC", w) for w in (1, 2)) if a is not None]
        if len(areas) == 2 and all(math.isfinite(a) and a > 0 for a in areas):
            return sum(math.sqrt(a / math.pi) for a in areas)
        return None

    # --- formats ----------------------------------------------------------------------------
    def to_kvn(self) -> str:
        """KVN text (one keyword per line, aligned)."""
        lines = []
        for entries in (self.header, self.relative, *self.objects):
            for e in entries:
                if e.key == "COMMENT":
                    lines.append(f"COMMENT {e.value}".rstrip())
                else:
                    unit = f" [{e.unit}]" if e.unit is not None else ""
                    lines.append(f"{e.key:<36} = {e.value}{unit}")
        return "\n".join(lines) + "\n"

    def to_xml(self) -> str:
        """NDM/XML text (``<cdm>`` root, unqualified elements)."""
        version = next((e.value for e in self.header if e.key == "CCSDS_CDM_VERS"), "1.0")
        root = ET.Element("cdm", {"id": "CCSDS_CDM_VERS", "version": version})
        header = ET.SubElement(root, "header")
        for e in self.header:
            if e.key != "CCSDS_CDM_VERS":
                _leaf(header, e)
        body = ET.SubElement(root, "body")
        rel = ET.SubElement(body, "relativeMetadataData")
        _grouped(rel, self.relative, lambda k: "relativeStateVector" if k in RELATIVE_STATE_KEYS else None)
        for obj in self.objects:
            seg = ET.SubElement(body, "segment")
            meta = ET.SubElement(seg, "metadata")
            split = _first_data_index(obj)
            _grouped(meta, obj[:split], lambda k: None)
            data = ET.SubElement(seg, "data")
            _grouped(data, obj[split:], lambda k: _DATA_GROUPS.get(k, "additionalParameters"))
        ET.indent(root, space="  ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    @classmethod
    def from_kvn(cls, text: str, source: str = "") -> CDM:
        """Parse KVN text; ``source`` names the file in error messages."""
        entries: list[CDMEntry] = []
        append = entries.append
        for no, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("COMMENT"):
                if len(line) > 7 and not line[7].isspace():
                    raise ParseError("malformed COMMENT line", path=source or None, line=no,
                                     expected=_KVN_TEMPLATE, got=raw)  # fmt: skip
                append(CDMEntry("COMMENT", line[7:].strip(), None, no))
                continue
            key, eq, rest = line.partition("=")
            key = key.strip()
            if not eq or not key or not _KEY_OK(key):
                raise ParseError(
                    "not a KVN line", path=source or None, line=no, expected=_KVN_TEMPLATE, got=raw
                )
            if " " in key or "\t" in key:
                key = "_".join(key.split())
            rest = rest.strip()
            unit = None
            if rest.endswith("]") and (cut := rest.rfind("[")) >= 0:
                unit = rest[cut + 1 : -1].strip()
                rest = rest[:cut].rstrip()
            append(CDMEntry(key.upper(), rest, unit, no))
        return cls._from_entries(entries, source)

    @classmethod
    def from_xml(cls, text: str, source: str = "") -> CDM:
        """Parse NDM/XML text; ``source`` names the file in error messages."""
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            line = exc.position[0] if exc.position else None
            raise ParseError(f"not well-formed XML ({exc})", path=source or None, line=line,
                             expected='<cdm version="1.0"> … </cdm>') from None  # fmt: skip
        if _local(root.tag) != "cdm":
            raise ParseError("the XML root is not <cdm>", path=source or None, field="cdm",
                             expected='<cdm version="1.0">', got=f"<{_local(root.tag)}>")  # fmt: skip
        entries = [CDMEntry("CCSDS_CDM_VERS", root.get("version", "").strip())]
        for child in root:
            _flatten(child, entries)
        return cls._from_entries(entries, source)

    @classmethod
    def _from_entries(cls, entries: list[CDMEntry], source: str) -> CDM:
        if not entries or entries[0].key != "CCSDS_CDM_VERS":
            first = entries[0] if entries else None
            raise ParseError(
                "a CDM must start with CCSDS_CDM_VERS", path=source or None,
                line=first.line if first and first.line else None, field="CCSDS_CDM_VERS",
                expected="CCSDS_CDM_VERS = 1.0", got=f"{first.key} = {first.value}" if first else "",
            )  # fmt: skip
        sections: list[list[CDMEntry]] = [[], []]  # header, relative, then objects appended
        pending: list[CDMEntry] = []
        current = 0
        for e in entries:
            if e.key == "COMMENT":
                pending.append(e)
                continue
            if e.key == "OBJECT":
                sections.append([])
                current = len(sections) - 1
            elif current == 0 and e.key not in HEADER_KEYS:
                current = 1
            sections[current].extend(pending)
            pending = []
            sections[current].append(e)
        sections[current].extend(pending)
        objects = sections[2:]
        if len(objects) != 2:
            raise ParseError(f"a CDM has exactly two OBJECT sections; found {len(objects)}",
                             path=source or None, field="OBJECT",
                             expected="OBJECT = OBJECT1 … OBJECT = OBJECT2")  # fmt: skip
        cdm = cls(sections[0], sections[1], (objects[0], objects[1]), source)
        if cdm.entry("TCA") is None:
            raise ParseError("the CDM has no TCA", path=source or None, field="TCA",
                             expected="TCA = 2010-03-13T22:37:52.618")  # fmt: skip
        return cdm


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_STRUCTURE = {
    "header", "body", "segment", "metadata", "data", "relativeMetadataData", "relativeStateVector",
    "odParameters", "additionalParameters", "stateVector", "covarianceMatrix",
}  # fmt: skip


def _flatten(elem: ET.Element, out: list[CDMEntry]) -> None:
    children = list(elem)
    if not children and _local(elem.tag) not in _STRUCTURE:
        out.append(CDMEntry(_local(elem.tag).upper(), (elem.text or "").strip(), elem.get("units")))
        return
    for child in children:
        _flatten(child, out)


def _leaf(parent: ET.Element, e: CDMEntry) -> None:
    node = ET.SubElement(parent, e.key)
    node.text = e.value
    if e.unit is not None:
        node.set("units", e.unit)


def _grouped(parent: ET.Element, entries: list[CDMEntry], group_of: Any) -> None:
    """Write entries under ``parent``; a key's group element (or None: directly) from ``group_of``.

    A COMMENT goes with the next keyword so that flattening returns the original order.
    """
    current_name: str | None = None
    current: ET.Element | None = None
    for i, e in enumerate(entries):
        key = e.key
        if key == "COMMENT":
            nxt = next((x.key for x in entries[i + 1 :] if x.key != "COMMENT"), None)
            name = group_of(nxt) if nxt is not None else current_name
        else:
            name = group_of(key)
        if name is None:
            current_name, current = None, None
            _leaf(parent, e)
            continue
        if name != current_name or current is None:
            current_name, current = name, ET.SubElement(parent, name)
        _leaf(current, e)


def _first_data_index(obj: list[CDMEntry]) -> int:
    """Index where an object's data (non-metadata) entries start; comments go with what follows."""
    for i, e in enumerate(obj):
        if e.key != "COMMENT" and e.key not in METADATA_KEYS:
            j = i
            while j > 0 and obj[j - 1].key == "COMMENT":
                j -= 1
            return j
    return len(obj)


def _parse_epoch(e: CDMEntry, source: str) -> datetime:
    text = e.value.strip().rstrip("Zz")
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%jT%H:%M:%S.%f", "%Y-%jT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ParseError("not a CCSDS time", path=source or None, line=e.line or None, field=e.key,
                     expected="YYYY-MM-DDThh:mm:ss.ddd or YYYY-DDDThh:mm:ss.ddd (UTC)", got=e.value)  # fmt: skip


def read_cdm(path_or_text: str | Path, *, fmt: str | None = None) -> CDM:
    """Read a CDM from a file path or from text; KVN or XML detected from the content.

    ``fmt`` (``"kvn"`` or ``"xml"``) forces the format. Errors are :class:`ParseError` naming
    the file, line and keyword.
    """
    source = ""
    text_like = isinstance(path_or_text, str) and (
        "\n" in path_or_text or "=" in path_or_text or path_or_text.lstrip().startswith("<")
    )
    if not text_like:
        path = Path(path_or_text)
        source = str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"no such CDM file: {path}") from None
        except OSError as exc:
            raise InputError(f"cannot read CDM file {path}: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError("not UTF-8 text", path=source, expected="a KVN or XML CDM (UTF-8)",
                             got=repr(data[max(exc.start - 10, 0) : exc.start + 10])) from None  # fmt: skip
    else:
        text = str(path_or_text)
    if fmt is None:
        fmt = "xml" if text.lstrip().startswith("<") else "kvn"
    if fmt not in ("kvn", "xml"):
        raise OptionError("fmt", fmt, ["kvn", "xml"])
    return CDM.from_xml(text, source) if fmt == "xml" else CDM.from_kvn(text, source)


def write_cdm(cdm: CDM, path: str | Path, *, fmt: str | None = None) -> Path:
    """Write ``cdm`` to ``path`` as KVN or XML (``fmt``, else from the suffix: ``.xml`` → XML)."""
    path = Path(path)
    if fmt is None:
        fmt = "xml" if path.suffix.lower() == ".xml" else "kvn"
    if fmt not in ("kvn", "xml"):
        raise OptionError("fmt", fmt, ["kvn", "xml"])
    path.write_text(cdm.to_xml() if fmt == "xml" else cdm.to_kvn(), encoding="utf-8")
    return path


def _fmt(x: float, digits: int = 9) -> str:
    return f"{x:.{digits}f}" if abs(x) < 1e9 else f"{x:.6e}"


def cdm_from_states(
    *,
    tca: datetime,
    objects: list[dict[str, Any]],
    miss_distance_m: float,
    relative_speed_m_s: float,
    relative_position_rtn_m: Any,
    relative_velocity_rtn_m_s: Any,
    originator: str = "SKYWARDEN",
    message_id: str = "",
    ref_frame: str = "TEME",
    collision_probability: float | None = None,
    collision_probability_method: str | None = None,
    comments: list[str] | None = None,
    creation_date: datetime | None = None,
) -> CDM:
    """Build a CDM from computed states (m, m/s) and optional RTN 6×6 covariances (m², …).

    ``objects`` holds two dicts with ``designator``, ``name``, ``r_m``, ``v_m_s`` and optionally
    ``cov_rtn`` and ``covariance_method`` (``CALCULATED`` or ``DEFAULT``).
    """
    created = creation_date or datetime.now(UTC)
    iso = "%Y-%m-%dT%H:%M:%S.%f"
    header = [
        CDMEntry("CCSDS_CDM_VERS", "1.0"),
        CDMEntry("CREATION_DATE", created.strftime(iso)[:-3]),
        CDMEntry("ORIGINATOR", originator),
        CDMEntry("MESSAGE_ID", message_id or f"{objects[0]['designator']}_conj_{objects[1]['designator']}"),
    ]
    rel = [CDMEntry("COMMENT", c) for c in (comments or [])]
    rel += [
        CDMEntry("TCA", tca.astimezone(UTC).strftime(iso)[:-3]),
        CDMEntry("MISS_DISTANCE", _fmt(miss_distance_m, 3), "m"),
        CDMEntry("RELATIVE_SPEED", _fmt(relative_speed_m_s, 3), "m/s"),
    ]
    rp, rv = np.asarray(relative_position_rtn_m, float), np.asarray(relative_velocity_rtn_m_s, float)
    rel += [CDMEntry(f"RELATIVE_POSITION_{a}", _fmt(rp[i], 3), "m") for i, a in enumerate("RTN")]
    rel += [CDMEntry(f"RELATIVE_VELOCITY_{a}", _fmt(rv[i], 3), "m/s") for i, a in enumerate("RTN")]
    if collision_probability is not None:
        rel.append(CDMEntry("COLLISION_PROBABILITY", f"{collision_probability:.6e}"))
        rel.append(CDMEntry("COLLISION_PROBABILITY_METHOD", collision_probability_method or "FOSTER-1992"))
    objs: list[list[CDMEntry]] = []
    for k, obj in enumerate(objects, start=1):
        e = [
            CDMEntry("OBJECT", f"OBJECT{k}"),
            CDMEntry("OBJECT_DESIGNATOR", str(obj["designator"])),
            CDMEntry("CATALOG_NAME", "SATCAT"),
            CDMEntry("OBJECT_NAME", str(obj.get("name") or obj["designator"])),
            CDMEntry("INTERNATIONAL_DESIGNATOR", str(obj.get("international_designator") or "UNKNOWN")),
            CDMEntry("EPHEMERIS_NAME", "NONE"),
            CDMEntry("COVARIANCE_METHOD", str(obj.get("covariance_method", "DEFAULT"))),
            CDMEntry("MANEUVERABLE", "N/A"),
            CDMEntry("REF_FRAME", ref_frame),
        ]
        r, v = np.asarray(obj["r_m"], float) / 1e3, np.asarray(obj["v_m_s"], float) / 1e3
        e += [CDMEntry(key, _fmt(val, 9), "km") for key, val in zip(STATE_KEYS[:3], r, strict=True)]
        e += [CDMEntry(key, _fmt(val, 12), "km/s") for key, val in zip(STATE_KEYS[3:], v, strict=True)]
        cov = obj.get("cov_rtn")
        if cov is not None:
            cov = np.asarray(cov, float)
            for key in COVARIANCE_KEYS[:21]:
                row, col = (_COV_AXES.index(p) for p in key[1:].split("_"))
                unit = "m**2" + ("/s" * ((row >= 3) + (col >= 3))).replace("/s/s", "/s**2")
                e.append(CDMEntry(key, f"{cov[row, col]:.6e}", unit))
        objs.append(e)
    return CDM(header, rel, (objs[0], objs[1]))


def __getattr__(name: str) -> Any:
    """``skywarden.space.cdm.pc_from_cdm`` (the path before the move) still resolves (PEP 562).

    :func:`pc_from_cdm` lives in :mod:`.cdm_table` beside :func:`pc_from_cdms`, which it runs, so
    this module does not import the table module (the two used to import each other).
    """
    if name == "pc_from_cdm":
        return importlib.import_module(f"{__package__}.cdm_table").pc_from_cdm
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cdm_covariance(cov_pos: Any, r_m: Any, v_m_s: Any) -> np.ndarray | None:
    """6×6 RTN covariance for a CDM from the default-model 3×3 position block.

    The model gives positions only; the velocity block is set to ``diag((σ_k·n)²)`` with n the
    mean motion |v|/|r| (rad/s), the order of magnitude two-body dynamics couples to a position
    error of σ_k. Pc uses only the position block.
    """
    if cov_pos is None:
        return None
    n_rad_s = float(np.linalg.norm(v_m_s) / np.linalg.norm(r_m))
    out = np.zeros((6, 6))
    out[:3, :3] = cov_pos
    out[3:, 3:] = np.diag(np.diag(cov_pos) * n_rad_s**2)
    return out


def _itrf_state(r_teme_m: Any, v_teme_m_s: Any, tca: datetime) -> dict[str, Any]:
    """``{"r_m", "v_m_s"}`` in ITRF (TEME rotated by GMST 1982 at ``tca``, polar motion ignored)."""
    from ..orbit.frames import teme_to_itrs

    r, v = teme_to_itrs(np.reshape(r_teme_m, (1, 3)), [tca], np.reshape(v_teme_m_s, (1, 3)))
    assert v is not None
    return {"r_m": r.reshape(3), "v_m_s": v.reshape(3)}


def cdm_from_conjunction(event: Any, *, creation_date: datetime | None = None) -> CDM:
    """A CCSDS CDM for one screened :class:`~skywarden.space.safety.conjunction.Conjunction`.

    CDM 1.0 allows EME2000, GCRF or ITRF state vectors, not TEME, so the states are written in
    ITRF (the screening's TEME states rotated by GMST 1982 at the TCA, polar motion ignored).
    Each object's RTN covariance is the screening's default TLE-model 3×3 position block plus a
    velocity block ``diag((σ_k·n)²)`` (n = |v|/|r|, see :func:`_cdm_covariance`); the message's
    ``COLLISION_PROBABILITY`` is the screening Pc and the comments state the HBR (NASA CARA's
    ``COMMENT HBR = … [m]`` convention, read back by :attr:`CDM.hbr_m`).
    """
    objects = [
        {"designator": norad, "name": name, "covariance_method": "DEFAULT",
         "cov_rtn": _cdm_covariance(c, r, v), **_itrf_state(r, v, event.tca)}
        for norad, name, r, v, c in (
            (event.primary, event.primary_name, event.r1_m, event.v1_m_s, event.cov1_rtn_m2),
            (event.secondary, event.secondary_name, event.r2_m, event.v2_m_s, event.cov2_rtn_m2),
        )
    ]  # fmt: skip
    return cdm_from_states(
        tca=event.tca,
        objects=objects,
        miss_distance_m=event.miss_distance_m,
        relative_speed_m_s=event.relative_speed_m_s,
        relative_position_rtn_m=event.miss_rtn_m,
        relative_velocity_rtn_m_s=event.relative_velocity_rtn_m_s,
        collision_probability=event.pc,
        ref_frame="ITRF",
        comments=[
            "Screened by skywarden from TLE/OMM mean elements (SGP4); states TEME rotated to ITRF by GMST 1982",
            f"covariance_source = {event.covariance_source} (Pc from the default TLE covariance model)",
            f"HBR = {event.hbr_m:g} [m]",
        ],
        creation_date=creation_date,
    )


def write_conjunction_cdms(events: Any, directory: str | Path) -> list[Path]:
    """Write one KVN CDM per screened event into ``directory`` (created if needed); the paths.

    File names are ``{primary}_conj_{secondary}_{TCA as %Y%m%dT%H%M%S}.cdm``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for ev in events:
        stamp = ev.tca.strftime("%Y%m%dT%H%M%S")
        out.append(
            write_cdm(cdm_from_conjunction(ev), directory / f"{ev.primary}_conj_{ev.secondary}_{stamp}.cdm")
        )
    return out
