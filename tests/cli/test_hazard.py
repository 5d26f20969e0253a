"""``skywarden hazard`` end to end: on a real prediction (GFS NetCDF winds) and on a track CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.errors import InputError, NotFoundError, ParseError

NC = "winds/gfs_1deg_namerica_2010102612_pl.nc"
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _track_csv(path: Path) -> Path:
    t = np.datetime64("2026-11-23T00:00:00") + np.arange(0, 3 * 3600 + 1, 300).astype("timedelta64[s]")
    lon = -74.9 + np.arange(t.size) * 0.07
    rows = ["time,lat,lon,alt_m"] + [f"{a}Z,39.3,{b:.5f},30000" for a, b in zip(t, lon, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_prediction_with_winds_json_and_outputs(shared_data: Path, tmp_path: Path) -> None:
    pred = tmp_path / "p.geojson"
    run("predict", "--launch", "40.0,-100.0,18000", "--time", "2010-10-26T12:00Z", "--winds", str(shared_data / NC),
        "--profile", "float", "--ensemble", "5", "--hours", "2", "-o", str(pred))  # fmt: skip
    out = run("hazard", "--prediction", str(pred), "--winds", str(shared_data / NC), "--payload", "radiosonde",
              "--json", "-n", "64", "--step", "30min", "-o", str(tmp_path / "w.json"))  # fmt: skip
    data = json.loads(out[out.index("{") :])
    assert len(data["candidates"]) == 4
    for c in data["candidates"]:
        assert {"time", "lat", "lon", "ec", "max_individual_risk"} <= set(c)
        assert c["ec"] > 0.0  # Kansas farmland is populated
        assert c["decision"] in ("pass", "fail", "undecided") and c["within_limits"] == (
            c["decision"] == "pass"
        )
        assert c["ec_upper"] >= c["ec"] and c["individual_risk_upper"] >= c["max_individual_risk"]
        assert 64 <= c["samples"] <= 256 and c["confidence"] == 0.95
    assert "windows" in data and data["recommendation"]["time"].endswith("Z")
    assert data["assumptions"]["members"] == 5
    assert "gfs_1deg_namerica_2010102612_pl.nc" in data["assumptions"]["wind"]
    saved = json.loads((tmp_path / "w.json").read_text())
    assert saved["candidates"] == data["candidates"]


def test_track_calm_air_text_geojson_and_czml(tmp_path: Path) -> None:
    track = _track_csv(tmp_path / "track.csv")
    text = run("hazard", "--track", str(track), "--payload", "radiosonde", "-n", "32", "--step", "30min",
               "--coast-range-km", "80", "-o", str(tmp_path / "f.geojson"))  # fmt: skip
    assert "calm air" in text and "Recommended" in text and "Assumptions" in text and "Decisions:" in text
    fc = json.loads((tmp_path / "f.geojson").read_text())
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert {"footprint", "candidate", "recommended_release", "track"} <= kinds
    assert fc["assumptions"]["payload"]["name"] == "radiosonde"
    run("hazard", "--track", str(track), "--payload", "heavy-gondola", "-n", "32", "--step", "1h",
        "-o", str(tmp_path / "f.czml"))  # fmt: skip
    packets = json.loads((tmp_path / "f.czml").read_text())
    assert packets[0]["id"] == "document" and "payload" in packets[0]["description"]
    assert any(p["id"].startswith("footprint-") for p in packets)


def test_errors_teach(tmp_path: Path) -> None:
    track = _track_csv(tmp_path / "track.csv")
    with pytest.raises(InputError, match="exactly one of --prediction"):
        runner.invoke(app, ["hazard", "--payload", "radiosonde"], catch_exceptions=False)
    with pytest.raises(NotFoundError, match="heavy-gondola"):
        runner.invoke(app, ["hazard", "--track", str(track), "--payload", "nope"], catch_exceptions=False)
    with pytest.raises(InputError, match=r"\.geojson"):
        runner.invoke(app, ["hazard", "--track", str(track), "--payload", "radiosonde", "-o", "x.txt"],
                      catch_exceptions=False)  # fmt: skip
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(ParseError, match="member_track"):
        runner.invoke(
            app, ["hazard", "--prediction", str(bad), "--payload", "radiosonde"], catch_exceptions=False
        )


def test_real_flown_track_over_colorado_plains(shared_data: Path) -> None:
    """EOSS-340 (2023-04-22, Deer Trail CO, real APRS telemetry): every candidate lands on the
    rural plains east of Denver — populated but thinly, so a radiosonde-class payload has a small
    non-zero E_c (of order US rural density ~10 /km² × 1.85 m² ≈ 2e-5) and stays within the limits."""
    out = run("hazard", "--track", str(shared_data / "flights/eoss-340_2023-04-22_deertrail-co_1s.csv"),
              "--track-date", "2023-04-22", "--payload", "radiosonde", "--json", "-n", "64", "--step", "30min")  # fmt: skip
    data = json.loads(out[out.index("{") :])
    cands = data["candidates"]
    assert len(cands) == 5  # 13:13:37 → 15:26:33 every 30 min
    for c in cands:
        assert not c["over_water"]
        assert 1e-6 < c["ec"] < 1e-4
        assert c["ec_upper"] >= c["ec"]
        assert 39.0 < c["lat"] < 39.7 and -104.1 < c["lon"] < -102.8
    assert data["windows"] and data["assumptions"]["input"]["track_file"].startswith("eoss-340")


def test_raster_population_and_custom_limits(tmp_path: Path) -> None:
    """A uniform 200 /km² density GeoTIFF over the track: E_c = 200e-6 × Σ casualty areas
    (radiosonde: (0.6 + √0.017)² + (0.6 + √0.3)² = 1.851 m²) = 3.70e-4 at every candidate (hand
    calculation), above 1e-4 but below a custom 1e-3 limit file."""
    import rasterio
    from rasterio.transform import Affine

    tif = tmp_path / "density.tif"
    data = np.full((40, 80), 200.0, dtype=np.float32)
    with rasterio.open(tif, "w", driver="GTiff", height=40, width=80, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(0.1, 0.0, -77.0, 0.0, -0.1, 41.0)) as dst:  # fmt: skip
        dst.write(data, 1)
    limits = tmp_path / "limits.toml"
    # thresholds 0: every piece counts (the hand calculation below is geometric)
    limits.write_text(
        'name = "test"\nec_max = 1e-3\nindividual_max = 1e-5\nhazard_ke_j = 0\nhazard_ke_per_area_j_m2 = 0\n'
    )
    track = _track_csv(tmp_path / "track.csv")
    out = run("hazard", "--track", str(track), "--payload", "radiosonde", "--population", str(tif), "--limits",
              str(limits), "--json", "-n", "32", "--step", "1h", "--wind-sigma", "0")  # fmt: skip
    data_out = json.loads(out[out.index("{") :])
    # calm air and no wind error: vertical impacts, so no impact-angle term in the casualty areas
    expected = 200e-6 * ((0.6 + 0.017**0.5) ** 2 + (0.6 + 0.3**0.5) ** 2)
    for c in data_out["candidates"]:
        assert c["ec"] == pytest.approx(expected, rel=0.05)  # ±5 %: sampled areas
        assert c["within_limits"]
        assert c["hazardous_fraction"] == 1.0
    assert data_out["limits"]["name"] == "test"
    assert data_out["limits"]["hazard_ke_j"] == 0.0
    assert data_out["assumptions"]["population"]["population"] == "raster density.tif"
    assert data_out["assumptions"]["population"]["points_outside"] == 0
