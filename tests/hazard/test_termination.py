"""Termination sweep: the offshore window of a synthetic coast-crossing track, window logic,
ensembles, and the accuracy of the sweep's coarse fall steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywarden.hazard.casualty import RiskLimits
from skywarden.hazard.fall import WindColumn, fall
from skywarden.hazard.fragments import load_payload
from skywarden.hazard.termination import Candidate, _windows, termination_windows

T0 = np.datetime64("2026-11-23T00:00:00", "ns")


def _coast_track(hours=6.0, speed_m_s=20.0, lat=39.3, lon0=-75.3):
    """Eastward at 30 km from southern New Jersey farmland out over the Atlantic (the coast near
    Atlantic City is at about 74.4° W at this latitude)."""
    t = T0 + (np.arange(0, hours * 3600 + 1, 300) * 1e9).astype("timedelta64[ns]")
    dlon = np.degrees(speed_m_s * 300 / (6_371_008.8 * math.cos(math.radians(lat))))
    lon = lon0 + dlon * np.arange(t.size)
    return t, np.full(t.size, lat), lon, np.full(t.size, 30_000.0)


def test_coast_crossing_sweep_finds_the_offshore_window(default_population):
    t, lat, lon, alt = _coast_track()
    plan = termination_windows(t, lat, lon, alt, "heavy-gondola", population=default_population,
                               n=128, coast_range_km=60.0)  # fmt: skip
    cands = plan.candidates
    assert len(cands) == 36  # 6 h every 10 min, half-open [start, end)
    first, last = cands[0], cands[-1]
    assert not first.over_water and not first.within_limits and first.ec > 1e-4
    assert last.over_water and last.within_limits and last.ec == 0.0
    assert plan.windows, "an offshore window must exist"
    start, end = plan.windows[-1]
    assert end == t[-1]
    # the window opens once the whole footprint is offshore: east of the coast
    opened = next(c for c in cands if c.time == start)
    assert opened.lon > -74.5 and opened.over_water
    rec = plan.recommendation
    assert rec is not None and rec["meets_limits"] and rec["over_water"]
    assert rec["distance_to_land_km"] <= 60.0
    assert rec["ec"] == 0.0 and rec["max_individual_risk"] == 0.0
    d = plan.as_dict()
    for key in ("time", "lat", "lon", "ec", "max_individual_risk"):
        assert key in d["candidates"][0]
    assert d["windows"][-1]["start"].endswith("Z")
    a = d["assumptions"]
    assert a["wind"].startswith("calm air") and a["population"]["population"].startswith("default")
    assert a["limits"]["ec_max"] == 1e-4 and a["monte_carlo_samples_per_candidate"] == 128


def test_window_merging_is_half_open():
    step = np.timedelta64(600, "s")

    def cand(k, ok):
        return Candidate(T0 + k * step, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, ok, True, 0.0, 1.0, 0.0, 0.0)

    flags = [False, True, True, False, True]
    cands = [cand(k, ok) for k, ok in enumerate(flags)]
    end = T0 + 5 * step
    wins = _windows(cands, np.array([c.time for c in cands]), end, step)
    assert wins == [(T0 + step, T0 + 3 * step), (T0 + 4 * step, T0 + 5 * step)]


def test_ensemble_track_and_custom_limits(uniform_population):
    t, lat, lon, alt = _coast_track(hours=1.0)
    lat2 = np.vstack([lat, lat + 0.2])
    lon2 = np.vstack([lon, lon])
    alt2 = np.vstack([alt, alt - 2000.0])
    lenient = RiskLimits(
        "lenient", ec_max=1.0, individual_max=1.0, source="test", hazard_ke_j=0.0, hazard_ke_per_area_j_m2=0.0
    )  # every piece counts: the hand value below
    from dataclasses import replace

    still = replace(load_payload("radiosonde"), wind_sigma_m_s=0.0)  # calm, no wind error: vertical impacts
    plan = termination_windows(t, lat2, lon2, alt2, still, population=uniform_population(100.0),
                               limits=lenient, n=64)  # fmt: skip
    assert plan.assumptions["members"] == 2
    assert all(c.within_limits for c in plan.candidates)
    assert plan.windows == [(t[0], t[-1])]
    # uniform density: E_c = 100e-6 × Σ casualty areas, whatever the track
    pl = load_payload("radiosonde")
    for c in plan.candidates:
        assert c.ec == pytest.approx(100e-6 * pl.total_casualty_area_m2, rel=0.05)


def test_sweep_fall_steps_are_accurate_enough():
    """The sweep integrates with dt ≤ 10 s / dz ≤ 100 m; impacts stay within 0.3 % of the drift
    of the fine solution (dt 0.1 s, dz 2 m) for both presets' pieces in a sheared wind."""
    wind = WindColumn.from_callable(lambda z: (10 + 20 * np.sin(np.asarray(z) / 5000.0), 5.0), 40_000.0)
    for name in ("radiosonde", "heavy-gondola"):
        for frag in load_payload(name).fragments:
            fine = fall(frag.mass_kg, frag.drag_area_m2, 30_000.0, wind=wind, dt_max_s=0.1, dz_max_m=2.0)
            coarse = fall(frag.mass_kg, frag.drag_area_m2, 30_000.0, wind=wind, dt_max_s=10.0, dz_max_m=100.0)
            drift = math.hypot(float(fine.east_m), float(fine.north_m))
            miss = math.hypot(float(coarse.east_m - fine.east_m), float(coarse.north_m - fine.north_m))
            assert miss < 3e-3 * drift, (frag.name, miss, drift)


