"""`skywarden reach` and `skywarden maneuvers`: outputs and input errors (the option parser fuzzed)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.errors import InputError, SkywardenError, ValidationError
from skywarden.flight.predict import predict
from skywarden.weather.winds import load_winds


def test_cli_reach_and_maneuvers(tmp_path, shared_data) -> None:  # type: ignore[no-untyped-def]
    w = str(shared_data / "winds" / "gfs_2p5deg_global_2011011012_f120.grib2")
    out = tmp_path / "regions.geojson"
    r = CliRunner().invoke(app, ["reach", "--fix", "40,-100,18000,2011-01-15T12:00Z", "--winds", w, "--hours", "6",
                                 "--alt-band", "16000:20000", "--max-rate", "1.0", "--site", "40,-95", "-o", str(out),
                                 "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["hours"] == 6.0 and "passive_arrives" in data["site"]
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    # maneuvers on a synthetic passive track file
    from skywarden.air import Reports

    pred = predict(load_winds(w), lat_deg=40.0, lon_deg=-100.0, alt_m=0.0, time="2011-01-15T12:00Z",
                   profile="float", hours=3, output_step_s=60.0, error_estimate=False)  # fmt: skip
    t, la, lo, al = pred.member_path(0)
    track_file = Reports.from_columns(t, la, lo, al, object_id="B1", alt_datum="gps").to_csv(
        tmp_path / "t.csv"
    )
    r = CliRunner().invoke(app, ["maneuvers", "--track", str(track_file), "--winds", w, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["steered"] is False
    # reach from the track's last fix
    r = CliRunner().invoke(app, ["reach", "--track", str(track_file), "--winds", w, "--hours", "2", "--json"])
    assert r.exit_code == 0, r.output
    assert abs(json.loads(r.output)["start"]["lat_deg"] - float(la[-1])) < 0.01


def test_cli_rejects_bad_input(shared_data) -> None:  # type: ignore[no-untyped-def]
    w = str(shared_data / "winds" / "gfs_2p5deg_global_2011011012_f120.grib2")
    r = CliRunner().invoke(app, ["reach", "--winds", w, "--hours", "6"])
    assert isinstance(r.exception, InputError) and "exactly one of --fix" in str(r.exception)
    r = CliRunner().invoke(app, ["reach", "--fix", "40,-100,18000,2011-01-15T12:00Z", "--winds", w, "--hours", "6",
                                 "--alt-band", "21000:15000"])  # fmt: skip
    assert isinstance(r.exception, ValidationError) and "15000:21000" in str(r.exception)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_band_parser_fuzz(text: str) -> None:
    from skywarden.cli.steer import _band

    try:
        lo, hi = _band(text)
    except SkywardenError:
        return
    assert isinstance(lo, float) and isinstance(hi, float)
