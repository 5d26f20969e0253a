"""skywarden.weather: wind fields (GFS/ERA5 GRIB2 and NetCDF), US 1976 atmosphere, downloaders."""

from .atmosphere import (
    altitude_from_density,
    altitude_from_pressure,
    geopotential_to_geometric,
    standard_atmosphere,
    us1976,
)
from .gfs import download_era5, download_gfs, gfs_url
from .winds import WindField, load_winds

__all__ = [
    "WindField",
    "altitude_from_density",
    "altitude_from_pressure",
    "download_era5",
    "download_gfs",
    "geopotential_to_geometric",
    "gfs_url",
    "load_winds",
    "standard_atmosphere",
    "us1976",
]
