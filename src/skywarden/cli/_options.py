"""Option parsing shared by the flight commands (``predict``, ``backtrack``, ``maneuvers``,
``reach``): comma-separated numbers, fixes, wind-file lists, the ``--heights`` help text and the
``--track FILE`` option (its most recent track)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError, ValidationError
from ..timeutil import parse_time

__all__ = ["HEIGHTS_HELP", "check_latlon", "floats", "parse_fix", "read_latest_track", "wind_paths"]


def floats(text: str, name: str, n_min: int, n_max: int, example: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"{name} {text!r} is not understood; expected {example}") from None
    if not n_min <= len(values) <= n_max:
        raise InputError(f"{name} {text!r} has {len(values)} numbers; expected {example}")
    return values


def parse_fix(text: str) -> tuple[float, float, float, Any]:
    """``LAT,LON,ALT,TIME`` → ``(lat, lon, alt_m, datetime)``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise InputError(
            f"--fix {text!r}: expected LAT,LON,ALT_M,TIME e.g. 40.1,-95.2,18000,2010-10-26T12:00Z"
        )
    lat, lon, alt = floats(",".join(parts[:3]), "--fix", 3, 3, "LAT,LON,ALT_M,TIME")
    check_latlon(lat, lon, "--fix")
    return lat, lon, alt, parse_time(parts[3])


def check_latlon(lat: float, lon: float, name: str) -> None:
    if not (-90 <= lat <= 90 and -360 <= lon <= 360):
        raise ValidationError(f"{name}: latitude {lat} / longitude {lon} out of range (−90..90, −180..360)")


def wind_paths(winds: list[str]) -> list[Path]:
    out = [Path(p.strip()) for item in winds for p in item.split(",") if p.strip()]
    if not out:
        raise InputError("--winds needs at least one GRIB2/NetCDF file")
    return out


HEIGHTS_HELP = (
    "Level heights: auto (file gh, else hypsometric from t, else US 1976) | file | hypsometric | standard."
)


def read_latest_track(path: Path, date: str | None) -> Any:
    """The most recent track in a position-report file (skywarden.air)."""
    from ..air import read_reports, track_reports

    tracks = list(track_reports(read_reports(path, date=date)))
    if not tracks:
        raise InputError(f"--track {path}: no track could be formed from the reports")
    return max(tracks, key=lambda t: t.time[-1])
