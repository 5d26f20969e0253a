"""Protected sites: a named point (with an optional radius) or a named polygon, WGS84.

This is the one site model of skywarden (overflight watch, airspace and exposure work all use
it). A site is loaded from GeoJSON, CSV or TOML, or parsed from an inline ``lat,lon[,alt_m]``
string. Every validation error names the site (feature index and name) and the field::

    sites.geojson: feature 2 ('north gate'): field 'geometry.coordinates': polygon is not closed …

Coordinates: ``lat_deg`` geodetic latitude in [-90, 90], ``lon_deg`` in [-180, 180] (wrapped
to [-180, 180) by :func:`skywarden.geo.wrap_lon_deg`), ``alt_m`` height above the WGS84
ellipsoid in metres, ``radius_m`` a ground radius in metres. Polygons are rings of
``(lon_deg, lat_deg)`` pairs as in GeoJSON; the ring must be closed (first vertex == last),
must not intersect itself and must not cross the antimeridian (split such a site in two).

File formats
------------
* **GeoJSON**: a ``FeatureCollection`` (or one ``Feature``) of ``Point`` or ``Polygon`` features;
  ``properties.name`` (or ``id``), optional ``properties.radius_m``; a Point's third coordinate is
  its altitude in metres (or ``properties.alt_m``).
* **CSV**: header with ``name,lat_deg,lon_deg`` and optional ``alt_m,radius_m`` (the short
  spellings ``lat``, ``lon``, ``alt``, ``radius`` are accepted too).
* **TOML**: ``[[site]]`` tables with ``name``, and either ``lat_deg``/``lon_deg`` (+ optional
  ``alt_m``, ``radius_m``) or ``polygon = [[lon, lat], …]`` (closed ring).
"""

from __future__ import annotations

import csv
import json
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import NotFoundError, ParseError, ValidationError
from .geo import geodesic_inverse, geodetic_to_ecef, wrap_lon_deg

__all__ = ["Site", "load_sites", "parse_site"]


@dataclass(frozen=True)
class Site:
    """A protected site: a point (``lat_deg``, ``lon_deg``, ``alt_m``) with an optional
    ``radius_m``, or a polygon ring ``polygon_lonlat_deg`` of ``(lon_deg, lat_deg)`` vertices.

    For a polygon, ``lat_deg``/``lon_deg`` is its reference point (the area centroid computed
    on the vertices' plate carrée, good for sites of a few km) and ``radius_m`` the largest
    geodesic distance from that point to a vertex. Geometry computations (access windows,
    elevation) use the reference point; ``radius_m`` says how far the site extends from it.
    """

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0
    radius_m: float = 0.0
    polygon_lonlat_deg: tuple[tuple[float, float], ...] | None = field(default=None)

    def __post_init__(self) -> None:
        _check_point(self.name, self.lat_deg, self.lon_deg, self.alt_m, self.radius_m, where=None)

    @property
    def is_polygon(self) -> bool:
        """True for polygon sites."""
        return self.polygon_lonlat_deg is not None

    @property
    def ecef_m(self) -> np.ndarray:
        """Reference point in ECEF (WGS84), metres, shape ``(3,)``."""
        return geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m)

    def geojson_geometry(self) -> dict[str, Any]:
        """The site as a GeoJSON geometry (Point, or Polygon with its closed ring)."""
        if self.polygon_lonlat_deg is not None:
            return {"type": "Polygon", "coordinates": [[list(v) for v in self.polygon_lonlat_deg]]}
        coords = [self.lon_deg, self.lat_deg] + ([self.alt_m] if self.alt_m else [])
        return {"type": "Point", "coordinates": coords}

    @classmethod
    def from_polygon(
        cls, name: str, ring_lonlat_deg: Sequence[Sequence[float]], alt_m: float = 0.0, *, where: str = ""
    ) -> Site:
        """A polygon site from a closed ring of ``(lon_deg, lat_deg)``; checks closure and
        self-intersection (via shapely) and names the site in the error."""
        label = where or f"site {name!r}"
        ring = _check_ring(ring_lonlat_deg, label)
        lon = np.array([v[0] for v in ring[:-1]])
        lat = np.array([v[1] for v in ring[:-1]])
        # Area centroid of the ring (shoelace on lon/lat; fine for sites of a few km).
        x, y = np.append(lon, lon[0]), np.append(lat, lat[0])
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area2 = cross.sum()
        cx = float(((x[:-1] + x[1:]) * cross).sum() / (3.0 * area2))
        cy = float(((y[:-1] + y[1:]) * cross).sum() / (3.0 * area2))
        _, _, dist = geodesic_inverse(cy, cx, lat, lon)
        return cls(
            name=name,
            lat_deg=cy,
            lon_deg=float(wrap_lon_deg(cx)),
            alt_m=float(alt_m),
            radius_m=float(np.max(dist)),
            polygon_lonlat_deg=tuple((float(a), float(b)) for a, b in ring),
        )


