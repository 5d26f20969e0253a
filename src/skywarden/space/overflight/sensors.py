"""Imaging-sensor capability table and the viewing geometry that goes with it.

The package ships ``skywarden/data/sensors/imaging-sensors.csv`` (see the README beside it): one
row per imaging system with its ``kind`` (``optical`` | ``sar`` | ``ir``), nadir ground sample
distance ``best_gsd_m``, pointing limits ``max_off_nadir_deg`` / ``max_incidence_deg``, a
``source`` URL for every row and a ``confidence`` grade. Rows are matched to catalog objects by
NORAD number (``norad_ids``) or by ``name_regex`` (case-insensitive ``re.search`` on the
stripped name), exactly as the shared fact table defines it.

Field of regard
---------------
Each matched object gets one geometric criterion (:class:`Capability`):

* optical / ir: off-nadir angle ≤ ``max_off_nadir_deg`` (and the site above the horizon);
* SAR: incidence angle at the site ≤ ``max_incidence_deg`` — i.e. elevation seen from the site
  ≥ 90° − ``max_incidence_deg`` — or, when only a look angle is published, off-nadir ≤ it.

Where a row lacks the limit, a documented default is used and the capability is marked
``assumed`` (the windows computed from it carry ``assumed=True``):

=====================================  ===============================================
case                                   default
=====================================  ===============================================
optical/ir above 20,000 km (GEO, HEO   the whole visible disc: off-nadir ≤ asin(R/(R+h))
apogee: staring imagers)               (8.7° from GEO)
optical/ir, nadir GSD ≤ 1 m or unknown off-nadir ≤ 45° (agile VHR; the published VHR
                                       limits in the table are 45–52°)
optical/ir, 1 m < GSD ≤ 10 m           off-nadir ≤ 30° (KOMPSAT-3/3A publish 30°)
optical/ir, GSD > 10 m                 half field of view from the swath,
                                       ``atan(swath/2 / h)``; 10° without a swath
SAR                                    incidence ≤ 50° (just under the median, 54°, of
                                       the 11 published SAR windows in the table)
optical minimum sun elevation          10° (no source publishes one; always assumed)
=====================================  ===============================================

Objects without a row get a class from the UCS ``Detailed Purpose`` field
(:func:`kind_from_purpose`), unknown GSD and the defaults above, also marked assumed.

Ground sample distance off nadir (used for ``gsd_m`` of a window)
----------------------------------------------------------------
For a push-broom/frame imager with nadir GSD ``g0`` at height ``h`` looking at a ground point
at slant range ``ρ`` with incidence angle ``θ`` (angle between the line of sight and the local
vertical at the ground), the angular sample projects to ``g0·ρ/h`` across the line of sight;
on the ground, the sample along the look direction stretches by ``1/cos θ``. The reported GSD is
the geometric mean of the two ground axes (the GIQE convention)::

    gsd_m = g0 · (ρ / h) / sqrt(cos θ)            (optical, ir)
    gsd_m = g0                                    (SAR: resolution does not grow with range)

Check against published numbers (WorldView-1, h = 496 km, g0 = 0.50 m): at 20° off-nadir the
formula gives 0.555 m (published 0.55 m), at 25° 0.591 m (published 0.59 m); see the tests.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import NotFoundError, OptionError, ParseError, ValidationError

__all__ = [
    "DEFAULT_MIN_SUN_ELEVATION_DEG",
    "DEFAULT_SAR_MAX_INCIDENCE_DEG",
    "KINDS",
    "Capability",
    "SensorRow",
    "SensorTable",
    "capabilities_for",
    "central_angle_deg",
    "default_capability",
    "gsd_off_nadir_m",
    "incidence_from_off_nadir_deg",
    "kind_from_purpose",
    "load_sensors",
    "slant_range_m",
]

KINDS: tuple[str, ...] = ("optical", "sar", "ir")
"""Sensor kinds. ``optical`` covers panchromatic, multispectral and hyperspectral imagers."""

_SENSOR_TYPES = {
    "optical": "optical",
    "multispectral": "optical",
    "hyperspectral": "optical",
    "infrared": "ir",
    "ir": "ir",
    "sar": "sar",
}

DEFAULT_MIN_SUN_ELEVATION_DEG = 10.0
"""Minimum sun elevation for optical imaging when a row gives none, degrees (assumed)."""
DEFAULT_VHR_OFF_NADIR_DEG = 45.0
"""Default off-nadir limit for optical/ir with GSD ≤ 1 m or unknown GSD, degrees."""
DEFAULT_HR_OFF_NADIR_DEG = 30.0
"""Default off-nadir limit for optical/ir with 1 m < GSD ≤ 10 m, degrees."""
DEFAULT_WIDE_OFF_NADIR_DEG = 10.0
"""Default half field of view for GSD > 10 m without a published swath, degrees."""
DEFAULT_SAR_MAX_INCIDENCE_DEG = 50.0
"""Default maximum SAR incidence angle, degrees."""

HIGH_ORBIT_KM = 20_000.0
"""Above this height an imager without a published limit may view the whole visible disc."""
EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres: used by the spherical helpers below only."""


