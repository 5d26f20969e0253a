"""Zone entry and exit along tracks and ensembles, with closed-form truth.

Synthetic tracks move linearly in latitude/longitude, so the crossing time of a meridian or
parallel is known exactly: t = t0 + (boundary - x0) / rate.
"""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.zones.airspace import Zone, builtin_adiz, normalize_polygon
from skywarden.zones.entry import zone_crossings, zone_entry_probability

ONE_SECOND = np.timedelta64(1, "s")
ONE_MICRODEGREE = 1e-6


def _box_zone(ceiling_m: float = np.inf) -> Zone:
    return Zone("box", "Box", normalize_polygon([[(0, 0), (1, 0), (1, 1), (0, 1)]]), ceiling_m=ceiling_m)


def _times(n: int, step_s: int) -> np.ndarray:
    return np.datetime64("2026-01-01T00:00:00", "ns") + np.arange(n) * np.timedelta64(step_s, "s")


def test_entry_and_exit_times_and_places() -> None:
    # 2 h at 600 s steps, east along 0.5 N from 0.5 W to 1.5 E: 1 deg per hour.
    t = _times(13, 600)
    lon = np.linspace(-0.5, 1.5, 13)
    entry, exit_ = zone_crossings(_box_zone(), t, np.full(13, 0.5), lon, np.full(13, 5000.0))
    assert entry.kind == "entry" and exit_.kind == "exit"
    assert abs(entry.time - np.datetime64("2026-01-01T00:30:00")) <= ONE_SECOND
    assert abs(exit_.time - np.datetime64("2026-01-01T01:30:00")) <= ONE_SECOND
    assert entry.lon_deg == pytest.approx(0.0, abs=1e-3) and entry.lat_deg == pytest.approx(0.5)


def test_above_the_ceiling_is_not_an_entry() -> None:
    t = _times(13, 600)
    crossings = zone_crossings(
        _box_zone(18_000.0), t, np.full(13, 0.5), np.linspace(-0.5, 1.5, 13), np.full(13, 19_000.0)
    )
    assert crossings == []


def test_climbing_through_the_floor_counts_as_entry() -> None:
    zone = Zone("band", "Band", normalize_polygon([[(0, 0), (1, 0), (1, 1), (0, 1)]]), floor_m=1000.0)
    t = _times(11, 60)
    alt = np.linspace(0.0, 2000.0, 11)  # crosses 1000 m at 5 min
    (entry,) = zone_crossings(zone, t, np.full(11, 0.5), np.full(11, 0.5), alt)
    assert abs(entry.time - np.datetime64("2026-01-01T00:05:00")) <= ONE_SECOND
    assert entry.alt_m == pytest.approx(1000.0, abs=5.0)


def test_track_across_the_antimeridian() -> None:
    zone = Zone("am", "Across 180", normalize_polygon([[(179, 50), (181, 50), (181, 52), (179, 52)]]))
    t = _times(5, 900)
    lon = np.array([178.0, 179.0, 180.0, 181.0, 182.0])  # continuous 178 → 182 over 1 h
    lon = (lon + 180.0) % 360.0 - 180.0
    entry, exit_ = zone_crossings(zone, t, np.full(5, 51.0), lon, np.zeros(5))
    assert abs(entry.time - np.datetime64("2026-01-01T00:15:00")) <= ONE_SECOND
    assert abs(exit_.time - np.datetime64("2026-01-01T00:45:00")) <= ONE_SECOND
    assert exit_.lon_deg == pytest.approx(-179.0, abs=1e-3)


def test_aleutian_track_enters_the_alaska_adiz() -> None:
    (alaska,) = builtin_adiz("US-ADIZ-ALASKA")
    t = _times(49, 1800)  # 24 h
    lat = np.linspace(56.0, 54.0, 49)
    lon = (np.linspace(160.0, 200.0, 49) + 180.0) % 360.0 - 180.0
    crossings = zone_crossings(alaska, t, lat, lon, np.full(49, 18_000.0))
    assert crossings and crossings[0].kind == "entry"
    assert bool(alaska.contains(crossings[0].lat_deg + 0.0, crossings[0].lon_deg + 0.01))


def test_ensemble_entry_probability_is_the_fraction_of_members() -> None:
    # 100 members on parallels 0.05° apart from -2.0 N: those with 0 <= lat <= 1 cross the box.
    t = _times(13, 600)
    lat0 = -2.0 + 0.05 * np.arange(100)
    lat = np.repeat(lat0[:, None], 13, axis=1)
    lon = np.tile(np.linspace(-0.5, 1.5, 13), (100, 1))
    stats = zone_entry_probability(_box_zone(), t, lat, lon, np.full_like(lat, 1000.0))
    expected = np.count_nonzero((lat0 >= 0.0) & (lat0 <= 1.0))
    assert stats.probability == pytest.approx(expected / 100)
    assert abs(stats.earliest - np.datetime64("2026-01-01T00:30:00")) <= ONE_SECOND
    assert stats.to_dict()["n_members"] == 100


def test_starting_inside_is_reported() -> None:
    t = _times(3, 60)
    (c,) = zone_crossings(_box_zone(), t, np.full(3, 0.5), np.full(3, 0.5), np.zeros(3))
    assert c.at_start and c.kind == "entry"
