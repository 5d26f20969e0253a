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

    def velocity_from_local_enu(self, local_vel: Any, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        """Rotate velocities from the local ENU axes at each point to this frame's axes.

        The inverse of :meth:`velocity_to_local_enu`. A component missing (NaN) in the input is
        missing in the output: horizontal and vertical parts are rotated separately (a missing
        vertical rate does not spoil the horizontal velocity, which it tilts by only the angle
        between the two verticals)."""
        v = np.asarray(local_vel, dtype=np.float64)
        rot = ecef_to_enu_matrix(lat_deg, lon_deg)

        def to_frame(part: np.ndarray) -> np.ndarray:
            v_ecef = np.einsum("...ji,...j->...i", rot, part)
            return np.einsum("ij,...j->...i", self._rot, v_ecef)

        horizontal = np.where(np.isfinite(v[..., :2]), v[..., :2], 0.0)
        h = to_frame(np.concatenate([horizontal, np.zeros_like(v[..., :1])], axis=-1))
        up = to_frame(
            np.concatenate([np.zeros_like(v[..., :2]), np.nan_to_num(v[..., 2:], nan=0.0)], axis=-1)
        )
        out = np.empty_like(v)
        has_h = np.all(np.isfinite(v[..., :2]), axis=-1)
        has_v = np.isfinite(v[..., 2])
        out[..., :2] = np.where(
            has_h[..., None], h[..., :2] + np.where(has_v[..., None], up[..., :2], 0.0), np.nan
        )
        out[..., 2] = np.where(has_v, up[..., 2] + np.where(has_h, h[..., 2], 0.0), np.nan)
        return out
