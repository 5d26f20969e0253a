"""`skywarden catalog metadata`: the UCS join as JSON."""

from __future__ import annotations

from pathlib import Path

UCS = "satellite-metadata/UCS-Satellite-Database-5-1-2023.csv"


def test_cli_metadata_json(shared_data: Path, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from skywarden.cli import app

    out = tmp_path / "joined.csv"
    result = CliRunner().invoke(
        app,
        [
            "catalog",
            "metadata",
            str(shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle"),
            "--ucs",
            str(shared_data / UCS),
            "--json",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 167 and sum(r["in_ucs"] for r in rows) == 130
    assert {"norad_id", "operator", "country", "purpose", "detailed_purpose", "users", "orbit_class"} <= set(
        rows[0]
    )
    assert out.read_text().startswith("norad_id,catalog_name,in_ucs,")
