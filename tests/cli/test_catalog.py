"""`skywarden catalog info|convert`: JSON, tables, conversions and the stale-element limits, on the CelesTrak snapshots in shared data (the library-level checks are in tests/space/test_catalog.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.errors import TLEError
from skywarden.space.catalog import load_catalog

ISS_1 = "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927"

ISS_2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537"


@pytest.fixture(scope="module")
def catalogs(shared_data: Path) -> Path:
    return shared_data / "catalogs"


def test_cli_info_json_and_table(catalogs: Path) -> None:
    runner = CliRunner()
    files = [
        str(catalogs / "celestrak-resource-2026-05-30.tle"),
        str(catalogs / "celestrak-active-2026-03-19.tle"),
    ]
    result = runner.invoke(app, ["catalog", "info", *files, "--json", "--at", "2026-05-31T00:00:00Z"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["objects"] == 14_712 and info["issue_counts"]["duplicate"] == 165
    assert info["at"] == "2026-05-31T00:00:00Z" and info["epoch_max"].startswith("2026-05-30T16:16")
    assert sum(info["orbit_classes"].values()) == 14_712
    ages = info["age_days"]  # oldest active-file epoch 2026-02-18 (README) is ~102 days before
    assert 101 < ages["max"] < 103 and 0 < ages["min"] < ages["median"] < ages["max"]
    first = info["issues"][0]
    assert set(first) == {"kind", "file", "line", "norad_id", "message"}
    table = runner.invoke(app, ["catalog", "info", files[0]])
    assert table.exit_code == 0 and "167" in table.stdout and "LEO" in table.stdout


def test_cli_convert_then_info(tmp_path: Path, catalogs: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "resource.kvn"
    result = runner.invoke(
        app, ["catalog", "convert", str(catalogs / "celestrak-resource-2026-05-30.tle"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert load_catalog(out).elements == load_catalog(catalogs / "celestrak-resource-2026-05-30.tle").elements
    again = runner.invoke(app, ["catalog", "info", str(out), "--json", "--format", "omm-kvn"])
    assert json.loads(again.stdout)["objects"] == 167


def test_cli_stale_limits_and_strict(tmp_path: Path, catalogs: Path) -> None:
    runner = CliRunner()
    resource = str(catalogs / "celestrak-resource-2026-05-30.tle")
    base = ["catalog", "info", resource, "--json", "--at", "2026-06-20T00:00:00Z"]
    assert json.loads(runner.invoke(app, base).stdout)["issue_counts"]["stale"] == 166
    looser = runner.invoke(app, [*base, "--stale-leo-days", "30"])
    assert json.loads(looser.stdout)["issue_counts"]["stale"] == 0
    bad = tmp_path / "bad.tle"
    bad.write_text(f"{ISS_1[:68]}0\n{ISS_2}\n")
    lenient = runner.invoke(app, ["catalog", "info", str(bad), "--json"])
    assert json.loads(lenient.stdout)["issue_counts"]["checksum"] == 1
    strict = runner.invoke(app, ["catalog", "info", str(bad), "--strict"])
    assert strict.exit_code != 0 and isinstance(strict.exception, TLEError)
