"""Satellite catalogs: load TLE/3LE/OMM files into a :class:`Catalog`, write them back.

``load_catalog`` detects the format of each file (``tle``, ``3le``, ``omm-xml``, ``omm-json``,
``omm-csv``, ``omm-kvn``), never aborts on one bad record (it goes to :attr:`Catalog.issues`
with file and line, and ONE :class:`~skywarden.errors.DataQualityWarning` gives the counts),
keeps the newest epoch when an object appears more than once, and — when given a time ``at`` —
flags element sets older than the stale limits (:class:`StaleLimits`, default 14 days for LEO,
30 days otherwise). Stale objects stay in the catalog (their age is information, and a
caller may still want them) but are listed in ``issues`` and in :meth:`Catalog.stale_mask`;
:meth:`Catalog.fresh` drops them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import numpy as np

from ...errors import NotFoundError, OptionError, ParseError
from ...timeutil import parse_time
from .elements import Elements
from .issues import RecordIssue, summarize_issues, warn_issues
from .omm import OMM_FORMATS, read_omm_text, to_omm_csv, to_omm_json, to_omm_kvn, to_omm_xml
from .tle import read_tle_text, write_tle_text

__all__ = [
    "CATALOG_FORMATS",
    "Catalog",
    "StaleLimits",
    "detect_format",
    "format_catalog",
    "format_for_path",
    "load_catalog",
    "read_catalog_text",
    "write_catalog",
]

CATALOG_FORMATS = ("tle", "3le", "2le", *OMM_FORMATS)
"""Format names: ``tle`` (CelesTrak name line + 2 lines), ``3le`` (``0 NAME``), ``2le`` (no names),
``omm-xml``, ``omm-json``, ``omm-csv``, ``omm-kvn``."""

_EXTENSIONS = {
    ".tle": "tle",
    ".txt": "tle",
    ".3le": "3le",
    ".2le": "2le",
    ".xml": "omm-xml",
    ".json": "omm-json",
    ".csv": "omm-csv",
    ".kvn": "omm-kvn",
    ".omm": "omm-kvn",
}
_DETECT_EXPECTED = (
    "TLE/3LE lines ('1 NNNNNC …', '2 NNNNN …', optional name or '0 NAME' lines), OMM XML ('<ndm>' or "
    "'<omm>'), OMM JSON ('[{…}]'), OMM CSV (header with NORAD_CAT_ID,EPOCH) or OMM KVN ('KEY = value')"
)


@dataclass(frozen=True, slots=True)
class StaleLimits:
    """Element sets older than these ages (days) at the time of use are stale."""

    leo_days: float = 14.0
    other_days: float = 30.0

    def limits_for(self, orbit_classes: Sequence[str] | np.ndarray) -> np.ndarray:
        """Limit per object, days (LEO gets ``leo_days``, everything else ``other_days``)."""
        classes = np.asarray(orbit_classes, dtype=object)
        return np.where(classes == "LEO", self.leo_days, self.other_days).astype(float)


class Catalog(Sequence[Elements]):
    """An immutable sequence of :class:`Elements`, one per object, plus what went wrong reading it."""

    def __init__(
        self,
        elements: Iterable[Elements] = (),
        *,
        issues: Iterable[RecordIssue] = (),
        stale_limits: StaleLimits | None = None,
    ) -> None:
        self._elements: tuple[Elements, ...] = tuple(elements)
        self._issues: tuple[RecordIssue, ...] = tuple(issues)
        self.stale_limits = stale_limits or StaleLimits()

    @classmethod
    def from_elements(
        cls, elements: Iterable[Elements], *, stale_limits: StaleLimits | None = None
    ) -> Catalog:
        """A catalog of these element sets as given (no de-duplication, no issues)."""
        return cls(elements, stale_limits=stale_limits)

    # --- sequence protocol
    def __len__(self) -> int:
        return len(self._elements)

    @overload
    def __getitem__(self, index: int) -> Elements: ...
    @overload
    def __getitem__(self, index: slice) -> Catalog: ...
    def __getitem__(self, index: int | slice) -> Elements | Catalog:
        if isinstance(index, slice):
            return Catalog(self._elements[index], stale_limits=self.stale_limits)
        return self._elements[index]

    def __iter__(self) -> Iterator[Elements]:
        return iter(self._elements)

    def __repr__(self) -> str:
        return f"<Catalog of {len(self)} objects, {len(self._issues)} issues>"

    # --- columns
    @property
    def elements(self) -> list[Elements]:
        """The element sets, in load order (a new list)."""
        return list(self._elements)

    @property
    def issues(self) -> list[RecordIssue]:
        """Bad, checksum, duplicate and stale records met while loading (file, line, reason)."""
        return list(self._issues)

    @cached_property
    def norad_ids(self) -> np.ndarray:
        """Catalog numbers, int64 (read-only)."""
        return _read_only(
            np.fromiter((e.norad_id for e in self._elements), dtype=np.int64, count=len(self._elements))
        )

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Object names ('' when the source had none)."""
        return tuple(e.name for e in self._elements)

    @cached_property
    def epochs(self) -> np.ndarray:
        """Element epochs, ``datetime64[ns]`` (UTC, read-only)."""
        micro = [_epoch_us(e.epoch) for e in self._elements]
        return _read_only(np.array(micro, dtype=np.int64).astype("datetime64[us]").astype("datetime64[ns]"))

    @cached_property
    def orbit_classes(self) -> np.ndarray:
        """``LEO``/``MEO``/``GEO``/``HEO`` per object (object array of str, read-only)."""
        return _read_only(np.array([e.orbit_class for e in self._elements], dtype=object))

    @cached_property
    def _index(self) -> dict[int, int]:
        return {e.norad_id: i for i, e in enumerate(self._elements)}

    @property
    def median_epoch(self) -> datetime:
        """Median element epoch (aware UTC; the lower middle one for an even count). Raises
        NotFoundError on an empty catalog."""
        if not self._elements:
            raise NotFoundError("the catalog is empty: no median epoch")
        value = np.sort(self.epochs.astype(np.int64))[(len(self) - 1) // 2]
        return parse_time(np.datetime64(int(value), "ns"))

    @property
    def epoch_range(self) -> tuple[datetime, datetime]:
        """(oldest, newest) element epoch, aware UTC."""
        if not self._elements:
            raise NotFoundError("the catalog is empty: no epoch range")
        return min(e.epoch for e in self._elements), max(e.epoch for e in self._elements)

    # --- look-ups
    def by_id(self, norad_id: int) -> Elements:
        """The element set of one object. Raises :class:`NotFoundError`."""
        try:
            return self._elements[self._index[int(norad_id)]]
        except KeyError:
            raise NotFoundError(f"NORAD {norad_id} is not in this catalog of {len(self)} objects") from None

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Elements):
            return item in self._elements
        if isinstance(item, int | np.integer):
            return int(item) in self._index
        return False

    def select(
        self,
        ids: Iterable[int] | None = None,
        predicate: Callable[[Elements], bool] | None = None,
        *,
        missing: str = "ignore",
    ) -> Catalog:
        """A sub-catalog: objects with these ids (in the order given) and/or matching ``predicate``.

        ``missing``: ``"ignore"`` ids that are not here, or ``"raise"`` NotFoundError.
        """
        if missing not in ("ignore", "raise"):
            raise OptionError("missing", missing, ("ignore", "raise"))
        if ids is None:
            chosen: Iterable[Elements] = self._elements
        else:
            picked = []
            for norad in ids:
                index = self._index.get(int(norad))
                if index is None:
                    if missing == "raise":
                        raise NotFoundError(f"NORAD {norad} is not in this catalog of {len(self)} objects")
                    continue
                picked.append(self._elements[index])
            chosen = picked
        if predicate is not None:
            chosen = [e for e in chosen if predicate(e)]
        return Catalog(chosen, issues=self._issues, stale_limits=self.stale_limits)

    # --- ages
    def ages_days(self, at: Any) -> np.ndarray:
        """Age of each element set at ``at`` (any time :func:`~skywarden.timeutil.parse_time` reads), days."""
        moment = np.datetime64(_epoch_us(parse_time(at)), "us").astype("datetime64[ns]")
        return (moment - self.epochs) / np.timedelta64(86_400_000_000_000, "ns")

    def stale_mask(self, at: Any, limits: StaleLimits | None = None) -> np.ndarray:
        """True where the element set is older than its stale limit at ``at``."""
        limit = (limits or self.stale_limits).limits_for(self.orbit_classes)
        return np.asarray(self.ages_days(at) > limit, dtype=bool)

    def stale_issues(self, at: Any, limits: StaleLimits | None = None) -> list[RecordIssue]:
        """One ``stale`` issue per stale object at ``at``."""
        limits = limits or self.stale_limits
        ages = self.ages_days(at)
        out = []
        for index in np.flatnonzero(self.stale_mask(at, limits)):
            item = self._elements[index]
            limit = limits.leo_days if item.orbit_class == "LEO" else limits.other_days
            path, line = _split_source(item.source)
            out.append(
                RecordIssue(
                    "stale",
                    path,
                    line,
                    f"NORAD {item.norad_id} ({item.orbit_class}) is {ages[index]:.1f} days old "
                    f"(limit {limit:g})",
                    item.norad_id,
                )
            )
        return out

    def fresh(self, at: Any, limits: StaleLimits | None = None) -> Catalog:
        """The objects that are not stale at ``at``."""
        keep = ~self.stale_mask(at, limits)
        return Catalog(
            [e for e, k in zip(self._elements, keep, strict=True) if k],
            issues=self._issues,
            stale_limits=self.stale_limits,
        )

    def summary(self, at: Any | None = None) -> dict[str, Any]:
        """Counts for ``catalog info``: objects, epoch range, per orbit class, issues per kind."""
        when = parse_time(at) if at is not None else (self.epoch_range[1] if self._elements else None)
        issues = list(self._issues)
        if when is not None and not any(i.kind == "stale" for i in issues):
            issues += self.stale_issues(when)
        class_counts: dict[str, int] = {}
        for name in self.orbit_classes:
            class_counts[str(name)] = class_counts.get(str(name), 0) + 1
        return {
            "objects": len(self),
            "epoch_min": self.epoch_range[0] if self._elements else None,
            "epoch_median": self.median_epoch if self._elements else None,
            "epoch_max": self.epoch_range[1] if self._elements else None,
            "at": when,
            "age_days": _age_summary(self.ages_days(when)) if when is not None and len(self) else None,
            "stale_limits_days": {"leo": self.stale_limits.leo_days, "other": self.stale_limits.other_days},
            "orbit_classes": dict(sorted(class_counts.items())),
            "issue_counts": summarize_issues(issues),
            "issues": [
                {"kind": i.kind, "file": i.path, "line": i.line, "norad_id": i.norad_id, "message": i.message}
                for i in issues
            ],
        }


