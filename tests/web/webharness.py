"""Helpers of the web-map tests (imported by ``conftest.py``, the tests and ``bench/bench_web.py``)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-features=OptimizationHints,MediaRouter,Translate",
    "--no-first-run",
    "--no-default-browser-check",
]


def chromium_path() -> str:
    """Debian's Chromium; fails the test with the install command when it is missing."""
    path = os.environ.get("SKYWARDEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Chromium was not found at /usr/bin/chromium. The web-map tests drive Debian's Chromium: install it "
            "with `bash scripts/system-deps.sh` (run by `make test`; it apt-installs the 'chromium' package), "
            "or set SKYWARDEN_CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    return path


def require_cesium() -> None:
    from skywarden.web import NPM_INSTALL, cesium_installed

    if not cesium_installed():
        pytest.fail(
            f"CesiumJS is not installed in src/skywarden/web/node_modules: run `{NPM_INSTALL}` "
            "(or `make web`; `make test` does it).",
            pytrace=False,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MapServer:
    url: str
    db_url: str
    tokens: dict[str, str]
    proc: subprocess.Popen[bytes]
    log: Path

    def headers(self, role: str = "viewer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path: str, role: str = "viewer", **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, headers=self.headers(role), timeout=120.0, **kw)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def store_prediction(db_url: str, members: int) -> None:
    """One finished ``predict`` job, its result written as the job runner stores it (``json`` +
    ``geojson`` renderings): the analytic wind field of the scenario cannot be uploaded as a file."""
    from skywarden.store import make_engine, make_sessionmaker
    from skywarden.store.models_watch import JobResultRow, JobRow

    fc = scenario.prediction_fc(members)
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        job = JobRow(kind="predict", params={"members": members}, state="succeeded", progress=1.0)
        session.add(job)
        session.flush()
        session.add(
            JobResultRow(job_id=job.id, result={"json": {"summary": fc.get("summary", {})}, "geojson": fc})
        )
        session.commit()
    engine.dispose()


def _wait(
    what: str, ok: Any, log: Path, timeout_s: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``ok()`` until true (a condition, not a fixed sleep); RuntimeError with the log on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"skywarden serve exited ({proc.returncode}):\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if ok():
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {timeout_s:.0f} s:\n{log.read_text()}")
        time.sleep(0.2)


def start_scenario_server(
    root: Path, shared: Path, *, catalog: bytes, flights: tuple[int, ...] = (0,), members: int = 8
) -> MapServer:
    """``skywarden serve`` on a fresh SQLite store in ``root`` holding the scenario: a viewer and an
    operator token, one finished predict job (store), then through the API the catalog, the site and
    the reports of ``flights`` (waiting until their tracks are listed by ``GET /tracks``)."""
    from skywarden.store import create_token, make_engine, make_sessionmaker, upgrade

    db_url = f"sqlite:///{root / 'store.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        tokens = {role: create_token(session, role, f"web-{role}")[1] for role in ("viewer", "operator")}
        session.commit()
    engine.dispose()
    store_prediction(db_url, members)
    port = free_port()
    log = root / "server.log"
    config = root / "service.json"
    config.write_text(json.dumps({"data_dir": str(root / "data")}))
    cmd = [sys.executable, "-c", "from skywarden.cli import main; main()", "serve", "--db", db_url,
           "--port", str(port), "--config", str(config), "--log-level", "warning"]  # fmt: skip
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    server = MapServer(f"http://127.0.0.1:{port}", db_url, tokens, proc, log)
    try:
        _wait(
            "skywarden serve did not answer /healthz",
            lambda: httpx.get(server.url + "/healthz", timeout=1.0).status_code == 200,
            log,
            90,
            proc,
        )
        op = server.headers("operator")
        r = httpx.post(server.url + "/catalogs?name=scenario.tle", content=catalog, timeout=120.0,
                       headers={**op, "Content-Type": "text/plain"})  # fmt: skip
        if r.status_code != 201:
            raise RuntimeError(f"POST /catalogs: {r.status_code} {r.text}")
        r = httpx.post(server.url + "/sites", json=scenario.SITE, headers=op, timeout=30.0)
        if r.status_code != 201:
            raise RuntimeError(f"POST /sites: {r.status_code} {r.text}")
        for which in flights:
            reports = scenario.flight_reports(shared, which)
            r = httpx.post(server.url + "/reports", json=reports, headers=op, timeout=120.0)
            if r.status_code != 201 or r.json()["accepted"] != len(reports):
                raise RuntimeError(f"POST /reports: {r.status_code} {r.text}")
        want = {f"balloon-{w + 1}" for w in flights}
        # tracks are updated by a background task after the answer
        _wait(
            "the tracks did not appear in GET /tracks",
            lambda: want <= {t["id"] for t in server.get("/tracks").json()},
            log,
            180,
            proc,
        )
    except BaseException:
        server.stop()
        raise
    return server
