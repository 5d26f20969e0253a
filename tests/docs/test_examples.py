"""The user guide's Python examples run (so they cannot rot), and the site builds offline with
``mkdocs build --strict`` (what ``make docs`` runs)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"^(<!-- no-run[^\n]*-->\n)?```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PAGES = sorted(DOCS.glob("*.md"))
NOT_RUN = {"scale.md": "its examples need a Dask scheduler, a Kubernetes or a Slurm cluster"}
"""Pages whose examples are illustrative only, with the reason. A single block can opt out with an
``<!-- no-run: reason -->`` line right before it; everything else runs."""


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert PAGES, "docs/ is empty"
    for page in PAGES:
        assert page.name in nav, page.name


RUN = [p for p in PAGES if p.name not in NOT_RUN]


@pytest.mark.parametrize("page", RUN, ids=[p.name for p in RUN])
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [code for marker, code in BLOCK.findall(page.read_text(encoding="utf-8")) if not marker]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for k, code in enumerate(blocks):
        exec(compile(code, f"{page.name}[python block {k + 1}]", "exec"), namespace)


def test_site_builds_strict_offline(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    assert mkdocs.exists(), "mkdocs missing: `pip install -e '.[docs]'` (make docs / make test install it)"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "no_proxy": "*", "HTTP_PROXY": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9"}  # fmt: skip
    run = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    html = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "run_scenario" in html and "builtin_adiz" in html
