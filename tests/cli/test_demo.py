"""`skywarden demo` tells the "second object" scenario offline on the packaged data, writes every
output it lists (the HTML report first) and says which data each scene ran on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app


def test_demo_tells_the_story_and_writes_all_outputs(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--small", "--out", str(out)], terminal_width=80)
    assert result.exit_code == 0, result.output
    text = result.output
    # the scenes in story order, each with its data line; the date mix is said, not silent
    order = [text.index(f"{k}. ") for k in range(1, 11)]
    assert order == sorted(order)
    assert "Two dates on purpose" in text and "2011-01-15" in text and "2026-05-30" in text
    assert text.count("   data: ") == 10
    assert "TERRASAR-X / TANDEM-X: formation" in text  # named, and out of the headline table
    assert "CDMs written and read back" in text
    assert "…" not in text
    # outputs: the report is listed first, every listed path exists
    listed = [
        line.strip() for line in text.split("Outputs", 1)[1].splitlines() if line.strip().startswith("/")
    ]
    assert listed[0].endswith("report.html")
    assert len(listed) >= 15 and all(Path(p).exists() for p in listed), listed
    scenario = json.loads((out / "scenario.json").read_text())
    assert not scenario["live"] and len(scenario["scenes"]) == 10
    assert "Naval Research Laboratory" in text  # the EarthSHAB attribution travels with the real flight
    assert all(s["dataset"] and s["source"] and s["date"] for s in scenario["scenes"])
    exposure = json.loads((out / "balloon-exposure.json").read_text())
    assert {e["zone_id"] for e in exposure["zone_entries"]} == {"US-ADIZ-ALASKA", "CA-ADIZ", "US-ADIZ-CONUS"}
    assert {z["id"]: z["confidence"] for z in exposure["zones"]}["CA-ADIZ"] == "medium"
    triage = json.loads((out / "conjunction-triage.json").read_text())
    assert [p["kind"] for p in triage["formations_and_colocated"]] == ["formation"]
    events = json.loads((out / "conjunctions.json").read_text())
    assert len(list((out / "cdms").glob("*.cdm"))) == len(events) > 0
    plan = json.loads((out / "termination-windows.json").read_text())
    assert plan["candidates"] and "ec" in plan["candidates"][0]
    assert json.loads((out / "catalog-summary.json").read_text())["objects"] == 167
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
