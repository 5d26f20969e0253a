"""Watch-service benchmarks (issue 15): cached overflight queries over loopback HTTP and report
ingest into PostgreSQL.

1. Cached overflight query: ``skywarden serve`` runs as a real uvicorn subprocess on 127.0.0.1
   (SQLite store, the CelesTrak resource catalog from ../shared/data, one site); after one
   warm-up request, C concurrent keep-alive clients (httpx) repeat the same
   ``GET /sites/1/overflight?...`` N times. Printed: requests/s, p50/p99 latency; the peer in the
   same run is ``GET /healthz`` (no auth, no work: the framework's own floor on this machine).
   Goal: ≥ 500 req/s with p99 ≤ 50 ms. The load generator shares the 2 cores with the server.
2. Report ingest into PostgreSQL (a throwaway server started here, as in tests/service):
   ``POST /reports`` with a JSON batch of 20,000 reports (``track=false``: tracking is a
   background step, measured separately by the tests) against the same uvicorn process, and the
   store's bulk path alone (``insert_reports``: ``COPY``) against the peer SQLAlchemy
   ``executemany`` INSERT of the same rows. Goal: ≥ 20,000 reports/s.

Run: ``.venv/bin/python bench/bench_service.py [--requests 5000] [--concurrency 16]``.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import find_shared_data  # noqa: E402
from skywarden.service import ServiceSettings  # noqa: E402
from skywarden.store import create_token, make_engine, make_sessionmaker, upgrade  # noqa: E402


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc), to report server CPU per request:
    on a shared, loaded machine wall-clock rates say more about the neighbours than the server."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres(root: Path) -> tuple[str, Any]:
    """A throwaway PostgreSQL on a free loopback port (as user postgres when root)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL binaries missing: run `bash scripts/system-deps.sh`")
    bindir = Path(found[-1]).parent
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres",
                    "--no-sync"], check=True, capture_output=True, env=env, cwd=root)  # fmt: skip
    opts = f"-h 127.0.0.1 -p {port} -k {root} -F"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-o", opts, "-l", str(root / "log"),
                    "-w", "start"], check=True, capture_output=True, env=env, cwd=root)  # fmt: skip

    def stop() -> None:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop"],
                       capture_output=True, env=env, cwd=root, check=False)  # fmt: skip

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def prepare(url: str) -> dict[str, str]:
    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as s:
        tok = {r: create_token(s, r, "bench")[1] for r in ("viewer", "operator")}
        s.commit()
    engine.dispose()
    return tok


def serve(url: str, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cfg = tmp / f"settings-{port}.json"
    settings = ServiceSettings(data_dir=tmp / "data", rate_limit_per_s=1e6, rate_limit_burst=10**6)
    cfg.write_text(settings.model_dump_json())
    cmd = [sys.executable, "-c", "from skywarden.cli import main; main()", "serve", "--db", url, "--port", str(port),
           "--config", str(cfg), "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(tmp / f"server-{port}.log", "wb"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit((tmp / f"server-{port}.log").read_text())


async def hammer(
    base: str, path: str, headers: dict[str, str], n: int, conc: int
) -> tuple[float, np.ndarray]:
    lat: list[float] = []
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        per = n // conc

        async def worker() -> None:
            for _ in range(per):
                t0 = time.perf_counter()
                r = await client.get(path)
                lat.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise SystemExit(f"{path}: {r.status_code} {r.text[:200]}")

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conc)))
        wall = time.perf_counter() - t0
    return len(lat) / wall, np.array(lat) * 1000.0


