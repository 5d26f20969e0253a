"""Jobs through the API on SQLite and PostgreSQL: validation, lifecycle, results in three
formats, cancel, and the worker processes (never the event loop).

The predict job's answer is checked against the library called directly with the same inputs
(:func:`skywarden.predict`, the function ``skywarden predict`` calls), on the real GFS analysis of
2010-10-26 12Z (``winds/gfs_1deg_namerica_2010102612_pl.nc``, MetPy test file).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

import skywarden as sw
from skywarden.store import make_engine, make_sessionmaker
from skywarden.store.models import WindRow

WIND_FILE = "winds/gfs_1deg_namerica_2010102612_pl.nc"
FIX = {"lat": 40.0, "lon": -100.0, "alt_m": 1000.0, "time": "2010-10-26T12:00:00Z"}


def add_wind(db_url: str, path: Path) -> int:
    """Register a real wind file in the store (what POST /winds records)."""
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as s:
        row = WindRow(
            source=path.name,
            path=str(path),
            content_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            size_bytes=path.stat().st_size,
            summary={},
        )
        s.add(row)
        s.commit()
        wid = row.id
    engine.dispose()
    return wid


def wait_state(
    client: TestClient, job_id: int, headers: dict[str, str], states: set[str], timeout_s: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/jobs/{job_id}", headers=headers).json()
        if body["state"] in states:
            return body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {body['state']} after {timeout_s} s")


def test_predict_job_lifecycle_and_formats(client, headers, migrated_url, shared_data):
    wid = add_wind(migrated_url, shared_data / WIND_FILE)
    params = {"fix": FIX, "winds": [wid], "ensemble": 1, "hours": 6, "profile": "burst"}
    r = client.post("/jobs", json={"kind": "predict", "params": params}, headers=headers["operator"])
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["state"] in ("queued", "running") and job["kind"] == "predict"
    done = wait_state(client, job["id"], headers["viewer"], {"succeeded", "failed"})
    assert done["state"] == "succeeded", done["error"]
    assert done["progress"] == 1.0 and done["attempts"] == 1
    assert done["result_formats"] == ["json", "geojson", "czml"]

    res = client.get(f"/jobs/{job['id']}/result", headers=headers["viewer"]).json()
    # the same library call, in this process
    direct = sw.predict(
        sw.load_winds([shared_data / WIND_FILE]), lat_deg=40.0, lon_deg=-100.0, alt_m=1000.0,
        time="2010-10-26T12:00:00Z", profile="burst", hours=6, step_s=60.0,
        ensemble=sw.EnsembleSettings(members=1, wind_sigma_m_s=2.0, wind_tau_s=6 * 3600.0, seed=0),
    )  # fmt: skip
    landed = res["summary"]["landed"]
    assert abs(landed["lat_deg"] - float(direct.events["landed"]["lat_deg"][0])) < 1e-9
    assert abs(landed["lon_deg"] - float(direct.events["landed"]["lon_deg"][0])) < 1e-9
    t_api = np.datetime64(landed["time"].rstrip("Z"), "ms")
    assert abs(t_api - direct.events["landed"]["time"][0].astype("datetime64[ms]")) <= np.timedelta64(1, "ms")

    gj = client.get(f"/jobs/{job['id']}/result?format=geojson", headers=headers["viewer"])
    assert gj.headers["content-type"].startswith("application/geo+json")
    assert gj.json()["type"] == "FeatureCollection"
    track = next(f for f in gj.json()["features"] if f["properties"]["kind"] == "member_track")
    lon, lat = track["geometry"]["coordinates"][-1][:2]
    assert np.hypot(lat - landed["lat_deg"], lon - landed["lon_deg"]) < 1e-5
    czml = client.get(f"/jobs/{job['id']}/result?format=czml", headers=headers["viewer"]).json()
    assert czml[0]["id"] == "document"
    bad = client.get(f"/jobs/{job['id']}/result?format=kml", headers=headers["viewer"])
    assert bad.status_code == 422


def test_job_validation_is_a_readable_4xx(client, headers, migrated_url, shared_data):
    op = headers["operator"]
    r = client.post("/jobs", json={"kind": "teleport", "params": {}}, headers=op)
    assert r.status_code == 422 and "kind" in r.json()["detail"]
    r = client.post("/jobs", json={"kind": "predict", "params": {"winds": [1]}}, headers=op)
    assert r.status_code == 422 and "exactly one of fix" in r.json()["detail"]
    r = client.post(
        "/jobs", json={"kind": "predict", "params": {"fix": {**FIX, "lat": 95}, "winds": [1]}}, headers=op
    )
    assert r.status_code == 422 and "params.fix.lat" in r.json()["detail"]
    r = client.post("/jobs", json={"kind": "predict", "params": {"fix": FIX, "winds": [999]}}, headers=op)
    assert r.status_code == 404 and "wind 999" in r.json()["detail"]
    r = client.post("/jobs", json={"kind": "hazard", "params": {"payload": "anvil", "path": []}}, headers=op)
    assert r.status_code == 422 and "params.payload" in r.json()["detail"]
    r = client.post("/jobs", json={"kind": "screen", "params": {"start": "2026-12-04T00:00Z"}}, headers=op)
    assert r.status_code == 404 and "no catalog" in r.json()["detail"]
    assert (
        client.post("/jobs", json={"kind": "predict", "params": {}}, headers=headers["viewer"]).status_code
        == 403
    )
    assert client.get("/jobs/12345", headers=headers["viewer"]).status_code == 404
    bad_time = {"fix": {**FIX, "time": "teatime"}, "winds": [1]}
    r = client.post("/jobs", json={"kind": "predict", "params": bad_time}, headers=op)
    assert (
        r.status_code == 422 and "params.fix.time" in r.json()["detail"] and "ISO 8601" in r.json()["detail"]
    )
    bad_tau = {"fix": FIX, "winds": [1], "wind_tau": "soon"}
    r = client.post("/jobs", json={"kind": "predict", "params": bad_tau}, headers=op)
    assert r.status_code == 422 and "params.wind_tau" in r.json()["detail"] and "24h" in r.json()["detail"]
    r = client.post("/jobs", json={"kind": "predict", "params": {"fix": FIX, "winds": [2**40]}}, headers=op)
    assert r.status_code == 422 and "params.winds.0" in r.json()["detail"]
    assert client.get(f"/jobs/{2**40}", headers=headers["viewer"]).status_code == 422


def test_cancel_a_running_job(client, headers, migrated_url, shared_data):
    wid = add_wind(migrated_url, shared_data / WIND_FILE)
    # a long float flight with a big ensemble and a 1 s step: minutes of work
    params = {"fix": {**FIX, "alt_m": 18000.0}, "winds": [wid], "ensemble": 2000, "hours": 720,
              "profile": "float", "step_s": 1.0, "outside": "clamp"}  # fmt: skip
    job = client.post("/jobs", json={"kind": "predict", "params": params}, headers=headers["operator"]).json()
    wait_state(client, job["id"], headers["viewer"], {"running"})
    time.sleep(1.0)
    r = client.delete(f"/jobs/{job['id']}", headers=headers["operator"])
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    mgr = client.app.state.ctx.extras["jobs"]
    deadline = time.monotonic() + 30
    while str(job["id"]) in mgr.pool.running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert str(job["id"]) not in mgr.pool.running  # the worker process is gone
    body = client.get(f"/jobs/{job['id']}", headers=headers["viewer"]).json()
    assert body["state"] == "cancelled" and body["error"] == "cancelled by request"
    r = client.get(f"/jobs/{job['id']}/result", headers=headers["viewer"])
    assert r.status_code == 409 and r.json()["state"] == "cancelled"
    metrics = client.get("/metrics").text
    assert 'skywarden_jobs{state="cancelled"} 1.0' in metrics


def test_failed_job_reports_the_library_error(client, headers, migrated_url, shared_data):
    wid = add_wind(migrated_url, shared_data / WIND_FILE)
    # outside the North-America wind field, with outside="raise": the library's DomainError
    params = {"fix": {**FIX, "lat": -40.0, "lon": 20.0}, "winds": [wid], "hours": 2, "outside": "raise"}
    job = client.post("/jobs", json={"kind": "predict", "params": params}, headers=headers["operator"]).json()
    done = wait_state(client, job["id"], headers["viewer"], {"succeeded", "failed"})
    assert done["state"] == "failed"
    assert "DomainError" in done["error"]
