"""Scenarios: the library steps chained into a story, each scene naming its data.

:func:`run_scenario` runs "a second object" (see :mod:`skywarden.scenario.second_object`);
the ``skywarden demo`` command and the HTML report (:mod:`skywarden.report`) only present it.
"""

from __future__ import annotations

from .datasets import Dataset, Datasets, live_datasets, sample_datasets
from .second_object import (
    HIDDEN_LAUNCH,
    WATCH_SITES,
    ScenarioConfig,
    ScenarioResult,
    Scene,
    run_scenario,
    simulate_reports,
)

__all__ = [
    "HIDDEN_LAUNCH",
    "WATCH_SITES",
    "Dataset",
    "Datasets",
    "ScenarioConfig",
    "ScenarioResult",
    "Scene",
    "live_datasets",
    "run_scenario",
    "sample_datasets",
    "simulate_reports",
]
