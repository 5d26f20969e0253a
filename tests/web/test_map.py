"""The web map in a real browser: Debian's Chromium (Playwright, software rendering) against a real
``skywarden serve`` holding the known scenario (see ``conftest.py`` and ``scenario.py``).

The page is waited on through its explicit readiness flag (``window.skywardenReady``), never by
sleeping. Every request the page makes is recorded; none may leave the service's host.
Screenshots go to ``tests/web/artifacts/`` (not committed).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from czml3 import Packet

import skywarden as sw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenario import HOURS, START
from webharness import ARTIFACTS, MapServer

pytestmark = pytest.mark.slow
READY_TIMEOUT_MS = 180_000
QUERY = f"start={START}&hours={HOURS:g}"


class Recorder:
    """Every request of a page: URL list, and the ones that left the service's host."""

    def __init__(self, page: Any, server: MapServer) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []
        self.host = urlsplit(server.url).netloc
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def foreign(self) -> list[str]:
        out = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue  # in-page resources, not network requests
            if parts.netloc != self.host:
                out.append(url)
        return out


def open_map(
    browser: Any, server: MapServer, fragment: str = QUERY, token: str | None = None
) -> tuple[Any, Recorder]:
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    page.set_default_timeout(120_000)  # software rendering on a loaded 2-core machine
    rec = Recorder(page, server)
    page.goto(f"{server.url}/#{fragment}")
    page.fill("#token", token or server.tokens["viewer"])
    page.click("#login-button")
    page.wait_for_function(
        "window.skywardenReady === true || window.skywardenError !== null", timeout=READY_TIMEOUT_MS
    )
    assert page.evaluate("window.skywardenError") is None, rec.errors
    return page, rec


def clock_iso(page: Any) -> str:
    return str(page.evaluate("Cesium.JulianDate.toIso8601(skywarden.viewer.clock.currentTime, 3)"))


def same_time(a: str, b: str) -> bool:
    return abs((sw.parse_time(a) - sw.parse_time(b)).total_seconds()) < 0.002


@pytest.fixture(scope="module")
def map_page(browser: Any, map_server: MapServer) -> Any:
    """One signed-in page for the tests below (loading the globe in software rendering is slow)."""
    page, rec = open_map(browser, map_server)
    page.skywarden_recorder = rec
    yield page
    page.close()


@pytest.fixture(scope="module")
def scene_czml(map_server: MapServer) -> list[dict[str, Any]]:
    r = map_server.get(f"/czml/scene?{QUERY}")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_scene_from_the_service_validates_against_czml3(scene_czml: list[dict[str, Any]]) -> None:
    for packet in scene_czml:
        Packet.model_validate(packet)
    layers = {p.get("properties", {}).get("layer") for p in scene_czml}
    assert {"site", "satellite", "access_window", "quiet_window", "footprint", "access_line", "zone", "track",
            "raw_fix", "member_track", "probability_contour", "landing_contour"} <= layers  # fmt: skip


def test_nothing_is_shown_without_a_token(browser: Any, map_server: MapServer) -> None:
    assert httpx.get(map_server.url + f"/czml/scene?{QUERY}").status_code == 401
    page = browser.new_page()
    rec = Recorder(page, map_server)
    page.goto(map_server.url + "/")
    assert page.is_visible("#login-form") and not page.is_visible("#map")
    page.fill("#token", "sw_0000_not-a-token")
    page.click("#login-button")
    page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    assert "not valid" in page.text_content("#login-error")
    assert page.evaluate("window.skywardenReady") is False
    assert not [u for u in rec.urls if "/czml/" in u]
    page.close()