@dataclass(frozen=True)
class Capability:
    """The viewing criterion and resolution model assigned to one catalog object.

    ``criterion`` is ``"off_nadir"`` (``limit_deg`` = maximum off-nadir angle) or
    ``"elevation"`` (``limit_deg`` = minimum elevation seen from the site; SAR incidence limit
    ``90° − max_incidence``). ``max_site_elevation_deg`` is a SAR's near-range limit, the
    highest elevation of the satellite seen from the site at which it can still image it
    (``90° − min_incidence``; NaN when the row gives no minimum incidence, i.e. no near-range gap
    is modelled). ``assumed`` lists the fields taken from defaults.
    """

    kind: str
    criterion: str
    limit_deg: float
    gsd_nadir_m: float
    min_sun_elevation_deg: float | None
    system: str
    source: str
    confidence: str
    assumed: tuple[str, ...] = ()
    max_site_elevation_deg: float = math.nan

    @property
    def is_assumed(self) -> bool:
        """True when the field of regard or the sensor kind came from a default (windows computed
        from it are "assumed"); the sun threshold and unknown GSD are listed in ``assumed`` only."""
        return any(f in self.assumed for f in ("max_off_nadir_deg", "max_incidence_deg", "kind"))


@dataclass(frozen=True)
class SensorRow:
    """One row of the capability table (units in the names; NaN where not published)."""

    system: str
    kind: str
    sensor_type: str
    best_gsd_m: float
    max_off_nadir_deg: float
    min_incidence_deg: float
    max_incidence_deg: float
    swath_km: float
    min_sun_elevation_deg: float
    norad_ids: tuple[int, ...]
    name_regex: str
    confidence: str
    source: str
    operator: str = ""
    country: str = ""
    mode: str = ""
    notes: str = ""
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def capability(self, alt_km: float) -> Capability:
        """The viewing criterion for a satellite of this row at mean height ``alt_km``."""
        return _capability(
            self.kind,
            self.best_gsd_m,
            self.max_off_nadir_deg,
            self.max_incidence_deg,
            self.swath_km,
            self.min_sun_elevation_deg,
            alt_km,
            self.system,
            self.source,
            self.confidence,
            self.min_incidence_deg,
        )


