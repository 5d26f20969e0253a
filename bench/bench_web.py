"""The web map under load: scene CZML generation and page readiness (issue 16 goals).

Scene: 200 satellites (CelesTrak's resource group of 2026-05-30, topped up with the first objects
of the active group of 2026-03-19), the Deer Trail site, 3 real balloon tracks (``shared/data/flights``
re-dated to 2026-05-30) and a 100-member prediction ensemble (``tests/web/scenario.py``), on a
6-hour clock. Goals: the CZML generated in ≤ 1 s (``skywarden.zones.scene.scene_czml``, warm, best
of 3; the peer in the same run is czml3 — validating and serialising the same packets with its
pydantic models), and the page ready (``window.skywardenReady``) in ≤ 20 s in headless Chromium
with software rendering (SwiftShader), measured from navigation through sign-in, the scene request
and the first complete render, against a real ``skywarden serve``.

Usage: ``python bench/bench_web.py`` (needs Chromium and ``npm ci`` in ``src/skywarden/web``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.append(str(HERE.parent / "tests" / "web"))  # after tests/: "conftest" is the shared one

import scenario  # noqa: E402
from webharness import CHROMIUM_ARGS, chromium_path, start_scenario_server  # noqa: E402

import skywarden as sw  # noqa: E402
from skywarden.zones.scene import scene_czml  # noqa: E402

N_SATELLITES = 200
MEMBERS = 100
GOAL_CZML_S = 1.0
GOAL_READY_S = 20.0


def catalog_text(shared: Path, n: int) -> str:
    """``n`` objects as 3LE text: the resource group first, then the active group (distinct ids)."""
    out: list[str] = []
    seen: set[int] = set()
    for name in (scenario.CATALOG, "catalogs/celestrak-active-2026-03-19.tle"):
        lines = (shared / name).read_text().splitlines()
        for k in range(len(lines) - 2):
            if len(seen) >= n:
                break
            if (
                lines[k + 1].startswith("1 ")
                and lines[k + 2].startswith("2 ")
                and not lines[k].startswith(("1 ", "2 "))
            ):
                norad = int(lines[k + 1][2:7])
                if norad not in seen:
                    seen.add(norad)
                    out.extend(lines[k : k + 3])
    return "\n".join(out) + "\n"


def bench_czml(shared: Path, text: str) -> None:
    from czml3 import Packet

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", sw.SkywardenWarning)
        path = Path(tmp) / "scene.tle"
        path.write_text(text)
        cat = sw.load_catalog(path)
        site = sw.Site(
            scenario.SITE["name"], scenario.SITE["lat"], scenario.SITE["lon"], scenario.SITE["alt_m"], 5000.0
        )
        tracks = [
            t
            for w in range(3)
            for t in sw.track_reports(sw.read_reports(shared / scenario.FLIGHTS[w], date=scenario.DATE))
        ]
        fc = scenario.prediction_fc(MEMBERS)
        zones = sw.builtin_adiz("us")
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            packets = scene_czml(scenario.START, scenario.HOURS, catalog=cat, sites=[site], zones=zones, tracks=tracks,
                                 results={"predict-1": fc}, max_satellites=N_SATELLITES)  # fmt: skip
            body = json.dumps(packets, separators=(",", ":"), allow_nan=False)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for p in packets:
            Packet.model_validate(p).model_dump_json(exclude_none=True)
        peer = time.perf_counter() - t0
    n_sat = sum(1 for p in packets if p.get("properties", {}).get("layer") == "satellite")
    best = min(times)
    print(f"scene: {len(cat)} objects in catalog, {n_sat} satellites drawn, {len(tracks)} tracks, {MEMBERS} members, "
          f"{len(packets)} packets, {len(body) / 1e6:.1f} MB")  # fmt: skip
    print(f"scene_czml + JSON: best {best:.2f} s of {[round(t, 2) for t in times]} (goal ≤ {GOAL_CZML_S} s: "
          f"{'met' if best <= GOAL_CZML_S else 'NOT met'}); czml3 validate+serialise of the same packets: "
          f"{peer:.2f} s (ratio {best / peer:.2f}x)")  # fmt: skip


def bench_page(shared: Path, text: str) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = start_scenario_server(
            Path(tmp), shared, catalog=text.encode(), flights=(0, 1, 2), members=MEMBERS
        )
        try:
            t0 = time.perf_counter()
            r = server.get(
                f"/czml/scene?start={scenario.START}&hours={scenario.HOURS:g}&max_satellites={N_SATELLITES}"
            )
            cold = time.perf_counter() - t0
            assert r.status_code == 200, r.text
            print(f"GET /czml/scene (first, uncached): {cold:.2f} s, {len(r.content) / 1e6:.1f} MB")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
                )
                for run in range(2):
                    page = browser.new_page(viewport={"width": 1280, "height": 760})
                    t0 = time.perf_counter()
                    page.goto(
                        f"{server.url}/#start={scenario.START}&hours={scenario.HOURS:g}&max_satellites={N_SATELLITES}"
                    )
                    page.fill("#token", server.tokens["viewer"])
                    page.click("#login-button")
                    page.wait_for_function(
                        "window.skywardenReady === true || window.skywardenError !== null", timeout=300_000
                    )
                    ready = time.perf_counter() - t0
                    timings = page.evaluate("window.skywardenTimings")
                    err = page.evaluate("window.skywardenError")
                    print(f"page ready (run {run + 1}): {ready:.1f} s (goal ≤ {GOAL_READY_S:g} s: "
                          f"{'met' if ready <= GOAL_READY_S and not err else 'NOT met'}); in-page ms: "
                          f"{ {k: round(v) for k, v in timings.items()} }{' error: ' + err if err else ''}")  # fmt: skip
                    page.close()
                browser.close()
        finally:
            server.stop()


def main() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("shared_conftest", HERE.parent / "tests" / "conftest.py")
    assert spec is not None and spec.loader is not None
    shared_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shared_conftest)
    shared = shared_conftest.find_shared_data()
    if shared is None:
        raise SystemExit("shared/data not found (set SKYWARDEN_SHARED_DATA)")
    text = catalog_text(shared, N_SATELLITES)
    bench_czml(shared, text)
    bench_page(shared, text)


if __name__ == "__main__":
    main()
