"""`skywarden demo` runs offline on the packaged sample data and writes every output it lists."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app


def test_demo_writes_all_outputs(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "catalog-summary.json").read_text())
    assert summary["objects"] == 167  # the CelesTrak resource group packaged with its provenance
    positions = json.loads((out / "positions.geojson").read_text())
    assert len(positions["features"]) == 167
    windows = json.loads((out / "overflight-windows.json").read_text())
    assert windows and {"norad_id", "start", "end", "gsd_m", "kind"} <= set(windows[0])
    assert (out / "overflight-windows.ics").read_text().startswith("BEGIN:VCALENDAR")
    exposure = json.loads((out / "balloon-exposure.json").read_text())
    assert any(e["zone_id"] == "US-ADIZ-ALASKA" and e["probability"] > 0.5 for e in exposure["zone_entries"])
    events = json.loads((out / "conjunctions.json").read_text())
    assert len(list((out / "cdms").glob("*.cdm"))) == len(events) > 0  # one CDM per event, read back
    assert "CDMs written and read back" in result.output
    plan = json.loads((out / "termination-windows.json").read_text())
    assert plan["candidates"] and "ec" in plan["candidates"][0]
    listed = [line.rsplit(": ", 1)[-1].strip() for line in result.output.splitlines() if ": /" in line]
    assert len(listed) >= 10
    assert all(Path(p).exists() for p in listed), listed
