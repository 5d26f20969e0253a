"""Airspace zones: polygons with an altitude floor and ceiling.

Sources: GeoJSON (Polygon / MultiPolygon features), OpenAir airspace files (``AC``/``AN``/
``AL``/``AH``/``DP``/``V``/``DA``/``DB``/``DC`` records), and the built-in Air Defense
Identification Zones shipped in ``skywarden/data/airspace`` (14 CFR 99 U.S. zones and China's
East China Sea ADIZ, with their sources and the conversion notes in the README there).

**Canada's ADIZ (CADIZ, ``ca``) comes from a secondary source and is graded ``medium``**: a
third-party transcription of the Designated Airspace Handbook entry (AIRAC 2409), not checked
against a DAH issue; nine of its vertices coincide exactly with published 14 CFR 99 points where it
meets the U.S. ADIZ. Every built-in zone carries ``confidence`` (``high``/``medium``) and
``confidence_reason``, and the CLI prints them for anything below ``high``. Japan's ADIZ is missing:
no complete coordinate list was available, and skywarden never invents coordinates.

Geometry convention: longitudes in [-180, 180]; a zone that spans the antimeridian is stored
split there (a MultiPolygon whose parts meet on ±180), so plain lon/lat point-in-polygon tests
work on both sides. :func:`normalize_polygon` does that split for user polygons given with
continuous longitudes (e.g. 170 → 190 or 170 → -170). Altitudes are metres above mean sea level;
``AGL`` limits are kept with their reference and treated as MSL (no terrain model) — the zone's
``notes`` say so.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.ops import unary_union

from ..errors import NotFoundError, ParseError, ValidationError
from ..geo import geodesic_destination, geodesic_inverse

__all__ = [
    "ADIZ_GROUPS",
    "Zone",
    "builtin_adiz",
    "load_zones",
    "normalize_polygon",
    "parse_altitude_limit",
    "read_openair",
    "zones_to_geojson",
]

FEET_M = 0.3048
NM_M = 1852.0

ADIZ_GROUPS: dict[str, tuple[str, ...]] = {
    "us": ("US-ADIZ-CONUS", "US-ADIZ-ALASKA", "US-ADIZ-GUAM", "US-ADIZ-HAWAII"),
    "cn": ("CN-ADIZ-ECS",),
    "ca": ("CA-ADIZ",),
}
"""Country codes accepted by ``--adiz`` and the zone ids they stand for."""

_MISSING_ADIZ = {
    "jp": "Japan's ADIZ is not built in: only part of its 30-point outer line was available. Load it "
    "from a file with --zones.",
}


@dataclass(frozen=True)
class Zone:
    """An airspace volume: ``geometry`` (lon/lat degrees, WGS84) from ``floor_m`` to ``ceiling_m``.

    Altitudes are metres above mean sea level; ``ceiling_m`` is ``inf`` for unlimited.
    """

    id: str
    name: str
    geometry: MultiPolygon
    floor_m: float = 0.0
    ceiling_m: float = math.inf
    kind: str = ""
    country: str = ""
    source: str = ""
    notes: str = ""
    properties: dict[str, Any] = field(default_factory=dict, compare=False)
    confidence: str = ""
    """How far to trust the boundary: ``high`` (primary legal text), ``medium`` (secondary source or
    part approximated), or empty for user zones; ``confidence_reason`` says why."""
    confidence_reason: str = ""

    def provenance(self) -> dict[str, Any]:
        """Where the boundary comes from and how far to trust it (for reports and JSON output)."""
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "confidence": self.confidence,
            "confidence_reason": self.confidence_reason,
        }

    def contains(self, lat_deg: Any, lon_deg: Any, alt_m: Any = None) -> np.ndarray:
        """Whether points are inside the zone (horizontal polygon and, if given, altitude band).

        Vectorised; points on the boundary count as inside. NaN positions are outside.
        """
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        lon = (lon + 180.0) % 360.0 - 180.0
        inside = np.asarray(shapely.intersects_xy(self.geometry, lon, lat), dtype=bool)
        inside &= np.isfinite(lat) & np.isfinite(lon)
        if alt_m is not None:
            alt = np.asarray(alt_m, dtype=np.float64)
            inside &= (alt >= self.floor_m) & (alt <= self.ceiling_m)
        return inside

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) in degrees."""
        b = self.geometry.bounds
        return (b[0], b[1], b[2], b[3])

    def to_feature(self) -> dict[str, Any]:
        """A GeoJSON Feature with the zone's limits and source in its properties."""
        props = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "floor_m": self.floor_m,
            "ceiling_m": None if math.isinf(self.ceiling_m) else self.ceiling_m,
            "source": self.source,
        }
        if self.confidence:
            props["confidence"] = self.confidence
            props["confidence_reason"] = self.confidence_reason
        if self.notes:
            props["notes"] = self.notes
        return {"type": "Feature", "id": self.id, "geometry": mapping(self.geometry), "properties": props}


