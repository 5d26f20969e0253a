"""``skywarden maneuvers`` (is this balloon steered?) and ``skywarden reach`` (where can it go?)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..errors import InputError, OptionError
from ..timeutil import isoformat
from ._common import console, console_err, dump_json, progress_callback
from ._dask import DASK_OPTION, dask_client
from ._options import HEIGHTS_HELP, check_latlon, floats, parse_fix, read_latest_track, wind_paths

__all__ = ["register"]

_REGION_OUTPUTS = (".geojson", ".json", ".czml")


def _band(text: str) -> tuple[float, float]:
    parts = text.replace(",", ":").split(":")
    lo, hi = floats(",".join(parts), "--alt-band", 2, 2, "MIN_M:MAX_M, e.g. 15000:21000")
    return lo, hi


def register(app: typer.Typer) -> None:
    @app.command("maneuvers")
    def maneuvers_cmd(
        track: Path = typer.Option(
            ..., "--track", help="Position-report file of the balloon (any track format)."
        ),
        winds: list[str] = typer.Option(
            ..., "--winds", help="Wind file(s): GRIB2/NetCDF; repeat or comma-separate."
        ),
        heights: str = typer.Option("auto", "--heights", help=HEIGHTS_HELP),
        wind_sigma: float | None = typer.Option(
            None, "--wind-sigma", help="Wind error 1σ per component, m/s (default: ensemble spread, else 3)."
        ),
        threshold: float = typer.Option(3.0, "--threshold", help="Score (σ) above which motion is flagged."),
        date: str | None = typer.Option(None, "--date", help="UTC date for time-of-day-only track files."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Flag where a balloon's motion is beyond passive drift: altitude changes, drift off the wind."""
        from ..flight.maneuvers import detect_maneuvers
        from ..weather.winds import load_winds

        trk = read_latest_track(track, date)
        field = load_winds(wind_paths(winds), heights=heights)
        with progress_callback("comparing with the wind") as cb:
            res = detect_maneuvers(trk, field, wind_sigma_m_s=wind_sigma, threshold=threshold, progress=cb)
        out = res.to_dict()
        out["track"] = trk.id
        if as_json:
            typer.echo(dump_json(out))
            return
        verdict = "[bold red]steered[/]" if res.steered else "[green]consistent with passive drift[/]"
        console.print(f"track {trk.id}: {verdict}  ({len(res.maneuvers)} interval(s))")
        if res.maneuvers:
            table = Table("kind", "start (UTC)", "end (UTC)", "score σ", "reason")
            for m in res.maneuvers:
                table.add_row(m.kind, isoformat(m.start), isoformat(m.end), f"{m.score:.1f}", m.reason)
            console.print(table)
        console.print(f"wind σ: {res.assumptions['wind_sigma']}; wind time: {res.assumptions['wind_time']}")

    @app.command("reach")
    def reach_cmd(
        winds: list[str] = typer.Option(
            ..., "--winds", help="Wind file(s): GRIB2/NetCDF; repeat or comma-separate."
        ),
        heights: str = typer.Option("auto", "--heights", help=HEIGHTS_HELP),
        hours: float = typer.Option(..., "--hours", help="Horizon, hours."),
        fix: str | None = typer.Option(
            None, "--fix", help="Start LAT,LON,ALT_M,TIME (e.g. 40,-100,18000,2011-01-15T12Z)."
        ),
        track: Path | None = typer.Option(
            None, "--track", help="Start from the last fix of this track file."
        ),
        date: str | None = typer.Option(None, "--date", help="UTC date for time-of-day-only track files."),
        alt_band: str = typer.Option("15000:21000", "--alt-band", help="Altitude band MIN:MAX, m."),
        max_rate: float = typer.Option(1.0, "--max-rate", help="Largest climb and descent rate, m/s."),
        levels: int = typer.Option(10, "--levels", help="Altitude levels across the band."),
        max_maneuvers: int | None = typer.Option(
            None, "--max-maneuvers", help="Largest number of maneuvers."
        ),
        budget_m: float | None = typer.Option(
            None, "--budget-m", help="Total altitude change allowed (ballast/vent), m."
        ),
        site: str | None = typer.Option(
            None, "--site", help="Site LAT,LON: earliest arrival and its schedule."
        ),
        radius_km: float = typer.Option(25.0, "--radius-km", help="Radius counted as over the site, km."),
        resolution_km: float = typer.Option(50.0, "--resolution-km", help="Search grid bin size, km."),
        step_min: float | None = typer.Option(
            None, "--step-min", help="Decision step, minutes (default: level spacing / max rate)."
        ),
        members: int = typer.Option(1, "--members", help="Perturbed wind members (with --wind-sigma)."),
        wind_sigma: float = typer.Option(
            0.0, "--wind-sigma", help="Wind perturbation 1σ per component, m/s."
        ),
        every_hours: float = typer.Option(
            6.0, "--every-hours", help="Region snapshot spacing in outputs, hours."
        ),
        output: Path | None = typer.Option(
            None, "-o", "--output", help="Write regions (.geojson/.json/.czml)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable summary."),
        dask: str | None = DASK_OPTION,
    ) -> None:
        """Where an altitude-controlled balloon can be within H hours (and when it can be over a site)."""
        from ..flight.reach import SteeringLimits, earliest_arrival, reachable_region
        from ..scale import run_whole
        from ..weather.winds import load_winds

        if (fix is None) == (track is None):
            raise InputError("give exactly one of --fix LAT,LON,ALT,TIME or --track FILE")
        if output is not None and output.suffix.lower() not in _REGION_OUTPUTS:
            raise OptionError("--output suffix", output.suffix, _REGION_OUTPUTS)
        if fix is not None:
            lat, lon, alt, when = parse_fix(fix)
        else:
            assert track is not None
            last = read_latest_track(track, date).last_fix()
            lat, lon, alt, when = last.lat_deg, last.lon_deg, last.alt_m, last.time
        lo, hi = _band(alt_band)
        limits = SteeringLimits(
            alt_min_m=lo, alt_max_m=hi, n_levels=levels, max_climb_m_s=max_rate, max_descent_m_s=max_rate,
            max_maneuvers=max_maneuvers, max_total_change_m=budget_m,
        )  # fmt: skip
        site_ll = None
        if site is not None:
            s_lat, s_lon = floats(site, "--site", 2, 2, "LAT,LON e.g. 38.9,-77.0")
            check_latlon(s_lat, s_lon, "--site")
            site_ll = (s_lat, s_lon)
        field = load_winds(wind_paths(winds), heights=heights)
        with progress_callback("searching altitude schedules") as cb, dask_client(dask) as client:
            res = run_whole(reachable_region, {
                "winds": field, "lat_deg": lat, "lon_deg": lon, "alt_m": alt, "time": when, "hours": hours,
                "limits": limits, "step_s": None if step_min is None else step_min * 60.0,
                "resolution_km": resolution_km, "members": members, "wind_sigma_m_s": wind_sigma,
            }, client, cb)  # fmt: skip
        summary: dict[str, Any] = res.summary()
        if site_ll is not None:
            summary["site"] = earliest_arrival(res, site_ll[0], site_ll[1], radius_km).to_dict()
        if output is not None:
            _write(output, res, every_hours, summary.get("site"))
        if as_json:
            summary["assumptions"] = res.assumptions
            typer.echo(dump_json(summary))
            return
        console.print(
            f"reachable within {hours:g} h of {isoformat(when)}: {summary['area_km2']:,.0f} km² "
            f"({res.n_members} member(s), band {lo:g}–{hi:g} m, ±{max_rate:g} m/s)"
        )
        if "site" in summary:
            s = summary["site"]
            if s["reachable"]:
                console.print(f"earliest over the site (≤ {radius_km:g} km): {isoformat(s['earliest_time'])}")
                for m in s["schedule"]:
                    console.print(
                        f"  {isoformat(m['start'])} → {isoformat(m['end'])}: "
                        f"{m['from_alt_m']:.0f} m → {m['to_alt_m']:.0f} m"
                    )
            else:
                console.print("the site cannot be reached within the horizon (nominal wind)")
            if res.n_members > 1:
                console.print(f"fraction of wind members that can reach it: {s['probability']:.2f}")
            console.print(
                "passive drift alone: "
                + (f"also arrives, at {isoformat(s['passive_time'])}" if s["passive_arrives"]
                   else f"does not (closest {s['passive_min_distance_km']:.0f} km)")
            )  # fmt: skip
        console.print(f"wind time: {res.assumptions['wind_time']}")
        if output is not None:
            console_err.print(f"wrote {output}")


def _write(path: Path, res: Any, every_hours: float, site: dict[str, Any] | None) -> None:
    if path.suffix.lower() == ".czml":
        from ..export import czml

        czml.write(path, res.to_czml(every_hours=every_hours))
        return
    from ..export import geojson

    fc = res.to_geojson(every_hours=every_hours)
    if site is not None:
        from ..export.jsonable import to_jsonable

        fc["site"] = to_jsonable(site)
    geojson.write(path, fc)