def bench_queries(tmp: Path, n: int, conc: int) -> None:
    url = f"sqlite:///{tmp / 'q.db'}"
    tok = prepare(url)
    proc, base = serve(url, tmp)
    try:
        op = {"Authorization": f"Bearer {tok['operator']}"}
        cat = find_shared_data() / "catalogs" / "celestrak-resource-2026-05-30.tle"  # type: ignore[operator]
        httpx.post(
            base + "/catalogs",
            content=cat.read_bytes(),
            headers={**op, "content-type": "text/plain"},
            timeout=120,
        ).raise_for_status()
        httpx.post(
            base + "/sites", json={"name": "Pueblo", "lat": 38.3, "lon": -104.6}, headers=op
        ).raise_for_status()
        path = "/sites/1/overflight?start=2026-05-30T12:00:00Z&hours=24&kind=optical"
        view = {"Authorization": f"Bearer {tok['viewer']}"}
        t0 = time.perf_counter()
        first = httpx.get(base + path, headers=view, timeout=300)
        first.raise_for_status()
        print(
            f"first (uncached) overflight query: {time.perf_counter() - t0:.2f} s, {len(first.json())} windows"
        )
        asyncio.run(hammer(base, path, view, 200, conc))  # warm connections
        c0 = cpu_s(proc.pid)
        rps, ms = asyncio.run(hammer(base, path, view, n, conc))
        c1 = cpu_s(proc.pid)
        peer_rps, peer_ms = asyncio.run(hammer(base, "/healthz", {}, n, conc))
        c2 = cpu_s(proc.pid)
        per, peer_per = (c1 - c0) / n * 1000, (c2 - c1) / n * 1000
        print(f"server CPU per request: cached overflight {per:.2f} ms ({1000 / per:.0f} req/s per idle core), "
              f"/healthz {peer_per:.2f} ms ({1000 / peer_per:.0f} req/s per idle core)")  # fmt: skip
        print(f"cached overflight: {rps:.0f} req/s, p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms "
              f"({n} requests, {conc} concurrent) — goal >= 500 req/s, p99 <= 50 ms")  # fmt: skip
        print(f"peer /healthz (no auth, no work): {peer_rps:.0f} req/s, p99 {np.percentile(peer_ms, 99):.1f} ms; "
              f"ratio {rps / peer_rps:.2f}")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(20)


def _rows(n: int, n_objects: int = 100) -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    t0 = np.datetime64("2026-12-04T00:00:00", "s")
    out = []
    for i in range(n):
        out.append({"time": str(t0 + np.timedelta64(i, "s")) + "Z", "lat": float(39 + rng.normal(0, 0.1)),
                    "lon": float(-104 + rng.normal(0, 0.1)), "alt_m": float(1000 + i % 30000), "id": f"B{i % n_objects}"})  # fmt: skip
    return out


def bench_ingest(tmp: Path, n: int) -> None:
    from skywarden.service.reports_api import _json_reports
    from skywarden.store.models import ReportBatchRow, ReportRow
    from skywarden.store.reports import REPORT_COLUMNS, insert_reports
    from skywarden.store.reports import _rows as table_rows

    root = Path(tempfile.mkdtemp(prefix="skywarden-bench-pg-"))
    url, stop = start_postgres(root)
    try:
        tok = prepare(url)
        rows = _rows(n)
        reports, _ = _json_reports(rows)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        timings: dict[str, float] = {}
        for label in ("copy", "executemany"):
            best = np.inf
            for _ in range(3):
                with sessions() as s:
                    batch = ReportBatchRow(format="bench", accepted=n, rejected=0)
                    s.add(batch)
                    s.flush()
                    t0 = time.perf_counter()
                    if label == "copy":
                        insert_reports(s, batch.id, reports)
                    else:
                        from sqlalchemy import insert

                        s.execute(
                            insert(ReportRow),
                            [
                                dict(zip(REPORT_COLUMNS, r, strict=True))
                                for r in table_rows(batch.id, reports)
                            ],
                        )
                    s.commit()
                    best = min(best, time.perf_counter() - t0)
            timings[label] = best
        engine.dispose()
        print(f"store insert of {n} reports into PostgreSQL: COPY {n / timings['copy']:,.0f} reports/s; "
              f"peer SQLAlchemy executemany INSERT {n / timings['executemany']:,.0f} reports/s; "
              f"ratio {timings['executemany'] / timings['copy']:.1f}x")  # fmt: skip
        proc, base = serve(url, tmp)
        try:
            op = {"Authorization": f"Bearer {tok['operator']}"}
            body = json.dumps(rows).encode()
            best, cpu = np.inf, np.inf
            for _ in range(3):
                t0, c0 = time.perf_counter(), cpu_s(proc.pid)
                r = httpx.post(
                    base + "/reports?track=false",
                    content=body,
                    headers={**op, "content-type": "application/json"},
                    timeout=300,
                )
                best, cpu = min(best, time.perf_counter() - t0), min(cpu, cpu_s(proc.pid) - c0)
                assert r.status_code == 201 and r.json()["accepted"] == n, r.text[:300]
            print(f"POST /reports (JSON, {n} reports, {len(body) / 1e6:.1f} MB) over loopback into PostgreSQL: "
                  f"{n / best:,.0f} reports/s ({best:.2f} s wall, server CPU {cpu:.2f} s = {n / cpu:,.0f} reports/s per "
                  "core) — goal >= 20,000 reports/s")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(20)
    finally:
        stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--reports", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="skywarden-bench-") as tmp:
        bench_queries(Path(tmp), args.requests, args.concurrency)
        bench_ingest(Path(tmp), args.reports)


if __name__ == "__main__":
    main()