# --- altitude limits -----------------------------------------------------------------------

_ALT_RE = re.compile(
    r"^(?P<num>[-+]?\d+(?:\.\d+)?)\s*(?P<unit>ft|feet|f|m|meters|metres)?\s*(?P<ref>msl|amsl|agl|asfc|sfc|gnd)?$",
    re.IGNORECASE,
)
_ALT_HELP = "SFC, GND, UNL, FL180, 5000ft MSL, 1500 ft AGL, 3000 m, or a number of feet"


def parse_altitude_limit(text: str | float | None, *, where: str = "") -> tuple[float, str]:
    """An airspace altitude limit → (metres, reference) with reference ``MSL``, ``AGL`` or ``STD``.

    ``SFC``/``GND`` → (0, ``AGL``); ``UNL``/``UNLTD`` → (inf, ``MSL``); ``FL180`` → (18000 ft, ``STD``);
    a bare number is feet MSL (the OpenAir and aeronautical convention).
    """
    if text is None:
        raise ValidationError(f"{where}altitude limit missing; expected {_ALT_HELP}")
    if isinstance(text, int | float):
        return float(text) * FEET_M, "MSL"
    t = text.strip().upper().replace("'", "")
    if t in ("SFC", "GND", "SURFACE", "0"):
        return 0.0, "AGL"
    if t in ("UNL", "UNLTD", "UNLIMITED", "UNLIM"):
        return math.inf, "MSL"
    fl = re.match(r"^FL\s*(\d{1,3})$", t)
    if fl:
        return int(fl.group(1)) * 100 * FEET_M, "STD"
    m = _ALT_RE.match(t.replace("FT", "ft").replace("M", "m").lower())
    if m is None:
        raise ValidationError(f"{where}altitude limit {text!r} not understood; expected {_ALT_HELP}")
    value = float(m.group("num"))
    unit = (m.group("unit") or "ft").lower()
    metres = value if unit.startswith("m") else value * FEET_M
    ref = (m.group("ref") or "MSL").upper()
    return metres, ("AGL" if ref in ("AGL", "ASFC", "SFC", "GND") else "MSL")


# --- geometry helpers ----------------------------------------------------------------------


def normalize_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> MultiPolygon:
    """A polygon given as rings of (lon, lat) → MultiPolygon in [-180, 180], split at ±180.

    Longitudes along each ring are made continuous first (a ring going 179 → -179 really steps 2°
    east), so zones spanning the antimeridian keep their true shape.
    """
    unwrapped = []
    for ring in rings:
        arr = np.asarray(ring, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] < 3 or arr.shape[1] < 2:
            raise ValidationError("polygon ring needs at least 3 (lon, lat) points")
        lon = np.rad2deg(np.unwrap(np.deg2rad(arr[:, 0])))
        unwrapped.append(np.column_stack([lon, arr[:, 1]]))
    # Shift so the outer ring's west edge lies in [-180, 180).
    shift = -360.0 * math.floor((unwrapped[0][:, 0].min() + 180.0) / 360.0)
    shift_xy = np.array([shift, 0.0])
    poly = Polygon(unwrapped[0] + shift_xy, [r + shift_xy for r in unwrapped[1:]])
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    parts = []
    for offset in (0.0, -360.0):
        window = box(-180.0 - offset, -90.0, 180.0 - offset, 90.0)
        piece = poly.intersection(window)
        if not piece.is_empty:
            parts.append(affinity.translate(piece, xoff=offset) if offset else piece)
    merged = unary_union(parts)
    polys = [g for g in getattr(merged, "geoms", [merged]) if isinstance(g, Polygon) and not g.is_empty]
    return MultiPolygon(polys)


