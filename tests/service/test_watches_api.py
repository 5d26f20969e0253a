"""End to end on a real ``skywarden serve`` process (SQLite and PostgreSQL): reports of a
drifting balloon posted in batches → its ``zone_entry`` watch fires once → the alert reaches the
SSE stream (resumable with ``Last-Event-ID``) and a local webhook receiver with a valid signature.

The balloon and the zone come from ``balloon_scenario`` (real GFS winds of 2010-10-26 12Z, the
library's float-flight prediction as the "truth" path, three hours of it as reports).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import balloon_scenario as scen
from webhook_receiver import Receiver

SECRET = "end-to-end-webhook-secret-42"


class SseReader:
    """Reads ``GET /alerts/stream`` in a thread and keeps the parsed events."""

    def __init__(self, url: str, headers: dict[str, str], last_event_id: int | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.comments = 0
        self._headers = dict(headers)
        if last_event_id is not None:
            self._headers["Last-Event-ID"] = str(last_event_id)
        self._url = url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(5.0, read=60.0)) as client,
            client.stream("GET", self._url, headers=self._headers, params={"keepalive_s": 0.5}) as resp,
        ):
            assert resp.status_code == 200
            assert resp.headers["content-type"].startswith("text/event-stream")
            event: dict[str, Any] = {}
            for line in resp.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith(":"):
                    self.comments += 1
                elif line.startswith("id: "):
                    event["id"] = int(line[4:])
                elif line.startswith("event: "):
                    event["event"] = line[7:]
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif line == "" and event:
                    self.events.append(event)
                    event = {}

    def close(self) -> None:
        self._stop.set()  # seen at the next line (keep-alives every 0.5 s)
        self._thread.join(30)
        assert not self._thread.is_alive()


def wait_for(predicate, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def test_drifting_balloon_zone_entry_fires_once_to_sse_and_webhook(
    server_process, migrated_url, tokens, shared_data
):
    wind_path = shared_data / scen.WIND_FILE
    assert scen.truth_enters_zone(wind_path)
    auth = {role: {"Authorization": f"Bearer {tok}"} for role, tok in tokens.items()}
    with Receiver(SECRET) as rx:
        server = server_process(migrated_url, allow_private_webhooks=True, watch_interval_s=3600.0)
        http = httpx.Client(base_url=server.url, timeout=60)
        op = auth["operator"]
        r = http.post(
            "/winds",
            content=wind_path.read_bytes(),
            headers={**op, "Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 201, r.text
        r = http.post(
            "/zones",
            content=json.dumps(scen.zone_geojson()),
            headers={**op, "Content-Type": "application/geo+json"},
        )
        assert r.status_code == 201, r.text
        zone_set = r.json()["id"]
        r = http.post("/webhooks", json={"url": rx.url, "secret": SECRET}, headers=auth["admin"])
        assert r.status_code == 201, r.text
        watch = {"kind": "zone_entry", "name": "B1 into the box",
                 "params": {"track": "B1", "zone": str(zone_set), "probability": 0.5, "hours": 12, "ensemble": 20}}  # fmt: skip
        r = http.post("/watches", json=watch, headers=op)
        assert r.status_code == 201, r.text
        watch_id = r.json()["id"]
        assert (
            http.post(
                "/watches", json={**watch, "params": {"track": "B1", "zone": "nowhere"}}, headers=op
            ).status_code
            == 404
        )

        sse = SseReader(server.url + "/alerts/stream", auth["viewer"])
        for batch in scen.report_batches(wind_path, 3):
            r = http.post("/reports", json=batch, headers=op)
            assert r.status_code == 201 and r.json()["accepted"] == len(batch), r.text
            time.sleep(1.0)
        # the track is updated after each batch; evaluations follow each update
        wait_for(lambda: http.get("/tracks/B1", headers=op).status_code == 200, 60, "track B1")
        got = rx.wait_accepted(1, timeout_s=180)
        wait_for(lambda: sse.events, 30, "the SSE event")
        # let the last evaluations settle, then: exactly one alert, one delivery, one SSE event
        last_eval = lambda: http.get(f"/watches/{watch_id}", headers=op).json()["last_evaluated_at"]  # noqa: E731
        before = last_eval()
        http.post("/reports", json=scen.report_batches(wind_path, 3)[-1], headers=op)  # a repeated batch
        wait_for(lambda: last_eval() != before, 120, "a further evaluation")
        time.sleep(2.0)
        alerts = http.get("/alerts", params={"watch_id": watch_id}, headers=auth["viewer"]).json()
        assert len(alerts) == 1
        alert = alerts[0]
        assert alert["kind"] == "zone_entry" and alert["event_key"] == f"track:B1:zone:{zone_set}"
        assert alert["details"]["probability"] >= 0.5 and alert["details"]["n_members"] == 20
        assert len(rx.accepted) == 1 and len(rx.requests) == 1 and got[0]["valid"]
        assert got[0]["body"]["alert"] == alert
        assert [e["id"] for e in sse.events] == [alert["id"]]
        assert sse.events[0]["event"] == "alert" and sse.events[0]["data"] == alert
        sse.close()

        # resuming: after the alert's id nothing is replayed; from 0 the alert comes again
        resumed = SseReader(server.url + "/alerts/stream", auth["viewer"], last_event_id=alert["id"])
        replay = SseReader(server.url + "/alerts/stream", auth["viewer"], last_event_id=0)
        wait_for(lambda: replay.events and resumed.comments >= 2, 30, "the replay and keep-alives")
        assert [e["id"] for e in replay.events] == [alert["id"]]
        assert resumed.events == []
        resumed.close()
        replay.close()
        assert http.get("/alerts/stream").status_code == 401
        http.close()
