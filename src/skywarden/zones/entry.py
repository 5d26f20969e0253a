"""When does a track enter or leave an airspace zone, and with what probability (ensembles)?

A track is sampled positions ``(times, lat_deg, lon_deg, alt_m)``; between samples it is taken as
linear in time, latitude, continuous longitude and altitude (the same model as the predictor's
output at its step). Boundary crossings are located by vectorised bisection on that segment to
``tolerance_s`` (default one second), and checked against the polygon *and* the zone's altitude
band, so a balloon floating above a zone's ceiling does not "enter" it.

Antimeridian: longitudes are unwrapped along the track before interpolation and wrapped again
for the test, and zones are stored split at ±180 (see :mod:`skywarden.zones.airspace`), so a
track over the Aleutians crossing 180° is handled like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..geo import unwrap_lon_deg, wrap_lon_deg
from .airspace import Zone

__all__ = ["ZoneCrossing", "ZoneEntryStats", "zone_crossings", "zone_entry_probability"]


@dataclass(frozen=True)
class ZoneCrossing:
    """One boundary crossing. ``kind`` is ``entry`` or ``exit``; ``at_start`` marks a track that
    is already inside at its first sample (reported as an entry at that time)."""

    zone_id: str
    zone_name: str
    kind: str
    time: np.datetime64
    lat_deg: float
    lon_deg: float
    alt_m: float
    member: int | None = None
    at_start: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone_name,
            "zone_id": self.zone_id,
            "kind": self.kind,
            "time": self.time,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
            "alt_m": self.alt_m,
            "member": self.member,
            "at_start": self.at_start,
        }


def _segment_points(
    frac: np.ndarray, t0: np.ndarray, t1: np.ndarray, a0: np.ndarray, a1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    t = t0 + frac * (t1 - t0)
    pos = a0 + frac[:, None] * (a1 - a0)
    return t, pos


def zone_crossings(
    zone: Zone,
    times: Any,
    lat_deg: Any,
    lon_deg: Any,
    alt_m: Any,
    *,
    tolerance_s: float = 1.0,
    member: int | None = None,
) -> list[ZoneCrossing]:
    """Entries and exits of one track into ``zone``, in time order.

    ``times`` datetime64 (UTC); positions in degrees and metres. NaN samples (e.g. after a
    predicted landing) end the track there.
    """
    t = np.asarray(times).astype("datetime64[ns]").astype(np.int64).astype(np.float64) * 1e-9
    lat = np.asarray(lat_deg, dtype=np.float64)
    alt = np.asarray(alt_m, dtype=np.float64)
    valid = np.isfinite(lat) & np.isfinite(np.asarray(lon_deg, dtype=np.float64)) & np.isfinite(alt)
    if not valid.any():
        return []
    last = int(np.flatnonzero(valid)[-1]) + 1
    first = int(np.flatnonzero(valid)[0])
    t, lat, alt = t[first:last], lat[first:last], alt[first:last]
    lon = unwrap_lon_deg(np.asarray(lon_deg, dtype=np.float64)[first:last])
    inside = zone.contains(lat, lon, alt)
    out: list[ZoneCrossing] = []
    if inside[0]:
        out.append(_crossing(zone, "entry", t[0], lat[0], lon[0], alt[0], member, at_start=True))
    change = np.flatnonzero(inside[1:] != inside[:-1])
    if change.size:
        t0, t1 = t[change], t[change + 1]
        a0 = np.column_stack([lat[change], lon[change], alt[change]])
        a1 = np.column_stack([lat[change + 1], lon[change + 1], alt[change + 1]])
        state0 = inside[change]
        lo = np.zeros(change.size)
        hi = np.ones(change.size)
        max_dt = float(np.max(t1 - t0))
        iterations = int(np.ceil(np.log2(max(max_dt / max(tolerance_s, 1e-6), 1.0)))) + 1
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            _, pos = _segment_points(mid, t0, t1, a0, a1)
            same = zone.contains(pos[:, 0], pos[:, 1], pos[:, 2]) == state0
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        frac = 0.5 * (lo + hi)
        tc, pos = _segment_points(frac, t0, t1, a0, a1)
        for k in range(change.size):
            kind = "exit" if state0[k] else "entry"
            out.append(_crossing(zone, kind, tc[k], pos[k, 0], pos[k, 1], pos[k, 2], member))
    return out


def _crossing(
    zone: Zone,
    kind: str,
    t_s: float,
    lat: float,
    lon: float,
    alt: float,
    member: int | None,
    at_start: bool = False,
) -> ZoneCrossing:
    return ZoneCrossing(
        zone_id=zone.id,
        zone_name=zone.name,
        kind=kind,
        time=np.datetime64(round(float(t_s) * 1e9), "ns"),
        lat_deg=float(lat),
        lon_deg=float(wrap_lon_deg(lon)),
        alt_m=float(alt),
        member=member,
        at_start=at_start,
    )


@dataclass(frozen=True)
class ZoneEntryStats:
    """Ensemble answer to "when does it enter the zone, and with what chance?".

    ``probability`` is the fraction of members that enter (or start inside); ``earliest`` the
    earliest member entry; ``most_likely`` the median entry time of the members that enter;
    ``entries`` each member's first entry (None for members that never enter).
    """

    zone_id: str
    zone_name: str
    probability: float
    n_members: int
    earliest: np.datetime64 | None
    most_likely: np.datetime64 | None
    latest: np.datetime64 | None
    entries: list[ZoneCrossing | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone_name,
            "zone_id": self.zone_id,
            "probability": self.probability,
            "n_members": self.n_members,
            "earliest": self.earliest,
            "most_likely": self.most_likely,
            "latest": self.latest,
        }


def zone_entry_probability(
    zone: Zone, times: Any, lat_deg: Any, lon_deg: Any, alt_m: Any, *, tolerance_s: float = 1.0
) -> ZoneEntryStats:
    """Entry statistics over ensemble members: positions shaped ``(n_members, n_times)``.

    Members are equally weighted. Members whose whole track misses the zone's bounding box are
    skipped without a polygon test (the common case for a far zone).
    """
    lat = np.atleast_2d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_2d(np.asarray(lon_deg, dtype=np.float64))
    alt = np.atleast_2d(np.asarray(alt_m, dtype=np.float64))
    n = lat.shape[0]
    min_lon, min_lat, max_lon, max_lat = zone.bounds
    wrapped = (lon + 180.0) % 360.0 - 180.0
    near = (
        (np.nanmax(lat, axis=1) >= min_lat)
        & (np.nanmin(lat, axis=1) <= max_lat)
        & (np.nanmax(wrapped, axis=1) >= min_lon)
        & (np.nanmin(wrapped, axis=1) <= max_lon)
        & (np.nanmax(alt, axis=1) >= zone.floor_m)
        & (np.nanmin(alt, axis=1) <= zone.ceiling_m)
    )
    entries: list[ZoneCrossing | None] = [None] * n
    for m in np.flatnonzero(near):
        crossings = zone_crossings(
            zone, times, lat[m], lon[m], alt[m], tolerance_s=tolerance_s, member=int(m)
        )
        entries[m] = next((c for c in crossings if c.kind == "entry"), None)
    entered = [e for e in entries if e is not None]
    if not entered:
        return ZoneEntryStats(zone.id, zone.name, 0.0, n, None, None, None, entries)
    ns = np.sort(np.array([e.time.astype("datetime64[ns]").astype(np.int64) for e in entered]))
    median = int(np.median(ns))
    return ZoneEntryStats(
        zone_id=zone.id,
        zone_name=zone.name,
        probability=len(entered) / n,
        n_members=n,
        earliest=np.datetime64(int(ns[0]), "ns"),
        most_likely=np.datetime64(median, "ns"),
        latest=np.datetime64(int(ns[-1]), "ns"),
        entries=entries,
    )