def _as_multipolygon(geom: Any, where: str) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    raise ValidationError(f"{where}geometry must be a Polygon or MultiPolygon, got {geom.geom_type}")


# --- built-in ADIZ -------------------------------------------------------------------------


def _builtin_features() -> list[dict[str, Any]]:
    text = resources.files("skywarden").joinpath("data/airspace/adiz.geojson").read_text("utf-8")
    return list(json.loads(text)["features"])


def builtin_adiz(which: str | Iterable[str] | None = None) -> list[Zone]:
    """Built-in ADIZ zones. ``which``: ``None`` (all), country codes (``us``, ``cn``, ``ca``;
    comma-separated text accepted) or zone ids (``US-ADIZ-ALASKA``). Unknown or missing codes raise
    with the list of what is available and, for Japan, why it is not built in. Each zone carries
    its ``source`` and ``confidence`` grade (Canada's is ``medium``: a secondary transcription)."""
    feats = {f["properties"]["id"]: f for f in _builtin_features()}
    if which is None:
        wanted = list(feats)
    else:
        items = which.split(",") if isinstance(which, str) else list(which)
        wanted = []
        for raw in items:
            key = raw.strip()
            if not key:
                continue
            if key.lower() in ADIZ_GROUPS:
                wanted.extend(ADIZ_GROUPS[key.lower()])
            elif key.upper() in feats:
                wanted.append(key.upper())
            elif key.lower() in _MISSING_ADIZ:
                raise NotFoundError(_MISSING_ADIZ[key.lower()])
            else:
                valid = ", ".join([*ADIZ_GROUPS, *feats])
                raise NotFoundError(f"unknown ADIZ {key!r}; built-in choices: {valid}")
    zones = []
    for zid in dict.fromkeys(wanted):
        f = feats[zid]
        p = f["properties"]
        floor_m, _ = parse_altitude_limit(p.get("lower_limit", "SFC"))
        ceiling_m, _ = parse_altitude_limit(p.get("upper_limit", "UNL"))
        zones.append(
            Zone(
                id=zid,
                name=p["name"],
                geometry=_as_multipolygon(shape(f["geometry"]), f"{zid}: "),
                floor_m=floor_m,
                ceiling_m=ceiling_m,
                kind="ADIZ",
                country=p.get("country", ""),
                source=f"{p.get('legal_reference', '')}; {p.get('source_url', '')}".strip("; "),
                notes=p.get("notes", "") or "",
                properties=dict(p),
                confidence=p.get("confidence", ""),
                confidence_reason=p.get("confidence_reason", ""),
            )
        )
    return zones


# --- GeoJSON ---------------------------------------------------------------------------------


def _zone_from_feature(feat: dict[str, Any], index: int, path: str) -> Zone:
    where = f"{path}: feature {index}"
    props = feat.get("properties") or {}
    name = str(props.get("name") or props.get("id") or f"zone-{index}")
    where = f"{where} ({name}): "
    geom_json = feat.get("geometry")
    if not geom_json or geom_json.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(f"{where}field 'geometry': expected a Polygon or MultiPolygon")
    if geom_json["type"] == "Polygon":
        geom = normalize_polygon(geom_json["coordinates"])
    else:
        parts = [normalize_polygon(rings) for rings in geom_json["coordinates"]]
        geom = MultiPolygon([p for mp in parts for p in mp.geoms])
    if not geom.is_valid:
        raise ValidationError(
            f"{where}field 'geometry': polygon is not valid ({shapely.is_valid_reason(geom)})"
        )
    floor_raw = props.get("floor_m", props.get("lower_limit", "SFC"))
    ceil_raw = props.get("ceiling_m", props.get("upper_limit", "UNL"))
    floor_m = float(floor_raw) if "floor_m" in props else parse_altitude_limit(floor_raw, where=where)[0]
    if "ceiling_m" in props:
        ceiling_m = math.inf if ceil_raw is None else float(ceil_raw)
    else:
        ceiling_m = parse_altitude_limit(ceil_raw, where=where)[0]
    if ceiling_m < floor_m:
        raise ValidationError(f"{where}ceiling {ceiling_m} m is below floor {floor_m} m")
    return Zone(
        id=str(props.get("id", name)),
        name=name,
        geometry=geom,
        floor_m=floor_m,
        ceiling_m=ceiling_m,
        kind=str(props.get("kind", props.get("class", ""))),
        country=str(props.get("country", "")),
        source=str(props.get("source", path)),
        properties=dict(props),
    )