def test_map_shows_the_scenario_and_stays_on_the_host(
    map_page: Any, map_server: MapServer, scene_czml: list[dict[str, Any]]
) -> None:
    page, rec = map_page, map_page.skywarden_recorder
    page.screenshot(path=str(ARTIFACTS / "map-3d.png"))
    # the entities shown are the service's CZML packets, one for one
    shown = set(page.evaluate("skywarden.dataSource.entities.values.map(e => e.id)"))
    assert shown == {p["id"] for p in scene_czml[1:]}
    # ... and what the API says: every site, every catalog object (fewer than the 300 cap)
    sites = map_server.get("/sites").json()
    catalogs = map_server.get("/catalogs").json()
    assert len(page.evaluate("skywarden.byLayer('satellite').map(e => e.id)")) == catalogs[0]["n_objects"]
    for site in sites:
        props = page.evaluate(
            f"skywarden.propsOf(skywarden.dataSource.entities.getById('site-{site['id']}'))"
        )
        for key in ("name", "lat", "lon", "alt_m", "radius_km"):
            assert props[key] == pytest.approx(site[key]), key
    tracks = [p for p in scene_czml if p.get("properties", {}).get("layer") == "track"]
    assert [t["id"] for t in tracks] == [f"track-{t['id']}" for t in map_server.get("/tracks").json()]
    record = map_server.get("/tracks/balloon-1").json()
    props = page.evaluate("skywarden.propsOf(skywarden.dataSource.entities.getById('track-balloon-1'))")
    for key in ("class", "n_reports", "max_alt_m", "new_object"):
        assert props[key] == pytest.approx(record[key]), key
    assert min(400, record["n_reports"]) <= page.evaluate("skywarden.byLayer('raw_fix').length") <= 400
    # info box: the selected object's details
    page.evaluate("skywarden.viewer.selectedEntity = skywarden.dataSource.entities.getById('site-1')")
    page.wait_for_function("document.querySelector('.cesium-infoBox-title').textContent === 'Deer Trail'")
    # no request left the host
    assert rec.foreign() == [], rec.foreign()
    assert any("/cesium/Assets/Textures/NaturalEarthII/" in u for u in rec.urls)


def test_clicking_an_upcoming_window_moves_the_clock_and_the_url_keeps_the_view(
    browser: Any, map_page: Any, map_server: MapServer
) -> None:
    page, rec = map_page, map_page.skywarden_recorder
    assert same_time(clock_iso(page), START)
    button = page.locator("#windows button.window").nth(2)
    start, satellite = button.get_attribute("data-start"), button.get_attribute("data-satellite")
    button.click()
    assert same_time(clock_iso(page), start) and not same_time(start, START)
    assert page.evaluate("skywarden.viewer.selectedEntity.id") == satellite
    page.evaluate(
        "skywarden.viewer.camera.setView({destination: Cesium.Cartesian3.fromDegrees(-100, 35, 7e6)})"
    )
    page.wait_for_function(
        "(new URLSearchParams(location.hash.slice(1)).get('cam') || '').startsWith('-100.0000,35.0000,7000000,')"
    )
    state = parse_qs(urlsplit(page.url).fragment)
    assert same_time(state["t"][0], start) and state["sel"] == [satellite]
    page.screenshot(path=str(ARTIFACTS / "map-window.png"))
    # the shared link opens the same view for someone else (after they sign in)
    shared, rec2 = open_map(browser, map_server, fragment=urlsplit(page.url).fragment)
    assert same_time(clock_iso(shared), start)
    assert shared.evaluate("skywarden.viewer.selectedEntity.id") == satellite
    lon, lat, h = shared.evaluate(
        "(() => { const c = skywarden.viewer.camera.positionCartographic;"
        " return [Cesium.Math.toDegrees(c.longitude), Cesium.Math.toDegrees(c.latitude), c.height]; })()"
    )
    assert (
        lon == pytest.approx(-100.0, abs=1e-3)
        and lat == pytest.approx(35.0, abs=1e-3)
        and h == pytest.approx(7e6, rel=1e-4)
    )
    # 2-D view, and it is in the link too
    shared.click("#mode-2d")
    assert shared.evaluate("skywarden.viewer.scene.mode === Cesium.SceneMode.SCENE2D")
    assert "mode=2d" in shared.url
    shared.screenshot(path=str(ARTIFACTS / "map-2d.png"))
    assert rec.foreign() == [] and rec2.foreign() == []
    shared.close()


def test_alerts_arrive_on_the_live_stream(map_page: Any, map_server: MapServer) -> None:
    from skywarden.store import make_engine, make_sessionmaker
    from skywarden.store.models_watch import AlertRow, WatchRow

    page, rec = map_page, map_page.skywarden_recorder
    page.wait_for_function("document.getElementById('stream-state').textContent === 'live'")
    engine = make_engine(map_server.db_url)
    with make_sessionmaker(engine)() as session:
        watch = WatchRow(kind="zone_entry", name="balloon-1 into ADIZ", params={"track": "balloon-1"})
        session.add(watch)
        session.flush()
        session.add(AlertRow(watch_id=watch.id, kind="zone_entry", event_key="balloon-1:US-ADIZ",
                             summary="balloon-1 enters the ADIZ with p=0.9", details={"time": "2026-05-30T15:00:00Z"}))  # fmt: skip
        session.commit()
    engine.dispose()
    # the stream re-queries at its keep-alive (15 s) when nobody notifies it: the alert must appear
    page.wait_for_selector("#alerts li >> text=balloon-1 enters the ADIZ", timeout=60_000)
    page.click("#alerts li >> text=balloon-1 enters the ADIZ")
    assert same_time(clock_iso(page), "2026-05-30T15:00:00Z")
    assert rec.foreign() == []
