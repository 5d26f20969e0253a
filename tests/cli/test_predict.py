"""``skywarden predict`` / ``backtrack`` end to end on the real GFS NetCDF file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from skywarden.cli import app

NC = "winds/gfs_1deg_namerica_2010102612_pl.nc"
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_predict_burst_geojson(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.geojson"
    run("predict", "--launch", "40.0,-105.0,1600", "--time", "2010-10-26T12:00Z", "--winds", str(shared_data / NC),
        "--hours", "6", "-o", str(out))  # fmt: skip
    fc = json.loads(out.read_text())
    lines = [f for f in fc["features"] if f["properties"].get("kind") == "member_track"]
    assert lines and lines[0]["geometry"]["type"] == "LineString"
    coords = lines[0]["geometry"]["coordinates"]
    assert len(coords[0]) == 3 and len(lines[0]["properties"]["times"]) == len(coords)
    events = {f["properties"]["event"] for f in fc["features"] if f["properties"].get("kind") == "event"}
    assert events == {"burst", "landed"}
    a = fc["assumptions"]
    assert a["winds"]["wind_source"] == [Path(NC).name] and a["step_s"] == 60.0
    assert a["winds"]["valid_times_utc"][0] == "2010-10-26T12:00:00Z" and a["stages"][0]["type"] == "ascent"


def test_predict_float_ensemble_czml_and_csv(shared_data: Path, tmp_path: Path) -> None:
    zone = tmp_path / "zone.geojson"
    zone.write_text(json.dumps({"type": "Polygon", "coordinates": [[[-100, 35], [-90, 35], [-90, 45], [-100, 45],
                                                                     [-100, 35]]]}))  # fmt: skip
    out = run("predict", "--launch", "40.0,-105.0,18000", "--time", "2010-10-26T12:00Z", "--winds", str(shared_data / NC),
              "--profile", "float", "--ensemble", "30", "--hours", "24", "--zone", str(zone), "--json",
              "-o", str(tmp_path / "p.czml"))  # fmt: skip
    data = json.loads(out[out.index("{") :])
    assert 0.0 <= data["summary"]["zone_entry_probability"] <= 1.0
    assert {c["level"] for c in data["contours"]} == {0.5, 0.9}
    arrival = data["summary"]["arrival_dispersion"]
    assert arrival["n_members"] == 30 and arrival["cep50_m"] < arrival["cep90_m"]
    packets = json.loads((tmp_path / "p.czml").read_text())
    assert packets[0]["id"] == "document" and "wind_source" in packets[0]["description"]
    run("predict", "--launch", "40.0,-105.0,18000", "--time", "2010-10-26T12:00Z", "--winds", str(shared_data / NC),
        "--profile", "float", "--hours", "3", "-o", str(tmp_path / "p.csv"))  # fmt: skip
    text = (tmp_path / "p.csv").read_text()
    assert text.startswith("# {") and "member,time_utc,lat_deg,lon_deg,alt_m,status" in text


def test_predict_from_track(shared_data: Path, tmp_path: Path) -> None:
    """The EOSS-340 log cut during the ascent: stages continue from the last fix's phase."""
    lines = (
        (shared_data / "flights/eoss-340_2023-04-22_deertrail-co_1s.csv")
        .read_text(encoding="utf-8-sig")
        .splitlines()
    )
    cut = tmp_path / "eoss_ascent.csv"
    cut.write_text("\n".join(lines[:3000]) + "\n")
    out = tmp_path / "t.geojson"
    run("predict", "--track", str(cut), "--track-date", "2023-04-22", "--winds", str(shared_data / NC), "--hours", "6",
        "-o", str(out))  # fmt: skip
    fc = json.loads(out.read_text())
    assert fc["assumptions"]["stages"][0]["type"] == "ascent"
    assert fc["assumptions"]["launch"]["alt_m"] > 5_000.0
    # Deer Trail launch site, 5234 ft GPS in the log's first row; the smoother may move it a little
    assert fc["assumptions"]["ground_alt_m"] == pytest.approx(1595.0, abs=30.0)
    assert fc["assumptions"]["start"]["phase"] in ("ascent", "descent", "float")


def test_backtrack_from_track(shared_data: Path, tmp_path: Path) -> None:
    lines = (
        (shared_data / "flights/eoss-340_2023-04-22_deertrail-co_1s.csv")
        .read_text(encoding="utf-8-sig")
        .splitlines()
    )
    cut = tmp_path / "eoss_high.csv"
    cut.write_text("\n".join(lines[:4000]) + "\n")
    text = run("backtrack", "--track", str(cut), "--track-date", "2023-04-22", "--winds", str(shared_data / NC),
               "--hours", "8", "--ensemble", "3", "--ground-alt", "1595", "--json")  # fmt: skip
    data = json.loads(text[text.index("{") :])
    assert data["assumptions"]["fix"]["alt_m"] > 10_000.0 and data["summary"]["n_launches"] > 0


def test_backtrack_cli(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.geojson"
    text = run("backtrack", "--fix", "40,-95,18000,2010-10-26T12:00Z", "--winds", str(shared_data / NC), "--hours", "8",
               "--ensemble", "5", "-o", str(out), "--json")  # fmt: skip
    data = json.loads(text[text.index("{") :])
    assert data["summary"]["n_launches"] > 0
    fc = json.loads(out.read_text())
    assert any(f["properties"].get("kind") == "launch_probability_cell" for f in fc["features"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--launch", "40,-105"], "--time"),
        (["--launch", "forty,-105", "--time", "2010-10-26T12:00Z"], "LAT,LON"),
        (["--time", "2010-10-26T12:00Z"], "either --launch"),
    ],
)
def test_predict_bad_input(shared_data: Path, args: list[str], message: str) -> None:
    from skywarden.errors import InputError

    with pytest.raises(InputError, match=message):
        runner.invoke(app, ["predict", "--winds", str(shared_data / NC), *args], catch_exceptions=False)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_fix_parser(text: str) -> None:
    from skywarden.cli.predict import parse_fix
    from skywarden.errors import InputError

    try:
        lat, _lon, _, _ = parse_fix(text)
    except InputError:
        return
    assert -90 <= lat <= 90


def test_predict_heights_choice_reaches_the_assumptions(shared_data: Path, tmp_path: Path) -> None:
    """--heights picks how level heights are made, and the output's assumptions say which."""
    sources = {}
    for mode in ("file", "hypsometric", "standard"):
        out = tmp_path / f"{mode}.geojson"
        run("predict", "--launch", "40.0,-105.0,1600", "--time", "2010-10-26T12:00Z", "--winds", str(shared_data / NC),
            "--hours", "3", "--heights", mode, "-o", str(out))  # fmt: skip
        sources[mode] = json.loads(out.read_text())["assumptions"]["winds"]["heights"]
    assert "geopotential" in sources["file"]
    assert "hypsometric" in sources["hypsometric"] and "1976" in sources["standard"]
