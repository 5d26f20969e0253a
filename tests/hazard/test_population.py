"""Embedded population model and GeoTIFF rasters.

Outside numbers: city-proper densities (Paris ≈ 20,000 /km², New York City ≈ 11,000 /km², INSEE
and US Census 2020), France's population 67.4 M (INSEE, 2020) and metropolitan area
551,695 km²; the land/sea mask of global-land-mask; cell areas of a 0.1° raster from the
spherical zone formula R² Δλ (sin φ2 − sin φ1).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from skywarden.errors import DataQualityWarning, NotFoundError, OptionError, ParseError
from skywarden.hazard.population import RasterPopulation, is_water, load_population, water_distance_km

OPEN_SEA = [(30.0, -40.0), (0.0, -140.0), (-40.0, 80.0), (55.0, -30.0)]
CITIES = {"Paris": (48.8566, 2.3522), "New York": (40.7128, -74.0060), "Tokyo": (35.6895, 139.6917),
          "Delhi": (28.6519, 77.2315), "Sao Paulo": (-23.5475, -46.6361)}  # fmt: skip


def test_open_sea_is_zero(default_population):
    lat, lon = np.array(OPEN_SEA).T
    np.testing.assert_array_equal(default_population.density_per_km2(lat, lon), 0.0)
    assert is_water(lat, lon).all()


def test_city_centres_are_dense(default_population):
    lat, lon = np.array(list(CITIES.values())).T
    dens = default_population.density_per_km2(lat, lon)
    # every centre above 3,000 /km²; Paris and NYC within a factor 3 of their city-proper densities
    assert np.all(dens > 3000.0), dict(zip(CITIES, dens, strict=True))
    assert 20_000 / 3 < dens[0] < 20_000 * 3
    assert 11_000 / 3 < dens[1] < 11_000 * 3


def test_rural_land_gets_the_country_average(default_population):
    # western Kansas (no listed city within tens of km): US rural average of order 10 /km²
    d = float(default_population.density_per_km2(38.5, -101.0))
    assert 1.0 < d < 60.0
    # Sahara interior: small but positive where Algeria's rural average applies
    assert 0.0 < float(default_population.density_per_km2(27.0, 3.0)) < 30.0


def test_country_total_is_conserved_for_france(default_population):
    """Integrating the default model over metropolitan France on a 0.05° grid gives its
    population (67.4 M, INSEE 2020) within ±35 % (disks spill over borders and into the sea)."""
    step = 0.05
    lat = np.arange(42.3, 51.1, step) + step / 2
    lon = np.arange(-4.8, 8.3, step) + step / 2
    glat, glon = np.meshgrid(lat, lon, indexing="ij")
    dens = default_population.density_per_km2(glat, glon)
    cell_km2 = (6371.0088**2 * math.radians(step)
                * np.abs(np.sin(np.radians(glat + step / 2)) - np.sin(np.radians(glat - step / 2))))  # fmt: skip
    france = _in_france(glat, glon)
    total = float(np.sum(dens * cell_km2 * france))
    assert 67.4e6 * 0.65 < total < 67.4e6 * 1.35, total


def _in_france(lat, lon):
    """Coarse polygon of metropolitan France (hand-drawn from a map, ~20 km accuracy)."""
    from shapely import contains_xy
    from shapely.geometry import Polygon

    poly = Polygon([(-4.8, 48.4), (-1.8, 48.7), (1.5, 50.0), (2.5, 51.1), (4.2, 49.95), (5.9, 49.5),
                    (8.2, 49.0), (7.6, 47.6), (6.0, 46.2), (7.0, 45.9), (6.6, 45.1), (7.0, 44.2),
                    (7.5, 43.8), (6.2, 43.1), (4.0, 43.5), (3.1, 43.0), (3.0, 42.45), (1.7, 42.5),
                    (-1.8, 43.35), (-1.3, 44.3), (-1.2, 46.2), (-2.3, 47.1), (-4.8, 48.0)])  # fmt: skip
    return contains_xy(poly, lon, lat)


def test_water_distance(default_population):
    from skywarden.geo import geodesic_destination

    # a point 30 km due east of Atlantic City's coast: land found within a few km of 30 km
    lat, lon = geodesic_destination(39.36, -74.40, 90.0, 30_000.0)
    d = water_distance_km(lat, lon, 80.0)
    assert 22.0 <= float(d[0]) <= 34.0
    assert float(water_distance_km(38.5, -101.0, 50.0)[0]) == 0.0
    assert math.isinf(float(water_distance_km(30.0, -40.0, 20.0)[0]))


def _write_raster(path, data, *, transform, crs="EPSG:4326", nodata=None, description=None):
    import rasterio

    with rasterio.open(
        path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1], count=1,
        dtype=data.dtype, crs=crs, transform=transform, nodata=nodata,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
        if description:
            dst.set_band_description(1, description)


def test_density_raster_with_nodata_and_outside(tmp_path):
    from rasterio.transform import Affine

    data = np.array([[10.0, 20.0, -9999.0], [30.0, 40.0, 50.0]], dtype=np.float32)
    f = tmp_path / "gpw_population_density.tif"
    _write_raster(f, data, transform=Affine(0.1, 0.0, 10.0, 0.0, -0.1, 50.0), nodata=-9999.0)
    pop = RasterPopulation(f)
    assert pop.kind == "density"  # "density" in the file name
    lat = np.array([49.95, 49.95, 49.95, 49.85, 49.85])
    lon = np.array([10.05, 10.15, 10.25, 10.05, 10.25])
    np.testing.assert_allclose(pop.density_per_km2(lat, lon), [10.0, 20.0, 0.0, 30.0, 50.0])
    with pytest.warns(DataQualityWarning, match="1 of 2 point"):
        out = pop.density_per_km2([49.95, 10.0], [10.05, 10.0])
    np.testing.assert_allclose(out, [10.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one warning per raster: later points are only counted
        pop.density_per_km2([0.0, 0.0], [0.0, 0.0])
    assert pop.describe()["points_outside"] == 3
    assert load_population(f).describe()["kind"] == "density"


def test_count_raster_converted_by_spherical_cell_area(tmp_path):
    from rasterio.transform import Affine

    data = np.full((2, 2), 1000.0, dtype=np.float32)
    f = tmp_path / "worldpop_ppp.tif"
    _write_raster(f, data, transform=Affine(0.1, 0.0, 0.0, 0.0, -0.1, 60.0))
    pop = RasterPopulation(f)
    assert pop.kind == "count"
    r = 6371.0088
    area = r**2 * math.radians(0.1) * (math.sin(math.radians(60.0)) - math.sin(math.radians(59.9)))
    assert float(pop.density_per_km2(59.95, 0.05)) == pytest.approx(1000.0 / area, rel=1e-9)
    # explicit kind overrides the guess
    assert float(RasterPopulation(f, kind="density").density_per_km2(59.95, 0.05)) == pytest.approx(1000.0)


def test_projected_count_raster(tmp_path):
    from pyproj import Transformer
    from rasterio.transform import Affine

    x0, y0 = Transformer.from_crs("EPSG:4326", "EPSG:32633", always_xy=True).transform(15.0, 45.0)
    data = np.full((3, 3), 500.0, dtype=np.float32)  # 500 people per 1 km² cell
    f = tmp_path / "utm.tif"
    _write_raster(
        f, data, transform=Affine(1000.0, 0.0, x0 - 1500, 0.0, -1000.0, y0 + 1500), crs="EPSG:32633"
    )
    pop = RasterPopulation(f, kind="count")
    assert float(pop.density_per_km2(45.0, 15.0)) == pytest.approx(500.0)


def test_raster_errors(tmp_path):
    with pytest.raises(NotFoundError):
        RasterPopulation(tmp_path / "none.tif")
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ParseError, match=r"bad\.tif"):
        RasterPopulation(bad)
    with pytest.raises(OptionError, match="density"):
        RasterPopulation(bad, kind="people")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_population("default").name == "default"
