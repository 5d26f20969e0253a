"""Watch evaluation benchmark (issue 15 goal: one evaluation over 1,000 watches ≤ 1 s).

Store: a real SQLite file (``--db`` for another URL, e.g. the tests' PostgreSQL) migrated to the
newest schema. Inputs: the real GFS analysis of 2010-10-26 12Z; 11 drifting balloons, each
three hours of reports made from the library's float-flight prediction through that field (the
tests' ``balloon_scenario``, shifted by 0.25° of longitude per balloon); 60 zone boxes.
Watches: 660 ``zone_entry`` (11 tracks × 60 zones, 20-member ensembles, 12 h) and 340
``new_object`` (with and without regions) = 1,000.

One round is :meth:`skywarden.service.watches.WatchEngine.evaluate_once`: snapshot of the store,
evaluation of all 1,000 watches, alerts stored once each. Cases: cold (first round, 10 balloons
reported: every track built and predicted once, 600 zone pairs), warm (nothing changed), and
after the first reports of the 11th balloon (one track built, one prediction, its 60 zone pairs,
the new-object watches). Peer, same run: naive evaluation that predicts afresh for each watch (a
new evaluator per watch), timed on 20 watches and scaled to 1,000.

Run: ``.venv/bin/python bench/bench_watches.py [--db URL]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import find_shared_data  # tests/conftest.py (before tests/service is on the path)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))
import balloon_scenario as scen

from skywarden.service import ServiceSettings, create_app
from skywarden.service.watches import WatchEngine, build_snapshot
from skywarden.service.watches_eval import WatchEvaluator, WatchRule
from skywarden.store import make_engine, upgrade
from skywarden.store.models import ReportBatchRow, ReportRow, WindRow, ZoneRow
from skywarden.store.models_watch import AlertRow, WatchRow

N_BALLOONS = 11  # B10 reports only before the "incremental" round
N_ZONES = 60
N_NEW_OBJECT = 340
GOAL_S = 1.0


def _boxes() -> dict:
    x0, y0, x1, y1 = scen.ZONE_BOX
    feats = []
    for k in range(N_ZONES):
        dx = (k % 10) * 0.3 - 1.2
        dy = (k // 10) * 0.3 - 0.9
        ring = [
            [x0 + dx, y0 + dy],
            [x1 + dx, y0 + dy],
            [x1 + dx, y1 + dy],
            [x0 + dx, y1 + dy],
            [x0 + dx, y0 + dy],
        ]
        feats.append(
            {"type": "Feature", "properties": {"id": f"Z{k}", "name": f"box {k}"},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )  # fmt: skip
    return {"type": "FeatureCollection", "features": feats}


def _reports(session, rows: list[dict], oid: str, dlon: float) -> None:
    batch = ReportBatchRow(format="json", accepted=len(rows), rejected=0)
    session.add(batch)
    session.flush()
    import skywarden as sw

    for r in rows:
        t = sw.parse_time(r["time"]).timestamp()
        session.add(ReportRow(batch_id=batch.id, object_id=oid, t_unix_s=t, lat=r["lat"], lon=r["lon"] + dlon,
                              alt_m=r["alt_m"]))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    data = find_shared_data()
    if data is None:
        raise SystemExit("../shared/data not found")
    wind = data / scen.WIND_FILE
    tmp = Path(tempfile.mkdtemp(prefix="bench-watches-"))
    url = args.db or f"sqlite:///{tmp / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(db_url=url, settings=ServiceSettings(data_dir=tmp / "data"))
    ctx = app.state.ctx
    batches = scen.report_batches(wind, 1)
    with ctx.sessions() as s:
        s.add(WindRow(source=wind.name, path=str(wind), content_sha256=hashlib.sha256(wind.read_bytes()).hexdigest(),
                      size_bytes=wind.stat().st_size, summary={}))  # fmt: skip
        zone = ZoneRow(name="boxes", format="geojson", text=json.dumps(_boxes()), geojson=_boxes())
        s.add(zone)
        for b in range(N_BALLOONS - 1):
            _reports(s, batches[0], f"B{b}", 0.25 * b)
        s.flush()
        for b in range(N_BALLOONS):
            for k in range(N_ZONES):
                params = {
                    "track": f"B{b}",
                    "zone": f"{zone.id}/Z{k}",
                    "probability": 0.5,
                    "hours": 12,
                    "ensemble": 20,
                }
                s.add(WatchRow(kind="zone_entry", name="", params=params))
        for k in range(N_NEW_OBJECT):
            params: dict = {"after_batch_id": 0}
            if k % 2:
                x, y = -100.0 + (k % 20) * 0.5, 39.0 + (k % 7) * 0.5
                params["region"] = {
                    "type": "Polygon",
                    "coordinates": [[[x, y], [x + 2, y], [x + 2, y + 2], [x, y + 2], [x, y]]],
                }
            s.add(WatchRow(kind="new_object", name="", params=params))
        s.commit()
        n_watches = s.query(WatchRow).count()
    eng = WatchEngine(ctx)

    def timed() -> tuple[float, int]:
        t0 = time.perf_counter()
        n = eng.evaluate_once()
        return time.perf_counter() - t0, n

    cold, n_cold = timed()
    warm = [timed()[0] for _ in range(5)]
    with ctx.sessions() as s:  # the first reports of balloon B10 arrive
        _reports(s, batches[0], f"B{N_BALLOONS - 1}", 0.25 * (N_BALLOONS - 1))
        s.commit()
    incremental, n_inc = timed()
    with ctx.sessions() as s:
        n_alerts = s.query(AlertRow).count()

    # peer: a fresh evaluator per watch (no shared predictions), 20 zone_entry watches
    with ctx.sessions() as s:
        rows = s.query(WatchRow).filter(WatchRow.kind == "zone_entry").limit(20).all()
        rules = [WatchRule(r.id, r.kind, r.params) for r in rows]
        snap = build_snapshot(ctx, s, rules)
        t0 = time.perf_counter()
        for rule in rules:
            WatchEvaluator().evaluate([rule], snap)
        peer_each = (time.perf_counter() - t0) / len(rules)
    peer = peer_each * n_watches

    med = statistics.median(warm)
    n_zone = N_BALLOONS * N_ZONES
    print(f"store: {url.split(':')[0]}, {n_watches} watches ({n_zone} zone_entry, {N_NEW_OBJECT} new_object)")
    print(
        f"cold round (10 tracks built + 10 predictions, {10 * N_ZONES} zone pairs): {cold:.2f} s, {n_cold} new alerts"
    )
    print(
        f"warm round (nothing changed), median of 5: {med:.3f} s (min {min(warm):.3f}, max {max(warm):.3f})"
    )
    print(f"after a new balloon's first reports (1 track + 1 prediction + {N_ZONES} zone pairs): "
          f"{incremental:.2f} s, {n_inc} new alerts")  # fmt: skip
    print(f"alerts stored: {n_alerts}")
    print(f"peer (naive: predict per watch, scaled from 20): {peer:.1f} s → ratio peer/warm {peer / med:.0f}×, "
          f"peer/incremental {peer / incremental:.0f}×")  # fmt: skip
    print(f"goal ≤ {GOAL_S} s per round: warm {'met' if med <= GOAL_S else 'MISSED'}, "
          f"incremental {'met' if incremental <= GOAL_S else 'MISSED'}, cold {'met' if cold <= GOAL_S else 'MISSED'}")  # fmt: skip
    app.state.ctx.engine.dispose()


if __name__ == "__main__":
    main()
