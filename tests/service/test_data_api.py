"""Zones, winds and reports/tracks through the API, checked against the library/CLI on the same
real files (airspace, GFS/NetCDF winds, EOSS-340 balloon telemetry from ../shared/data)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import respx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from skywarden import builtin_adiz, load_winds
from skywarden.cli import app as cli_app

OPENAIR = """AC R
AN TEST BOX
AL SFC
AH 5000 ft
DP 39:00:00 N 104:00:00 W
DP 39:00:00 N 103:00:00 W
DP 40:00:00 N 103:00:00 W
DP 40:00:00 N 104:00:00 W
"""


def test_zones(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    op, v = headers["operator"], headers["viewer"]
    r = client.post(
        "/zones?name=box.txt", content=OPENAIR.encode(), headers={**op, "content-type": "text/plain"}
    )
    assert r.status_code == 201, r.text
    assert len(r.json()["zone_ids"]) == 1
    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "Z1", "name": "Z one"},
          "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}]}  # fmt: skip
    r = client.post("/zones", json=gj, headers=op)
    assert r.status_code == 201, r.text
    assert r.json()["zone_ids"] == ["Z1"]
    fc = client.get("/zones", headers=v).json()
    builtin = [f for f in fc["features"] if f["properties"]["builtin"]]
    assert {f["properties"]["id"] for f in builtin} == {z.id for z in builtin_adiz()}
    user = [f for f in fc["features"] if not f["properties"]["builtin"]]
    assert [f["properties"]["name"] for f in user] == ["TEST BOX", "Z one"]
    # OpenAir AH 5000 ft → metres (1 ft = 0.3048 m exactly)
    assert abs(user[0]["properties"]["ceiling_m"] - 5000 * 0.3048) < 1e-6
    bad = client.post(
        "/zones?format=openair&name=mine.txt",
        content=b"AC R\nAN X\nDP nonsense\n",
        headers={**op, "content-type": "text/plain"},
    )
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("mine.txt:3: coordinate not understood")
    assert (
        client.post("/zones", content=b"{", headers={**op, "content-type": "application/json"}).status_code
        == 400
    )


def test_winds_upload_and_gfs_refresh(
    client: TestClient, headers: dict[str, dict[str, str]], shared_data: Path
) -> None:
    op = headers["operator"]
    nc = shared_data / "winds" / "gfs_1deg_namerica_2010102612_pl.nc"
    r = client.post(
        "/winds?name=" + nc.name,
        content=nc.read_bytes(),
        headers={**op, "content-type": "application/octet-stream"},
    )
    assert r.status_code == 201, r.text
    field = load_winds(nc)
    summary = r.json()["summary"]
    assert summary["n_levels"] == len(field.pressure_pa) and summary["n_times"] == len(field.times)
    assert (
        client.post(
            "/winds", content=b"not a wind file", headers={**op, "content-type": "application/octet-stream"}
        ).status_code
        == 400
    )

    grib = shared_data / "winds" / "gfs_1deg_global_2022031512_f000.grib2"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(url__startswith="https://nomads.ncep.noaa.gov/").mock(
            return_value=httpx.Response(200, content=grib.read_bytes())
        )
        r = client.post(
            "/winds/refresh", json={"run": "2022-03-15T12:00:00Z", "forecast_hours": [0]}, headers=op
        )
        assert r.status_code == 201, r.text
        assert route.call_count == 1
        assert "gfs.t12z.pgrb2.1p00.f000" in str(route.calls.last.request.url)
    assert r.json()[0]["summary"]["model"] == load_winds(grib).model
    listed = client.get("/winds", headers=headers["viewer"]).json()
    assert len(listed) == 2


def _eoss(shared_data: Path) -> Path:
    return shared_data / "flights" / "eoss-340_2023-04-22_deertrail-co_1s.csv"


def test_report_file_ingest_matches_cli_tracker(
    client: TestClient, headers: dict[str, dict[str, str]], shared_data: Path
) -> None:
    path = _eoss(shared_data)
    r = client.post(
        f"/reports?format=eoss&date=2023-04-22&name={path.name}",
        content=path.read_bytes(),
        headers={**headers["operator"], "content-type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["accepted"] == 7490 and body["rejected"] == []  # shared/data/flights/README: 7,490 rows
    tracks = client.get("/tracks", headers=headers["viewer"]).json()
    assert len(tracks) == 1
    got = client.get(f"/tracks/{tracks[0]['id']}", headers=headers["viewer"]).json()
    cli = CliRunner().invoke(
        cli_app, ["track", str(path), "--format", "eoss", "--date", "2023-04-22", "--json"]
    )
    assert cli.exit_code == 0, cli.output
    ref = json.loads(cli.stdout)["tracks"][0]
    for key in ("class", "phases", "max_alt_m", "burst_alt_m", "burst_time", "last_fix", "n_reports"):
        assert got[key] == ref[key], key
    # README: max altitude 92,099 ft GPS (28.07 km); lands 39.1111 N, 102.8597 W
    assert abs(got["burst_alt_m"] - 92099 * 0.3048) < 50
    assert abs(got["last_fix"]["lat"] - 39.1111) < 0.01 and abs(got["last_fix"]["lon"] + 102.8597) < 0.01
    assert len(got["fixes"]) == got["n_reports"]
    assert got["fixes"][-1]["time"] == got["last_fix"]["time"]


def _rows(shared_data: Path) -> list[dict[str, Any]]:
    """EOSS-340 fixes as the service's JSON rows (feet → metres; clock taken as UTC, per README)."""
    text = _eoss(shared_data).read_text(encoding="utf-8-sig")
    rows = []
    for rec in csv.DictReader(io.StringIO(text)):
        rows.append({"time": f"2023-04-22T{rec['Time']}Z", "lat": float(rec["Latitude"]), "lon": float(rec["Longitude"]),
                     "alt_m": float(rec["GPS altitude"]) * 0.3048, "id": "EOSS-340"})  # fmt: skip
    return rows


