"""GFS / ERA5 downloaders against local fixtures only (respx), never the network.

The fixture GRIB is cut at test time from the real NCEP file in shared/data (whole GRIB2
messages for u/v/gh at 50, 70, 100 hPa), so it is real NOMADS-format data.
"""

from __future__ import annotations

import struct
from pathlib import Path

import httpx
import numpy as np
import pytest
import respx

from skywarden.errors import DownloadError, InputError, ValidationError
from skywarden.weather.gfs import download_era5, download_gfs, gfs_url
from skywarden.weather.winds import load_winds

NOMADS = "https://nomads.ncep.noaa.gov/cgi-bin/filter_gfs_1p00.pl"


def _subset(raw: bytes, levels: tuple[int, ...] = (50, 70, 100)) -> bytes:
    import eccodes  # after pyproj (imported by skywarden): eccodes' bundled libraries must load second

    out = bytearray()
    pos = raw.find(b"GRIB")
    while pos >= 0:
        length = struct.unpack(">Q", raw[pos + 8 : pos + 16])[0]
        msg = raw[pos : pos + length]
        gid = eccodes.codes_new_from_message(bytes(msg))
        try:
            keep = (
                eccodes.codes_get(gid, "typeOfLevel") == "isobaricInhPa"
                and eccodes.codes_get(gid, "level") in levels
                and eccodes.codes_get(gid, "shortName") in ("u", "v", "gh")
            )
        finally:
            eccodes.codes_release(gid)
        if keep:
            out += msg
        pos = raw.find(b"GRIB", pos + length)
    return bytes(out)


@pytest.fixture(scope="module")
def grib_bytes(shared_data: Path) -> bytes:
    data = _subset((shared_data / "winds/gfs_2p5deg_global_2011011012_f120.grib2").read_bytes())
    assert 0 < len(data) < 400_000
    return data


def test_url_follows_nomads_filter_form() -> None:
    url = gfs_url("2024-05-01T12:00Z", 6, levels_hpa=(50, 70), bbox=(30.0, 50.0, -110.0, -90.0))
    assert url.startswith(NOMADS + "?file=gfs.t12z.pgrb2.1p00.f006")
    for part in ("lev_50_mb=on", "lev_70_mb=on", "var_UGRD=on", "var_VGRD=on", "var_HGT=on",
                 "subregion=", "leftlon=-110", "rightlon=-90", "toplat=50", "bottomlat=30",
                 "dir=%2Fgfs.20240501%2F12%2Fatmos"):  # fmt: skip
        assert part in url
    with pytest.raises(ValidationError, match="00, 06, 12, 18"):
        gfs_url("2024-05-01T13:00Z", 0)


@respx.mock
def test_download_caches_and_loads(tmp_path: Path, grib_bytes: bytes) -> None:
    route = respx.get(url__startswith=NOMADS).mock(return_value=httpx.Response(200, content=grib_bytes))
    paths = download_gfs("2011-01-10T12:00Z", [120], cache_dir=tmp_path)
    assert route.call_count == 1
    again = download_gfs("2011-01-10T12:00Z", [120], cache_dir=tmp_path)
    assert again == paths and route.call_count == 1  # served from the cache
    field = load_winds(paths)
    assert field.u_m_s.shape[2] == 3
    assert np.allclose(field.pressure_pa, [10_000.0, 7_000.0, 5_000.0])
    assert "geopotential" in field.heights_source


@respx.mock
def test_download_errors_without_cache(tmp_path: Path) -> None:
    respx.get(url__startswith=NOMADS).mock(return_value=httpx.Response(404, text="no such file"))
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_gfs("2024-05-01T00:00Z", [0], cache_dir=tmp_path)
    respx.get(url__startswith=NOMADS).mock(return_value=httpx.Response(200, text="<html>busy</html>"))
    with pytest.raises(DownloadError, match="not GRIB"):
        download_gfs("2024-05-01T00:00Z", [3], cache_dir=tmp_path)
    respx.get(url__startswith=NOMADS).mock(side_effect=httpx.ConnectError("offline"))
    with pytest.raises(DownloadError, match="no cached copy"):
        download_gfs("2024-05-01T00:00Z", [6], cache_dir=tmp_path)
    assert not list((tmp_path / "gfs").glob("*.grib2"))


class _FakeCds:
    """Stands in for cdsapi.Client (the real one needs an account and the network)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.requests: list[dict] = []

    def retrieve(self, name: str, request: dict, target: str) -> None:
        self.requests.append(request)
        Path(target).write_bytes(self.payload)


def test_era5_request_and_cache(tmp_path: Path) -> None:
    fake = _FakeCds(b"CDF\x01")
    p1 = download_era5(["2023-04-22T12:00Z", "2023-04-22T13:00Z"], bbox=(38, 41, -106, -101), cache_dir=tmp_path,
                       levels_hpa=(50, 100), client=fake)  # fmt: skip
    p2 = download_era5(["2023-04-22T12:00Z", "2023-04-22T13:00Z"], bbox=(38, 41, -106, -101), cache_dir=tmp_path,
                       levels_hpa=(50, 100), client=fake)  # fmt: skip
    assert p1 == p2 and len(fake.requests) == 1
    req = fake.requests[0]
    assert req["area"] == [41, -106, 38, -101] and req["time"] == ["12:00", "13:00"]
    assert req["pressure_level"] == ["50", "100"]


def test_era5_without_cdsapi_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "cdsapi", None)
    with pytest.raises(InputError, match="pip install cdsapi"):
        download_era5(["2023-04-22T12:00Z"], bbox=(38, 41, -106, -101), cache_dir=tmp_path)
