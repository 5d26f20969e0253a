"""Exposure and link reports: what a track or predicted ensemble passes over, which airspace zones
it enters (with probabilities for ensembles), and what it could talk to — the documents
``skywarden exposure --json`` and ``skywarden links --json`` print, and their map writers.

Exposure: for an ensemble (a prediction with several members) each zone's entry probability,
most likely / earliest / latest entry (:func:`~skywarden.zones.entry.zone_entry_probability`)
and each site's exposure probability (:func:`~skywarden.zones.exposure.site_exposure`); for
tracks, every zone entry (:func:`~skywarden.zones.entry.zone_crossings`) and every site pass
(:func:`~skywarden.zones.exposure.site_passes`) of each object.

Links: windows along each track or, for an ensemble, along its mean path
(:func:`skywarden.geo.mean_position`, the same ECEF mean as the flight statistics), with each
satellite window's fraction of members in line of sight and each station's chance over all
members.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OptionError
from ..export import czml, geojson
from ..export.jsonable import json_text
from ..geo import mean_position
from ..sites import Site
from .airspace import Zone
from .entry import zone_crossings, zone_entry_probability
from .exposure import site_exposure, site_passes
from .links import (
    ground_link_probability,
    ground_link_windows,
    satellite_link_probability,
    satellite_link_windows,
)
from .paths import Paths

__all__ = [
    "EXPOSURE_SUFFIXES",
    "LINK_SUFFIXES",
    "MAX_DRAWN_PATHS",
    "exposure_report",
    "link_report",
    "write_exposure",
    "write_links",
]

EXPOSURE_SUFFIXES = (".json", ".geojson", ".czml")
LINK_SUFFIXES = (".json", ".csv")
MAX_DRAWN_PATHS = 200
"""Most member paths drawn in the exposure map files (GeoJSON / CZML)."""


def _is_ensemble(paths: Paths) -> bool:
    return paths.kind == "prediction" and paths.n_members > 1


def _ensemble_entries(z: Zone, paths: Paths) -> list[dict[str, Any]]:
    stats = zone_entry_probability(z, paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m)
    if stats.probability == 0.0:
        return []
    entered = [e for e in stats.entries if e is not None]
    ml = stats.most_likely
    assert ml is not None
    first = entered[int(np.argmin([abs(int((e.time - ml) / np.timedelta64(1, "ns"))) for e in entered]))]
    return [
        {"zone": z.name, "zone_id": z.id, "time": stats.most_likely, "earliest": stats.earliest,
         "latest": stats.latest, "lat": first.lat_deg, "lon": first.lon_deg, "alt_m": first.alt_m,
         "probability": stats.probability, "n_members": stats.n_members}
    ]  # fmt: skip


def _track_entries(z: Zone, paths: Paths) -> list[dict[str, Any]]:
    out = []
    for m in range(paths.n_members):
        t, lat, lon, alt = paths.member(m)
        for c in zone_crossings(z, t, lat, lon, alt):
            if c.kind == "entry":
                out.append(
                    {"zone": z.name, "zone_id": z.id, "time": c.time, "lat": c.lat_deg, "lon": c.lon_deg,
                     "alt_m": c.alt_m, "probability": 1.0, "object": paths.labels[m], "at_start": c.at_start}
                )  # fmt: skip
    return out


def exposure_report(
    paths: Paths, sites: Sequence[Site], zones: Sequence[Zone], radius_m: float, camera_half_angle_deg: float
) -> dict[str, Any]:
    """The ``skywarden exposure --json`` document (plain data, no printing).

    Keys: ``kind``, ``members``, ``start``, ``end``, ``radius_m``, ``zone_entries`` (sorted by
    time then zone), ``site_exposure`` (ensembles) and ``site_passes`` (tracks), ``assumptions``
    and ``zones`` (each zone's provenance: source and boundary confidence).
    """
    ensemble = _is_ensemble(paths)
    zone_entries: list[dict[str, Any]] = []
    for z in zones:
        zone_entries += _ensemble_entries(z, paths) if ensemble else _track_entries(z, paths)
    zone_entries.sort(key=lambda e: (e["time"], e["zone"]))
    report: dict[str, Any] = {
        "kind": paths.kind,
        "members": paths.n_members,
        "start": paths.times[0],
        "end": paths.times[-1],
        "radius_m": radius_m,
        "zone_entries": zone_entries,
    }
    if ensemble:
        report["site_exposure"] = [
            e.to_dict()
            for e in site_exposure(
                sites, paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m,
                radius_m=radius_m, camera_half_angle_deg=camera_half_angle_deg,
            )
        ]  # fmt: skip
        report["site_passes"] = []
    else:
        passes = []
        for m in range(paths.n_members):
            t, lat, lon, alt = paths.member(m)
            for p in site_passes(
                sites, t, lat, lon, alt, radius_m=radius_m, camera_half_angle_deg=camera_half_angle_deg
            ):
                d = p.to_dict()
                d["member"] = None
                d["object"] = paths.labels[m]
                passes.append(d)
        report["site_passes"] = passes
    report["assumptions"] = {
        "paths": paths.kind,
        "camera_half_angle_deg": camera_half_angle_deg,
        "between_samples": "linear in time, latitude, longitude and altitude",
        "zones": [z.id for z in zones],
        **({"prediction": paths.assumptions} if paths.assumptions else {}),
    }
    report["zones"] = [z.provenance() for z in zones]
    return report


def write_exposure(
    path: str | Path, report: dict[str, Any], paths: Paths, sites: Sequence[Site], zones: Sequence[Zone]
) -> Path:
    """Write an :func:`exposure_report` to ``.json``, ``.geojson`` (sites, zones, entry points,
    member paths) or ``.czml`` (member paths, sites, zone volumes); at most
    :data:`MAX_DRAWN_PATHS` member paths are drawn."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPOSURE_SUFFIXES:
        raise OptionError("--output suffix", path.suffix, EXPOSURE_SUFFIXES)
    if suffix == ".json":
        path.write_text(json_text(report))
        return path
    if suffix == ".geojson":
        feats = [geojson.feature(s.geojson_geometry(), {"kind": "site", "name": s.name}) for s in sites]
        feats += [z.to_feature() for z in zones]
        for e in report["zone_entries"]:
            feats.append(
                geojson.feature(geojson.point(e["lon"], e["lat"], e["alt_m"]), {"kind": "zone_entry", **e})
            )
        for m in range(min(paths.n_members, MAX_DRAWN_PATHS)):
            t, lat, lon, alt = paths.member(m)
            feats.append(
                geojson.feature(
                    geojson.line_string(lon, lat, alt), {"kind": "path", "label": paths.labels[m]}
                )
            )
        geojson.write(path, geojson.feature_collection(feats, assumptions=report["assumptions"]))
        return path
    packets: list[dict[str, Any]] = [czml.document("skywarden exposure", paths.times[0], paths.times[-1])]
    for m in range(min(paths.n_members, MAX_DRAWN_PATHS)):
        t, lat, lon, alt = paths.member(m)
        packets.append(czml.path_packet(f"path-{m}", paths.labels[m], t, lat, lon, alt))
    for k, s in enumerate(sites):
        packets.append(czml.point_packet(f"site-{k}", s.name, s.lat_deg, s.lon_deg, s.alt_m))
    for k, z in enumerate(zones):
        for j, poly in enumerate(z.geometry.geoms):
            ceiling = None if not np.isfinite(z.ceiling_m) else z.ceiling_m
            packets.append(
                czml.polygon_packet(
                    f"zone-{k}-{j}", z.name, list(poly.exterior.coords), floor_m=z.floor_m, ceiling_m=ceiling
                )
            )
    czml.write(path, packets)
    return path


def link_report(
    paths: Paths,
    satellites: Any = None,
    stations: Sequence[Site] = (),
    *,
    min_elevation_deg: float = 10.0,
    ground_min_elevation_deg: float = 0.0,
    max_range_km: float | None = None,
    notes: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The ``skywarden links --json`` document: ``{"windows": [...], "assumptions": {...}}`` and,
    for an ensemble with stations, ``ground_link_probability``.

    ``satellites`` is a catalog (or None), ``stations`` ground sites. An ensemble is searched
    along its ECEF mean path (:func:`skywarden.geo.mean_position`); its satellite windows carry
    ``probability`` (fraction of members in line of sight at the best time). ``notes`` adds
    entries to ``assumptions`` (e.g. the UCS purpose filter). ``progress(done, total)`` is called
    by each path's satellite search.
    """
    assumptions: dict[str, Any] = {"min_elevation_deg": min_elevation_deg, "refraction": "none (geometric)"}
    ensemble = _is_ensemble(paths)
    if ensemble:
        lat, lon, alt = mean_position(paths.lat_deg, paths.lon_deg, paths.alt_m, axis=0)
        tracks = [("mean path", paths.times, lat, lon, alt)]
        assumptions["path"] = f"mean of {paths.n_members} ensemble members"
    else:
        tracks = [(paths.labels[m], *paths.member(m)) for m in range(paths.n_members)]
    assumptions.update(notes or {})
    n_sats = 0 if satellites is None else len(satellites)
    if satellites is not None:
        assumptions["satellites"] = n_sats
    windows: list[dict[str, Any]] = []
    for label, t, lat, lon, alt in tracks:
        if n_sats:
            found = satellite_link_windows(
                t, lat, lon, alt, satellites, min_elevation_deg=min_elevation_deg, max_range_km=max_range_km,
                progress=progress,
            )  # fmt: skip
            if ensemble:
                probs = satellite_link_probability(
                    found, satellites, paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m,
                    min_elevation_deg=min_elevation_deg, max_range_km=max_range_km,
                )  # fmt: skip
                windows += [
                    {**w.to_dict(), "object": label, "probability": None if p != p else float(p)}
                    for w, p in zip(found, probs, strict=True)
                ]
                assumptions["probability"] = (
                    "satellite windows: fraction of members with line of sight at the best time"
                )
            else:
                windows += [{**w.to_dict(), "object": label} for w in found]
        if stations:
            found_g = ground_link_windows(
                t,
                lat,
                lon,
                alt,
                stations,
                min_elevation_deg=ground_min_elevation_deg,
                max_range_km=max_range_km,
            )
            windows += [{**w.to_dict(), "object": label} for w in found_g]
    windows.sort(key=lambda w: (w["start"], w["target"]))
    report: dict[str, Any] = {"windows": windows, "assumptions": assumptions}
    if stations and ensemble:
        chances = ground_link_probability(
            paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m, stations,
            min_elevation_deg=ground_min_elevation_deg, max_range_km=max_range_km,
        )  # fmt: skip
        report["ground_link_probability"] = [c.to_dict() for c in chances]
        assumptions["ground_link_probability"] = (
            f"per station, over all {paths.n_members} members (not the mean path)"
        )
    return report


def write_links(path: str | Path, report: dict[str, Any]) -> Path:
    """Write a :func:`link_report` to ``.json`` (the whole document) or ``.csv`` (one row per window)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in LINK_SUFFIXES:
        raise OptionError("--output suffix", path.suffix, LINK_SUFFIXES)
    if suffix == ".json":
        path.write_text(json_text(report))
    else:
        import pandas as pd

        pd.DataFrame(json.loads(json_text(report["windows"]))).to_csv(path, index=False)
    return path