def _read_geojson_zones(path: Path) -> list[Zone]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ParseError(
            exc.msg, path=path, line=exc.lineno, expected="a GeoJSON FeatureCollection or Feature"
        ) from None
    if data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
    elif data.get("type") == "Feature":
        feats = [data]
    elif data.get("type") in ("Polygon", "MultiPolygon"):
        feats = [{"type": "Feature", "geometry": data, "properties": {"name": path.stem}}]
    else:
        raise ParseError("not a GeoJSON zone file", path=path, expected="FeatureCollection of polygons")
    return [_zone_from_feature(f, i, str(path)) for i, f in enumerate(feats)]


# --- OpenAir ---------------------------------------------------------------------------------

_COORD_RE = re.compile(
    r"(?P<lat>\d+(?::\d+(?:\.\d+)?){0,2}|\d+\.\d+)\s*(?P<ns>[NS])\s*"
    r"(?P<lon>\d+(?::\d+(?:\.\d+)?){0,2}|\d+\.\d+)\s*(?P<ew>[EW])",
    re.IGNORECASE,
)
_OPENAIR_COORD = "DD:MM:SS N DDD:MM:SS E (or DD:MM.mmm N, or decimal degrees with N/S/E/W)"


def _dms(text: str) -> float:
    parts = [float(p) for p in text.split(":")]
    value = 0.0
    for k, p in enumerate(parts):
        value += p / (60.0**k)
    return value


def _parse_coord(text: str, path: Path, line: int) -> tuple[float, float]:
    m = _COORD_RE.search(text)
    if m is None:
        raise ParseError("coordinate not understood", path=path, line=line, expected=_OPENAIR_COORD, got=text)
    lat = _dms(m.group("lat")) * (-1 if m.group("ns").upper() == "S" else 1)
    lon = _dms(m.group("lon")) * (-1 if m.group("ew").upper() == "W" else 1)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ParseError("coordinate out of range", path=path, line=line, expected=_OPENAIR_COORD, got=text)
    return lat, lon


def _arc(
    centre: tuple[float, float], start: tuple[float, float], end: tuple[float, float], clockwise: bool
) -> list[tuple[float, float]]:
    """Points (lat, lon) along a geodesic-radius arc from start to end about centre, every 2°."""
    az1, _, r1 = geodesic_inverse(centre[0], centre[1], start[0], start[1])
    az2, _, r2 = geodesic_inverse(centre[0], centre[1], end[0], end[1])
    a1, a2 = float(az1), float(az2)
    sweep = (a2 - a1) % 360.0 if clockwise else -((a1 - a2) % 360.0)
    n = max(2, int(abs(sweep) / 2.0) + 1)
    az = a1 + np.linspace(0.0, sweep, n)
    radius = np.linspace(float(r1), float(r2), n)
    lat, lon = geodesic_destination(centre[0], centre[1], az, radius)
    pts = list(zip(lat.tolist(), lon.tolist(), strict=True))
    pts[0], pts[-1] = start, end
    return pts


