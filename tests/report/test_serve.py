"""``skywarden demo --serve``: the scenario posted to a real running service (uvicorn on loopback,
SQLite store) through its HTTP API; the map's scene then carries the sites, the tracked object and
the ADIZ zones named in the printed URL."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx

from skywarden.scenario.service_load import ServiceThread, load_into_service, prepare_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_scenario_loads_into_a_running_service(scenario_run: tuple, tmp_path: Path) -> None:
    res, _ = scenario_run
    db_url = f"sqlite:///{tmp_path / 'service.db'}"
    token = prepare_store(db_url)
    service = ServiceThread(db_url, port=_free_port(), data_dir=tmp_path / "data").start()
    try:
        loaded = load_into_service(res, service.url, token)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=service.url, headers=headers, timeout=120.0) as http:
            sites = http.get("/sites").json()
            assert [s["name"] for s in sites] == [s.name for s in res.sites]
            assert loaded["site_ids"] == [s["id"] for s in sites]
            assert loaded["reports"]
            state = parse_qs(urlparse(loaded["map_url"]).fragment)
            assert state["adiz"] == ["us,ca"] and state["site"] == [",".join(map(str, loaded["site_ids"]))]
            scene = http.get("/czml/scene", params={"start": state["start"][0], "hours": 6, "adiz": "us,ca",
                                                    "max_satellites": 5})  # fmt: skip
            assert scene.status_code == 200, scene.text
            ids = {p.get("id", "") for p in scene.json()}
            assert any("CA-ADIZ" in i for i in ids) and any("US-ADIZ-ALASKA" in i for i in ids)
            assert {f"site-{i}" for i in loaded["site_ids"]} <= ids
            assert len([i for i in ids if i.startswith("track-")]) == len(
                res.tracking.tracks
            )  # balloon + airliner
    finally:
        service.stop()
