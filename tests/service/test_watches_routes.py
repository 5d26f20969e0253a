"""The watch routes on SQLite and PostgreSQL: create/list/get/delete, readable 4xx bodies,
roles, and GET /alerts paging and filtering."""

from __future__ import annotations

from skywarden.service.alerts import record_firings
from skywarden.service.watches_eval import Firing


def test_watch_crud_and_validation(client, headers):
    op, viewer = headers["operator"], headers["viewer"]
    site = client.post("/sites", json={"name": "Pueblo", "lat": 38.3, "lon": -104.6}, headers=op).json()
    body = {"kind": "overflight", "name": "optical over Pueblo",
            "params": {"site": site["id"], "imager": {"kind": "optical", "max_gsd_m": 1.0}, "lead_h": 12}}  # fmt: skip
    assert client.post("/watches", json=body).status_code == 401
    assert client.post("/watches", json=body, headers=viewer).status_code == 403
    r = client.post("/watches", json=body, headers=op)
    assert r.status_code == 201, r.text
    w = r.json()
    assert w["kind"] == "overflight" and w["params"]["imager"] == {"kind": "optical", "max_gsd_m": 1.0}
    assert client.get(f"/watches/{w['id']}", headers=viewer).json()["name"] == "optical over Pueblo"

    r = client.post("/watches", json={"kind": "new_object", "params": {}}, headers=op)
    assert r.status_code == 201 and r.json()["params"]["after_batch_id"] == 0
    assert [x["kind"] for x in client.get("/watches", headers=viewer).json()] == ["overflight", "new_object"]

    bad = [
        ({"kind": "zone_exit", "params": {}}, 422, "kind"),
        ({"kind": "overflight", "params": {"site": 999}}, 404, "site 999"),
        ({"kind": "overflight", "params": {"site": site["id"], "lead_h": -1}}, 422, "params.lead_h"),
        ({"kind": "zone_entry", "params": {"track": "B1", "zone": "NO-SUCH-ZONE"}}, 404, "zone"),
        ({"kind": "zone_entry", "params": {"track": "B1"}}, 422, "params.zone"),
        (
            {"kind": "conjunction", "params": {"norad_id": 25544, "pc_threshold": 2}},
            422,
            "params.pc_threshold",
        ),
        ({"kind": "new_object", "params": {"colour": "red"}}, 422, "params.colour"),
        (
            {"kind": "new_object", "params": {"region": {"type": "Point", "coordinates": [1, 2]}}},
            422,
            "Polygon",
        ),
        ({"kind": "overflight", "params": {"site": "Pueblo"}}, 422, "params.site"),
        ({"kind": "zone_entry", "params": {"track": "B1", "zone": "99999999999"}}, 404, "zone"),
    ]
    for payload, code, word in bad:
        r = client.post("/watches", json=payload, headers=op)
        assert r.status_code == code, (payload, r.text)
        assert word in r.json()["detail"], (payload, r.json())

    assert client.delete(f"/watches/{w['id']}", headers=viewer).status_code == 403
    assert client.delete(f"/watches/{w['id']}", headers=op).status_code == 204
    assert client.get(f"/watches/{w['id']}", headers=viewer).status_code == 404
    assert client.delete(f"/watches/{w['id']}", headers=op).status_code == 404
    assert client.get(f"/watches/{2**40}", headers=viewer).status_code == 422


def test_builtin_adiz_zone_reference_is_accepted(client, headers):
    import skywarden as sw

    zone_id = sw.builtin_adiz()[0].id
    r = client.post("/watches", json={"kind": "zone_entry", "params": {"track": "B1", "zone": zone_id}},
                    headers=headers["operator"])  # fmt: skip
    assert r.status_code == 201, r.text


def test_alerts_listing_pages_and_filters(client, headers):
    ctx = client.app.state.ctx
    with ctx.sessions() as s:
        record_firings(
            s,
            [
                Firing(w, "new_object", f"track:T{k}", f"alert {k}", {"k": k})
                for k in range(5)
                for w in (1, 2)
            ],
        )
    viewer = headers["viewer"]
    assert client.get("/alerts").status_code == 401
    alerts = client.get("/alerts", headers=viewer).json()
    assert len(alerts) == 10 and [a["id"] for a in alerts] == sorted(a["id"] for a in alerts)
    page = client.get("/alerts", params={"after_id": alerts[3]["id"], "limit": 2}, headers=viewer).json()
    assert [a["id"] for a in page] == [alerts[4]["id"], alerts[5]["id"]]
    mine = client.get("/alerts", params={"watch_id": 2}, headers=viewer).json()
    assert len(mine) == 5 and {a["watch_id"] for a in mine} == {2}
    assert alerts[0]["created_at"].endswith("Z")


def test_scheduled_evaluation_finds_changes_made_behind_its_back(make_client, headers):
    """Reports written straight to the store publish no event; the schedule still finds them."""
    import time

    from skywarden.store.models import ReportBatchRow, ReportRow

    client = make_client(watch_interval_s=0.5)
    w = client.post("/watches", json={"kind": "new_object", "params": {}}, headers=headers["operator"]).json()
    assert w["params"]["after_batch_id"] == 0
    ctx = client.app.state.ctx
    with ctx.sessions() as s:
        batch = ReportBatchRow(format="json", accepted=3, rejected=0)
        s.add(batch)
        s.flush()
        for k in range(3):
            s.add(ReportRow(batch_id=batch.id, object_id="X9", t_unix_s=1.7e9 + 60 * k, lat=40.0, lon=-100.0 + 0.01 * k,
                            alt_m=18000.0))  # fmt: skip
        s.commit()
    deadline = time.monotonic() + 30
    alerts: list = []
    while not alerts and time.monotonic() < deadline:
        time.sleep(0.2)
        alerts = client.get("/alerts", params={"watch_id": w["id"]}, headers=headers["viewer"]).json()
    assert [a["event_key"] for a in alerts] == ["track:X9"]
    assert alerts[0]["details"]["first_time"].startswith("2023-11-14T22:13:20")
