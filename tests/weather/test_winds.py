"""Wind-file reading and 4-D interpolation on the real files in ../shared/data/winds.

Outside references: xarray's own ``DataArray.interp`` on the same files (linear), and the
sanity numbers in shared/data/winds/README.md (computed there with xarray + cfgrib 0.9.15 /
eccodes 2.50 in a separate venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.errors import DomainError, NotFoundError, OptionError, ParseError
from skywarden.weather.atmosphere import geopotential_to_geometric
from skywarden.weather.interpolation import uv_at
from skywarden.weather.winds import WindField, load_winds

ONE_MM_S = 1e-3  # m/s — float32 storage vs xarray's float64 arithmetic
TWENTY_METRES = 20.0  # m
TEN_CM_S = 0.1  # m/s
GFS_NC = "winds/gfs_1deg_namerica_2010102612_pl.nc"
GFS_JAN = "winds/gfs_2p5deg_global_2011011012_f120.grib2"
GFS_OCT = "winds/gfs_2p5deg_global_2011100800_f072.grib2"
GFS_2022 = ("winds/gfs_1deg_global_2022031512_f000.grib2", "winds/gfs_1deg_global_2022031512_f003.grib2")
ERA5 = "winds/era5_mojave_0p25_may28-30_2016-2025_pl.nc"
GRIB_KW = {
    "filter_by_keys": {"typeOfLevel": "isobaricInhPa", "shortName": ["u", "v", "gh", "t"]},
    "indexpath": "",
}


@pytest.fixture(scope="module")
def nc(shared_data: Path) -> WindField:
    return load_winds(shared_data / GFS_NC)


@pytest.fixture(scope="module")
def jan(shared_data: Path) -> WindField:
    return load_winds(shared_data / GFS_JAN)


@pytest.fixture(scope="module")
def pair(shared_data: Path) -> WindField:
    return load_winds([shared_data / p for p in GFS_2022])


@pytest.fixture(scope="module")
def era5(shared_data: Path) -> WindField:
    return load_winds(shared_data / ERA5)


def test_every_file_loads(
    shared_data: Path, nc: WindField, jan: WindField, pair: WindField, era5: WindField
) -> None:
    oct_ = load_winds(shared_data / GFS_OCT)
    assert nc.u_m_s.shape == (1, 1, 26, 46, 101)
    assert jan.u_m_s.shape == oct_.u_m_s.shape == (1, 1, 26, 73, 144)
    assert pair.u_m_s.shape == (1, 2, 15, 181, 360)
    assert era5.u_m_s.shape == (1, 270, 8, 9, 9)
    # levels ground-up in Pa whatever the file used (Pa in the NetCDF, hPa elsewhere)
    for f in (nc, jan, pair, era5):
        assert np.all(np.diff(f.pressure_pa) < 0)
        assert np.all(np.diff(f.lat_deg) > 0)
        assert np.all(np.diff(f.alt_m, axis=2) > 0)
    assert nc.pressure_pa[0] == 100_000.0 and nc.pressure_pa[-1] == 1_000.0
    assert jan.is_global and not nc.is_global
    assert str(oct_.times[0]) == "2011-10-11T00:00:00.000000000"
    assert "hypsometric" in pair.heights_source  # no gh in the 2022 files: heights from t
    assert "no geopotential height" in pair.describe()["heights"]
    assert "geopotential" in nc.heights_source and "geopotential" in era5.heights_source


def test_readme_sanity_numbers(nc: WindField, jan: WindField) -> None:
    """README: NetCDF domain means |V| at 50 hPa 7.3 m/s, 100 hPa 14.1; mean geopotential
    height at 50 hPa 20,533 gpm, 100 hPa 16,251 gpm. Jan-2011 GRIB 20–70 N, 190–300 E:
    |V| at 50 hPa 19.3 m/s."""
    for hpa, speed, gpm in ((50, 7.3, 20_533.0), (100, 14.1, 16_251.0)):
        k = int(np.flatnonzero(nc.pressure_pa == hpa * 100.0)[0])
        assert float(np.hypot(nc.u_m_s[0, 0, k], nc.v_m_s[0, 0, k]).mean()) == pytest.approx(speed, abs=0.05)
        assert float(nc.alt_m[0, 0, k].mean()) == pytest.approx(
            float(geopotential_to_geometric(gpm)), abs=1.0
        )
    k = int(np.flatnonzero(jan.pressure_pa == 5000.0)[0])
    la = (jan.lat_deg >= 20) & (jan.lat_deg <= 70)
    lo = (jan.lon_deg >= 190) & (jan.lon_deg <= 300)
    speed = np.hypot(jan.u_m_s[0, 0, k][la][:, lo], jan.v_m_s[0, 0, k][la][:, lo])
    assert float(speed.mean()) == pytest.approx(19.3, abs=0.05)


def test_horizontal_interp_matches_xarray(shared_data: Path, nc: WindField, jan: WindField) -> None:
    rng = np.random.default_rng(1)
    ds = xr.open_dataset(shared_data / GFS_NC)
    lat = rng.uniform(21, 64, 200)
    lon = rng.uniform(211, 309, 200)
    for k in (5, 20, 23):
        p_pa = float(nc.pressure_pa[k])
        # the column at a query point exactly at level k's interpolated height gives level k
        sel = ds["u-component_of_wind_isobaric"].isel(time=0).sel(isobaric3=p_pa)
        ref = sel.interp(lat=xr.DataArray(lat), lon=xr.DataArray(lon)).values
        h = ds["Geopotential_height_isobaric"].isel(time=0).sel(isobaric3=p_pa)
        alt = geopotential_to_geometric(
            h.astype("float32").interp(lat=xr.DataArray(lat), lon=xr.DataArray(lon)).values
        )
        u, _ = nc.interp(nc.times[0], alt, lat, lon - 360.0)
        assert np.max(np.abs(u - ref)) < ONE_MM_S
    # a global GRIB, across the 0/360 seam: xarray needs the seam column appended by hand
    dsj = xr.open_dataset(shared_data / GFS_JAN, engine="cfgrib", backend_kwargs=GRIB_KW)
    v = dsj["v"].sel(isobaricInhPa=70.0)
    v = xr.concat([v, v.isel(longitude=0).assign_coords(longitude=360.0)], dim="longitude")
    gh = dsj["gh"].sel(isobaricInhPa=70.0)
    gh = xr.concat([gh, gh.isel(longitude=0).assign_coords(longitude=360.0)], dim="longitude")
    lat = rng.uniform(-80, 80, 200)
    lon = rng.uniform(355, 360, 200)
    ref = v.interp(latitude=xr.DataArray(lat), longitude=xr.DataArray(lon)).values
    alt = geopotential_to_geometric(gh.interp(latitude=xr.DataArray(lat), longitude=xr.DataArray(lon)).values)
    _, vv = jan.interp(jan.times[0], alt, lat, lon - 360.0)
    assert np.max(np.abs(vv - ref)) < ONE_MM_S


def test_vertical_interp_matches_xarray(shared_data: Path, nc: WindField) -> None:
    """At a grid column, interpolation in altitude equals xarray's interp along a height coordinate."""
    ds = xr.open_dataset(shared_data / GFS_NC)
    col = ds["v-component_of_wind_isobaric"].isel(time=0, lat=10, lon=40)
    h = geopotential_to_geometric(
        ds["Geopotential_height_isobaric"].isel(time=0, lat=10, lon=40).astype("float32").values
    )
    col = col.assign_coords(h=("isobaric3", h)).swap_dims(isobaric3="h").sortby("h")
    alt = np.linspace(h.min() + 1, h.max() - 1, 300)
    ref = col.interp(h=alt).values
    _, v = nc.interp(nc.times[0], alt, float(nc.lat_deg[35]), float(nc.lon_deg[40]))
    assert np.max(np.abs(v - ref)) < ONE_MM_S


