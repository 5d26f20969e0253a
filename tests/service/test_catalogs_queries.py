"""Catalog upload/refresh and the cached overflight/quiet queries, against the CLI's own JSON.

The service must answer ``GET /sites/{id}/overflight`` with exactly what ``skywarden overflight
--json`` prints for the same catalog file, site and window (the physics behind both is tested
against skyfield in tests/space); here the CLI is the reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import respx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from skywarden.cli import app as cli_app
from skywarden.space.catalog import CELESTRAK_GP_URL

START = "2026-05-30T12:00:00Z"


def _resource(shared_data: Path) -> Path:
    return shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle"


def _upload(client: TestClient, headers: dict[str, dict[str, str]], path: Path) -> dict[str, Any]:
    r = client.post(
        "/catalogs?name=" + path.name,
        content=path.read_bytes(),
        headers={**headers["operator"], "content-type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_catalog_upload_query_and_cache(
    client: TestClient, headers: dict[str, dict[str, str]], shared_data: Path, make_client: Any
) -> None:
    path = _resource(shared_data)
    cat = _upload(client, headers, path)
    assert cat["n_objects"] == 167 and cat["format"] == "tle"  # README of shared/data/catalogs: 167 objects
    # the same text again: stored once
    again = client.post(
        "/catalogs", content=path.read_bytes(), headers={**headers["operator"], "content-type": "text/plain"}
    )
    assert again.status_code == 200 and again.json()["id"] == cat["id"]
    # multipart upload works too
    r = client.post("/catalogs", files={"file": ("x.tle", path.read_bytes())}, headers=headers["operator"])
    assert r.status_code == 200 and r.json()["id"] == cat["id"]

    site = client.post(
        "/sites",
        json={"name": "Pueblo", "lat": 38.3, "lon": -104.6, "alt_m": 1430},
        headers=headers["operator"],
    ).json()
    url = f"/sites/{site['id']}/overflight?start={START}&hours=6&kind=optical&max_gsd_m=5"
    first = client.get(url, headers=headers["viewer"])
    assert first.status_code == 200, first.text
    assert first.headers["x-cache"] == "miss"
    second = client.get(url, headers=headers["viewer"])
    assert second.headers["x-cache"] == "hit" and second.json() == first.json()
    # a restarted server (new process memory, same store) answers from the persisted copy
    third = make_client().get(url, headers=headers["viewer"])
    assert third.headers["x-cache"] == "db" and third.json() == first.json()

    cli = CliRunner().invoke(
        cli_app,
        ["overflight", "--catalog", str(path), "--site", "Pueblo=38.3,-104.6,1430", "--start", START,
         "--duration", "6h", "--kind", "optical", "--max-gsd", "5", "--json"],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout)
    assert first.json() == expected
    assert len(expected) > 0

    quiet = client.get(
        f"/sites/{site['id']}/quiet?start={START}&hours=6&kind=optical&max_gsd_m=5", headers=headers["viewer"]
    )
    assert quiet.status_code == 200, quiet.text
    cli = CliRunner().invoke(
        cli_app,
        ["quiet", "--catalog", str(path), "--site", "Pueblo=38.3,-104.6,1430", "--start", START,
         "--duration", "6h", "--kind", "optical", "--max-gsd", "5", "--json"],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    assert quiet.json() == json.loads(cli.stdout)


def test_query_errors_are_4xx(
    client: TestClient, headers: dict[str, dict[str, str]], shared_data: Path
) -> None:
    v = headers["viewer"]
    site = client.post("/sites", json={"name": "S", "lat": 10, "lon": 10}, headers=headers["operator"]).json()
    r = client.get(f"/sites/{site['id']}/overflight", headers=v)
    assert r.status_code == 404 and "POST /catalogs" in r.json()["detail"]
    _upload(client, headers, _resource(shared_data))
    assert client.get(f"/sites/{site['id']}/overflight?kind=laser", headers=v).status_code == 400
    assert client.get(f"/sites/{site['id']}/overflight?start=yesterday-ish", headers=v).status_code == 400
    assert client.get(f"/sites/{site['id']}/overflight?hours=-1", headers=v).status_code == 422
    assert client.get(f"/sites/{site['id']}/overflight?catalog_id=99", headers=v).status_code == 404
    assert client.get("/sites/999/overflight", headers=v).status_code == 404


def test_bad_catalog_names_the_line(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    r = client.post(
        "/catalogs", content=b"hello\nworld\n", headers={**headers["operator"], "content-type": "text/plain"}
    )
    assert r.status_code == 400
    assert "line" in r.json()["detail"] or ":1" in r.json()["detail"]
    r = client.post("/catalogs", content=b"", headers={**headers["operator"], "content-type": "text/plain"})
    assert r.status_code == 400


def test_refresh_through_cached_downloader(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    # An OMM JSON answer as CelesTrak's gp.php gives it (ISS, fields per CCSDS OMM / CelesTrak GP format).
    omm = [{
        "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A", "EPOCH": "2026-03-19T12:00:00.000000",
        "MEAN_MOTION": 15.5, "ECCENTRICITY": 0.0004, "INCLINATION": 51.64, "RA_OF_ASC_NODE": 10.0,
        "ARG_OF_PERICENTER": 90.0, "MEAN_ANOMALY": 270.0, "EPHEMERIS_TYPE": 0, "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": 25544, "ELEMENT_SET_NO": 999, "REV_AT_EPOCH": 50000, "BSTAR": 0.0002,
        "MEAN_MOTION_DOT": 0.0001, "MEAN_MOTION_DDOT": 0,
    }]  # fmt: skip
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(url__startswith=CELESTRAK_GP_URL).mock(return_value=httpx.Response(200, json=omm))
        r = client.post("/catalogs/refresh", json={"group": "stations"}, headers=headers["operator"])
        assert r.status_code == 201, r.text
        assert r.json()["n_objects"] == 1 and r.json()["source"] == "celestrak:stations"
        assert route.calls.last.request.url.params["GROUP"] == "stations"
        # second refresh within the cache age: no new request, same catalog
        r2 = client.post("/catalogs/refresh", json={"group": "stations"}, headers=headers["operator"])
        assert r2.status_code == 200 and route.call_count == 1
    assert client.get("/catalogs", headers=headers["viewer"]).json()[0]["id"] == r.json()["id"]
    assert (
        client.post(
            "/catalogs/refresh", json={"group": "no such/group"}, headers=headers["operator"]
        ).status_code
        == 422
    )