def _capability(
    kind: str,
    gsd: float,
    off_nadir: float,
    max_inc: float,
    swath_km: float,
    min_sun: float,
    alt_km: float,
    system: str,
    source: str,
    confidence: str,
    min_inc: float = math.nan,
) -> Capability:
    assumed: list[str] = []
    ceiling = math.nan
    if kind == "sar":
        if math.isfinite(max_inc):
            criterion, limit = "elevation", 90.0 - max_inc
            if math.isfinite(min_inc) and 0.0 < min_inc < max_inc:
                ceiling = 90.0 - min_inc
        elif math.isfinite(off_nadir):
            criterion, limit = "off_nadir", off_nadir
        else:
            criterion, limit = "elevation", 90.0 - DEFAULT_SAR_MAX_INCIDENCE_DEG
            assumed.append("max_incidence_deg")
        sun: float | None = None
    else:
        criterion = "off_nadir"
        if math.isfinite(off_nadir):
            limit = off_nadir
        else:
            assumed.append("max_off_nadir_deg")
            if alt_km >= HIGH_ORBIT_KM:
                # A staring imager in a high orbit points anywhere on the visible disc.
                limit = math.degrees(math.asin(EARTH_RADIUS_M / (EARTH_RADIUS_M + alt_km * 1000.0)))
            elif not math.isfinite(gsd) or gsd <= 1.0:
                limit = DEFAULT_VHR_OFF_NADIR_DEG
            elif gsd <= 10.0:
                limit = DEFAULT_HR_OFF_NADIR_DEG
            elif math.isfinite(swath_km) and alt_km > 0:
                limit = math.degrees(math.atan(0.5 * swath_km / alt_km))
            else:
                limit = DEFAULT_WIDE_OFF_NADIR_DEG
        if kind == "optical":
            if math.isfinite(min_sun):
                sun = min_sun
            else:
                sun = DEFAULT_MIN_SUN_ELEVATION_DEG
                assumed.append("min_sun_elevation_deg")
        else:
            sun = None
    if not math.isfinite(gsd):
        assumed.append("best_gsd_m")
    return Capability(
        kind=kind,
        criterion=criterion,
        limit_deg=float(limit),
        gsd_nadir_m=float(gsd),
        min_sun_elevation_deg=sun,
        system=system,
        source=source,
        confidence=confidence,
        assumed=tuple(assumed),
        max_site_elevation_deg=ceiling,
    )


def kind_from_purpose(purpose: str | None, detailed_purpose: str | None = None) -> str | None:
    """Default sensor kind from the UCS ``Purpose`` / ``Detailed Purpose`` fields.

    ``Radar`` → ``sar``; ``Infrared`` → ``ir``; optical, multispectral, hyperspectral, video or
    plain ``Imaging`` → ``optical``; ``Earth Observation`` without a detail → ``optical``.
    Anything else (communications, ELINT, meteorology, …) → ``None`` (not an imager).
    """
    detail = detailed_purpose.lower() if isinstance(detailed_purpose, str) else ""
    main = purpose.lower() if isinstance(purpose, str) else ""
    if ("radar" in detail and "surveillance" not in detail) or "sar" in detail.split():
        return "sar"
    if "infrared" in detail and "early warning" not in detail:
        return "ir"
    if any(w in detail for w in ("optical", "multispectral", "hyperspectral", "video", "imaging")):
        return "optical"
    if "earth observation" in main and not detail.strip():
        return "optical"
    return None


def default_capability(kind: str, alt_km: float, source: str = "UCS purpose") -> Capability:
    """Capability for an object without a table row: defaults for ``kind``, all assumed."""
    cap = _capability(kind, math.nan, math.nan, math.nan, math.nan, math.nan, alt_km, "", source, "assumed")
    return replace(cap, assumed=(*cap.assumed, "kind"))


class SensorTable:
    """The capability table: rows plus NORAD-number and name-pattern matching."""

    def __init__(self, rows: Sequence[SensorRow]) -> None:
        self.rows: list[SensorRow] = list(rows)
        self._by_id: dict[int, SensorRow] = {}
        for row in self.rows:
            for nid in row.norad_ids:
                self._by_id[nid] = row
        # One alternation of all patterns: a fast reject for the many names that match none.
        patterns = [f"(?:{r.name_regex})" for r in self.rows if r.pattern is not None]
        self._any = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None
        self._by_name: dict[str, SensorRow | None] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def match(self, norad_id: int, name: str = "") -> SensorRow | None:
        """The row for a catalog object: explicit NORAD number first, then the name pattern."""
        row = self._by_id.get(int(norad_id))
        if row is not None:
            return row
        stripped = (name or "").strip()
        if stripped in self._by_name:
            return self._by_name[stripped]
        found = None
        if stripped and self._any is not None and self._any.search(stripped):
            for row in self.rows:
                if row.pattern is not None and row.pattern.search(stripped):
                    found = row
                    break
        self._by_name[stripped] = found
        return found

    def extended(self, other: SensorTable) -> SensorTable:
        """A table where ``other``'s rows replace rows of the same ``system`` and add new ones.

        ``other`` takes precedence in matching (its NORAD ids and patterns are tried first).
        """
        names = {r.system.lower() for r in other.rows}
        kept = [r for r in self.rows if r.system.lower() not in names]
        merged = SensorTable([*other.rows, *kept])
        # NORAD ids of the user file win even if a kept shipped row lists the same number.
        for row in other.rows:
            for nid in row.norad_ids:
                merged._by_id[nid] = row
        return merged


