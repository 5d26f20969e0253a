"""Bounded soak: 10,000 mixed requests over loopback to a real ``skywarden serve`` process
(uvicorn, SQLite store): no 5xx, every answer the expected status, and the server's resident
memory flat — growth from after the warm-up (first 1,000 requests) to the end ≤ 40 MiB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

N_REQUESTS = 10_000
WARMUP = 1_000
MAX_GROWTH_MIB = 40.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS")


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_soak_10k_mixed_requests(
    migrated_url: str, tokens: dict[str, str], server_process: Any, shared_data: Path
) -> None:
    tok = tokens
    server = server_process(migrated_url, rate_limit_per_s=1e6, rate_limit_burst=10**6)
    view = {"Authorization": f"Bearer {tok['viewer']}"}
    op = {"Authorization": f"Bearer {tok['operator']}"}
    with httpx.Client(base_url=server.url, timeout=60) as c:
        cat = shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle"
        assert (
            c.post(
                "/catalogs", content=cat.read_bytes(), headers={**op, "content-type": "text/plain"}
            ).status_code
            == 201
        )
        assert c.post("/sites", json={"name": "P", "lat": 38.3, "lon": -104.6}, headers=op).status_code == 201
        q = "/sites/1/overflight?start=2026-05-30T12:00:00Z&hours=6&kind=optical"
        assert c.get(q, headers=view).status_code == 200
        mix: list[tuple[str, str, dict[str, Any], int]] = [
            ("GET", "/healthz", {}, 200),
            ("GET", q, {"headers": view}, 200),
            ("GET", "/sites", {"headers": view}, 200),
            ("GET", "/sites/1", {"headers": view}, 200),
            ("GET", "/sites/999", {"headers": view}, 404),
            ("GET", "/tracks", {"headers": view}, 200),
            ("POST", "/sites", {"headers": view, "json": {"name": "x", "lat": 0, "lon": 0}}, 403),
            ("GET", "/sites", {}, 401),
            ("POST", "/sites", {"headers": op, "json": {"name": "x", "lat": 100, "lon": 0}}, 422),
            ("GET", "/metrics", {}, 200),
        ]
        statuses: dict[int, int] = {}
        rss_warm = 0.0
        for i in range(N_REQUESTS):
            if i % 50 == 49:  # a small report batch now and then (tracking off: the soak is the HTTP layer)
                body = [{"time": f"2026-12-04T00:{(i // 50) % 60:02d}:{k:02d}Z", "lat": 39.0 + k * 1e-3,
                         "lon": -104.0, "alt_m": 1000.0 + k, "id": f"S{i % 7}"} for k in range(20)]  # fmt: skip
                r = c.post("/reports?track=false", json=body, headers=op)
                expected = 201
            else:
                method, path, kw, expected = mix[i % len(mix)]
                r = c.request(method, path, **kw)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            assert r.status_code == expected, (i, method, path, r.status_code, r.text[:200])
            if i == WARMUP:
                rss_warm = rss_mib(server.proc.pid)
        rss_end = rss_mib(server.proc.pid)
    assert not any(code >= 500 for code in statuses)
    assert rss_end - rss_warm <= MAX_GROWTH_MIB, (
        f"RSS grew {rss_end - rss_warm:.1f} MiB ({rss_warm:.0f} → {rss_end:.0f})"
    )