def test_bad_tracks():
    from skywarden.errors import ValidationError

    with pytest.raises(ValidationError, match="strictly increasing"):
        termination_windows([T0, T0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0], "radiosonde")
    with pytest.raises(ValidationError, match="shape"):
        termination_windows([T0, T0 + np.timedelta64(60, "s")], [0.0, 0.0], [0.0], [1.0, 1.0], "radiosonde")


def test_candidates_without_a_track_position_are_counted_in_one_warning(uniform_population):
    from skywarden.errors import DataQualityWarning

    t, lat, lon, alt = _coast_track(hours=1.0)
    lat2 = np.vstack([lat, lat])
    lat2[:, t >= T0 + np.timedelta64(30, "m")] = np.nan
    with pytest.warns(DataQualityWarning, match="3 of 6 candidate"):
        plan = termination_windows(t, lat2, np.vstack([lon, lon]), np.vstack([alt, alt]), "radiosonde",
                                   population=uniform_population(1.0), n=16)  # fmt: skip
    assert len(plan.candidates) == 3


def test_pieces_that_never_land_are_counted_in_one_warning():
    from skywarden.errors import DataQualityWarning
    from skywarden.hazard.dispersion import impact_dispersion
    from skywarden.hazard.fragments import FragmentClass, Payload

    feather = Payload("feather", (FragmentClass("feather", mass_kg=0.01, area_m2=10.0, cd=1.0),))
    with pytest.warns(DataQualityWarning, match="5 of 5 sampled piece"):
        impact_dispersion(feather, 40.0, -100.0, 30_000.0, n=5)


def test_winds_beyond_the_file_are_said_per_candidate(shared_data, uniform_population):
    """Issue 19, item 4: the GFS file holds one valid time (2010-10-26 12Z, shared data README).
    Candidates at 11Z and 13Z use its winds clamped and say so; the 12Z one does not."""
    from skywarden.weather.winds import load_winds

    field = load_winds(shared_data / "winds" / "gfs_1deg_namerica_2010102612_pl.nc")
    t = np.datetime64("2010-10-26T11:00:00", "ns") + (np.arange(0, 3 * 3600 + 1, 600) * 1e9).astype(
        "timedelta64[ns]"
    )
    lat, lon, alt = np.full(t.size, 38.0), np.linspace(-98.0, -97.0, t.size), np.full(t.size, 20_000.0)
    plan = termination_windows(t, lat, lon, alt, "radiosonde", population=uniform_population(10.0), wind=field,
                               n=16, step="1h")  # fmt: skip
    notes = {str(c.time)[:13]: c.wind_note for c in plan.candidates}
    assert notes["2010-10-26T12"] is None
    assert "1h 00m 00s before the wind file's first valid time 2010-10-26T12:00:00Z" in notes["2010-10-26T11"]
    assert "after the wind file's last valid time 2010-10-26T12:00:00Z" in notes["2010-10-26T13"]
    assert "clamped" in notes["2010-10-26T13"]
    d = plan.as_dict()
    assert [c["wind_beyond_file"] for c in d["candidates"]] == [True, False, True]
    assert d["assumptions"]["wind_beyond_file"].startswith("2 of 3 candidate(s)")
    # within the file's time: nothing to say
    inside = termination_windows(t[6:7].repeat(2) + np.array([0, 60], "timedelta64[s]"), lat[:2], lon[:2], alt[:2],
                                 "radiosonde", population=uniform_population(10.0), wind=field, n=16)  # fmt: skip
    assert inside.assumptions["wind_beyond_file"] is None and inside.candidates[0].wind_note is None