_REQUIRED = ("system", "sensor_type", "best_gsd_m", "source")


def _float(value: str, path: Path, line: int, name: str) -> float:
    text = (value or "").strip()
    if not text:
        return math.nan
    try:
        out = float(text)
    except ValueError:
        raise ParseError(
            "expected a number or an empty cell", path=path, line=line, field=name, got=text
        ) from None
    if not math.isfinite(out) or out < 0:
        raise ParseError("expected a finite number >= 0", path=path, line=line, field=name, got=text)
    return out


def _parse_rows(text: str, path: Path) -> list[SensorRow]:
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise ParseError(
            f"sensor table lacks column(s) {', '.join(missing)}",
            path=path,
            line=1,
            field="header",
            expected="system,sensor_type,best_gsd_m,max_off_nadir_deg,max_incidence_deg,...,norad_ids,"
            "name_regex,source",
            got=",".join(header),
        )
    rows = []
    for rec in reader:
        line = reader.line_num
        r = {(k or "").strip(): (v or "").strip() for k, v in rec.items() if k is not None}
        stype = r.get("kind") or r.get("sensor_type", "")
        kind = _SENSOR_TYPES.get(stype.lower())
        if kind is None:
            raise OptionError(
                f"{path}:{line}: sensor kind", stype, (*KINDS, "multispectral", "hyperspectral")
            )
        if not r.get("source"):
            raise ValidationError(f"{path}:{line}: field 'source': every row needs a source")
        ids: list[int] = []
        for tok in filter(None, (t.strip() for t in r.get("norad_ids", "").split(";"))):
            if not tok.isdigit():
                raise ParseError(
                    "expected ';'-separated NORAD numbers", path=path, line=line, field="norad_ids", got=tok
                )
            ids.append(int(tok))
        regex = r.get("name_regex", "")
        try:
            pattern = re.compile(regex, re.IGNORECASE) if regex else None
        except re.error as exc:
            raise ParseError(
                f"bad regular expression: {exc}", path=path, line=line, field="name_regex", got=regex
            ) from None
        rows.append(
            SensorRow(
                system=r["system"],
                kind=kind,
                sensor_type=r.get("sensor_type", stype),
                best_gsd_m=_float(r.get("best_gsd_m", ""), path, line, "best_gsd_m"),
                max_off_nadir_deg=_float(r.get("max_off_nadir_deg", ""), path, line, "max_off_nadir_deg"),
                min_incidence_deg=_float(r.get("min_incidence_deg", ""), path, line, "min_incidence_deg"),
                max_incidence_deg=_float(r.get("max_incidence_deg", ""), path, line, "max_incidence_deg"),
                swath_km=_float(r.get("swath_km", ""), path, line, "swath_km"),
                min_sun_elevation_deg=_float(
                    r.get("min_sun_elevation_deg", ""), path, line, "min_sun_elevation_deg"
                ),
                norad_ids=tuple(ids),
                name_regex=regex,
                confidence=r.get("confidence", ""),
                source=r["source"],
                operator=r.get("operator", ""),
                country=r.get("country", ""),
                mode=r.get("mode", ""),
                notes=r.get("notes", ""),
                pattern=pattern,
            )
        )
        for name in ("max_off_nadir_deg", "max_incidence_deg"):
            value = getattr(rows[-1], name)
            if math.isfinite(value) and value >= 90.0:
                raise ValidationError(
                    f"{path}:{line}: field {name!r}: angle must be < 90 degrees (got {value})"
                )
    return rows


@functools.lru_cache(maxsize=1)
def _shipped_table() -> SensorTable:
    """The shipped table, parsed once per process (tables are not modified after loading)."""
    ref = resources.files("skywarden") / "data" / "sensors" / "imaging-sensors.csv"
    return SensorTable(_parse_rows(ref.read_text(encoding="utf-8"), Path(str(ref))))