def _fail(where: str | None, field_name: str, message: str, got: object = None) -> ValidationError:
    prefix = f"{where}: " if where else ""
    shown = "" if got is None else f" (got {got!r})"
    return ValidationError(f"{prefix}field {field_name!r}: {message}{shown}")


def _check_point(name: str, lat: float, lon: float, alt: float, radius: float, where: str | None) -> None:
    label = where or f"site {name!r}"
    if not isinstance(name, str) or not name.strip():
        raise _fail(label, "name", "a site needs a non-empty name", name)
    for fname, value in (("lat_deg", lat), ("lon_deg", lon), ("alt_m", alt), ("radius_m", radius)):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise _fail(label, fname, "expected a finite number", value)
    if not -90.0 <= lat <= 90.0:
        raise _fail(label, "lat_deg", "latitude out of range [-90, 90] degrees", lat)
    if not -180.0 <= lon <= 180.0:
        raise _fail(label, "lon_deg", "longitude out of range [-180, 180] degrees", lon)
    if not -500.0 <= alt <= 100_000.0:
        raise _fail(label, "alt_m", "altitude out of range [-500, 100000] m above the ellipsoid", alt)
    if radius < 0.0:
        raise _fail(label, "radius_m", "radius must be >= 0 m", radius)


def _check_ring(ring: Sequence[Sequence[float]], label: str) -> list[tuple[float, float]]:
    from shapely.geometry import Polygon
    from shapely.validation import explain_validity

    fname = "geometry.coordinates"
    try:
        pts = [(float(v[0]), float(v[1])) for v in ring]
    except (TypeError, ValueError, IndexError) as exc:
        raise _fail(label, fname, "expected a ring of [lon_deg, lat_deg] pairs", str(exc)) from None
    if len(pts) < 4:
        raise _fail(
            label, fname, "a polygon ring needs at least 4 positions (3 vertices + closing)", len(pts)
        )
    for lon, lat in pts:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise _fail(label, fname, "vertex coordinates must be finite numbers", (lon, lat))
        if not -90.0 <= lat <= 90.0:
            raise _fail(label, fname, "latitude out of range [-90, 90] degrees", (lon, lat))
        if not -180.0 <= lon <= 180.0:
            raise _fail(label, fname, "longitude out of range [-180, 180] degrees", (lon, lat))
    if pts[0] != pts[-1]:
        raise _fail(
            label,
            fname,
            "polygon is not closed: the first and last positions must be equal",
            (pts[0], pts[-1]),
        )
    lons = [p[0] for p in pts]
    if max(lons) - min(lons) > 180.0:
        raise _fail(
            label, fname, "polygon spans more than 180 degrees of longitude (crosses the antimeridian?); "
            "split it into two sites",
        )  # fmt: skip
    poly = Polygon(pts)
    if not poly.is_valid:
        raise _fail(label, fname, f"polygon is invalid: {explain_validity(poly)} (self-intersection?)")
    if poly.area <= 0.0:
        raise _fail(label, fname, "polygon has zero area")
    return pts


