"""A local East-North-Up tangent frame (metres) at a reference point, with exact conversions.

Positions go geodetic → ECEF → rotated ENU and back through :mod:`skywarden.geo`, so the
conversion is exact at any distance; only the *motion model* assumes a flat frame, which for a
balloon or aircraft track of a few hundred km adds an apparent acceleration of v²/R (about
1e-4 m/s² at 25 m/s), far below the process noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..geo import ecef_to_enu_matrix, ecef_to_geodetic, geodetic_to_ecef

__all__ = ["LocalFrame"]


@dataclass(frozen=True)
class LocalFrame:
    """ENU tangent frame at (``lat0_deg``, ``lon0_deg``, ``alt0_m``), WGS84."""

    lat0_deg: float
    lon0_deg: float
    alt0_m: float = 0.0

    @property
    def _origin(self) -> np.ndarray:
        return geodetic_to_ecef(self.lat0_deg, self.lon0_deg, self.alt0_m)

    @property
    def _rot(self) -> np.ndarray:
        return ecef_to_enu_matrix(self.lat0_deg, self.lon0_deg)

    def to_enu(self, lat_deg: Any, lon_deg: Any, alt_m: Any) -> np.ndarray:
        """Geodetic to ENU metres, shape ``(..., 3)``."""
        d = geodetic_to_ecef(lat_deg, lon_deg, alt_m) - self._origin
        return np.einsum("ij,...j->...i", self._rot, d)

    def to_geodetic(self, enu_m: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ENU metres ``(..., 3)`` to ``(lat_deg, lon_deg, alt_m)``."""
        ecef = np.einsum("ji,...j->...i", self._rot, np.asarray(enu_m, dtype=np.float64)) + self._origin
        return ecef_to_geodetic(ecef)

    def velocity_to_local_enu(self, enu_vel: Any, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        """Rotate velocities from this frame's axes to the local ENU axes at each point."""
        v_ecef = np.einsum("ji,...j->...i", self._rot, np.asarray(enu_vel, dtype=np.float64))
        rot = ecef_to_enu_matrix(lat_deg, lon_deg)
        return np.einsum("...ij,...j->...i", rot, v_ecef)