def load_sensors(path: str | Path | None = None, *, extend: bool = True) -> SensorTable:
    """Load the capability table.

    ``path=None`` loads the shipped table. A user file (same columns; ``system``,
    ``sensor_type`` or ``kind``, ``best_gsd_m`` and ``source`` required) either extends the
    shipped table — its rows replace shipped rows with the same ``system`` and match first —
    (``extend=True``) or replaces it (``extend=False``).
    """
    shipped = _shipped_table()
    if path is None:
        return shipped
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"sensor table not found: {p}")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("file is not UTF-8 text", path=p) from None
    user = SensorTable(_parse_rows(text, p))
    return shipped.extended(user) if extend else user


# --- spherical-Earth viewing geometry (screening, documentation, hand-checked tests) --------


def incidence_from_off_nadir_deg(off_nadir_deg: Any, alt_m: Any, radius_m: float = EARTH_RADIUS_M) -> Any:
    """Incidence angle at the ground (deg) for an off-nadir look angle from height ``alt_m``.

    Law of sines in the triangle (Earth centre, satellite, ground point):
    ``sin θ = (R + h)/R · sin η``. NaN beyond the horizon.
    """
    eta = np.radians(np.asarray(off_nadir_deg, dtype=np.float64))
    s = (radius_m + np.asarray(alt_m, dtype=np.float64)) / radius_m * np.sin(eta)
    with np.errstate(invalid="ignore"):
        return np.degrees(np.where(s <= 1.0, np.arcsin(np.minimum(s, 1.0)), np.nan))


def central_angle_deg(off_nadir_deg: Any, alt_m: Any, radius_m: float = EARTH_RADIUS_M) -> Any:
    """Earth-central angle (deg) between the sub-satellite point and the viewed point: ``θ − η``."""
    return incidence_from_off_nadir_deg(off_nadir_deg, alt_m, radius_m) - np.asarray(off_nadir_deg)


def slant_range_m(off_nadir_deg: Any, alt_m: Any, radius_m: float = EARTH_RADIUS_M) -> Any:
    """Slant range (m) to the viewed point: ``ρ = R·sin λ / sin η`` (``ρ = h`` at nadir)."""
    eta = np.radians(np.asarray(off_nadir_deg, dtype=np.float64))
    lam = np.radians(central_angle_deg(off_nadir_deg, alt_m, radius_m))
    h = np.asarray(alt_m, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.abs(eta) < 1e-12, h, radius_m * np.sin(lam) / np.sin(eta))


def gsd_off_nadir_m(
    gsd_nadir_m: Any, slant_range: Any, alt_m: Any, incidence_deg: Any, kind: str | Iterable[str] = "optical"
) -> Any:
    """Ground sample distance away from nadir, metres (geometric mean of the two ground axes).

    ``g0 · (ρ/h) / sqrt(cos θ)`` for optical and ir; ``g0`` for SAR (see the module docstring).
    """
    g0 = np.asarray(gsd_nadir_m, dtype=np.float64)
    scale = np.asarray(slant_range, dtype=np.float64) / np.asarray(alt_m, dtype=np.float64)
    cos_inc = np.cos(np.radians(np.asarray(incidence_deg, dtype=np.float64)))
    with np.errstate(invalid="ignore", divide="ignore"):
        optical = g0 * scale / np.sqrt(np.where(cos_inc > 0, cos_inc, np.nan))
    is_sar = np.asarray(kind) == "sar"
    return np.where(is_sar, g0 + 0.0 * optical, optical)


def capabilities_for(
    table: SensorTable,
    norad_ids: Sequence[int],
    names: Sequence[str],
    alts_km: Sequence[float],
    purposes: Mapping[int, tuple[str | None, str | None]] | None = None,
) -> list[Capability | None]:
    """One capability per object: table row if matched, else a UCS-purpose default (assumed),
    else ``None`` (not a known imager)."""
    out: list[Capability | None] = []
    for nid, name, alt in zip(norad_ids, names, alts_km, strict=True):
        row = table.match(nid, name)
        if row is not None:
            out.append(row.capability(alt))
            continue
        kind = None
        if purposes is not None and int(nid) in purposes:
            kind = kind_from_purpose(*purposes[int(nid)])
        out.append(default_capability(kind, alt) if kind else None)
    return out
