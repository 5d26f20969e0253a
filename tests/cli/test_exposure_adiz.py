"""`skywarden exposure --adiz ca` reports the boundary grade."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app


def test_exposure_adiz_ca_reports_the_grade(tmp_path: Path) -> None:
    track = tmp_path / "t.csv"
    # a straight track from Davis Strait west into the archipelago (enters the CADIZ)
    track.write_text(
        "time,lat,lon,alt_m\n"
        "2024-10-01T00:00:00Z,68.0,-60.0,18000\n"
        "2024-10-01T06:00:00Z,71.0,-70.0,18000\n"
        "2024-10-01T12:00:00Z,74.0,-90.0,18000\n"
    )
    result = CliRunner().invoke(app, ["exposure", "--track", str(track), "--adiz", "ca", "--json"])
    assert result.exit_code == 0, result.output
    assert "confidence medium" in result.output
    doc = json.loads(result.stdout[result.stdout.index("{") :])
    assert doc["zones"][0]["confidence"] == "medium"
    assert [e["zone_id"] for e in doc["zone_entries"]] == ["CA-ADIZ"]
