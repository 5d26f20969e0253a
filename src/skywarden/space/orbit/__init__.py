"""Orbit propagation: SGP4 over catalogs and time grids (python-sgp4 and astroz backends),
TEME/ITRS/geodetic frames (GMST 1982), the Sun's position, and ephemeris writers."""

from __future__ import annotations

from .frames import (
    EARTH_ROTATION_RAD_S,
    FRAMES,
    gmst82_rad,
    itrs_to_geodetic,
    itrs_to_teme,
    rotate_in_place,
    teme_to_geodetic,
    teme_to_itrs,
    topocentric,
)
from .output import EPHEMERIS_SUFFIXES, ephemeris_table, write_ephemeris_rows
from .propagate import (
    BYTES_PER_OBJECT_STEP,
    DEFAULT_CHUNK_BYTES,
    Ephemeris,
    Propagator,
    iter_propagate,
    propagate,
)
from .sun import AU_KM, subsolar_point, sun_elevation_deg, sun_position, sun_ra_dec

__all__ = [
    "AU_KM",
    "BYTES_PER_OBJECT_STEP",
    "DEFAULT_CHUNK_BYTES",
    "EARTH_ROTATION_RAD_S",
    "EPHEMERIS_SUFFIXES",
    "FRAMES",
    "Ephemeris",
    "Propagator",
    "ephemeris_table",
    "gmst82_rad",
    "iter_propagate",
    "itrs_to_geodetic",
    "itrs_to_teme",
    "propagate",
    "rotate_in_place",
    "subsolar_point",
    "sun_elevation_deg",
    "sun_position",
    "sun_ra_dec",
    "teme_to_geodetic",
    "teme_to_itrs",
    "topocentric",
    "write_ephemeris_rows",
]
