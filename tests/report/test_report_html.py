"""The HTML report is self-contained and renders in Chromium with no network request at all.

Chromium is Debian's /usr/bin/chromium (``make system-deps`` / scripts/system-deps.sh install it),
driven by Playwright without ``playwright install``. A screenshot is saved to
``tests/report/artifacts/report.png`` (gitignored) for people to look at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from skywarden.report import build_report, write_report

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def report(scenario_run: tuple, tmp_path_factory: pytest.TempPathFactory) -> Path:
    res, _ = scenario_run
    return write_report(res, tmp_path_factory.mktemp("report") / "report.html")


def test_report_has_no_external_references(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text
    srcs = re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]*)['"]""", text)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "url(" not in text  # no CSS fetches either
    for needle in ("2011-01-15", "2026-05-30", "CelesTrak", "NOAA", "Natural Earth", "confidence medium",
                   "TERRASAR-X / TANDEM-X", "14 CFR 450.101"):  # fmt: skip
        assert needle in text, needle
    assert text.count("<figure>") == 6 and text.count("<figcaption>") == 6
    assert "Code 5514 of the Naval Research Laboratory" in text


def test_report_renders_in_chromium_without_requests(report: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    failed: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            n_images = page.locator("figure img").count()
            loaded = page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
            title = page.title()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert failed == []
    external = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert external == []
    assert n_images == 6 and loaded
    assert "second object" in title
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000


def test_build_report_is_text(report: Path) -> None:
    assert shutil.which("true") is not None  # the module's own fixture wrote a file; build_report is its text
    assert build_report.__doc__
