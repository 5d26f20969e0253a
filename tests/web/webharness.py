"""Helpers of the web-map tests (imported by ``conftest.py``, the tests and ``bench/bench_web.py``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

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
