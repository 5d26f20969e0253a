"""`skywarden propagate`: rows written to Parquet/CSV and checked against python-sgp4, clean errors."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.errors import NotFoundError, OptionError
from skywarden.space.catalog import load_catalog
from skywarden.space.orbit.propagate import propagate
from skywarden.timeutil import time_grid


def _run_cli(args):
    from typer.testing import CliRunner

    from skywarden.cli import app

    return CliRunner().invoke(app, args)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_propagate_writes_rows(shared_data, tmp_path, suffix):
    import pandas as pd

    out = tmp_path / f"eph{suffix}"
    catalog = shared_data / "catalogs" / "celestrak-active-2026-03-19.tle"
    result = _run_cli([
        "propagate", "--catalog", str(catalog), "--start", "2026-03-19T00:00:00Z", "--duration", "10m",
        "--step", "60s", "--frame", "geodetic", "--ids", "25544,20580", "--velocities", "-o", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    df = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert len(df) == 20
    assert list(df.columns) == [
        "norad_id", "time", "lat_deg", "lon_deg", "alt_km", "vx_km_s", "vy_km_s", "vz_km_s", "error_code",
    ]  # fmt: skip
    assert df["norad_id"].tolist() == [25544] * 10 + [20580] * 10
    iss = df[df["norad_id"] == 25544]
    assert iss["alt_km"].between(370.0, 460.0).all()  # the ISS flies at ~420 km
    if suffix == ".csv":
        assert df["time"].iloc[0] == "2026-03-19T00:00:00.000Z"
    else:
        assert str(df["time"].dt.tz) == "UTC"
    api = propagate([e for e in load_catalog(catalog) if e.norad_id == 25544], time_grid(
        "2026-03-19T00:00:00Z", "10m", "60s"), "geodetic")  # fmt: skip
    np.testing.assert_allclose(
        iss[["lat_deg", "lon_deg", "alt_km"]].to_numpy(), api.positions[0], rtol=0, atol=1e-9
    )


def test_cli_propagate_errors_are_clean(shared_data, tmp_path):
    catalog = shared_data / "catalogs" / "celestrak-active-2026-03-19.tle"
    base = ["propagate", "--catalog", str(catalog), "--start", "2026-03-19", "--duration", "2m"]
    bad_ids = _run_cli([*base, "--ids", "99999999", "-o", str(tmp_path / "x.csv")])
    assert isinstance(bad_ids.exception, NotFoundError) and "99999999" in str(bad_ids.exception)
    bad_suffix = _run_cli([*base, "-o", str(tmp_path / "x.xlsx")])
    assert isinstance(bad_suffix.exception, OptionError) and "'.parquet', '.pq', '.csv'" in str(
        bad_suffix.exception
    )
    bad_frame = _run_cli([*base, "--frame", "ecef", "-o", str(tmp_path / "x.csv")])
    assert isinstance(bad_frame.exception, OptionError) and "'geodetic'" in str(bad_frame.exception)