def test_time_interp_matches_xarray(shared_data: Path) -> None:
    """Two real GFS steps 3 h apart: u at a level and grid point, xarray interp in time.

    Standard-atmosphere heights keep the 200 hPa level at one altitude in both steps, so the
    query at that altitude stays on the level (hypsometric heights move with the temperature).
    """
    pair = load_winds([shared_data / p for p in GFS_2022], heights="standard")
    steps = []
    for p in GFS_2022:
        one = xr.open_dataset(shared_data / p, engine="cfgrib", backend_kwargs=GRIB_KW)["u"]
        one = one.sel(isobaricInhPa=200.0, latitude=40.0, longitude=255.0).drop_vars(["time", "step"])
        steps.append(one.expand_dims("valid_time"))
    u = xr.concat(steps, dim="valid_time", coords="minimal", compat="override")
    times = pair.times[0] + np.array([0, 1800, 5400, 10799], dtype="timedelta64[s]")
    ref = u.interp(valid_time=times).values
    k = int(np.flatnonzero(pair.pressure_pa == 20_000.0)[0])
    alt = float(pair.alt_m[0, 0, k, 0, 0])
    got, _ = pair.interp(times, alt, 40.0, -105.0)
    assert np.max(np.abs(got - ref)) < ONE_MM_S


