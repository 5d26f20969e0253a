"""Restart safety with a real ``skywarden serve`` process killed with SIGKILL (SQLite and PostgreSQL).

Before the kill: one alert already delivered, one alert whose first delivery attempt failed and
whose retry is scheduled, and a long job running in a worker process. After a restart on the
same store: the job runs again to success (second attempt) and every alert has reached the
local receiver exactly once, with a valid signature.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import httpx

from skywarden.service.alerts import record_firings
from skywarden.service.watches_eval import Firing
from skywarden.store import make_engine, make_sessionmaker
from skywarden.store.models import WindRow
from skywarden.store.models_watch import DeliveryRow, JobRow

sys.path.insert(0, str(Path(__file__).parent))
from webhook_receiver import Receiver

SECRET = "restart-test-secret-0123456789"
WIND_FILE = "winds/gfs_1deg_namerica_2010102612_pl.nc"


def store_alert(db_url: str, key: str) -> int:
    """Store a firing in the shared store as a watch evaluation would (the server's delivery
    loop polls the outbox, so it needs no in-process wake-up)."""
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as s:
        (alert,) = record_firings(s, [Firing(1, "new_object", key, f"alert {key}", {"key": key})])
        alert_id = alert.id
    engine.dispose()
    return alert_id


def read(db_url: str, model, **where):
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as s:
        rows = s.query(model).filter_by(**where).all()
    engine.dispose()
    return rows


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def test_sigkill_then_restart_resumes_job_and_delivers_each_alert_once(
    server_process, migrated_url, tokens, shared_data
):
    path = shared_data / WIND_FILE
    engine = make_engine(migrated_url)
    with make_sessionmaker(engine)() as s:
        wind = WindRow(source=path.name, path=str(path), content_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                       size_bytes=path.stat().st_size, summary={})  # fmt: skip
        s.add(wind)
        s.commit()
        wind_id = wind.id
    engine.dispose()
    auth = {role: {"Authorization": f"Bearer {tok}"} for role, tok in tokens.items()}
    config = {"allow_private_webhooks": True, "webhook_backoff_s": 4.0, "job_workers": 1}

    with Receiver(SECRET, fail_keys_once={"pending-at-kill"}) as rx:
        server = server_process(migrated_url, **config)
        http = httpx.Client(base_url=server.url, timeout=60)
        r = http.post("/webhooks", json={"url": rx.url, "secret": SECRET}, headers=auth["admin"])
        assert r.status_code == 201, r.text

        a0 = store_alert(migrated_url, "delivered-before-kill")
        rx.wait_accepted(1)
        # a job of ~10 s on an idle machine (500 members, 48 h float flight, 10 s step)
        params = {"fix": {"lat": 40.0, "lon": -100.0, "alt_m": 18000.0, "time": "2010-10-26T12:00:00Z"},
                  "winds": [wind_id], "ensemble": 500, "hours": 48, "profile": "float", "step_s": 10.0,
                  "outside": "clamp"}  # fmt: skip
        r = http.post("/jobs", json={"kind": "predict", "params": params}, headers=auth["operator"])
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        wait_for(lambda: http.get(f"/jobs/{job_id}", headers=auth["viewer"]).json()["state"] == "running", 30,
                 "the job to run")  # fmt: skip
        a1 = store_alert(migrated_url, "pending-at-kill")
        wait_for(
            lambda: [d for d in read(migrated_url, DeliveryRow, alert_id=a1) if d.attempts == 1],
            20,
            "the first (failing) attempt of the second alert to be recorded",
        )
        server.kill()
        http.close()

        (job,) = read(migrated_url, JobRow, id=job_id)
        assert job.state == "running" and job.attempts == 1
        (pending,) = read(migrated_url, DeliveryRow, alert_id=a1)
        assert pending.state == "pending" and pending.attempts == 1
        assert len(rx.accepted) == 1

        server.start()
        http = httpx.Client(base_url=server.url, timeout=60)
        rx.wait_accepted(2, timeout_s=30)
        done = wait_for(
            lambda: (
                (b := http.get(f"/jobs/{job_id}", headers=auth["viewer"]).json())["state"]
                in ("succeeded", "failed")
                and b
            ),
            180,
            "the restarted job to finish",
        )
        assert done["state"] == "succeeded", done["error"]
        assert done["attempts"] == 2
        result = http.get(f"/jobs/{job_id}/result", headers=auth["viewer"]).json()
        assert sum(result["summary"]["status"].values()) == 500
        time.sleep(6.0)  # longer than a retry period: nothing is sent again
        http.close()

    delivered = [q["body"]["alert"]["id"] for q in rx.accepted]
    assert sorted(delivered) == sorted([a0, a1])  # each alert exactly once
    assert all(q["valid"] for q in rx.requests)
    assert len(rx.requests) == 3  # a0 once, a1 twice (the failed attempt before the kill, then the retry)
    states = {d.alert_id: (d.state, d.attempts) for d in read(migrated_url, DeliveryRow)}
    assert states == {a0: ("delivered", 1), a1: ("delivered", 2)}


def test_job_interrupted_too_often_is_failed_with_the_reason(make_client, migrated_url, headers):
    engine = make_engine(migrated_url)
    with make_sessionmaker(engine)() as s:
        row = JobRow(
            kind="predict", params={}, inputs={}, state="running", progress=0.3, attempts=2, created_by="t"
        )
        s.add(row)
        s.commit()
        job_id = row.id
    engine.dispose()
    client = make_client(job_max_attempts=2)
    body = client.get(f"/jobs/{job_id}", headers=headers["viewer"]).json()
    assert body["state"] == "failed"
    assert "interrupted" in body["error"] and "job_max_attempts = 2" in body["error"]
    assert client.get(f"/jobs/{job_id}/result", headers=headers["viewer"]).status_code == 409
