"""``skywarden db upgrade``, ``skywarden admin create-token`` and ``skywarden serve``'s schema check."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from skywarden.cli import app as cli_app
from skywarden.service import create_app
from skywarden.store import head_revision


def test_upgrade_then_token_then_serve(db_url: str) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli_app, ["serve", "--db", db_url, "--port", "0"])
    assert refused.exit_code != 0
    assert "skywarden db upgrade" in str(refused.exception) + refused.output

    up = runner.invoke(cli_app, ["db", "upgrade", "--db", db_url])
    assert up.exit_code == 0, up.output
    assert head_revision() in up.output
    again = runner.invoke(cli_app, ["db", "upgrade", "--db", db_url])  # idempotent
    assert again.exit_code == 0

    made = runner.invoke(
        cli_app, ["admin", "create-token", "--db", db_url, "--role", "operator", "--name", "ops"]
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("sw_")
    bad = runner.invoke(cli_app, ["admin", "create-token", "--db", db_url, "--role", "root"])
    assert bad.exit_code != 0

    app = create_app(db_url=db_url)
    with TestClient(app) as client:
        r = client.post(
            "/sites", json={"name": "x", "lat": 1, "lon": 2}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 201
        token_id = token.split("_")[1]
        listed = runner.invoke(cli_app, ["admin", "list-tokens", "--db", db_url])
        assert token_id in listed.output and token not in listed.output
        assert runner.invoke(cli_app, ["admin", "revoke-token", token_id, "--db", db_url]).exit_code == 0
    app.state.ctx.engine.dispose()
    app = create_app(db_url=db_url)  # a fresh server: the revoked token no longer works
    with TestClient(app) as client:
        assert client.get("/sites", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    app.state.ctx.engine.dispose()
