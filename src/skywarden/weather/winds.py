"""Gridded u/v winds on pressure levels: reading GFS/ERA5 files into one :class:`WindField`.

Readers accept GRIB2 (cfgrib/eccodes) and NetCDF (xarray) in the GFS and ERA5 layouts and
normalise every convention difference once, here:

* vertical coordinate in Pa (``isobaric3``) or hPa (``isobaricInhPa``, ``pressure_level``) →
  ``pressure_pa``, sorted from the ground up (decreasing pressure);
* latitude descending → ascending; longitude 0–360 or −180–180 kept as in the file (queries
  are compared modulo 360, so either works; a global grid wraps around);
* geopotential height (GFS ``gh`` in gpm, ERA5 ``z`` in m²/s²) → *geometric* altitude
  (US 1976 radius, :func:`~skywarden.weather.atmosphere.geopotential_to_geometric`); a file
  without heights but with temperature gets hypsometric heights
  (:func:`~skywarden.weather.atmosphere.hypsometric_heights`, lowest level at its US 1976
  height), one with neither the US Standard Atmosphere 1976 altitude of each pressure level;
  :attr:`WindField.heights_source` says which (it goes into every prediction's assumptions);
* a single valid time (one GFS step) or many (ERA5, several GFS steps given as several files):
  time interpolation is linear between neighbours but never across a *gap* larger than
  ``max_time_gap`` (ERA5 files with one block of hours per year have year-long gaps);
* an ensemble-member dimension (``number``, ``member``, ``realization``) when present.

NCEP packs u and v in one GRIB message; cfgrib reads both. The reader always passes
``filter_by_keys`` (isobaric levels, the four variables needed) and ``indexpath=""`` so nothing
is written next to read-only data.

Interpolation (:meth:`WindField.interp`) is 4-D: linear in time, latitude and longitude, and
linear in geometric altitude within the column of level heights interpolated to the point
(the Tawhiri scheme). Points outside the field follow ``outside``: ``"raise"`` (a
:class:`~skywarden.errors.DomainError` naming the field's extent), ``"nan"``, or ``"clamp"``.
Below the lowest level the lowest-level wind is used (the ground layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DomainError, InputError, NotFoundError, OptionError, ParseError
from ..timeutil import isoformat, parse_duration, to_datetime64
from .atmosphere import (
    G0_M_S2,
    altitude_from_pressure,
    geometric_to_geopotential,
    geopotential_to_geometric,
    hypsometric_heights,
    standard_atmosphere,
)

__all__ = ["OUTSIDE_POLICIES", "WindField", "load_winds"]

OUTSIDE_POLICIES = ("raise", "nan", "clamp")
_GRIB_SUFFIXES = (".grib", ".grib2", ".grb", ".grb2")
_U_NAMES = ("u", "u-component_of_wind_isobaric", "UGRD", "ugrd", "u_component_of_wind", "U")
_V_NAMES = ("v", "v-component_of_wind_isobaric", "VGRD", "vgrd", "v_component_of_wind", "V")
_HEIGHT_NAMES = ("gh", "Geopotential_height_isobaric", "hgt", "HGT", "z", "geopotential")
_TEMPERATURE_NAMES = ("t", "Temperature_isobaric", "tmp", "TMP", "temperature", "air_temperature", "ta")
HEIGHT_MODES = ("auto", "file", "hypsometric", "standard")
"""``heights`` choices of :func:`load_winds`."""
_TIME_NAMES = ("valid_time", "time", "times")
_LEVEL_NAMES = ("pressure_level", "isobaricInhPa", "isobaric", "level", "plev", "lev")
_LAT_NAMES = ("latitude", "lat")
_LON_NAMES = ("longitude", "lon")
_MEMBER_NAMES = ("number", "member", "realization", "ensemble", "ens")
_GRID_TOL = 1e-4  # relative tolerance for "regular grid" checks


@dataclass(frozen=True, eq=False)
class WindField:
    """Winds on a regular lat/lon grid and pressure levels, with geometric level heights.

    Arrays are ``(member, time, level, lat, lon)``, levels from the ground up.

    Attributes:
        times: valid times, ``datetime64[ns]`` UTC, increasing, shape ``(n_time,)``.
        pressure_pa: level pressures, Pa, decreasing (ground up), shape ``(n_level,)``.
        lat_deg: latitudes, increasing, regular spacing.
        lon_deg: longitudes, increasing, regular spacing (0–360 or −180–180 as in the file).
        u_m_s, v_m_s: eastward / northward wind, m/s, float32.
        alt_m: geometric altitude of each level point, m, float32, ``(1 or member, time, level,
            lat, lon)``.
        heights_source: how ``alt_m`` was obtained (file geopotential or US 1976).
        sources: the files read.
        max_time_gap_s: neighbouring times further apart than this are not interpolated across.
    """

    times: np.ndarray
    pressure_pa: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    u_m_s: np.ndarray
    v_m_s: np.ndarray
    alt_m: np.ndarray
    heights_source: str
    sources: tuple[str, ...] = ()
    max_time_gap_s: float = 12 * 3600.0
    model: str = "unknown"
    _grid: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # One array layout and dtype for the compiled code (C-contiguous float32): a single
        # numba specialisation whatever the caller passed.
        for name in ("u_m_s", "v_m_s", "alt_m"):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float32))
        object.__setattr__(self, "times", np.asarray(self.times, dtype="datetime64[ns]"))
        shape = self.u_m_s.shape
        if self.v_m_s.shape != shape or len(shape) != 5:
            raise InputError(f"u and v must share a (member, time, level, lat, lon) shape; got {shape}")
        lat, lon = self.lat_deg, self.lon_deg
        if lat.size < 2 or lon.size < 2:
            raise InputError("a wind field needs at least 2 latitudes and 2 longitudes")
        dlat = float(lat[1] - lat[0])
        dlon = float(lon[1] - lon[0])
        if not (np.allclose(np.diff(lat), dlat, rtol=_GRID_TOL) and dlat > 0):
            raise InputError("latitudes must be regular and increasing after normalisation")
        if not (np.allclose(np.diff(lon), dlon, rtol=_GRID_TOL) and dlon > 0):
            raise InputError("longitudes must be regular and increasing after normalisation")
        if (
            self.alt_m.ndim != 5
            or self.alt_m.shape[1:] != shape[1:]
            or self.alt_m.shape[0] not in (1, shape[0])
        ):
            raise InputError(
                f"alt_m must be (1 or members, time, level, lat, lon) = {shape[1:]}; got {self.alt_m.shape}"
            )
        if self.times.size != shape[1] or np.any(np.diff(self.times) <= np.timedelta64(0, "ns")):
            raise InputError("times must be strictly increasing and match the time axis of u/v")
        periodic = abs(lon.size * dlon - 360.0) < dlon * 1e-3
        t_s = (self.times - self.times[0]).astype("timedelta64[ns]").astype(np.int64) / 1e9
        self._grid.update(
            lat0=float(lat[0]), dlat=dlat, lon0=float(lon[0]), dlon=dlon, periodic=periodic,
            t_s=np.ascontiguousarray(t_s, dtype=np.float64),
        )  # fmt: skip

    # ----------------------------------------------------------------- description
    @property
    def n_members(self) -> int:
        return int(self.u_m_s.shape[0])

    @property
    def is_global(self) -> bool:
        return bool(self._grid["periodic"])

    @property
    def t0(self) -> np.datetime64:
        return self.times[0]

    def extent(self) -> dict[str, Any]:
        """The field's extent (times, levels, altitudes, lat, lon) for messages and outputs."""
        return {
            "time_utc": [isoformat(self.times[0]), isoformat(self.times[-1])],
            "n_times": int(self.times.size),
            "pressure_hpa": [float(self.pressure_pa[0] / 100.0), float(self.pressure_pa[-1] / 100.0)],
            "top_alt_m_min": float(np.nanmin(self.alt_m[:, :, -1])),
            "lat_deg": [float(self.lat_deg[0]), float(self.lat_deg[-1])],
            "lon_deg": [float(self.lon_deg[0]), float(self.lon_deg[-1])],
            "global_longitude": self.is_global,
            "members": self.n_members,
        }

    def describe(self) -> dict[str, Any]:
        """Assumptions record: source files, valid times, heights source, grid."""
        times = self.times
        gaps = int(np.count_nonzero(np.diff(self._grid["t_s"]) > self.max_time_gap_s))
        return {
            "wind_source": [Path(s).name for s in self.sources] or ["in-memory"],
            "model": self.model,
            "valid_times_utc": [isoformat(times[0]), isoformat(times[-1])],
            "n_times": int(times.size),
            "time_gaps": gaps,
            "time_interpolation": (
                "none: a single valid time, held constant (steady field)"
                if times.size == 1
                else f"linear, never across gaps > {self.max_time_gap_s / 3600:g} h"
            ),
            "heights": self.heights_source,
            "grid_deg": [self._grid["dlat"], self._grid["dlon"]],
            "extent": self.extent(),
        }

    def kernel_args(self) -> tuple[Any, ...]:
        """Arrays and scalars handed to the compiled interpolation (see ``flight._kernel``)."""
        g = self._grid
        return (
            self.u_m_s, self.v_m_s, self.alt_m, g["t_s"], g["lat0"], g["dlat"], g["lon0"], g["dlon"],
            bool(g["periodic"]), float(self.max_time_gap_s),
        )  # fmt: skip

    def seconds_since_t0(self, times: Any) -> np.ndarray:
        """Times (anything :func:`~skywarden.timeutil.to_datetime64` takes) → s since ``times[0]``."""
        t = np.asarray(to_datetime64(times), dtype="datetime64[ns]")
        return (t - self.times[0]).astype("timedelta64[ns]").astype(np.int64) / 1e9

    # ----------------------------------------------------------------- interpolation
    def interp(
        self,
        time: Any,
        alt_m: Any,
        lat_deg: Any,
        lon_deg: Any,
        *,
        member: int | np.ndarray = 0,
        outside: str = "raise",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Wind ``(u_m_s, v_m_s)`` at many points at once (pure numpy, vectorised).

        ``time`` is one time or an array of times (UTC); the other arguments broadcast.
        ``outside`` is one of :data:`OUTSIDE_POLICIES`.
        """
        if outside not in OUTSIDE_POLICIES:
            raise OptionError("outside", outside, OUTSIDE_POLICIES)
        t_s = self.seconds_since_t0(time)
        t, z, la, lo, mem = np.broadcast_arrays(
            np.asarray(t_s, dtype=np.float64),
            np.asarray(alt_m, dtype=np.float64),
            np.asarray(lat_deg, dtype=np.float64),
            np.asarray(lon_deg, dtype=np.float64),
            np.asarray(member, dtype=np.int64),
        )
        from .interpolation import interp_numpy

        u, v, bad = interp_numpy(self, t.ravel(), z.ravel(), la.ravel(), lo.ravel(), mem.ravel(), outside)
        if outside == "raise" and bad.any():
            i = int(np.flatnonzero(bad)[0])
            when = isoformat(self.times[0] + np.timedelta64(round(float(t.ravel()[i]) * 1e9), "ns"))
            raise DomainError(
                f"{int(bad.sum())} point(s) lie outside the wind field, first at time {when}, "
                f"alt {z.ravel()[i]:.0f} m, lat {la.ravel()[i]:.4f}, lon {lo.ravel()[i]:.4f}; "
                f"field extent: {self.extent()}. Use outside='clamp' or 'nan' to continue."
            )
        return u.reshape(t.shape), v.reshape(t.shape)


# --------------------------------------------------------------------- reading files
def _pick(names: Sequence[str], available: Any) -> str | None:
    for name in names:
        if name in available:
            return name
    return None


def _open(path: Path) -> Any:
    import xarray as xr

    if path.suffix.lower() in _GRIB_SUFFIXES:
        with path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(max(0, path.stat().st_size - 4))
            tail = fh.read(4)
        if head != b"GRIB" or tail != b"7777":
            raise ParseError(
                "not a complete GRIB file (truncated or another format)",
                path=path,
                expected="GRIB messages from 'GRIB' to the end marker '7777'",
                got=f"starts {head!r}, ends {tail!r}",
            )
        try:
            return xr.open_dataset(
                path,
                engine="cfgrib",
                decode_timedelta=True,
                backend_kwargs={
                    "filter_by_keys": {"typeOfLevel": "isobaricInhPa", "shortName": ["u", "v", "gh", "t"]},
                    "indexpath": "",
                },
            )
        except Exception as exc:
            raise ParseError(
                f"not a readable GRIB file ({type(exc).__name__}: {exc})",
                path=path,
                expected="GRIB2 with u/v on isobaricInhPa levels (e.g. NOAA GFS pgrb2)",
            ) from None
    try:
        return xr.open_dataset(path, decode_timedelta=True)
    except Exception as exc:
        raise ParseError(
            f"not a readable NetCDF file ({type(exc).__name__}: {exc})",
            path=path,
            expected="NetCDF with u/v on pressure levels (GFS or ERA5 layout)",
        ) from None


def _normalise(ds: Any, path: Path, heights: str) -> dict[str, Any]:
    """One opened dataset → plain numpy arrays in the canonical layout."""
    u_name = _pick(_U_NAMES, ds.data_vars)
    v_name = _pick(_V_NAMES, ds.data_vars)
    if u_name is None or v_name is None:
        raise ParseError(
            "no u/v wind variables found",
            path=path,
            field="variables",
            expected=f"one of {_U_NAMES[:3]} and {_V_NAMES[:3]}",
            got=", ".join(map(str, ds.data_vars)),
        )
    u = ds[u_name]
    level = _pick(_LEVEL_NAMES, u.dims) or next((d for d in u.dims if str(d).startswith("isobaric")), None)
    lat = _pick(_LAT_NAMES, u.dims)
    lon = _pick(_LON_NAMES, u.dims)
    if level is None or lat is None or lon is None:
        raise ParseError(
            "the wind variable lacks a pressure-level, latitude or longitude dimension",
            path=path,
            field=u_name,
            expected="dims like (time, isobaric, lat, lon)",
            got=str(u.dims),
        )
    time = _pick(_TIME_NAMES, u.dims)
    if time is None and "step" in u.dims:
        time = "step"  # one GRIB run with several forecast steps: valid_time runs along step
    member = _pick(_MEMBER_NAMES, u.dims)
    extra = [d for d in u.dims if d not in (level, lat, lon, time, member)]
    if extra:
        raise ParseError("unexpected extra dimensions", path=path, field=u_name, got=str(extra))
    h_name = _pick(_HEIGHT_NAMES, ds.data_vars) if heights in ("auto", "file") else None
    if h_name is not None and level not in ds[h_name].dims:
        h_name = None
    if heights == "file" and h_name is None:
        raise ParseError("heights='file' but the file has no geopotential height", path=path)
    t_name = _pick(_TEMPERATURE_NAMES, ds.data_vars) if heights in ("auto", "hypsometric") else None
    if t_name is not None and level not in ds[t_name].dims:
        t_name = None
    if heights == "hypsometric" and t_name is None:
        raise ParseError(
            "heights='hypsometric' but the file has no temperature on its pressure levels",
            path=path, field="t", expected=f"one of {_TEMPERATURE_NAMES[:3]}",
        )  # fmt: skip

    def canon(var: Any) -> np.ndarray:
        if time is None:
            var = var.expand_dims("_time")
        if member is None:
            var = var.expand_dims("_member")
        order = [member or "_member", time or "_time", level, lat, lon]
        return np.asarray(var.transpose(*order).values, dtype=np.float32)

    level_values = np.asarray(ds[level].values, dtype=np.float64)
    units = str(ds[level].attrs.get("units", "")).strip().lower()
    scale = 1.0 if units == "pa" or (units == "" and level_values.max() > 2000.0) else 100.0
    pressure_pa = level_values * scale
    if time == "step":
        if "valid_time" not in ds.coords or ds["valid_time"].dims != ("step",):
            raise ParseError("forecast steps without a valid_time per step", path=path, field="step")
        times = np.asarray(ds["valid_time"].values, dtype="datetime64[ns]")
    elif time is not None:
        times = np.asarray(ds[time].values, dtype="datetime64[ns]")
    else:
        name = "valid_time" if "valid_time" in ds.coords else ("time" if "time" in ds.coords else None)
        if name is None:
            raise ParseError(
                "no valid time in the file", path=path, expected="a valid_time or time coordinate"
            )
        times = np.atleast_1d(np.asarray(ds[name].values, dtype="datetime64[ns]"))
    out: dict[str, Any] = {
        "u": canon(u),
        "v": canon(ds[v_name]),
        "times": times,
        "pressure_pa": pressure_pa,
        "lat": np.asarray(ds[lat].values, dtype=np.float64),
        "lon": np.asarray(ds[lon].values, dtype=np.float64),
        "model": str(ds.attrs.get("GRIB_centreDescription") or ds.attrs.get("institution") or "unknown"),
    }
    if "ECMWF" in str(ds.attrs.get("institution", "")) or "valid_time" in u.dims:
        out["model"] = "ECMWF ERA5" if "ERA5" in str(ds.attrs) or "valid_time" in u.dims else out["model"]
    if h_name is not None:
        h = canon(ds[h_name]).astype(np.float64)
        h_units = str(ds[h_name].attrs.get("units", "")).replace(" ", "")
        if h_units in ("m**2s**-2", "m2s-2", "m2/s2") or h_name in ("z", "geopotential"):
            h = h / G0_M_S2  # geopotential (m²/s²) → geopotential metres
        out["alt"] = geopotential_to_geometric(h).astype(np.float32)
        out["heights_source"] = (
            f"file geopotential height '{h_name}' converted to geometric altitude (US 1976 radius)"
        )
    elif t_name is not None:
        out["alt"] = _hypsometric_alt(canon(ds[t_name]), ds[t_name].attrs, pressure_pa)
        out["heights_source"] = (
            f"hypsometric from the file's temperature '{t_name}' (dry air; "
            + ("the file has no geopotential height; " if heights == "auto" else "requested; ")
            + "lowest level anchored at its US 1976 height), converted to geometric altitude"
        )
    else:
        out["alt"] = None
        out["heights_source"] = (
            "US Standard Atmosphere 1976 altitude of each pressure level (the file has no geopotential height)"
            if heights != "standard"
            else "US Standard Atmosphere 1976 altitude of each pressure level (requested)"
        )
    return out


def _hypsometric_alt(t: np.ndarray, attrs: Any, pressure_pa: np.ndarray) -> np.ndarray:
    """Geometric altitudes (m, float32) of the levels of ``t`` (member, time, level, lat, lon).

    Levels are integrated from the ground up; the lowest one is put at its US 1976 height (no
    surface pressure or height is read); a missing temperature takes the standard's value.
    """
    t = t.astype(np.float64)
    if str(attrs.get("units", "K")).strip() in ("C", "degC", "deg_C", "celsius", "°C"):
        t = t + 273.15
    order = np.argsort(-pressure_pa)
    p_up = pressure_pa[order]
    t_up = t[:, :, order]
    standard_alt = altitude_from_pressure(p_up)
    bad = ~np.isfinite(t_up)
    if bad.any():
        t_std = np.asarray(standard_atmosphere(standard_alt).temperature_k)[None, None, :, None, None]
        t_up = np.where(bad, t_std, t_up)
    anchor = float(geometric_to_geopotential(standard_alt[0]))
    h_up = hypsometric_heights(p_up, t_up, anchor, axis=2)
    h = np.empty_like(h_up)
    h[:, :, order] = h_up
    return geopotential_to_geometric(h).astype(np.float32)


def load_winds(
    paths: str | Path | Sequence[str | Path],
    *,
    heights: str = "auto",
    max_time_gap: Any = "12h",
) -> WindField:
    """Read one or more wind files (GRIB2 or NetCDF) into one :class:`WindField`.

    Several files are joined along time (for example GFS steps f000 and f003); they must share
    grid and levels. ``heights`` is ``"auto"`` (the file's geopotential height when present,
    else hypsometric heights from its temperature when present, else US 1976), ``"file"``
    (require geopotential), ``"hypsometric"`` (always from temperature) or ``"standard"``
    (always US 1976); :attr:`WindField.heights_source` says which was used. ``max_time_gap``
    (a duration) is the largest spacing of valid times that time interpolation will bridge.
    """
    if heights not in HEIGHT_MODES:
        raise OptionError("heights", heights, HEIGHT_MODES)
    gap = parse_duration(max_time_gap)
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise InputError("load_winds needs at least one file")
    parts = []
    for item in items:
        path = Path(item)
        if not path.is_file():
            raise NotFoundError(f"wind file not found: {path}")
        ds = _open(path)
        try:
            parts.append(_normalise(ds, path, heights))
        finally:
            ds.close()
    return _assemble(parts, [str(Path(p)) for p in items], gap)


def _assemble(parts: list[dict[str, Any]], sources: list[str], gap: timedelta) -> WindField:
    first = parts[0]
    for p, src in zip(parts[1:], sources[1:], strict=True):
        same = (
            p["u"].shape[2:] == first["u"].shape[2:]
            and np.allclose(p["pressure_pa"], first["pressure_pa"])
            and np.allclose(p["lat"], first["lat"])
            and np.allclose(p["lon"], first["lon"])
            and p["u"].shape[0] == first["u"].shape[0]
        )
        if not same:
            raise InputError(f"{src}: grid, levels or members differ from {sources[0]}; cannot join in time")
    with_h = [p["alt"] is not None for p in parts]
    if len({p["heights_source"] for p in parts}) > 1:
        raise InputError(
            "the files give level heights in different ways ("
            + "; ".join(sorted({p["heights_source"] for p in parts}))
            + "); pass heights='standard' (or 'hypsometric' when all have temperature)"
        )
    times = np.concatenate([p["times"] for p in parts])
    u = np.concatenate([p["u"] for p in parts], axis=1)
    v = np.concatenate([p["v"] for p in parts], axis=1)
    alt = np.concatenate([p["alt"] for p in parts], axis=1) if all(with_h) else None
    order = np.argsort(times, kind="stable")
    if np.any(np.diff(times[order]) == np.timedelta64(0, "ns")):
        raise InputError("the same valid time appears twice in the wind files")
    times, u, v = times[order], u[:, order], v[:, order]
    p_pa = first["pressure_pa"]
    lat, lon = first["lat"], first["lon"]
    lev_order = np.argsort(-p_pa)
    lat_order = np.argsort(lat)
    lon_order = np.argsort(lon)

    def reorder(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a[:, :, lev_order][:, :, :, lat_order][:, :, :, :, lon_order])

    u, v = reorder(u), reorder(v)
    if alt is not None:
        alt = reorder(alt[:, order])
        if alt.shape[0] > 1 and np.allclose(alt, alt[:1]):
            alt = np.ascontiguousarray(alt[:1])
    else:
        col = altitude_from_pressure(p_pa[lev_order]).astype(np.float32)
        alt = np.ascontiguousarray(
            np.broadcast_to(
                col[None, None, :, None, None], (1, times.size, *u.shape[2:][:1], lat.size, lon.size)
            )
        )
    return WindField(
        times=times,
        pressure_pa=p_pa[lev_order],
        lat_deg=lat[lat_order],
        lon_deg=lon[lon_order],
        u_m_s=u,
        v_m_s=v,
        alt_m=alt,
        heights_source=first["heights_source"],
        sources=tuple(sources),
        max_time_gap_s=gap.total_seconds(),
        model=first["model"],
    )
