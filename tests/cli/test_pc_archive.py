"""`skywarden pc` over many CDMs: bad files reported and skipped, directories, the highest Pcs of an archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "cdm"

KVN = [DATA / "ccsds_508_annex_sample.kvn", DATA / "cara_000025994_conj_000026132.cdm",
       DATA / "cara_000043613_conj_000049557.cdm"]  # fmt: skip


def test_cli_pc_reports_bad_files_and_keeps_going(tmp_path):
    bad = tmp_path / "bad.cdm"
    bad.write_text("garbage\n")
    runner = CliRunner()
    result = runner.invoke(app, ["pc", str(KVN[1]), str(bad), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["pc"] == pytest.approx(1.213e-3, rel=1e-2) and rows[1]["pc"] is None
    assert "bad.cdm" in rows[1]["error"]
    result = runner.invoke(app, ["pc", str(bad)])
    assert result.exit_code == 2 and "bad.cdm" in result.output


def test_cli_pc_takes_a_directory(tmp_path):
    for k, path in enumerate(KVN):
        (tmp_path / f"m{k}.cdm").write_bytes(path.read_bytes())
    (tmp_path / "notes.md").write_text("not a CDM")
    runner = CliRunner()
    result = runner.invoke(app, ["pc", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [Path(r["file"]).name for r in rows] == ["m0.cdm", "m1.cdm", "m2.cdm"]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["pc", str(empty)])
    assert isinstance(result.exception, InputError) and "no CDM files" in str(result.exception)


def test_cli_pc_table_shows_the_highest_pcs_of_an_archive(tmp_path, monkeypatch):
    import skywarden.cli.conjunctions as cli_conj

    monkeypatch.setattr(cli_conj, "TABLE_ROWS", 2)
    for k, path in enumerate(KVN):
        (tmp_path / f"m{k}.cdm").write_bytes(path.read_bytes())
    result = CliRunner().invoke(app, ["pc", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "the 2 highest of 3" in result.output
    assert "m1.cdm" in result.output and "m0.cdm" not in result.output  # Terra 1.2e-3 shown, 1.4e-9 not
