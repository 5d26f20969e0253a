"""Abstract flight stage: one (motion model, termination condition) pair.

A flight is a chain of stages (Tawhiri's design). Each concrete stage says how the altitude
changes (the horizontal motion is always the wind) and when it ends; the compiled integrator
(:mod:`skywarden.flight._kernel`) only sees a stage *kind* and a row of 8 parameters per
ensemble member, which :meth:`Stage.kernel_params` produces (drawing the member spreads).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

__all__ = ["N_PARAMS", "Stage"]

N_PARAMS = 8
"""Parameters per stage and member handed to the kernel."""


class Stage(ABC):
    """One stage of a flight. Subclasses are frozen dataclasses with documented unit fields."""

    type_name: ClassVar[str]
    """Name in TOML/JSON configs (``type = "ascent"``)."""
    kind: ClassVar[int]
    """Kernel stage kind (``RATE``, ``PARACHUTE``, ``FLOAT``)."""

    @property
    @abstractmethod
    def end_event(self) -> str:
        """Name of the event that ends the stage (``burst``, ``landed``, ``float_end`` …)."""

    @abstractmethod
    def kernel_params(
        self, n_members: int, rng: np.random.Generator, *, start_alt_m: float, ground_alt_m: float
    ) -> np.ndarray:
        """``(n_members, N_PARAMS)`` parameter rows; member 0 is always the nominal value."""

    @abstractmethod
    def end_alt_m(self, start_alt_m: float) -> float:
        """Nominal altitude at the end of the stage (used to chain the next stage)."""

    def describe(self) -> dict[str, Any]:
        """The stage's settings, for the assumptions block of every output."""
        from dataclasses import asdict, is_dataclass

        out: dict[str, Any] = {"type": self.type_name}
        if is_dataclass(self):
            out.update(asdict(self))
        return out

    @staticmethod
    def spread(nominal: float, sigma: float, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` normal draws around ``nominal`` with member 0 kept nominal."""
        values = np.full(n, float(nominal))
        if sigma > 0 and n > 1:
            values[1:] += rng.normal(0.0, sigma, n - 1)
        return values
