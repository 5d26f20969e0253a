"""``skywarden hazard``: debris footprints, casualty risk and safe termination windows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from ..errors import InputError
from ..timeutil import isoformat
from ._common import console, console_err, dump_json, progress_callback
from ._dask import DASK_OPTION, dask_client

__all__ = ["register"]


def _wind(winds: list[str] | None, heights: str = "auto") -> Any:
    paths = [Path(p.strip()) for item in winds or [] for p in item.split(",") if p.strip()]
    if not paths:
        return None
    from ..weather.winds import load_winds

    return load_winds(paths, heights=heights)


def _fmt(x: float) -> str:
    return f"{x:.2e}"


def hazard(
    prediction: Path | None = typer.Option(
        None, "--prediction", help="GeoJSON from `skywarden predict -o F.geojson`."
    ),
    track: Path | None = typer.Option(
        None, "--track", help="Track file (any format `skywarden track` reads)."
    ),
    track_date: str | None = typer.Option(
        None, "--track-date", help="UTC date for track files with time-of-day only (e.g. EOSS logs)."
    ),
    winds: list[str] | None = typer.Option(
        None, "--winds", help="GRIB2/NetCDF wind file(s) (repeat or comma-separate). Without: calm air."
    ),
    heights: str = typer.Option(
        "auto", "--heights", help="Wind level heights: auto | file | hypsometric | standard (see predict)."
    ),
    payload: str = typer.Option(
        ..., "--payload", help="Preset (radiosonde, heavy-gondola) or a TOML/JSON file."
    ),
    population: str = typer.Option(
        "default", "--population", help="'default' (embedded) or a GeoTIFF raster."
    ),
    limits: str = typer.Option(
        "faa450",
        "--limits",
        help="'faa450' (Ec ≤ 1e-4, individual ≤ 1e-6, hazardous debris ≥ 14.9 J or ≥ 71,452 J/m²) or a "
        "TOML/JSON file: ec_max, individual_max; optional hazard_ke_j, hazard_ke_per_area_j_m2 (0 counts every piece).",
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write windows.json, footprint.geojson or .czml."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print per-candidate results and windows as JSON."),
    step: str = typer.Option("10min", "--step", help="Spacing of candidate termination times."),
    samples: int = typer.Option(256, "--samples", "-n", help="Monte Carlo samples per candidate."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    coast_range_km: float | None = typer.Option(
        None,
        "--coast-range-km",
        help="Prefer (on ties) termination over water within this range of the coast.",
    ),
    sheltering: float = typer.Option(
        1.0, "--sheltering", help="Fraction of risk left after sheltering (1 = in the open)."
    ),
    wind_sigma: float | None = typer.Option(
        None, "--wind-sigma", help="Override the payload's wind 1σ, m/s."
    ),
    ground_alt_m: float = typer.Option(0.0, "--ground-alt-m", help="Ground altitude for impacts, m."),
    max_samples: int | None = typer.Option(
        None, "--max-samples", help="Budget per candidate: samples double while undecided (default 4 × -n)."
    ),
    confidence: float = typer.Option(
        0.95, "--confidence", help="One-sided confidence of the pass/fail decision."
    ),
    dask: str | None = DASK_OPTION,
) -> None:
    """Where the pieces fall, the casualty risk of terminating at each time, and the safe windows."""
    from ..hazard.casualty import load_limits
    from ..hazard.fragments import load_payload
    from ..hazard.output import write_plan
    from ..hazard.population import load_population
    from ..hazard.tracks import read_prediction, read_track
    from ..scale import hazard as scale_hazard

    if (prediction is None) == (track is None):
        raise InputError("give exactly one of --prediction F or --track F (with optional --winds F…)")
    if output is not None and output.suffix.lower() not in (".json", ".geojson", ".czml"):
        raise InputError(f"-o {output}: the file name must end in .json, .geojson or .czml")
    pl = load_payload(payload)
    if wind_sigma is not None:
        from dataclasses import replace

        pl = replace(pl, wind_sigma_m_s=wind_sigma)
    pop = load_population(population)
    lim = load_limits(limits)
    if prediction is not None:
        sweep, source_info = read_prediction(prediction)
        raw_winds = source_info.get("winds")
        winds_info: dict[str, Any] = raw_winds if isinstance(raw_winds, dict) else {}
        source_info = {"prediction_file": prediction.name, "prediction_winds": winds_info.get("wind_source")}
    else:
        assert track is not None
        sweep, source_info = read_track(track, date=track_date)
    field = _wind(winds, heights)
    times, lat, lon, alt = sweep
    with progress_callback("termination sweep") as cb, dask_client(dask) as client:
        plan = scale_hazard(
            times, lat, lon, alt, pl, population=pop, wind=field, limits=lim, step=step, n=samples, seed=seed,
            sheltering_factor=sheltering, coast_range_km=coast_range_km, ground_alt_m=ground_alt_m,
            max_samples=max_samples, confidence=confidence, client=client, progress=cb,
        )  # fmt: skip
    plan.assumptions["input"] = source_info
    if output is not None:
        write_plan(plan, output, track=sweep)
        console_err.print(f"wrote {output}")
    if as_json:
        typer.echo(dump_json(plan.as_dict()))
        return
    _print(plan)


def _print(plan: Any) -> None:
    a = plan.assumptions
    console.print(f"[bold]Termination windows[/] ({len(plan.candidates)} candidates, limits: "
                  f"E_c ≤ {plan.limits.ec_max:g}, individual ≤ {plan.limits.individual_max:g} — {plan.limits.source})")  # fmt: skip
    if plan.windows:
        table = Table("start (UTC)", "end (UTC)", "duration")
        for start, end in plan.windows:
            minutes = float((end - start) / np.timedelta64(1, "m"))
            table.add_row(isoformat(start), isoformat(end), f"{minutes:.0f} min")
        console.print(table)
    else:
        console.print("[red]no candidate time meets the limits[/]")
    r = plan.recommendation
    if r is not None:
        console.print(
            f"[bold]Recommended:[/] terminate at {r['time']} over {r['lat']:.4f}, {r['lon']:.4f} "
            f"(alt {r['alt_m']:.0f} m): E_c {_fmt(r['ec'])} ± {_fmt(r['ec_std_error'])}, max individual risk "
            f"{_fmt(r['max_individual_risk'])} (upper bounds at {r.get('confidence', 0.95):.0%}: E_c "
            f"{_fmt(r.get('ec_upper') or float('nan'))}, individual {_fmt(r.get('individual_risk_upper') or float('nan'))}; "
            f"decision {r.get('decision', '?')}); hazardous pieces {r.get('hazardous_fraction', 1.0):.0%}; mean impact {r['impact_lat']:.4f}, {r['impact_lon']:.4f}"
            f"{' over water' if r['over_water'] else ''}. {r['reason']}."
        )
    counts = {k: sum(c.decision == k for c in plan.candidates) for k in ("pass", "fail", "undecided")}
    console.print(f"Decisions: {counts['pass']} pass, {counts['fail']} fail, {counts['undecided']} undecided "
                  f"(undecided = not shown safe within {a.get('monte_carlo_max_samples_per_candidate')} samples)")  # fmt: skip
    wind = str(a["wind"])
    if wind.startswith("calm air"):
        console.print("[yellow]Winds: none given — fall computed in calm air (impacts below the release point, "
                      "shifted only by the release velocity); pass --winds F… for wind drift.[/]")  # fmt: skip
    else:
        console.print(f"Winds: {wind}")
    if a.get("wind_beyond_file"):
        console.print(f"[yellow]Winds beyond the file: {a['wind_beyond_file']}[/]")
    console.print(
        f"Assumptions: payload {a['payload']['name']} ({a['payload']['pieces']} pieces, Σ casualty area "
        f"{a['payload']['total_casualty_area_m2']} m²); population {a['population']['population']}; "
        f"{a['monte_carlo_samples_per_candidate']} Monte Carlo samples per candidate every {a['candidate_step']}; "
        f"{a['members']} track member(s); sheltering factor {a['sheltering_factor']}; atmosphere {a['atmosphere']}."
    )


def register(app: typer.Typer) -> None:
    app.command("hazard")(hazard)