def parse_site(text: str, name: str | None = None) -> Site:
    """An inline site ``"lat_deg,lon_deg[,alt_m]"``, e.g. ``"38.8,-104.7"`` or ``"38.8,-104.7,1900"``.

    An optional name may precede it with ``=``: ``"Pueblo=38.3,-104.6"``.
    """
    raw = text.strip()
    if "=" in raw:
        name, raw = (part.strip() for part in raw.split("=", 1))
    parts = [p.strip() for p in raw.split(",")]
    expected = "lat_deg,lon_deg[,alt_m], e.g. 38.8,-104.7 or 38.8,-104.7,1900"
    if len(parts) not in (2, 3):
        raise ParseError("site is not lat,lon[,alt_m]", field="--site", expected=expected, got=text)
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ParseError(
            "site coordinates must be numbers", field="--site", expected=expected, got=text
        ) from None
    lat, lon = values[0], values[1]
    alt = values[2] if len(values) == 3 else 0.0
    label = name or f"{lat:g},{lon:g}"
    _check_point(label, lat, lon, alt, 0.0, where=f"--site {text!r}")
    return Site(name=label, lat_deg=lat, lon_deg=lon, alt_m=alt)


def _num(value: Any, label: str, fname: str, default: float | None = None) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise _fail(label, fname, "required field is missing")
        return default
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise _fail(label, fname, "expected a number", value) from None
    if not math.isfinite(out):
        raise _fail(label, fname, "expected a finite number", value)
    return out


def _site_from_mapping(rec: Mapping[str, Any], label: str, default_name: str) -> Site:
    name = str(rec.get("name") or default_name).strip()
    label = f"{label} ({name!r})"
    alt = _num(rec.get("alt_m", rec.get("alt")), label, "alt_m", 0.0)
    if rec.get("polygon") is not None:
        return Site.from_polygon(name, rec["polygon"], alt, where=label)
    lat = _num(rec.get("lat_deg", rec.get("lat")), label, "lat_deg")
    lon = _num(rec.get("lon_deg", rec.get("lon")), label, "lon_deg")
    radius = _num(rec.get("radius_m", rec.get("radius")), label, "radius_m", 0.0)
    _check_point(name, lat, lon, alt, radius, where=label)
    return Site(name=name, lat_deg=lat, lon_deg=lon, alt_m=alt, radius_m=radius)


def _sites_from_geojson(obj: Any, path: Path) -> list[Site]:
    if not isinstance(obj, dict) or "type" not in obj:
        raise ParseError(
            "not a GeoJSON object", path=path, field="type", expected="FeatureCollection or Feature"
        )
    if obj["type"] == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise ParseError("FeatureCollection without a features list", path=path, field="features")
    elif obj["type"] == "Feature":
        features = [obj]
    else:
        raise ParseError(
            "unsupported GeoJSON type",
            path=path,
            field="type",
            expected="FeatureCollection or Feature",
            got=str(obj["type"]),
        )
    sites: list[Site] = []
    for i, feat in enumerate(features):
        props = (feat.get("properties") or {}) if isinstance(feat, dict) else {}
        name = str(
            props.get("name") or (feat.get("id") if isinstance(feat, dict) else None) or f"site-{i + 1}"
        )
        label = f"{path}: feature {i} ({name!r})"
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict):
            raise _fail(label, "geometry", "feature has no geometry object")
        coords = geom.get("coordinates")
        gtype = geom.get("type")
        if gtype == "Point":
            if not isinstance(coords, list) or len(coords) not in (2, 3):
                raise _fail(
                    label, "geometry.coordinates", "a Point needs [lon_deg, lat_deg(, alt_m)]", coords
                )
            lon = _num(coords[0], label, "geometry.coordinates[0] (lon_deg)")
            lat = _num(coords[1], label, "geometry.coordinates[1] (lat_deg)")
            alt = _num(coords[2] if len(coords) == 3 else props.get("alt_m"), label, "alt_m", 0.0)
            radius = _num(props.get("radius_m"), label, "properties.radius_m", 0.0)
            _check_point(name, lat, lon, alt, radius, where=label)
            sites.append(Site(name=name, lat_deg=lat, lon_deg=lon, alt_m=alt, radius_m=radius))
        elif gtype == "Polygon":
            if not isinstance(coords, list) or not coords or not isinstance(coords[0], list):
                raise _fail(label, "geometry.coordinates", "a Polygon needs a list of rings", coords)
            alt = _num(props.get("alt_m"), label, "properties.alt_m", 0.0)
            sites.append(Site.from_polygon(name, coords[0], alt, where=label))
        else:
            raise _fail(label, "geometry.type", "expected 'Point' or 'Polygon'", gtype)
    return sites