def _age_summary(ages: np.ndarray) -> dict[str, float]:
    """Youngest, median and oldest element age, days."""
    return {"min": float(np.min(ages)), "median": float(np.median(ages)), "max": float(np.max(ages))}


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _epoch_us(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC, exact (no float)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)  # naive = UTC
    delta = aware - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _split_source(source: str) -> tuple[str, int | None]:
    path, _, line = source.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return source, None


# ------------------------------------------------------------------------------------------ reading
def detect_format(text: str, path: str = "<string>") -> str:
    """Guess the format of catalog text (see :data:`CATALOG_FORMATS`). Raises ParseError."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ParseError(
            "empty file: no element sets",
            path=path,
            line=1,
            field="format",
            expected=_DETECT_EXPECTED,
            got="",
        )
    first_line = stripped.split("\n", 1)[0].rstrip("\r")
    if stripped[0] == "<":
        return "omm-xml"
    if stripped[0] in "[{":
        return "omm-json"
    head = first_line.upper()
    if head.startswith("CCSDS_OMM_VERS") or head.startswith("COMMENT"):
        return "omm-kvn"
    if "NORAD_CAT_ID" in head and "," in head:
        return "omm-csv"
    if first_line.startswith("0 "):
        return "3le"
    lines = stripped.splitlines()[:4]
    if any(line.startswith("1 ") for line in lines) and any(line.startswith("2 ") for line in lines):
        return "tle"
    if "=" in first_line and first_line.split("=", 1)[0].strip().replace("_", "").isalnum():
        return "omm-kvn"
    line_no = text[: len(text) - len(stripped)].count("\n") + 1
    raise ParseError(
        "cannot tell the catalog format",
        path=path,
        line=line_no,
        field="format",
        expected=_DETECT_EXPECTED,
        got=first_line,
    )


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"catalog file not found: {path}") from None
    except IsADirectoryError:
        raise NotFoundError(f"catalog path is a directory, not a file: {path}") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ParseError(
            "binary data (NUL bytes), not a catalog",
            path=path,
            line=line,
            field="file",
            expected=_DETECT_EXPECTED,
            got=repr(data[:40]),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            "not UTF-8 text",
            path=path,
            line=line,
            field="file",
            expected=_DETECT_EXPECTED,
            got=repr(data[max(0, exc.start - 20) : exc.start + 20]),
        ) from None


def read_catalog_text(
    text: str, *, format: str | None = None, path: str = "<string>", strict: bool = False
) -> tuple[list[Elements], list[RecordIssue]]:
    """Element sets and issues from one text (format detected unless given)."""
    fmt = _check_format(format) if format is not None else detect_format(text, path)
    if fmt in ("tle", "3le", "2le"):
        return read_tle_text(text, path=path, strict=strict)
    return read_omm_text(text, fmt, path=path, strict=strict)


def _check_format(format: str) -> str:
    name = format.lower()
    if name in ("xml", "json", "csv", "kvn"):
        name = f"omm-{name}"
    if name not in CATALOG_FORMATS:
        raise OptionError("format", format, CATALOG_FORMATS)
    return name


def load_catalog(
    paths: str | Path | Sequence[str | Path],
    *,
    format: str | None = None,
    strict: bool = False,
    stale_days: StaleLimits | None = None,
    at: Any | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Catalog:
    """Read one or more catalog files into one :class:`Catalog`.

    ``format`` overrides detection for every file. ``strict`` raises on the first bad record
    or wrong checksum; otherwise they become :attr:`Catalog.issues` and one warning. An object
    in several records keeps its newest epoch (ties: the later record). With ``at`` (a time),
    stale element sets (per ``stale_days``) are listed as issues too. ``progress(done, total)``
    is called after each file.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise OptionError("paths", paths, ["at least one catalog file"])
    elements: list[Elements] = []
    issues: list[RecordIssue] = []
    for done, item in enumerate(items, start=1):
        path = Path(item)
        found, problems = read_catalog_text(_read_text(path), format=format, path=str(path), strict=strict)
        elements.extend(found)
        issues.extend(problems)
        if progress is not None:
            progress(done, len(items))
    unique, duplicates = _newest_per_object(elements)
    issues.extend(duplicates)
    catalog = Catalog(unique, issues=issues, stale_limits=stale_days)
    if at is not None:
        catalog = Catalog(unique, issues=[*issues, *catalog.stale_issues(at)], stale_limits=stale_days)
    warn_issues(catalog.issues, f"{', '.join(str(p) for p in items)}")
    return catalog


