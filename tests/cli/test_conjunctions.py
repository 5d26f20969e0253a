"""`skywarden conjunctions`: JSON, CSV and one CDM per event, read back."""

from __future__ import annotations

import json
import warnings

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.space.safety.cdm import pc_from_cdm, read_cdm


@pytest.fixture(scope="module")
def active_path(shared_data):
    return shared_data / "catalogs" / "celestrak-active-2026-03-19.tle"


def test_cli_json_csv_and_cdm_dir(active_path, tmp_path):
    runner = CliRunner()
    args = ["conjunctions", "--catalog", str(active_path), "--start", "2026-03-19T12:00:00Z",
            "--duration", "10m", "--threshold-km", "2"]  # fmt: skip
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {"tca", "primary", "secondary", "miss_distance_m", "relative_speed_m_s"} <= set(rows[0])
    assert rows[0]["tca"].endswith("Z") and rows[0]["covariance_source"] == "default-tle-model"
    out = tmp_path / "events.csv"
    cdms = tmp_path / "cdms"
    result = runner.invoke(app, [*args, "-o", str(out), "--cdm-dir", str(cdms)])
    assert result.exit_code == 0, result.output
    assert "share one element set" in result.output and "25544 ISS (ZARYA)" in result.output
    assert out.read_text().splitlines()[0].startswith("tca,primary,secondary")
    files = sorted(cdms.glob("*.cdm"))
    assert len(files) == len(rows) == len(out.read_text().splitlines()) - 1
    # the written CDMs carry the states and default covariances: Pc recomputes to the event's Pc
    by_pair = {(r["primary"], r["secondary"]): r for r in rows}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in files[:5]:
            cdm = read_cdm(f)
            row = by_pair[(int(cdm.object_designator(1)), int(cdm.object_designator(2)))]
            assert pc_from_cdm(cdm).pc == pytest.approx(row["pc"], rel=1e-4, abs=1e-300)
            assert any("default-tle-model" in e.value for e in cdm.relative if e.key == "COMMENT")
            assert cdm.get("REF_FRAME", 1) == "ITRF"  # CCSDS 508.0-B-1 allows EME2000, GCRF, ITRF
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "events.txt")])
    assert result.exit_code != 0
