"""Fixtures of the service tests: real databases (SQLite and a throwaway PostgreSQL server),
migrated stores, in-process apps with tokens per role, and real uvicorn server processes.

* ``pg_server`` (session): starts PostgreSQL from the Debian ``postgresql`` package on
  127.0.0.1 with a free port in a temporary directory (as the ``postgres`` user when the tests
  run as root, since PostgreSQL refuses to run as root) and stops it at the end. Missing
  binaries fail the test with a message naming ``scripts/system-deps.sh``.
* ``db_url``: parametrised over ``sqlite`` and ``postgresql``; each test gets a fresh, empty
  database (a SQLite file in ``tmp_path`` / a new PostgreSQL database).
* ``migrated_url``: ``db_url`` after ``skywarden db upgrade``.
* ``settings``: :class:`ServiceSettings` with ``data_dir`` in ``tmp_path``.
* ``app`` / ``client``: ``create_app`` on the migrated store; ``client`` is a TestClient that ran
  the app's start-up. ``tokens`` maps role → bearer token, ``headers`` role → auth header dict.
* ``make_client(**settings)``: another client on the same store with changed settings.
* ``server_process``: a factory starting ``skywarden serve`` as a real subprocess
  (``ServerProcess.start()/kill()/stop()``, ``.url``), for restart and loopback tests.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from skywarden.service import ServiceSettings, create_app
from skywarden.store import create_token, make_engine, make_sessionmaker, upgrade

SYSTEM_DEPS_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. "
    "Install them with `bash scripts/system-deps.sh` (run by `make test`; it apt-installs the "
    "Debian 'postgresql' package), or set SKYWARDEN_PG_BIN to the directory holding initdb and pg_ctl."
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    env = os.environ.get("SKYWARDEN_PG_BIN")
    if env:
        return Path(env) if (Path(env) / "initdb").exists() else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@dataclass
class PgServer:
    """A running throwaway PostgreSQL server; :meth:`new_database` gives each test its own DB."""

    port: int
    root: Path
    _counter: Any = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server on 127.0.0.1:<free port>, stopped and deleted after the session."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail(SYSTEM_DEPS_HINT, pytrace=False)
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    root = Path(tempfile.mkdtemp(prefix="skywarden-pg-"))
    data = root / "data"
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}

    def run(*args: str) -> None:
        done = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, env=env, cwd=root, check=False
        )
        if done.returncode != 0:
            pytest.fail(f"{args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}", pytrace=False)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
    opts = f"-h 127.0.0.1 -p {port} -k {root} -F -c max_connections=200 -c shared_buffers=64MB"
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        opts,
        "-l",
        str(root / "log"),
        "-w",
        "-t",
        "60",
        "start",
    )
    try:
        yield PgServer(port=port, root=root)
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            env=env,
            cwd=root,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


@pytest.fixture
def migrated_url(db_url: str) -> str:
    """``db_url`` with the newest schema."""
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    return db_url


@pytest.fixture
def settings(tmp_path: Path) -> ServiceSettings:
    """Default settings with the data directory in ``tmp_path``."""
    return ServiceSettings(data_dir=tmp_path / "data")


def issue_tokens(db_url: str) -> dict[str, str]:
    """One fresh token per role, written straight to the store."""
    engine = make_engine(db_url)
    out = {}
    with make_sessionmaker(engine)() as session:
        for role in ("viewer", "operator", "admin"):
            out[role] = create_token(session, role, f"test-{role}")[1]
        session.commit()
    engine.dispose()
    return out


@pytest.fixture
def tokens(migrated_url: str) -> dict[str, str]:
    """role → bearer token."""
    return issue_tokens(migrated_url)


@pytest.fixture
def headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """role → ``{"Authorization": "Bearer …"}``."""
    return {role: {"Authorization": f"Bearer {tok}"} for role, tok in tokens.items()}


@pytest.fixture
def app(migrated_url: str, settings: ServiceSettings) -> Iterator[Any]:
    """``create_app`` on the migrated store (its engine is closed after the test)."""
    application = create_app(db_url=migrated_url, settings=settings)
    yield application
    application.state.ctx.engine.dispose()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_client(migrated_url: str, settings: ServiceSettings) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**overrides)``: a started TestClient with changed settings on the same store."""
    opened: list[tuple[Any, TestClient]] = []

    def make(**overrides: Any) -> TestClient:
        app = create_app(db_url=migrated_url, settings=settings.model_copy(update=overrides))
        c = TestClient(app)
        c.__enter__()
        opened.append((app, c))
        return c

    yield make
    for app, c in opened:
        c.__exit__(None, None, None)
        app.state.ctx.engine.dispose()


@dataclass
class ServerProcess:
    """``skywarden serve`` in a subprocess on 127.0.0.1 (start, kill -9, stop)."""

    db_url: str
    config: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 180.0) -> ServerProcess:
        self.log = self.config.with_suffix(f".{self.port}.log")
        cmd = [
            sys.executable,
            "-c",
            "from skywarden.cli import main; main()",
            "serve",
            "--db",
            self.db_url,
            "--port",
            str(self.port),
        ]
        cmd += ["--config", str(self.config), "--log-level", "warning"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within {timeout_s} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL, no clean-up (crash simulation)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_process(tmp_path: Path, settings: ServiceSettings) -> Iterator[Callable[..., ServerProcess]]:
    """``server_process(db_url, **settings)`` → a started :class:`ServerProcess` (stopped after)."""
    started: list[ServerProcess] = []

    def start(db_url: str, **overrides: Any) -> ServerProcess:
        config = tmp_path / f"service-{len(started)}.json"
        config.write_text(settings.model_copy(update=overrides).model_dump_json())
        server = ServerProcess(db_url=db_url, config=config)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
