"""`skywarden pc`: Pc recomputed from CDM files, JSON fields and the table (skywarden's value beside the CDM's own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.space.safety.cdm import read_cdm
from skywarden.space.safety.cdm_table import pc_from_cdm

DATA = Path(__file__).resolve().parents[1] / "data" / "cdm"

XML_SAMPLE = DATA / "ccsds_508_annex_sample.xml"

TERRA = DATA / "cara_000025994_conj_000026132.cdm"

CDM_REL_TOL = 1e-2  # relative: CARA prints Pc to four significant figures


def test_cli_pc_json_fields_and_table():
    runner = CliRunner()
    result = runner.invoke(app, ["pc", str(TERRA), str(XML_SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"pc", "method", "miss_distance_m", "relative_speed_m_s", "tca"} <= set(rows[0])
    assert rows[0]["pc"] == pytest.approx(1.213e-03, rel=CDM_REL_TOL)
    assert rows[0]["cdm_pc"] == 1.213e-03 and rows[0]["tca"] == "2022-02-24T10:03:07.749Z"
    result = runner.invoke(app, ["pc", str(TERRA), "--hbr-m", "10", "--json"])
    (row,) = json.loads(result.stdout)
    ours_10m = pc_from_cdm(read_cdm(TERRA), hbr_m=10.0).pc
    assert row["hbr_m"] == 10.0 and row["pc"] == pytest.approx(ours_10m, rel=1e-12)
    assert ours_10m < 0.5 * rows[0]["pc"]  # a smaller hard body: a smaller Pc (≈ (10/HBR)² here)
    # The table shows skywarden's own Pc (column "Pc skywarden"), not only the CDM's 1.2130e-03:
    result = runner.invoke(app, ["pc", str(TERRA), "--method", "chan"])
    ours = pc_from_cdm(read_cdm(TERRA), method="chan").pc  # the library's value for the same message
    first_row = next(ln for ln in result.stdout.splitlines() if ln.startswith("│ cara_"))
    cells = [c.strip() for c in first_row.strip("│").split("│")]  # CDM, TCA, miss, HBR, Pc ours, Pc CDM, 2-D
    assert result.exit_code == 0 and cells[4] == f"{ours:.4e}" and cells[5].startswith("1.2130e-0")