def test_numba_path_equals_numpy_path(pair: WindField, jan: WindField) -> None:
    rng = np.random.default_rng(7)
    for field in (pair, jan):
        n = 300
        t = rng.uniform(0, float(field._grid["t_s"][-1]), n)
        lat = rng.uniform(-85, 85, n)
        lon = rng.uniform(-180, 360, n)
        alt = rng.uniform(0, 15_000, n)
        times = field.times[0] + (t * 1e9).astype("timedelta64[ns]")
        u, v = field.interp(times, alt, lat, lon)
        args = field.kernel_args()
        hint = np.zeros(1, dtype=np.int64)
        for i in range(n):
            uu, vv, out = uv_at(*args, 0, t[i], alt[i], lat[i], lon[i], False, False, hint)
            assert not out
            assert uu == pytest.approx(u[i], abs=1e-9) and vv == pytest.approx(v[i], abs=1e-9)


def test_era5_refuses_to_bridge_year_gaps(era5: WindField) -> None:
    t = era5.times
    gap = int(np.flatnonzero(np.diff(t) > np.timedelta64(12, "h"))[0])
    inside_block = t[0] + (t[1] - t[0]) / 2
    u, _ = era5.interp(inside_block, 2000.0, 35.0, -117.0)
    assert np.isfinite(u)
    middle_of_gap = t[gap] + (t[gap + 1] - t[gap]) / 2
    with pytest.raises(DomainError, match="outside the wind field"):
        era5.interp(middle_of_gap, 2000.0, 35.0, -117.0)
    u, _ = era5.interp(middle_of_gap, 2000.0, 35.0, -117.0, outside="nan")
    assert np.isnan(u)
    assert era5.describe()["time_gaps"] >= 9  # ten years of May blocks


def test_outside_policies_and_extent_message(nc: WindField) -> None:
    with pytest.raises(DomainError, match=r"field extent: .*'lat_deg': \[20.0, 65.0\]"):
        nc.interp(nc.times[0], 5000.0, 70.0, -100.0)
    u, _ = nc.interp(nc.times[0], 5000.0, 70.0, -100.0, outside="nan")
    assert np.isnan(u)
    uc, vc = nc.interp(nc.times[0], 5000.0, 70.0, -100.0, outside="clamp")
    ue, ve = nc.interp(nc.times[0], 5000.0, 65.0, -100.0)
    assert uc == pytest.approx(ue) and vc == pytest.approx(ve)
    with pytest.raises(DomainError):
        nc.interp(nc.times[0], 60_000.0, 40.0, -100.0)  # above the 10 hPa level
    with pytest.raises(OptionError, match="choose one of"):
        nc.interp(nc.times[0], 5000.0, 40.0, -100.0, outside="wrap")


def test_ensemble_member_dimension(tmp_path: Path) -> None:
    """A synthetic ERA5-like file with a 'number' dimension: each member its own wind."""
    lat = np.arange(30.0, 41.0)
    lon = np.arange(-110.0, -99.0)
    lev = np.array([1000.0, 500.0, 100.0])
    members = np.arange(3)
    u = np.broadcast_to(members[:, None, None, None, None] * 10.0 + 1.0, (3, 1, 3, 11, 11)).astype("float32")
    z = np.broadcast_to(np.array([100.0, 5500.0, 16000.0])[None, None, :, None, None] * 9.80665, u.shape)
    ds = xr.Dataset(
        {"u": (("number", "valid_time", "pressure_level", "latitude", "longitude"), u),
         "v": (("number", "valid_time", "pressure_level", "latitude", "longitude"), np.zeros_like(u)),
         "z": (("number", "valid_time", "pressure_level", "latitude", "longitude"), z.astype("float32"),
               {"units": "m**2 s**-2"})},
        coords={"number": members, "valid_time": [np.datetime64("2024-01-01T00:00", "ns")],
                "pressure_level": ("pressure_level", lev, {"units": "hPa"}), "latitude": lat, "longitude": lon},
    )  # fmt: skip
    path = tmp_path / "ens.nc"
    ds.to_netcdf(path)
    f = load_winds(path)
    assert f.n_members == 3
    u_m, _ = f.interp("2024-01-01T00:00Z", 3000.0, 35.0, -105.0, member=np.array([0, 1, 2]))
    np.testing.assert_allclose(u_m, [1.0, 11.0, 21.0], atol=1e-6)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_winds(tmp_path / "missing.grib2")
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"CDF\x01 truncated")
    with pytest.raises(ParseError, match=r"bad\.nc"):
        load_winds(bad)
    nowind = tmp_path / "nowind.nc"
    xr.Dataset({"t": (("x",), np.zeros(3))}).to_netcdf(nowind)
    with pytest.raises(ParseError, match="no u/v wind variables"):
        load_winds(nowind)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".nc", ".grib2"]))
