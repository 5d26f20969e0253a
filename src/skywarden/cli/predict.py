"""``skywarden predict`` and ``skywarden backtrack``: balloon trajectories from wind files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..errors import InputError
from ..timeutil import isoformat, parse_duration, parse_time
from ._common import console, console_err, dump_json, progress_callback
from ._dask import DASK_OPTION, dask_client
from ._options import HEIGHTS_HELP, check_latlon, floats, parse_fix, read_latest_track, wind_paths

__all__ = ["parse_fix", "register"]


def _zone(path: Path | None) -> Any:
    if path is None:
        return None
    from shapely.geometry import shape

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"--zone {path}: not a readable GeoJSON file ({exc})") from None
    geom = data
    if data.get("type") == "FeatureCollection":
        geom = data["features"][0]["geometry"]
    elif data.get("type") == "Feature":
        geom = data["geometry"]
    return shape(geom)


def register(app: typer.Typer) -> None:
    @app.command("predict")
    def predict_cmd(
        winds: list[str] = typer.Option(
            ..., "--winds", help="Wind file(s): GRIB2/NetCDF; repeat or comma-separate."
        ),
        heights: str = typer.Option("auto", "--heights", help=HEIGHTS_HELP),
        launch: str | None = typer.Option(
            None, "--launch", help="LAT,LON[,ALT_M] of the launch (or start) point."
        ),
        time: str | None = typer.Option(None, "--time", help="Launch time, ISO 8601 UTC."),
        track: Path | None = typer.Option(
            None, "--track", help="Position-report file: predict from its last fix."
        ),
        track_date: str | None = typer.Option(
            None, "--track-date", help="UTC date for time-only report files."
        ),
        profile: str = typer.Option(
            "burst", "--profile", help="burst | float | path to a TOML/JSON profile."
        ),
        ensemble: int = typer.Option(1, "--ensemble", min=1, help="Ensemble members."),
        hours: float = typer.Option(72.0, "--hours", min=0.01, help="Time limit, hours."),
        step: float = typer.Option(60.0, "--step", min=0.1, help="RK4 step, s."),
        outside: str = typer.Option(
            "stop", "--outside", help="Leaving the wind field: stop|clamp|hold|raise."
        ),
        ground_alt: float | None = typer.Option(
            None,
            "--ground-alt",
            help="Ground altitude where descents end, m (default: the start "
            "altitude below 5 km, else 0; with --track its launch altitude).",
        ),
        wind_sigma: float = typer.Option(2.0, "--wind-sigma", help="Stochastic wind perturbation 1σ, m/s."),
        wind_tau: str = typer.Option("6h", "--wind-tau", help="Correlation time of the perturbations."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        contour_at: list[str] = typer.Option(
            [], "--contour-at", help="Contour times: offsets (24h) or ISO times."
        ),
        levels: str = typer.Option("0.5,0.9", "--levels", help="Contour probability levels."),
        zone: Path | None = typer.Option(None, "--zone", help="GeoJSON polygon: probability of entering it."),
        output: Path | None = typer.Option(None, "-o", "--output", help="out.geojson | .czml | .csv"),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        dask: str | None = DASK_OPTION,
    ) -> None:
        """Predict a balloon flight from a launch or from the last fix of a track."""
        from ..flight.ensemble import polygon_entry_probability, position_contours
        from ..flight.output import write_prediction
        from ..flight.predict import EnsembleSettings, predict_from_track
        from ..flight.summary import contour_times, prediction_summary
        from ..scale import predict as scale_predict
        from ..weather.winds import load_winds

        if (launch is None) == (track is None):
            raise InputError("give either --launch LAT,LON[,ALT] --time T, or --track FILE")
        prof: Any = profile
        trk = None
        if track is not None:
            trk = read_latest_track(track, track_date)
            fix = trk.last_fix()
            lat, lon, alt, when = fix.lat_deg, fix.lon_deg, fix.alt_m, fix.time
        else:
            if time is None:
                raise InputError("--launch needs --time (ISO 8601 UTC, e.g. 2010-10-26T12:00Z)")
            vals = floats(launch or "", "--launch", 2, 3, "LAT,LON or LAT,LON,ALT_M e.g. 40.0,-105.0,1600")
            lat, lon = vals[0], vals[1]
            alt = vals[2] if len(vals) == 3 else 0.0
            check_latlon(lat, lon, "--launch")
            when = parse_time(time)
        field = load_winds(wind_paths(winds), heights=heights)
        settings = EnsembleSettings(
            members=ensemble,
            wind_sigma_m_s=wind_sigma,
            wind_tau_s=parse_duration(wind_tau).total_seconds(),
            seed=seed,
        )
        ground: dict[str, Any] = {} if ground_alt is None else {"ground_alt_m": ground_alt}
        with progress_callback("predicting") as cb, dask_client(dask) as client:
            if trk is not None:
                pred = predict_from_track(field, trk, profile=prof, hours=hours, step_s=step, ensemble=settings,
                                          outside=outside, progress=cb, **ground)  # fmt: skip
            else:
                pred = scale_predict(
                    field, lat_deg=lat, lon_deg=lon, alt_m=alt, time=when, profile=prof, hours=hours,
                    step_s=step, ensemble=settings, outside=outside, progress=cb, client=client, **ground,
                )  # fmt: skip
        summary = prediction_summary(pred)
        level_values = floats(levels, "--levels", 1, 10, "e.g. 0.5,0.9")
        contours = position_contours(
            pred, contour_times(when, contour_at, hours, pred.n_members), level_values
        )
        if zone is not None:
            res = polygon_entry_probability(pred, _zone(zone))
            summary["zone_entry_probability"] = res["probability"]
        if output is not None:
            write_prediction(pred, output, contours=contours, summary=summary)
        if as_json:
            console.print_json(
                dump_json({"summary": summary, "contours": contours, "assumptions": pred.assumptions})
            )
            return
        _print_summary(pred, summary, output)

    @app.command("backtrack")
    def backtrack_cmd(
        fix: str | None = typer.Option(
            None, "--fix", help="LAT,LON,ALT_M,TIME of the fix at float altitude."
        ),
        track: Path | None = typer.Option(
            None, "--track", help="Report file: start from its last smoothed fix."
        ),
        track_date: str | None = typer.Option(
            None, "--track-date", help="UTC date for time-only report files."
        ),
        segment: str = typer.Option(
            "30m", "--segment", help="With --track: smoothed segment used (pooled fixes)."
        ),
        winds: list[str] = typer.Option(..., "--winds", help="Wind file(s); repeat or comma-separate."),
        heights: str = typer.Option("auto", "--heights", help=HEIGHTS_HELP),
        hours: float = typer.Option(..., "--hours", min=0.01, help="How far back to search, hours."),
        ensemble: int = typer.Option(20, "--ensemble", min=1, help="Members per candidate float duration."),
        ascent_rate: float = typer.Option(5.0, "--ascent-rate", min=0.1, help="Assumed ascent rate, m/s."),
        ground: float = typer.Option(0.0, "--ground-alt", help="Ground altitude at the launch, m."),
        candidate_step: str = typer.Option(
            "30m", "--candidate-step", help="Spacing of candidate float durations."
        ),
        step: float = typer.Option(60.0, "--step", min=0.1, help="RK4 step, s."),
        cell: float = typer.Option(0.5, "--cell", help="Probability-map cell, degrees."),
        wind_sigma: float = typer.Option(2.0, "--wind-sigma", help="Stochastic wind perturbation 1σ, m/s."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        output: Path | None = typer.Option(None, "-o", "--output", help="out.geojson | .czml | .csv"),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        dask: str | None = DASK_OPTION,
    ) -> None:
        """Where and when could an object seen at float altitude have been launched?"""
        from ..flight.backtrack import backtrack_track
        from ..flight.output import write_prediction
        from ..flight.predict import EnsembleSettings
        from ..flight.summary import backtrack_summary, launch_cell_features
        from ..scale import backtrack as scale_backtrack
        from ..weather.winds import load_winds

        if (fix is None) == (track is None):
            raise InputError("give either --fix LAT,LON,ALT_M,TIME or --track FILE")
        field = load_winds(wind_paths(winds), heights=heights)
        common: dict[str, Any] = {
            "hours": hours, "ascent_rate_m_s": ascent_rate, "ground_alt_m": ground,
            "candidate_step_s": parse_duration(candidate_step).total_seconds(),
            "ensemble": EnsembleSettings(members=ensemble, wind_sigma_m_s=wind_sigma, seed=seed), "step_s": step,
        }  # fmt: skip
        if fix is not None:
            lat, lon, alt, when = parse_fix(fix)
            with progress_callback("backtracking") as cb, dask_client(dask) as client:
                res = scale_backtrack(
                    field,
                    lat_deg=lat,
                    lon_deg=lon,
                    alt_m=alt,
                    time=when,
                    client=client,
                    progress=cb,
                    **common,
                )
        else:
            trk = read_latest_track(track, track_date)  # type: ignore[arg-type]
            last = trk.last_fix()
            lat, lon, alt, when = last.lat_deg, last.lon_deg, last.alt_m, parse_time(last.time)
            res = backtrack_track(field, trk, segment_s=parse_duration(segment).total_seconds(), **common)
        cells = res.probability_map(cell)
        regions = res.region_contours()
        summary = backtrack_summary(res, cell)
        if output is not None:
            extra = launch_cell_features(cells, cell)
            write_prediction(res.paths, output, contours=regions, extra_features=extra, summary=summary)
        if as_json:
            console.print_json(
                dump_json({"summary": summary, "regions": regions, "assumptions": res.assumptions})
            )
            return
        console.print(f"[bold]backtrack[/] from {lat:.4f}, {lon:.4f}, {alt:.0f} m at {isoformat(when)}")
        rng = res.launch_time_range()
        if rng["n"] == 0:
            console.print("no run reached the ground inside the wind field and the time window")
        else:
            console.print(f"{rng['n']} of {summary['n_runs']} runs give a launch; launch time "
                          f"{rng['earliest_utc']} … {rng['latest_utc']}")  # fmt: skip
            table = Table("lat", "lon", "cell °", "probability")
            for c in cells[:10]:
                table.add_row(
                    f"{c['lat_deg']:.2f}",
                    f"{c['lon_deg']:.2f}",
                    f"{c['cell_deg']:g}",
                    f"{c['probability']:.3f}",
                )
            console.print(table)
        _print_assumptions(res.assumptions, output)


def _print_summary(pred: Any, summary: dict[str, Any], output: Path | None) -> None:
    table = Table("item", "value", title="prediction")
    for key, value in summary.items():
        table.add_row(key, json.dumps(json.loads(dump_json(value)))[:200])
    console.print(table)
    _print_assumptions(pred.assumptions, output)


def _print_assumptions(assumptions: dict[str, Any], output: Path | None) -> None:
    w = assumptions["winds"]
    console.print(
        f"winds: {', '.join(w['wind_source'])} valid {w['valid_times_utc'][0]} … {w['valid_times_utc'][1]}"
    )
    console.print(f"heights: {w['heights']}")
    err = assumptions.get("integration_error_m")
    step = assumptions.get("step_s")
    console.print(
        f"step {step} s" + (f"; step-halving error estimate {err:.1f} m" if err is not None else "")
    )
    if assumptions.get("ground_alt_note"):  # the ground was not given (issue 19)
        console.print(f"ground: {assumptions['ground_alt_note']} (--ground-alt METRES)")
    if output is not None:
        console_err.print(f"wrote {output}")
