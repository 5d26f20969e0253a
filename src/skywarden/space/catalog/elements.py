"""One mean-element set (SGP4 theory, OMM / TLE content) as a typed, immutable record.

Field names follow the CCSDS OMM keywords, with units in the names:

============================  =======================  ===============================
skywarden field               OMM keyword              TLE columns (line, cols)
============================  =======================  ===============================
``norad_id``                  NORAD_CAT_ID             1/3-7 (Alpha-5 beyond 99,999)
``name``                      OBJECT_NAME              3LE line 0 / name line
``object_id``                 OBJECT_ID (1998-067A)    1/10-17 (98067A)
``classification``            CLASSIFICATION_TYPE      1/8
``epoch``                     EPOCH (UTC)              1/19-32 (YYDDD.DDDDDDDD)
``mean_motion_dot``           MEAN_MOTION_DOT rev/d²   1/34-43 (ṅ/2, as TLE and OMM)
``mean_motion_ddot``          MEAN_MOTION_DDOT rev/d³  1/45-52 (n̈/6, as TLE and OMM)
``bstar_per_er``              BSTAR 1/earth-radii      1/54-61
``ephemeris_type``            EPHEMERIS_TYPE           1/63
``element_set_no``            ELEMENT_SET_NO           1/65-68
``inclination_deg``           INCLINATION              2/9-16
``raan_deg``                  RA_OF_ASC_NODE           2/18-25
``eccentricity``              ECCENTRICITY             2/27-33 (implied decimal point)
``arg_perigee_deg``           ARG_OF_PERICENTER        2/35-42
``mean_anomaly_deg``          MEAN_ANOMALY             2/44-51
``mean_motion_rev_day``       MEAN_MOTION rev/day      2/53-63
``rev_at_epoch``              REV_AT_EPOCH             2/64-68
============================  =======================  ===============================

``epoch`` is an aware UTC ``datetime`` (microsecond resolution: a TLE's 1e-8 day step is 864 µs,
so TLE → Elements → TLE is exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ...constants import WGS72_EARTH_RADIUS_KM, WGS72_MU_KM3_S2

__all__ = ["Elements", "orbit_class", "perigee_height_km", "semi_major_axis_km"]


def semi_major_axis_km(mean_motion_rev_day: Any) -> Any:
    """Semi-major axis from the (Kozai) mean motion, km: ``(μ/n²)^(1/3)`` with WGS72 μ (two-body).

    Scalars or arrays; a zero mean motion gives inf.
    """
    n_rad_s = np.asarray(mean_motion_rev_day, dtype=np.float64) * 2.0 * math.pi / 86400.0
    with np.errstate(divide="ignore"):
        return (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)


def perigee_height_km(mean_motion_rev_day: Any, eccentricity: Any) -> Any:
    """Perigee height above the WGS72 equatorial radius, km: ``a(1 − e) − R⊕`` (scalars or arrays).

    The one perigee formula: :attr:`Elements.perigee_km` and the catalog-wide overflight screen
    both use it.
    """
    return semi_major_axis_km(mean_motion_rev_day) * (1.0 - np.asarray(eccentricity, dtype=np.float64)) - (
        WGS72_EARTH_RADIUS_KM
    )


def orbit_class(mean_motion_rev_day: float, eccentricity: float) -> str:
    """Orbit class from mean motion and eccentricity.

    ``LEO`` (mean motion > 11.25 rev/day), ``GEO`` (0.99–1.01 rev/day, e < 0.01),
    ``HEO`` (e ≥ 0.25), otherwise ``MEO``. The LEO bound is the usual 225-minute period
    (Space-Track's definition); the UCS database uses the same classes.
    """
    n, e = mean_motion_rev_day, eccentricity
    if not (math.isfinite(n) and math.isfinite(e)):
        return "UNKNOWN"
    if e >= 0.25:
        return "HEO"
    if n > 11.25:
        return "LEO"
    if 0.99 <= n <= 1.01 and e < 0.01:
        return "GEO"
    return "MEO"


@dataclass(frozen=True, slots=True)
class Elements:
    """A general-perturbations mean-element set for SGP4/SDP4 (see the module table)."""

    norad_id: int
    epoch: datetime
    mean_motion_rev_day: float
    eccentricity: float
    inclination_deg: float
    raan_deg: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    bstar_per_er: float = 0.0
    mean_motion_dot: float = 0.0
    mean_motion_ddot: float = 0.0
    name: str = ""
    object_id: str = ""
    classification: str = "U"
    ephemeris_type: int = 0
    element_set_no: int = 999
    rev_at_epoch: int = 0
    source: str = field(default="", compare=False)
    """Where the record came from, ``file:line``; for messages, not compared."""
    tle_lines: tuple[str, str] | None = field(default=None, compare=False, repr=False)
    """The two TLE lines this record was read from, kept so that writing it again reproduces
    them byte for byte (space-padded catalog numbers, explicit ``+`` signs) whenever they still
    encode exactly these values (see :func:`skywarden.space.catalog.tle.format_tle`); None otherwise."""

    @property
    def period_min(self) -> float:
        """Orbital period, minutes."""
        return 1440.0 / self.mean_motion_rev_day

    @property
    def semi_major_axis_km(self) -> float:
        """Semi-major axis from the (Kozai) mean motion, km (two-body, WGS72 μ)."""
        return float(semi_major_axis_km(self.mean_motion_rev_day))

    @property
    def perigee_km(self) -> float:
        """Perigee altitude above the WGS72 equatorial radius, km."""
        return float(perigee_height_km(self.mean_motion_rev_day, self.eccentricity))

    @property
    def apogee_km(self) -> float:
        """Apogee altitude above the WGS72 equatorial radius, km."""
        return self.semi_major_axis_km * (1.0 + self.eccentricity) - WGS72_EARTH_RADIUS_KM

    @property
    def orbit_class(self) -> str:
        """``LEO``, ``MEO``, ``GEO`` or ``HEO`` (see :func:`orbit_class`)."""
        return orbit_class(self.mean_motion_rev_day, self.eccentricity)

    def age_days(self, at: datetime) -> float:
        """Element age at ``at`` (aware UTC), days; negative when ``at`` precedes the epoch."""
        return (at - self.epoch) / timedelta(days=1)
