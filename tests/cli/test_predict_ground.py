"""``skywarden predict --ground-alt METRES`` (issue 19): a prediction started in mid-air below 5 km
lands at its start altitude unless the ground is given, and the output says so.

Real GFS 1° NetCDF (2010-10-26 12Z) winds; the start at 3000 m over the Colorado plains is below
5 km, so without ``--ground-alt`` the library takes the start as the launch site.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skywarden.cli import app

NC = "winds/gfs_1deg_namerica_2010102612_pl.nc"
runner = CliRunner()


def _predict(shared_data: Path, *extra: str) -> str:
    args = ["predict", "--launch", "40.0,-105.0,3000", "--time", "2010-10-26T12:00Z",
            "--winds", str(shared_data / NC), "--hours", "6", *extra]  # fmt: skip
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _json(out: str) -> dict:
    return json.loads(out[out.index("{") :])


def test_ground_alt_ends_the_descent_and_is_named_as_given(shared_data: Path) -> None:
    default = _json(_predict(shared_data, "--json"))
    a = default["assumptions"]
    assert a["ground_alt_m"] == 3000.0 and a["ground_alt_source"].startswith("start altitude")
    assert "mid-air" in a["ground_alt_note"]
    assert default["summary"]["landed"]["alt_m"] == pytest.approx(3000.0, abs=1e-6)

    given = _json(_predict(shared_data, "--ground-alt", "1600", "--json"))
    g = given["assumptions"]
    assert g["ground_alt_m"] == 1600.0 and g["ground_alt_source"] == "given" and g["ground_alt_note"] is None
    assert given["summary"]["landed"]["alt_m"] == pytest.approx(1600.0, abs=1e-6)
    # the same burst, then 1400 m more of descent: the landing comes later than at 3000 m
    assert given["summary"]["burst"] == default["summary"]["burst"]
    assert given["summary"]["landed"]["time"] > default["summary"]["landed"]["time"]


def test_text_output_says_when_the_ground_was_not_given(shared_data: Path) -> None:
    text = " ".join(_predict(shared_data).split())  # Rich wraps at 80 columns
    assert "ground: no ground altitude given" in text and "--ground-alt METRES" in text
    assert "ground:" not in _predict(shared_data, "--ground-alt", "1600")