def _sites_from_csv(path: Path) -> list[Site]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames:
        raise ParseError(
            "empty CSV file", path=path, line=1, expected="header name,lat_deg,lon_deg[,alt_m,radius_m]"
        )
    cols = {c.strip().lower() for c in reader.fieldnames}
    if not ({"lat_deg", "lat"} & cols and {"lon_deg", "lon"} & cols):
        raise ParseError(
            "CSV header lacks latitude/longitude columns",
            path=path,
            line=1,
            field="header",
            expected="name,lat_deg,lon_deg[,alt_m,radius_m]",
            got=",".join(reader.fieldnames),
        )
    sites: list[Site] = []
    for row in reader:
        rec = {(k or "").strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        label = f"{path}:{reader.line_num}"
        sites.append(_site_from_mapping(rec, label, f"site-{len(sites) + 1}"))
    return sites


def _sites_from_toml(path: Path) -> list[Site]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"not valid TOML: {exc}", path=path) from None
    records = data.get("site", data.get("sites"))
    if not isinstance(records, list):
        raise ParseError(
            "no [[site]] tables", path=path, field="site", expected="[[site]] name=…, lat_deg=…, lon_deg=…"
        )
    return [_site_from_mapping(rec, f"{path}: site {i}", f"site-{i + 1}") for i, rec in enumerate(records)]


def load_sites(path: str | Path) -> list[Site]:
    """Sites from a GeoJSON (``.geojson``/``.json``), CSV (``.csv``) or TOML (``.toml``) file.

    Raises :class:`~skywarden.errors.ValidationError` naming the feature/row and field for a bad
    site, :class:`~skywarden.errors.ParseError` for an unreadable file and
    :class:`~skywarden.errors.NotFoundError` when the file does not exist. Names must be unique.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"site file not found: {p}")
    suffix = p.suffix.lower()
    try:
        if suffix in (".geojson", ".json"):
            try:
                obj = json.loads(p.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ParseError(f"not valid JSON: {exc.msg}", path=p, line=exc.lineno) from None
            sites = _sites_from_geojson(obj, p)
        elif suffix == ".csv":
            sites = _sites_from_csv(p)
        elif suffix == ".toml":
            sites = _sites_from_toml(p)
        else:
            raise ParseError(
                "unknown site file type",
                path=p,
                field="suffix",
                expected=".geojson, .json, .csv or .toml",
                got=suffix,
            )
    except UnicodeDecodeError:
        raise ParseError("file is not UTF-8 text", path=p) from None
    if not sites:
        raise ValidationError(f"{p}: no sites in file")
    _check_unique(sites, p)
    return sites


def _check_unique(sites: Iterable[Site], path: Path) -> None:
    seen: set[str] = set()
    for s in sites:
        if s.name in seen:
            raise ValidationError(f"{path}: field 'name': duplicate site name {s.name!r}")
        seen.add(s.name)
