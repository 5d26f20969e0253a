"""Time parsing: ISO 8601 in all usual spellings, durations, Julian dates.

Reference values: the Julian date of J2000.0 (2000-01-01T12:00:00 TT is JD 2451545.0; here the
UTC scale, as python-sgp4's ``jday`` uses) and python-sgp4's ``jday`` for arbitrary instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgp4.api import jday

from skywarden.errors import TimeFormatError
from skywarden.timeutil import (
    datetime64_to_jd,
    format_duration,
    isoformat,
    jd_to_datetime64,
    parse_duration,
    parse_time,
    time_grid,
    to_datetime64,
)

ONE_MICROSECOND_DAYS = 1e-6 / 86400.0
# One float64 Julian date near JD 2.46e6 resolves 2**-31 day ≈ 40 µs; that is the best a
# single-number JD input can do (use the jd + fr pair for more).
FLOAT_JD_RESOLUTION_S = 2.0**-31 * 86400.0


@pytest.mark.parametrize(
    "text",
    ["2026-03-19T12:00:00Z", "2026-03-19T12:00:00+00:00", "2026-03-19 12:00", "2026-03-19T14:00:00+02:00"],
)
def test_iso_spellings_mean_the_same_instant(text: str) -> None:
    assert parse_time(text) == datetime(2026, 3, 19, 12, tzinfo=UTC)


def test_naive_datetime_is_utc_and_output_has_z() -> None:
    assert isoformat(datetime(2026, 3, 19, 12, 0, 1)) == "2026-03-19T12:00:01Z"


def test_bad_time_shows_an_accepted_example() -> None:
    with pytest.raises(TimeFormatError, match=r"2026-03-19T12:00:00Z"):
        parse_time("19/03/2026")


def test_julian_date_matches_python_sgp4_jday() -> None:
    jd, fr = jday(2026, 3, 19, 6, 30, 15.25)
    t = parse_time(jd + fr)
    assert (
        abs((t - datetime(2026, 3, 19, 6, 30, 15, 250000, tzinfo=UTC)).total_seconds())
        <= FLOAT_JD_RESOLUTION_S
    )
    got_jd, got_fr = datetime64_to_jd(to_datetime64(t)[None])
    assert abs((got_jd[0] + got_fr[0]) - (jd + fr)) < 2 * ONE_MICROSECOND_DAYS


@given(st.integers(min_value=-(2**52), max_value=2**52))
def test_jd_round_trip_is_exact_to_the_nanosecond(ns: int) -> None:
    t = np.array([ns], dtype="datetime64[ns]")
    jd, fr = datetime64_to_jd(t)
    assert abs(int(jd_to_datetime64(jd, fr)[0].astype(np.int64)) - ns) <= 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("24h", 86400), ("2d", 172800), ("1h30m", 5400), ("PT24H", 86400),
     ("P2DT3H", 183600), ("3600", 3600), ("1w", 604800), ("10 min", 600)],
)  # fmt: skip
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "abc", "10x", "P", "h24"])
def test_bad_duration_lists_examples(text: str) -> None:
    with pytest.raises(TimeFormatError, match="24h"):
        parse_duration(text)


def test_time_grid_is_half_open() -> None:
    grid = time_grid("2026-01-01T00:00Z", "1h", "10m")
    assert grid.size == 6
    assert grid[-1] == np.datetime64("2026-01-01T00:50:00", "ns")


def test_format_duration() -> None:
    assert format_duration(93784) == "1d 02h 03m 04s"
    assert format_duration(59.6) == "1m 00s"
