"""Downloaders: NOAA GFS through the NOMADS grib filter, ERA5 through the Copernicus client.

GFS: one GRIB2 file per (run, forecast hour) holding UGRD, VGRD and HGT on the requested
pressure levels, optionally cut to a lat/lon box, from
``https://nomads.ncep.noaa.gov/cgi-bin/filter_gfs_<res>.pl``. Files are cached under the user
cache directory (``platformdirs``; override with ``cache_dir=`` or ``$SKYWARDEN_CACHE``) and a
cached file is never fetched again. A response that is not GRIB is refused.

ERA5: :func:`download_era5` wraps ``cdsapi`` (optional; imported lazily, with a clear error
when missing) and caches the same way. Credentials are cdsapi's own (``~/.cdsapirc``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from ..errors import DownloadError, InputError, OptionError, ValidationError
from ..timeutil import parse_time

__all__ = ["DEFAULT_LEVELS_HPA", "GFS_RESOLUTIONS", "cache_root", "download_era5", "download_gfs", "gfs_url"]

DEFAULT_LEVELS_HPA = (10, 20, 30, 50, 70, 100, 150, 200, 250, 300, 400, 500, 600, 700, 850, 925, 1000)
GFS_RESOLUTIONS = {"1p00": "pgrb2.1p00", "0p50": "pgrb2full.0p50", "0p25": "pgrb2.0p25"}
_NOMADS = "https://nomads.ncep.noaa.gov/cgi-bin/filter_gfs_{res}.pl"


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """The download cache directory (created on demand)."""
    if cache_dir is None:
        cache_dir = os.environ.get("SKYWARDEN_CACHE")
    if cache_dir is None:
        import platformdirs

        cache_dir = platformdirs.user_cache_dir("skywarden")
    root = Path(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _run_time(run: Any) -> datetime:
    t = parse_time(run)
    if t.hour % 6 or t.minute or t.second:
        raise ValidationError(f"GFS runs are at 00, 06, 12, 18 UTC; got {t.isoformat()}")
    return t


def gfs_url(
    run: Any,
    forecast_hour: int,
    *,
    levels_hpa: Sequence[float] = DEFAULT_LEVELS_HPA,
    bbox: tuple[float, float, float, float] | None = None,
    resolution: str = "1p00",
) -> str:
    """NOMADS grib-filter URL for UGRD/VGRD/HGT of one GFS run and forecast hour.

    ``bbox`` is ``(lat_min, lat_max, lon_min, lon_max)`` in degrees (lon in −180..360).
    """
    if resolution not in GFS_RESOLUTIONS:
        raise OptionError("resolution", resolution, tuple(GFS_RESOLUTIONS))
    if not 0 <= int(forecast_hour) <= 384:
        raise ValidationError(f"forecast_hour must be 0..384; got {forecast_hour}")
    t = _run_time(run)
    hh = f"{t.hour:02d}"
    params: list[tuple[str, str]] = [
        ("file", f"gfs.t{hh}z.{GFS_RESOLUTIONS[resolution]}.f{int(forecast_hour):03d}")
    ]
    for lev in levels_hpa:
        params.append((f"lev_{lev:g}_mb", "on"))
    params += [("var_HGT", "on"), ("var_UGRD", "on"), ("var_VGRD", "on")]
    if bbox is not None:
        lat_min, lat_max, lon_min, lon_max = bbox
        if not (-90 <= lat_min < lat_max <= 90):
            raise ValidationError(f"bbox latitudes must satisfy -90 <= min < max <= 90; got {bbox}")
        params += [("subregion", ""), ("leftlon", f"{lon_min:g}"), ("rightlon", f"{lon_max:g}"),
                   ("toplat", f"{lat_max:g}"), ("bottomlat", f"{lat_min:g}")]  # fmt: skip
    params.append(("dir", f"/gfs.{t:%Y%m%d}/{hh}/atmos"))
    return str(httpx.URL(_NOMADS.format(res=resolution), params=params))


def download_gfs(
    run: Any,
    forecast_hours: Sequence[int],
    *,
    levels_hpa: Sequence[float] = DEFAULT_LEVELS_HPA,
    bbox: tuple[float, float, float, float] | None = None,
    resolution: str = "1p00",
    cache_dir: str | Path | None = None,
    client: httpx.Client | None = None,
    timeout_s: float = 120.0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Fetch (or reuse from the cache) one GRIB2 file per forecast hour; returns their paths.

    Pass the result to :func:`~skywarden.weather.winds.load_winds`.
    """
    if not forecast_hours:
        raise InputError("download_gfs needs at least one forecast hour")
    t = _run_time(run)
    root = cache_root(cache_dir) / "gfs"
    root.mkdir(parents=True, exist_ok=True)
    own = client is None
    http = client or httpx.Client(timeout=timeout_s, follow_redirects=True)
    out: list[Path] = []
    try:
        for i, fh in enumerate(forecast_hours):
            url = gfs_url(t, fh, levels_hpa=levels_hpa, bbox=bbox, resolution=resolution)
            key = hashlib.sha256(url.encode()).hexdigest()[:12]
            path = root / f"gfs_{resolution}_{t:%Y%m%d_%H}z_f{int(fh):03d}_{key}.grib2"
            if not path.is_file():
                _fetch(http, url, path)
            out.append(path)
            if progress is not None:
                progress(i + 1, len(forecast_hours))
    finally:
        if own:
            http.close()
    return out


