"""``skywarden exposure`` and ``skywarden links``: what a track or prediction passes over, when it
enters airspace zones (with probabilities for ensembles), and what it could talk to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from ..errors import InputError, OptionError
from ..export import czml, geojson
from ..timeutil import isoformat
from ..zones.airspace import Zone, builtin_adiz, load_zones
from ..zones.entry import zone_crossings, zone_entry_probability
from ..zones.exposure import site_exposure, site_passes
from ..zones.paths import Paths, read_prediction, read_track_files
from ..zones.sites import Site, load_sites, parse_site
from ._common import console, console_err, dump_json, progress_callback

_EXPOSURE_OUTPUTS = (".json", ".geojson", ".czml")
_LINK_OUTPUTS = (".json", ".csv")


def _paths(track: list[Path] | None, prediction: Path | None, fmt: str | None, date: str | None) -> Paths:
    if bool(track) == (prediction is not None):
        raise InputError("give exactly one of --track FILE… or --prediction FILE")
    if prediction is not None:
        return read_prediction(prediction)
    assert track is not None
    return read_track_files(track, format=fmt, date=date)


def _sites(sites_file: Path | None, site: list[str] | None) -> list[Site]:
    out: list[Site] = list(load_sites(sites_file)) if sites_file is not None else []
    out.extend(parse_site(s) for s in site or [])
    return out


def _zones(zones_files: list[Path] | None, adiz: str | None) -> list[Zone]:
    out: list[Zone] = load_zones(zones_files) if zones_files else []
    if adiz:
        out.extend(builtin_adiz(adiz))
    return out


def exposure_report(
    paths: Paths, sites: list[Site], zones: list[Zone], radius_m: float, camera_half_angle_deg: float
) -> dict[str, Any]:
    """The ``--json`` document of ``skywarden exposure`` (plain data, no printing)."""
    ensemble = paths.kind == "prediction" and paths.n_members > 1
    zone_entries: list[dict[str, Any]] = []
    for z in zones:
        if ensemble:
            stats = zone_entry_probability(z, paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m)
            if stats.probability == 0.0:
                continue
            entered = [e for e in stats.entries if e is not None]
            ml = stats.most_likely
            assert ml is not None
            first = entered[
                int(np.argmin([abs(int((e.time - ml) / np.timedelta64(1, "ns"))) for e in entered]))
            ]
            zone_entries.append(
                {"zone": z.name, "zone_id": z.id, "time": stats.most_likely, "earliest": stats.earliest,
                 "latest": stats.latest, "lat": first.lat_deg, "lon": first.lon_deg, "alt_m": first.alt_m,
                 "probability": stats.probability, "n_members": stats.n_members}
            )  # fmt: skip
        else:
            for m in range(paths.n_members):
                t, lat, lon, alt = paths.member(m)
                for c in zone_crossings(z, t, lat, lon, alt):
                    if c.kind != "entry":
                        continue
                    zone_entries.append(
                        {"zone": z.name, "zone_id": z.id, "time": c.time, "lat": c.lat_deg, "lon": c.lon_deg,
                         "alt_m": c.alt_m, "probability": 1.0, "object": paths.labels[m], "at_start": c.at_start}
                    )  # fmt: skip
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
    return report


def _write_exposure(
    path: Path, report: dict[str, Any], paths: Paths, sites: list[Site], zones: list[Zone]
) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(dump_json(report))
        return
    if suffix == ".geojson":
        feats = [geojson.feature(s.geojson_geometry(), {"kind": "site", "name": s.name}) for s in sites]
        feats += [z.to_feature() for z in zones]
        for e in report["zone_entries"]:
            feats.append(
                geojson.feature(geojson.point(e["lon"], e["lat"], e["alt_m"]), {"kind": "zone_entry", **e})
            )
        for m in range(min(paths.n_members, 200)):
            t, lat, lon, alt = paths.member(m)
            feats.append(
                geojson.feature(
                    geojson.line_string(lon, lat, alt), {"kind": "path", "label": paths.labels[m]}
                )
            )
        geojson.write(path, geojson.feature_collection(feats, assumptions=report["assumptions"]))
        return
    packets: list[dict[str, Any]] = [czml.document("skywarden exposure", paths.times[0], paths.times[-1])]
    for m in range(min(paths.n_members, 200)):
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


def exposure(
    track: list[Path] | None = typer.Option(
        None, "--track", help="Track file(s): any format `skywarden track` reads."
    ),
    prediction: Path | None = typer.Option(
        None, "--prediction", help="Output of `skywarden predict` (.csv or .geojson)."
    ),
    fmt: str | None = typer.Option(None, "--format", help="Track file format (default: detect)."),
    date: str | None = typer.Option(None, "--date", help="UTC date for track files with time-of-day only."),
    sites_file: Path | None = typer.Option(None, "--sites", help="Sites (GeoJSON, CSV or TOML)."),
    site: list[str] | None = typer.Option(None, "--site", help="Inline site lat,lon[,alt_m] (repeatable)."),
    zones_files: list[Path] | None = typer.Option(None, "--zones", help="Zone file(s): GeoJSON or OpenAir."),
    adiz: str | None = typer.Option(
        None, "--adiz", help="Built-in ADIZ: us, cn, ca or zone ids (comma-separated)."
    ),
    radius_km: float = typer.Option(10.0, "--radius-km", help="Pass radius around each site, km."),
    camera_half_angle_deg: float = typer.Option(
        30.0, "--camera-half-angle", help="Onboard camera half-angle, deg."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write .json, .geojson or .czml."),
) -> None:
    """Sites passed and airspace zones entered by a track or a predicted ensemble."""
    if output is not None and output.suffix.lower() not in _EXPOSURE_OUTPUTS:
        raise OptionError("--output suffix", output.suffix, _EXPOSURE_OUTPUTS)
    if radius_km <= 0:
        raise InputError(f"--radius-km must be positive, got {radius_km}")
    paths = _paths(track, prediction, fmt, date)
    sites = _sites(sites_file, site)
    zones = _zones(zones_files, adiz)
    if not sites and not zones:
        raise InputError("nothing to test against: give --sites/--site and/or --zones/--adiz")
    report = exposure_report(paths, sites, zones, radius_km * 1000.0, camera_half_angle_deg)
    report["zones"] = [z.provenance() for z in zones]
    for z in zones:
        if z.confidence and z.confidence != "high":
            console_err.print(
                f"note: {z.name} boundary confidence {z.confidence} ({z.confidence_reason}); source: {z.source}",
                highlight=False,
            )
    if output is not None:
        _write_exposure(output, report, paths, sites, zones)
        console_err.print(f"wrote {output}")
    if json_out:
        console.print_json(dump_json(report))
        return
    table = Table(title=f"Zone entries ({paths.kind}, {paths.n_members} member(s))")
    for col in ("zone", "time (UTC)", "lat", "lon", "alt m", "probability"):
        table.add_column(col)
    for e in report["zone_entries"]:
        table.add_row(
            e["zone"],
            isoformat(e["time"]),
            f"{e['lat']:.3f}",
            f"{e['lon']:.3f}",
            f"{e['alt_m']:.0f}",
            f"{e['probability']:.0%}",
        )
    console.print(table)
    if report.get("site_exposure"):
        t2 = Table(title=f"Sites within {radius_km:g} km (ensemble)")
        for col in ("site", "probability", "earliest", "latest", "min distance km"):
            t2.add_column(col)
        for e in report["site_exposure"]:
            t2.add_row(
                e["site"],
                f"{e['probability']:.0%}",
                isoformat(e["earliest"]),
                isoformat(e["latest"]),
                f"{e['min_distance_m'] / 1000:.1f}",
            )
        console.print(t2)
    else:
        t2 = Table(title=f"Sites within {radius_km:g} km")
        for col in ("site", "object", "closest (UTC)", "distance km", "alt m", "inside", "camera sees"):
            t2.add_column(col)
        for p in report["site_passes"]:
            t2.add_row(p["site"], p["object"], isoformat(p["closest_time"]), f"{p['distance_m'] / 1000:.2f}",
                       f"{p['alt_m']:.0f}", f"{p['duration_s'] / 60:.1f} min", "yes" if p["camera_can_see"] else "no")  # fmt: skip
        console.print(t2)


def links(
    track: list[Path] | None = typer.Option(
        None, "--track", help="Track file(s): any format `skywarden track` reads."
    ),
    prediction: Path | None = typer.Option(
        None,
        "--prediction",
        help="Output of `skywarden predict`: windows along its mean path; with --ground, each station's chance over all members.",
    ),
    catalog_file: list[Path] | None = typer.Option(
        None, "--catalog", help="Satellite catalog(s) (TLE/3LE/OMM)."
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="Only satellites whose UCS purpose contains this (needs --ucs)."
    ),
    ucs: Path | None = typer.Option(None, "--ucs", help="UCS Satellite Database CSV for --purpose."),
    ground: Path | None = typer.Option(
        None, "--ground", help="Ground stations (sites file: GeoJSON, CSV or TOML)."
    ),
    fmt: str | None = typer.Option(None, "--format", help="Track file format (default: detect)."),
    date: str | None = typer.Option(None, "--date", help="UTC date for track files with time-of-day only."),
    min_elevation: float = typer.Option(
        10.0, "--min-elevation", help="Satellite elevation mask seen from the object, deg."
    ),
    ground_min_elevation: float = typer.Option(
        0.0, "--ground-min-elevation", help="Station elevation mask, deg."
    ),
    max_range_km: float | None = typer.Option(None, "--max-range-km", help="Longest usable link, km."),
    json_out: bool = typer.Option(False, "--json", help="Print the windows as JSON."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write .json or .csv."),
) -> None:
    """Line-of-sight windows between an air object and satellites or ground stations."""
    from ..space.catalog import load_catalog
    from ..zones.links import (
        ground_link_probability,
        ground_link_windows,
        satellite_link_probability,
        satellite_link_windows,
    )

    if output is not None and output.suffix.lower() not in _LINK_OUTPUTS:
        raise OptionError("--output suffix", output.suffix, _LINK_OUTPUTS)
    if not catalog_file and ground is None:
        raise InputError("give --catalog (satellites) and/or --ground (stations)")
    paths = _paths(track, prediction, fmt, date)
    notes: dict[str, Any] = {"min_elevation_deg": min_elevation, "refraction": "none (geometric)"}
    ensemble = paths.n_members > 1 and paths.kind == "prediction"
    if ensemble:
        lat = np.nanmean(paths.lat_deg, axis=0)
        lon = np.rad2deg(
            np.arctan2(
                np.nanmean(np.sin(np.deg2rad(paths.lon_deg)), 0),
                np.nanmean(np.cos(np.deg2rad(paths.lon_deg)), 0),
            )
        )
        alt = np.nanmean(paths.alt_m, axis=0)
        tracks = [("mean path", paths.times, lat, lon, alt)]
        notes["path"] = f"mean of {paths.n_members} ensemble members"
    else:
        tracks = [(paths.labels[m], *paths.member(m)) for m in range(paths.n_members)]
    windows: list[dict[str, Any]] = []
    sats: Any = []
    if catalog_file:
        sats = load_catalog(catalog_file)
        if purpose:
            if ucs is None:
                raise InputError(
                    "--purpose needs --ucs FILE (the UCS Satellite Database CSV; it is not shipped)"
                )
            from ..space.metadata import join_metadata, load_ucs

            meta = join_metadata(sats, load_ucs(ucs))
            keep = meta["purpose"].fillna("").astype(str).str.contains(purpose, case=False).to_numpy()
            sats = sats.select(ids=[int(i) for i in np.asarray(sats.norad_ids)[keep]])
            notes["purpose"] = f"{purpose!r}: {len(sats)} satellites in the UCS database (1 May 2023)"
        notes["satellites"] = len(sats)
    stations = load_sites(ground) if ground is not None else []
    for label, t, lat, lon, alt in tracks:
        if len(sats):
            with progress_callback(f"link windows ({label})") as cb:
                found = satellite_link_windows(
                    t,
                    lat,
                    lon,
                    alt,
                    sats,
                    min_elevation_deg=min_elevation,
                    max_range_km=max_range_km,
                    progress=cb,
                )
            if ensemble:
                probs = satellite_link_probability(
                    found, sats, paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m,
                    min_elevation_deg=min_elevation, max_range_km=max_range_km,
                )  # fmt: skip
                windows += [
                    {**w.to_dict(), "object": label, "probability": None if p != p else float(p)}
                    for w, p in zip(found, probs, strict=True)
                ]
                notes["probability"] = (
                    "satellite windows: fraction of members with line of sight at the best time"
                )
            else:
                windows += [{**w.to_dict(), "object": label} for w in found]
        if stations:
            found_g = ground_link_windows(
                t, lat, lon, alt, stations, min_elevation_deg=ground_min_elevation, max_range_km=max_range_km
            )
            windows += [{**w.to_dict(), "object": label} for w in found_g]
    windows.sort(key=lambda w: (w["start"], w["target"]))
    report: dict[str, Any] = {"windows": windows, "assumptions": notes}
    chances = []
    if stations and ensemble:
        chances = ground_link_probability(
            paths.times, paths.lat_deg, paths.lon_deg, paths.alt_m, stations,
            min_elevation_deg=ground_min_elevation, max_range_km=max_range_km,
        )  # fmt: skip
        report["ground_link_probability"] = [c.to_dict() for c in chances]
        notes["ground_link_probability"] = (
            f"per station, over all {paths.n_members} members (not the mean path)"
        )
    if output is not None:
        if output.suffix.lower() == ".json":
            output.write_text(dump_json(report))
        else:
            import pandas as pd

            pd.DataFrame(json.loads(dump_json(windows))).to_csv(output, index=False)
        console_err.print(f"wrote {len(windows)} window(s) to {output}")
    if json_out:
        console.print_json(dump_json(report))
        return
    table = Table(title=f"{len(windows)} line-of-sight window(s)")
    with_p = any("probability" in w for w in windows)
    cols = ["object", "kind", "target", "name", "start (UTC)", "end (UTC)", "max el °", "min range km"]
    for col in cols + (["P(members)"] if with_p else []):
        table.add_column(col)
    for w in windows:
        cells = [w["object"], w["kind"], w["target"], w["name"], isoformat(w["start"]), isoformat(w["end"]),
                 f"{w['max_elevation_deg']:.1f}", f"{w['min_range_km']:.0f}"]  # fmt: skip
        if with_p:
            p = w.get("probability")
            cells.append("—" if p is None else f"{p:.0%}")
        table.add_row(*cells)
    console.print(table)
    if chances:
        chance_table = Table(title="Ground stations: chance of line of sight over the ensemble")
        for col in ("station", "probability", "earliest (UTC)", "median first (UTC)"):
            chance_table.add_column(col)
        for c in chances:
            chance_table.add_row(
                c.station, f"{c.probability:.0%}",
                isoformat(c.earliest) if c.earliest is not None else "—",
                isoformat(c.median_first) if c.median_first is not None else "—",
            )  # fmt: skip
        console.print(chance_table)


def register(app: typer.Typer) -> None:
    """Add ``exposure`` and ``links``."""
    app.command("exposure")(exposure)
    app.command("links")(links)
