"""The map's routes in-process (no browser): the page and its policy, static files, CesiumJS,
``GET /czml/scene`` auth, validation, errors and caching, on a real migrated SQLite store."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from czml3 import Packet
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario
from webharness import require_cesium


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    from skywarden.service import ServiceSettings, create_app
    from skywarden.store import create_token, make_engine, make_sessionmaker, upgrade

    require_cesium()
    root = tmp_path_factory.mktemp("routes")
    url = f"sqlite:///{root / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        tokens = {r: create_token(session, r, r)[1] for r in ("viewer", "operator")}
        session.commit()
    engine.dispose()
    app = create_app(db_url=url, settings=ServiceSettings(data_dir=root / "data"))
    h = {r: {"Authorization": f"Bearer {t}"} for r, t in tokens.items()}
    with TestClient(app) as c:
        r = c.post("/catalogs", content=(shared_data / scenario.CATALOG).read_bytes(),
                   headers={**h["operator"], "Content-Type": "text/plain"})  # fmt: skip
        assert r.status_code == 201, r.text
        r = c.post("/sites", json=scenario.SITE, headers=h["operator"])
        assert r.status_code == 201, r.text
        yield c, {"headers": h, "site_id": r.json()["id"]}
    app.state.ctx.engine.dispose()


def test_page_static_files_and_cesium_are_served_with_a_same_origin_policy(client: Any) -> None:
    c, _ = client
    page = c.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "http" not in csp
    assert 'id="login-form"' in page.text and "cesium" in page.text.lower()
    assert c.get("/web/app.js").status_code == 200
    assert "skywardenReady" in c.get("/web/app.js").text
    assert c.get("/cesium/Cesium.js").status_code == 200
    tms = c.get("/cesium/Assets/Textures/NaturalEarthII/tilemapresource.xml")
    assert tms.status_code == 200 and "TileMap" in tms.text


def test_scene_needs_a_token_and_validates_its_query(client: Any) -> None:
    c, ctx = client
    q = f"/czml/scene?start={scenario.START}&hours=1"
    assert c.get(q).status_code == 401
    assert c.get(q, headers={"Authorization": "Bearer sw_nope_nope"}).status_code == 401
    bad = c.get(f"/czml/scene?start={scenario.START}&hours=0", headers=ctx["headers"]["viewer"])
    assert bad.status_code == 422 and "hours" in bad.text
    bad = c.get("/czml/scene?start=yesterday-ish", headers=ctx["headers"]["viewer"])
    assert bad.status_code == 400 and "yesterday-ish" in bad.json()["detail"]
    missing = c.get(f"{q}&site_id=999", headers=ctx["headers"]["viewer"])
    assert missing.status_code == 404 and "999" in missing.json()["detail"]


def test_scene_is_czml_and_cached(client: Any) -> None:
    c, ctx = client
    q = f"/czml/scene?start={scenario.START}&hours=2&site_id={ctx['site_id']}&adiz=none"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = c.get(q, headers=ctx["headers"]["viewer"])
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    packets = first.json()
    for p in packets:
        Packet.model_validate(p)
    layers = [p.get("properties", {}).get("layer") for p in packets]
    assert layers.count("site") == 1 and layers.count("satellite") == 167 and "zone" not in layers
    assert layers.count("access_window") > 0
    again = c.get(q, headers=ctx["headers"]["viewer"])
    assert again.content == first.content


def test_finished_backtrack_jobs_show_their_launch_cells(client: Any) -> None:
    from skywarden.store import make_engine, make_sessionmaker
    from skywarden.store.models_watch import JobResultRow, JobRow

    c, ctx = client
    cells = [
        {"lat_deg": 39.25, "lon_deg": -104.25, "cell_deg": 0.5, "probability": 0.6},
        {"lat_deg": 39.75, "lon_deg": -104.25, "cell_deg": 0.5, "probability": 0.3},
    ]
    engine = make_engine(str(c.app.state.ctx.db_url))
    with make_sessionmaker(engine)() as session:
        job = JobRow(kind="backtrack", params={}, state="succeeded", progress=1.0)
        session.add(job)
        session.flush()
        result = {
            "json": {"summary": {"top_cells": cells}},
            "geojson": {"type": "FeatureCollection", "features": []},
        }
        session.add(JobResultRow(job_id=job.id, result=result))
        session.commit()
        job_id = job.id
    engine.dispose()
    r = c.get(f"/czml/scene?start={scenario.START}&hours=1&adiz=none", headers=ctx["headers"]["viewer"])
    got = [p for p in r.json() if p.get("properties", {}).get("layer") == "launch_probability_cell"]
    assert [p["rectangle"]["coordinates"]["wsenDegrees"] for p in got] == [
        [-104.5, 39.0, -104.0, 39.5],
        [-104.5, 39.5, -104.0, 40.0],
    ]
    assert all(p["properties"]["result"] == f"backtrack-{job_id}" for p in got)
