"""Abstract population model: people per km² at any (lat, lon)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

__all__ = ["PopulationModel"]


class PopulationModel(ABC):
    """A source of population density. Implementations: :class:`~skywarden.hazard.population.DefaultPopulation`
    (embedded, offline) and :class:`~skywarden.hazard.population.RasterPopulation` (GeoTIFF)."""

    name: str = "population"

    @abstractmethod
    def density_per_km2(self, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        """People per km² at the points (arrays broadcast; 0 at sea and where unknown)."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Source, method and stated accuracy, for the assumptions block of every output."""
