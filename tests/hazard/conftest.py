"""Fixtures for the hazard tests: one embedded population model per session (it loads a 1 km
land mask and 34,000 cities once), and a uniform-density population for hand calculations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from skywarden.hazard.base import PopulationModel
from skywarden.hazard.population import DefaultPopulation


class UniformPopulation(PopulationModel):
    """A real population model with the same density everywhere (people/km²)."""

    name = "uniform"

    def __init__(self, density_per_km2: float) -> None:
        self.value = float(density_per_km2)

    def density_per_km2(self, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        lat, _ = np.broadcast_arrays(np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float))
        return np.full(lat.shape, self.value)

    def describe(self) -> dict[str, Any]:
        return {"population": f"uniform {self.value} /km²"}


class HalfPlanePopulation(PopulationModel):
    """``density`` people/km² east of ``lon0`` and nobody west of it."""

    name = "half-plane"

    def __init__(self, density_per_km2: float, lon0_deg: float) -> None:
        self.value = float(density_per_km2)
        self.lon0 = float(lon0_deg)

    def density_per_km2(self, lat_deg: Any, lon_deg: Any) -> np.ndarray:
        _, lon = np.broadcast_arrays(np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float))
        return np.where(lon > self.lon0, self.value, 0.0)

    def describe(self) -> dict[str, Any]:
        return {"population": "half-plane"}


@pytest.fixture(scope="session")
def default_population() -> DefaultPopulation:
    pop = DefaultPopulation()
    pop.density_per_km2(48.85, 2.35)  # build once (a land point: sea points skip the city model)
    return pop


@pytest.fixture(scope="session")
def uniform_population() -> type[UniformPopulation]:
    """The UniformPopulation class (tests construct it with a density)."""
    return UniformPopulation


@pytest.fixture(scope="session")
def half_plane_population() -> type[HalfPlanePopulation]:
    """The HalfPlanePopulation class."""
    return HalfPlanePopulation