def test_json_batches_update_the_track_incrementally(
    client: TestClient, headers: dict[str, dict[str, str]], shared_data: Path
) -> None:
    rows = _rows(shared_data)
    op = headers["operator"]
    events: list[tuple[str, dict[str, Any]]] = []
    client.app.state.ctx.events.subscribe("*", lambda kind, payload: events.append((kind, payload)))
    third = len(rows) // 3
    r = client.post("/reports", json=rows[:third], headers=op)
    assert r.status_code == 201 and r.json()["accepted"] == third
    early = client.get("/tracks/EOSS-340", headers=headers["viewer"]).json()
    assert early["n_reports"] <= third and early["burst_alt_m"] is None
    bad = [
        {"time": "noon", "lat": 1, "lon": 1, "alt_m": 1},
        {"lat": 1},
        {"time": "2023-04-22T15:00:00Z", "lat": 95, "lon": 0, "alt_m": 0},
    ]
    r = client.post("/reports", json=rows[third:] + bad, headers=op)
    assert r.status_code == 201
    body = r.json()
    assert body["accepted"] == len(rows) - third
    assert [(x["line"], x["reason"].split()[0]) for x in body["rejected"]] == [
        (len(rows) - third + 1, "time"), (len(rows) - third + 2, "missing"), (len(rows) - third + 3, "lat")
    ]  # fmt: skip
    final = client.get("/tracks/EOSS-340", headers=headers["viewer"]).json()
    assert abs(final["burst_alt_m"] - 92099 * 0.3048) < 50  # README: 92,099 ft GPS
    kinds = [k for k, _ in events]
    assert kinds == ["reports.ingested", "tracks.updated", "reports.ingested", "tracks.updated"]
    assert events[1][1]["track_ids"] == ["EOSS-340"]
    assert (
        client.post(
            "/reports", content=b"[1, 2", headers={**op, "content-type": "application/json"}
        ).status_code
        == 400
    )
    assert client.get("/tracks/nope", headers=headers["viewer"]).status_code == 404


def test_nul_in_ids_is_stripped(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    """PostgreSQL text cannot hold NUL; an id with one is stored without it (never a 500)."""
    rows = [{"time": f"2026-12-04T00:00:{s:02d}Z", "lat": 39.0 + s * 1e-4, "lon": -104.0, "alt_m": 1000.0 + 5 * s,
             "id": "a\u0000b"} for s in range(0, 60, 5)]  # fmt: skip
    r = client.post("/reports", json=rows, headers=headers["operator"])
    assert r.status_code == 201 and r.json()["object_ids"] == ["ab"]
    assert client.get("/tracks/ab", headers=headers["viewer"]).status_code == 200
    r = client.post("/sites", json={"name": "x\u0000y", "lat": 1, "lon": 1}, headers=headers["operator"])
    assert r.status_code in (201, 422)
