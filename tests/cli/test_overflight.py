"""`skywarden overflight` and `skywarden quiet`: JSON fields, every output format, bad input."""

from __future__ import annotations

from pathlib import Path

from skywarden.errors import InputError, OptionError


def test_cli_overflight_json_and_files(shared_data: Path, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from skywarden.cli import app

    runner = CliRunner()
    # The 167-object resource group keeps the six command runs quick.
    cat = str(shared_data / "catalogs" / "celestrak-resource-2026-05-30.tle")
    base = ["overflight", "--catalog", cat, "--site", "38.8,-104.7,1900", "--start", "2026-05-30T12:00:00Z",
            "--duration", "24h", "--kind", "sar"]  # fmt: skip
    result = runner.invoke(app, [*base, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {"norad_id", "name", "start", "end", "max_elevation_deg", "min_off_nadir_deg", "gsd_m",
                     "sun_elevation_deg", "kind"} <= set(rows[0])  # fmt: skip
    assert all(r["kind"] == "sar" and r["start"].endswith("Z") for r in rows)
    for suffix in (".csv", ".json", ".ics", ".czml", ".geojson"):
        out = tmp_path / f"w{suffix}"
        result = runner.invoke(app, [*base, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100
    gj = json.loads((tmp_path / "w.geojson").read_text())
    tracks = [f for f in gj["features"] if f["geometry"]["type"] in ("LineString", "MultiLineString")]
    assert len(tracks) == len(rows)
    cz = json.loads((tmp_path / "w.czml").read_text())
    assert cz[0]["id"] == "document" and len(cz) == 1 + 1 + len(rows)
    table = runner.invoke(app, base)
    assert table.exit_code == 0 and "Access windows" in table.stdout


def test_cli_quiet_and_bad_input(shared_data: Path) -> None:
    import json

    from typer.testing import CliRunner

    from skywarden.cli import app

    runner = CliRunner()
    cat = str(shared_data / "catalogs" / "celestrak-active-2026-03-19.tle")
    result = runner.invoke(app, ["quiet", "--catalog", cat, "--site", "38.8,-104.7", "--start", "2026-03-19T12:00:00Z",
                                 "--threat", "optical:1.0", "--threat", "sar", "--min-duration", "20min", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    quiet = json.loads(result.stdout)
    assert quiet and all(q["duration_s"] >= 1200 for q in quiet)
    bad = runner.invoke(app, ["overflight", "--catalog", cat, "--site", "38.8,-104.7", "--kind", "lidar"])
    assert isinstance(bad.exception, OptionError) and "'optical'" in str(bad.exception)
    long = runner.invoke(app, ["overflight", "--catalog", cat, "--site", "38.8,-104.7", "--duration", "40d"])
    assert isinstance(long.exception, InputError) and "--force" in str(long.exception)