def _newest_per_object(elements: list[Elements]) -> tuple[list[Elements], list[RecordIssue]]:
    position: dict[int, int] = {}
    unique: list[Elements] = []
    dropped: list[RecordIssue] = []
    for item in elements:
        index = position.get(item.norad_id)
        if index is None:
            position[item.norad_id] = len(unique)
            unique.append(item)
            continue
        kept, old = (item, unique[index]) if item.epoch >= unique[index].epoch else (unique[index], item)
        unique[index] = kept
        path, line = _split_source(old.source)
        dropped.append(
            RecordIssue(
                "duplicate",
                path,
                line,
                f"NORAD {old.norad_id} epoch {old.epoch:%Y-%m-%dT%H:%M:%S}Z superseded by "
                f"{kept.source} (epoch {kept.epoch:%Y-%m-%dT%H:%M:%S}Z)",
                old.norad_id,
            )
        )
    return unique, dropped


# ------------------------------------------------------------------------------------------ writing
def format_catalog(catalog: Iterable[Elements], format: str) -> str:
    """Catalog text in one of :data:`CATALOG_FORMATS`."""
    fmt = _check_format(format)
    items = list(catalog)
    if fmt in ("tle", "3le", "2le"):
        return write_tle_text(items, style=fmt)
    writer = {
        "omm-json": lambda e: to_omm_json(e, indent=1),
        "omm-csv": to_omm_csv,
        "omm-kvn": to_omm_kvn,
        "omm-xml": to_omm_xml,
    }[fmt]
    return writer(items)


def format_for_path(path: str | Path) -> str:
    """Catalog format from a file extension (.tle/.txt, .3le, .2le, .xml, .json, .csv, .kvn/.omm)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise OptionError("output extension", suffix or str(path), sorted(_EXTENSIONS))
    return _EXTENSIONS[suffix]


def write_catalog(catalog: Iterable[Elements], path: str | Path, format: str | None = None) -> Path:
    """Write element sets to ``path``; the format comes from the extension unless given."""
    target = Path(path)
    fmt = _check_format(format) if format is not None else format_for_path(target)
    text = format_catalog(catalog, fmt)
    target.write_text(text, encoding="utf-8", newline="\n")
    return target