def read_openair(path: str | Path) -> list[Zone]:
    """Read an OpenAir airspace file (Winpilot format, as used by soaring and UAS tools)."""
    p = Path(path)
    zones: list[Zone] = []
    cur: dict[str, Any] | None = None

    def finish() -> None:
        if cur is None:
            return
        pts = cur["points"]
        if len(pts) < 3:
            raise ParseError(
                f"airspace {cur['name']!r} has {len(pts)} points; a polygon needs at least 3",
                path=p,
                line=cur["line"],
                expected="DP/DA/DB/DC records after AN",
            )
        ring = [(lon, lat) for lat, lon in pts]
        geom = normalize_polygon([ring])
        zones.append(
            Zone(
                id=cur["name"],
                name=cur["name"],
                geometry=geom,
                floor_m=cur["floor"],
                ceiling_m=cur["ceiling"],
                kind=cur["class"],
                source=f"{p.name}:{cur['line']}",
                notes="; ".join(cur["notes"]),
            )
        )

    centre: tuple[float, float] | None = None
    clockwise = True
    lines = p.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    for lineno, raw in enumerate(lines, start=1):
        text = raw.split("*", 1)[0].strip()
        if not text:
            continue
        key, _, rest = text.partition(" ")
        key = key.upper()
        rest = rest.strip()
        if key == "AC":
            finish()
            cur = {"class": rest, "name": f"airspace-{lineno}", "floor": 0.0, "ceiling": math.inf,
                   "points": [], "line": lineno, "notes": []}  # fmt: skip
            centre, clockwise = None, True
            continue
        if cur is None:
            raise ParseError(
                "record before the first AC", path=p, line=lineno, expected="AC <class> first", got=raw
            )
        if key == "AN":
            cur["name"] = rest
        elif key in ("AL", "AH"):
            metres, ref = parse_altitude_limit(rest, where=f"{p}:{lineno}: ")
            cur["floor" if key == "AL" else "ceiling"] = metres
            if ref == "AGL" and metres > 0:
                cur["notes"].append(f"{key} {rest} is above ground; treated as above mean sea level")
        elif key == "DP":
            cur["points"].append(_parse_coord(rest, p, lineno))
        elif key == "V":
            var, _, value = rest.partition("=")
            var = var.strip().upper()
            if var == "X":
                centre = _parse_coord(value, p, lineno)
            elif var == "D":
                clockwise = value.strip() != "-"
        elif key in ("DA", "DB", "DC"):
            if centre is None:
                raise ParseError(
                    "arc without a centre", path=p, line=lineno, expected="V X=<coord> before it"
                )
            if key == "DC":
                radius_m = float(rest) * NM_M
                az = np.linspace(0.0, 360.0, 181)[:-1]
                lat, lon = geodesic_destination(centre[0], centre[1], az, radius_m)
                cur["points"].extend(zip(lat.tolist(), lon.tolist(), strict=True))
            elif key == "DA":
                try:
                    r_nm, a1, a2 = (float(v) for v in rest.split(","))
                except ValueError:
                    raise ParseError(
                        "bad arc", path=p, line=lineno, expected="DA radius_nm, start_deg, end_deg", got=raw
                    ) from None
                la1, lo1 = geodesic_destination(centre[0], centre[1], a1, r_nm * NM_M)
                la2, lo2 = geodesic_destination(centre[0], centre[1], a2, r_nm * NM_M)
                cur["points"].extend(
                    _arc(centre, (float(la1), float(lo1)), (float(la2), float(lo2)), clockwise)
                )
            else:
                ends = rest.split(",")
                if len(ends) != 2:
                    raise ParseError("bad arc", path=p, line=lineno, expected="DB <coord>, <coord>", got=raw)
                start = _parse_coord(ends[0], p, lineno)
                end = _parse_coord(ends[1], p, lineno)
                cur["points"].extend(_arc(centre, start, end, clockwise))
        # Other records (AT label positions, SP/SB styles, AY type) carry no geometry.
    finish()
    if not zones:
        raise ParseError("no airspace found", path=p, expected="OpenAir records starting with 'AC <class>'")
    return zones


def load_zones(paths: str | Path | Iterable[str | Path]) -> list[Zone]:
    """Zones from GeoJSON (``.geojson``/``.json``) or OpenAir (``.txt``/``.air``/``.openair``) files."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    zones: list[Zone] = []
    for item in items:
        p = Path(item)
        if not p.exists():
            raise NotFoundError(f"zone file not found: {p}")
        head = p.read_text(encoding="utf-8-sig", errors="replace").lstrip()[:1]
        zones.extend(_read_geojson_zones(p) if head in ("{", "[") else read_openair(p))
    return zones


def zones_to_geojson(zones: Iterable[Zone]) -> dict[str, Any]:
    """A FeatureCollection of zones."""
    return {"type": "FeatureCollection", "features": [z.to_feature() for z in zones]}