def test_fuzz_garbage_files(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    with pytest.raises(ParseError):
        load_winds(path)


def test_truncated_real_grib(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / GFS_JAN).read_bytes()
    path = tmp_path / "cut.grib2"
    path.write_bytes(raw[: len(raw) // 3])
    with pytest.raises(ParseError):
        load_winds(path)


def test_grib_with_several_steps(shared_data: Path, tmp_path: Path) -> None:
    """Two real GFS steps concatenated into ONE GRIB file (as a NOMADS multi-step download
    would be): cfgrib gives a 'step' dimension; valid times come from valid_time(step)."""
    path = tmp_path / "two_steps.grib2"
    path.write_bytes(b"".join((shared_data / p).read_bytes() for p in GFS_2022))
    joined = load_winds(path)
    assert joined.times.size == 2
    assert str(joined.times[1]) == "2022-03-15T15:00:00.000000000"
    separate = load_winds([shared_data / p for p in GFS_2022])
    np.testing.assert_array_equal(joined.u_m_s, separate.u_m_s)


def test_nan_longitude_on_a_global_field_is_outside_not_a_warning(jan: WindField) -> None:
    # Regression: a NaN longitude on a periodic (global) grid used to raise a numpy cast
    # RuntimeWarning; it is a point outside the field like any other non-finite coordinate.
    t = jan.times[0]
    with pytest.raises(DomainError):
        jan.interp(t, np.array([18_000.0]), np.array([40.0]), np.array([np.nan]))


@pytest.mark.parametrize(
    ("name", "top_hpa"),
    [("winds/gfs_2p5deg_global_2011011012_f120.grib2", 100.0), ("winds/gfs_1deg_namerica_2010102612_pl.nc", 100.0),
     ("winds/era5_mojave_0p25_may28-30_2016-2025_pl.nc", 500.0)],
)  # fmt: skip
def test_hypsometric_thickness_matches_the_models_own_geopotential(
    shared_data: Path, name: str, top_hpa: float
) -> None:
    """Heights from temperature alone against NOAA's (GFS ``gh``) and ECMWF's (ERA5 ``z``) own.

    The thickness from the lowest level to ``top_hpa`` agrees to 20 m RMS over the whole grid
    (dry air: the neglected humidity makes the hypsometric layers slightly thin in moist air);
    the absolute heights are off mostly by the anchor (the lowest level put at its US 1976
    height), yet far closer than the standard atmosphere's level heights aloft.
    """
    ref = load_winds(shared_data / name, heights="file")
    hyp = load_winds(shared_data / name, heights="hypsometric")
    std = load_winds(shared_data / name, heights="standard")
    assert "hypsometric" in hyp.heights_source and "requested" in hyp.heights_source
    k = int(np.flatnonzero(ref.pressure_pa == top_hpa * 100.0)[0])
    err = (hyp.alt_m[:, :, k] - hyp.alt_m[:, :, 0]) - (ref.alt_m[:, :, k] - ref.alt_m[:, :, 0])
    assert np.sqrt(np.mean(err**2)) < TWENTY_METRES
    rms_hyp = np.sqrt(np.mean((hyp.alt_m[:, :, k] - ref.alt_m[:, :, k]) ** 2))
    rms_std = np.sqrt(np.mean((std.alt_m[:, :, k] - ref.alt_m[:, :, k]) ** 2))
    assert rms_hyp < 0.5 * rms_std


def test_heights_fall_back_from_temperature_to_standard(tmp_path: Path) -> None:
    """A file with winds only: auto uses the US 1976 levels; hypsometric says what is missing."""
    ds = xr.Dataset(
        {n: (("isobaric", "lat", "lon"), np.ones((3, 2, 2), np.float32)) for n in ("u", "v")},
        coords={"isobaric": ("isobaric", [1000.0, 500.0, 100.0], {"units": "hPa"}), "lat": [10.0, 11.0],
                "lon": [20.0, 21.0], "time": np.datetime64("2024-01-01T00:00")},
    )  # fmt: skip
    path = tmp_path / "uv.nc"
    ds.to_netcdf(path)
    auto = load_winds(path)
    assert "US Standard Atmosphere 1976" in auto.heights_source
    with pytest.raises(ParseError, match="no temperature"):
        load_winds(path, heights="hypsometric")
    with pytest.raises(OptionError):
        load_winds(path, heights="sonde")
