"""Make the packaged demo wind extract from the shared GFS 2.5° file (run by maintainers only).

Source: ``../shared/data/winds/gfs_2p5deg_global_2011011012_f120.grib2`` (NOAA NCEP GFS run
2011-01-10 12Z, step +120 h, valid 2011-01-15 12:00 UTC; public domain; from jswhit/pygrib
``sampledata/gfs.t12z.pgrbf120.2p5deg.grib2``). Kept: u, v, gh on the 26 isobaric levels over the
North Pacific and Alaska (30–72.5 N, 140 E–115 W), float32, compressed NetCDF-4.
"""

from __future__ import annotations

import sys
from pathlib import Path

import xarray as xr

REPO = Path(__file__).resolve().parents[1]
SRC = REPO.parent / "shared" / "data" / "winds" / "gfs_2p5deg_global_2011011012_f120.grib2"
OUT = REPO / "src" / "skywarden" / "data" / "samples" / "gfs-2p5deg-npacific-2011011512.nc"


def main() -> int:
    ds = xr.open_dataset(
        SRC, engine="cfgrib", backend_kwargs={"filter_by_keys": {"typeOfLevel": "isobaricInhPa"}, "indexpath": ""}
    )
    sub = ds[["u", "v", "gh"]].sel(latitude=slice(72.5, 30.0), longitude=slice(140.0, 245.0)).astype("float32")
    sub.attrs = {
        "title": "GFS 2.5 deg, valid 2011-01-15T12:00Z, North Pacific extract for the skywarden demo",
        "source": "NOAA NCEP GFS (public domain) via jswhit/pygrib sampledata/gfs.t12z.pgrbf120.2p5deg.grib2",
        "history": "extracted by scripts/make_demo_winds.py",
    }
    encoding = {name: {"zlib": True, "complevel": 6} for name in ("u", "v", "gh")}
    sub.to_netcdf(OUT, encoding=encoding)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
