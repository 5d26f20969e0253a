"""Webhooks through the API on SQLite and PostgreSQL: admin-only registration, the SSRF guard,
signed deliveries to a real local receiver, retries with backoff, persisted delivery state."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from skywarden.service.alerts import get_hub, record_firings
from skywarden.service.watches_eval import Firing
from skywarden.store.models_watch import DeliveryRow

sys.path.insert(0, str(Path(__file__).parent))
from webhook_receiver import Receiver

SECRET = "a-webhook-secret-of-some-length"


def fire(client, watch_id: int, key: str) -> list[int]:
    """Store one firing as the watch engine does, and wake the delivery loop."""
    ctx = client.app.state.ctx
    with ctx.sessions() as s:
        new = record_firings(s, [Firing(watch_id, "zone_entry", key, f"test {key}", {"probability": 0.9})])
        ids = [a.id for a in new]
    client.portal.call(get_hub(ctx).notify)
    return ids


def test_webhooks_are_admin_only_and_refuse_private_targets(client, headers):
    body = {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
    assert client.post("/webhooks", json=body).status_code == 401
    assert client.post("/webhooks", json=body, headers=headers["operator"]).status_code == 403
    r = client.post("/webhooks", json=body, headers=headers["admin"])
    assert (
        r.status_code == 422
        and "loopback" in r.json()["detail"]
        and "allow_private_webhooks" in r.json()["detail"]
    )
    r = client.post(
        "/webhooks", json={**body, "url": "http://169.254.169.254/latest"}, headers=headers["admin"]
    )
    assert r.status_code == 422 and "link-local" in r.json()["detail"]
    r = client.post("/webhooks", json={**body, "url": "http://[fd12::1]/x"}, headers=headers["admin"])
    assert r.status_code == 422 and "private" in r.json()["detail"]
    r = client.post("/webhooks", json={**body, "url": "gopher://93.184.215.14/"}, headers=headers["admin"])
    assert r.status_code == 422 and "scheme" in r.json()["detail"]
    r = client.post("/webhooks", json={**body, "secret": "short"}, headers=headers["admin"])
    assert r.status_code == 422 and "secret" in r.json()["detail"]
    assert client.get("/webhooks", headers=headers["admin"]).json() == []


def counter(client, name: str) -> float:
    """A Prometheus counter's value from GET /metrics."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def test_signed_delivery_with_retries_and_persisted_state(make_client, headers):
    client = make_client(allow_private_webhooks=True, webhook_backoff_s=0.2)
    sent0, failed0 = (
        counter(client, "skywarden_alerts_sent_total"),
        counter(client, "skywarden_alerts_failed_total"),
    )
    with Receiver(SECRET, fail_first=2) as rx:
        r = client.post("/webhooks", json={"url": rx.url, "secret": SECRET}, headers=headers["admin"])
        assert r.status_code == 201, r.text
        hook = r.json()
        assert "secret" not in hook
        listed = client.get("/webhooks", headers=headers["admin"]).json()
        assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]

        ids = fire(client, 1, "track:B1:zone:7")
        assert len(ids) == 1
        assert fire(client, 1, "track:B1:zone:7") == []  # the same event is stored once
        got = rx.wait_accepted(1)
        time.sleep(0.5)
        assert len(rx.accepted) == 1  # delivered exactly once
        assert len(rx.requests) == 3 and [q["valid"] for q in rx.requests] == [True, True, True]
        assert {q["delivery"] for q in rx.requests} == {got[0]["delivery"]}  # same id on every retry
        alert = got[0]["body"]["alert"]
        assert got[0]["body"]["event"] == "alert"
        assert alert["id"] == ids[0] and alert["event_key"] == "track:B1:zone:7"
        assert alert["details"]["probability"] == 0.9

        deliveries = client.get(f"/webhooks/{hook['id']}/deliveries", headers=headers["admin"]).json()
        assert len(deliveries) == 1
        d = deliveries[0]
        assert d["state"] == "delivered" and d["attempts"] == 3 and d["last_status"] == 204
    assert counter(client, "skywarden_alerts_sent_total") == sent0 + 1
    assert counter(client, "skywarden_alerts_failed_total") == failed0 + 2


def test_failing_target_ends_failed_after_max_attempts(make_client, headers):
    client = make_client(allow_private_webhooks=True, webhook_backoff_s=0.05, webhook_max_attempts=3)
    with Receiver("another-secret-of-some-length") as rx:  # verifies with a different secret → 401
        hook = client.post(
            "/webhooks", json={"url": rx.url, "secret": SECRET}, headers=headers["admin"]
        ).json()
        fire(client, 2, "k1")
        ctx = client.app.state.ctx
        deadline = time.monotonic() + 20
        state = "pending"
        while time.monotonic() < deadline and state == "pending":
            time.sleep(0.1)
            with ctx.sessions() as s:
                state = s.query(DeliveryRow).filter_by(webhook_id=hook["id"]).one().state
        assert state == "failed"
        assert len(rx.requests) == 3 and not rx.accepted
        assert all(not q["valid"] for q in rx.requests)
        d = client.get(f"/webhooks/{hook['id']}/deliveries", headers=headers["admin"]).json()[0]
        assert d["attempts"] == 3 and d["last_status"] == 401 and d["last_error"] == "HTTP 401"
    assert client.delete(f"/webhooks/{hook['id']}", headers=headers["admin"]).status_code == 204
    assert client.get("/webhooks", headers=headers["admin"]).json() == []
