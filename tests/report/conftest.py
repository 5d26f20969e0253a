"""One reduced run of the "second object" scenario shared by the report tests (it takes ~10 s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skywarden.scenario import ScenarioConfig, run_scenario


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """(ScenarioResult, work folder with its reports.csv) of ``ScenarioConfig.reduced()``."""
    work = tmp_path_factory.mktemp("scenario")
    return run_scenario(config=ScenarioConfig.reduced(), work_dir=work), work