def _fetch(http: httpx.Client, url: str, path: Path) -> None:
    try:
        resp = http.get(url)
    except httpx.HTTPError as exc:
        raise DownloadError(f"could not fetch {url}: {exc} (and no cached copy at {path})") from None
    if resp.status_code != 200:
        raise DownloadError(f"NOMADS answered HTTP {resp.status_code} for {url} (and no cached copy)")
    if not resp.content.startswith(b"GRIB"):
        raise DownloadError(f"NOMADS answer for {url} is not GRIB (starts {resp.content[:40]!r})")
    tmp = path.with_suffix(".part")
    tmp.write_bytes(resp.content)
    tmp.replace(path)


def download_era5(
    times: Sequence[Any],
    *,
    bbox: tuple[float, float, float, float],
    levels_hpa: Sequence[float] = DEFAULT_LEVELS_HPA,
    cache_dir: str | Path | None = None,
    client: Any = None,
) -> Path:
    """Fetch ERA5 u, v, z on pressure levels for ``times`` (hourly) over ``bbox`` as NetCDF.

    Needs the optional ``cdsapi`` package and a Copernicus account (``~/.cdsapirc``).
    """
    if client is None:
        try:
            import cdsapi
        except ImportError:
            raise InputError(
                "ERA5 downloads need the optional 'cdsapi' package: pip install cdsapi, and a CDS "
                "account key in ~/.cdsapirc (https://cds.climate.copernicus.eu/how-to-api)"
            ) from None
        client = cdsapi.Client()
    ts = sorted(parse_time(t) for t in times)
    if not ts:
        raise InputError("download_era5 needs at least one time")
    lat_min, lat_max, lon_min, lon_max = bbox
    request = {
        "product_type": ["reanalysis"],
        "variable": ["u_component_of_wind", "v_component_of_wind", "geopotential"],
        "pressure_level": [f"{lev:g}" for lev in levels_hpa],
        "year": sorted({f"{t.year}" for t in ts}),
        "month": sorted({f"{t.month:02d}" for t in ts}),
        "day": sorted({f"{t.day:02d}" for t in ts}),
        "time": sorted({f"{t.hour:02d}:00" for t in ts}),
        "area": [lat_max, lon_min, lat_min, lon_max],
        "data_format": "netcdf",
    }
    key = hashlib.sha256(repr(sorted(request.items())).encode()).hexdigest()[:12]
    path = cache_root(cache_dir) / "era5" / f"era5_{ts[0]:%Y%m%d%H}_{key}.nc"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        client.retrieve("reanalysis-era5-pressure-levels", request, str(path))
    except Exception as exc:
        raise DownloadError(f"ERA5 request failed: {exc}") from None
    return path
