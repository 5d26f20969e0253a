"""Fixtures of the web-map tests: a real ``skywarden serve`` holding the known scenario, and
Debian's Chromium driven by Playwright (never ``playwright install``: no browser download).

* ``map_server`` (module): a migrated SQLite store in a temporary folder, a viewer and an operator
  token, ``skywarden serve`` in a subprocess on 127.0.0.1:<free port>, then the scenario of
  :mod:`scenario` put in through the API (catalog, site) and the store (a balloon's reports, one
  finished ``predict`` job's result as the job runner stores it).
* ``browser`` (module): Chromium from ``/usr/bin/chromium`` (or ``$SKYWARDEN_CHROMIUM``), headless
  with software rendering (SwiftShader) and every background network feature off. Missing
  Chromium or missing CesiumJS fail with the command that installs them.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario
from webharness import ARTIFACTS, CHROMIUM_ARGS, MapServer, chromium_path, free_port, require_cesium


def _store_scenario(db_url: str, shared: Path) -> None:
    """A balloon's reports and one finished predict job, written to the store as the service would."""
    from skywarden.store import make_engine, make_sessionmaker
    from skywarden.store.models import ReportBatchRow, ReportRow
    from skywarden.store.models_watch import JobResultRow, JobRow
    from skywarden.timeutil import parse_time

    rows = scenario.flight_reports(shared, 0)
    fc = scenario.prediction_fc(8)
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        batch = ReportBatchRow(format="json", accepted=len(rows), rejected=0)
        session.add(batch)
        session.flush()
        session.add_all(
            ReportRow(batch_id=batch.id, object_id=r["id"], t_unix_s=parse_time(r["time"]).timestamp(),
                      lat=r["lat"], lon=r["lon"], alt_m=r["alt_m"])
            for r in rows
        )  # fmt: skip
        job = JobRow(kind="predict", params={"members": 8}, state="succeeded", progress=1.0)
        session.add(job)
        session.flush()
        session.add(
            JobResultRow(job_id=job.id, result={"json": {"summary": fc.get("summary", {})}, "geojson": fc})
        )
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def map_server(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[MapServer]:
    from skywarden.store import create_token, make_engine, make_sessionmaker, upgrade

    require_cesium()
    root = tmp_path_factory.mktemp("map")
    db_url = f"sqlite:///{root / 'store.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        tokens = {role: create_token(session, role, f"web-{role}")[1] for role in ("viewer", "operator")}
        session.commit()
    engine.dispose()
    _store_scenario(db_url, shared_data)
    port = free_port()
    log = root / "server.log"
    config = root / "service.json"
    config.write_text('{"data_dir": "%s"}' % (root / "data"))
    cmd = [sys.executable, "-c", "from skywarden.cli import main; main()", "serve", "--db", db_url,
           "--port", str(port), "--config", str(config), "--log-level", "warning"]  # fmt: skip
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    server = MapServer(f"http://127.0.0.1:{port}", db_url, tokens, proc, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"skywarden serve exited ({proc.returncode}):\n{log.read_text()}", pytrace=False)
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(server.url + "/healthz", timeout=1.0).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"skywarden serve did not answer /healthz:\n{log.read_text()}", pytrace=False)
            time.sleep(0.2)
        text = (shared_data / scenario.CATALOG).read_bytes()
        r = httpx.post(server.url + "/catalogs?name=resource.tle", content=text, timeout=120.0,
                       headers={**server.headers("operator"), "Content-Type": "text/plain"})  # fmt: skip
        assert r.status_code == 201, r.text
        r = httpx.post(
            server.url + "/sites", json=scenario.SITE, headers=server.headers("operator"), timeout=30.0
        )
        assert r.status_code == 201, r.text
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
