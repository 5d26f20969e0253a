"""Fixtures of the web-map tests: a real ``skywarden serve`` holding the known scenario, and
Debian's Chromium driven by Playwright (never ``playwright install``: no browser download).

* ``map_server`` (module): a migrated SQLite store in a temporary folder, a viewer and an operator
  token, ``skywarden serve`` in a subprocess on 127.0.0.1:<free port>, then the scenario of
  :mod:`scenario` put in through the API (catalog, site, a balloon's reports) and the store (one
  finished ``predict`` job's result as the job runner stores it).
* ``browser`` (module): Chromium from ``/usr/bin/chromium`` (or ``$SKYWARDEN_CHROMIUM``), headless
  with software rendering (SwiftShader) and every background network feature off. Missing
  Chromium or missing CesiumJS fail with the command that installs them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario
from webharness import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    MapServer,
    chromium_path,
    require_cesium,
    start_scenario_server,
)


@pytest.fixture(scope="module")
def map_server(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[MapServer]:
    require_cesium()
    root = tmp_path_factory.mktemp("map")
    catalog = (shared_data / scenario.CATALOG).read_bytes()
    try:
        server = start_scenario_server(root, shared_data, catalog=catalog, flights=(0,), members=8)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
