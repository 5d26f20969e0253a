"""`skywarden catalog fetch` through the cached CelesTrak downloader, with respx standing in for the network."""

from __future__ import annotations

from pathlib import Path

import httpx
import respx

from skywarden.space.catalog.celestrak import CELESTRAK_GP_URL

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "celestrak-gp-resource-sample.json"


@respx.mock
def test_cli_fetch(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from skywarden.cli import app

    respx.get(CELESTRAK_GP_URL, params={"GROUP": "resource"}).mock(
        return_value=httpx.Response(200, text=FIXTURE.read_text())
    )
    out = tmp_path / "resource.3le"
    result = CliRunner().invoke(
        app, ["catalog", "fetch", "--group", "resource", "--cache-dir", str(tmp_path), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("0 SCD 1\n1 22490U")
