"""The "second object" scenario end to end (reduced size), and its key numbers reproduced by doing
the same steps one by one through the public API (``import skywarden as sw``).

Truth to check against: the reports are simulated from a known launch
(:data:`skywarden.scenario.HIDDEN_LAUNCH`), so the tracker's fix must sit on the simulated path and
the backtrack's launch region must contain the hidden launch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import skywarden as sw
from skywarden.scenario import ScenarioConfig, sample_datasets
from skywarden.space import triage_conjunctions

CFG = ScenarioConfig.reduced()


@pytest.fixture(scope="module")
def run(scenario_run: tuple[object, Path]) -> tuple[object, Path]:
    return scenario_run


def test_every_scene_names_its_data(run: tuple) -> None:
    res, _ = run
    keys = [s.key for s in res.scenes]
    assert keys == ["reports", "track", "real", "backtrack", "forecast", "zones", "links", "termination", "overflight",
                    "conjunctions"]  # fmt: skip
    for s in res.scenes:
        assert s.dataset and s.source and s.date, s.key
    assert "2011-01-15" in res.scene("forecast").date and "2026-05" in res.scene("overflight").date
    assert "CelesTrak" in res.scene("conjunctions").source


def test_the_tracker_recovers_the_simulated_object(run: tuple) -> None:
    res, _ = run
    track = res.track
    assert track.classification.is_balloon
    assert any(not t.classification.is_balloon for t in res.tracking.tracks)  # the airliner is told apart
    k = int(np.searchsorted(res.truth.times, track.time[-1]))
    from skywarden.geo import geodesic_inverse

    _, _, d_m = geodesic_inverse(
        res.truth.lat_deg[0, k], res.truth.lon_deg[0, k], track.lat_deg[-1], track.lon_deg[-1]
    )
    assert float(d_m) < 100.0  # reports carry 30 m (1σ) noise; the filter must not drift further
    assert abs(track.alt_m[-1] - res.truth.alt_m[0, k]) < 50.0


def test_the_launch_region_contains_the_hidden_launch(run: tuple) -> None:
    res, _ = run
    assert res.scene("backtrack").numbers["nearest_candidate_to_truth_km"] < 25.0


def test_key_numbers_match_the_public_api_step_by_step(run: tuple) -> None:
    res, work = run
    ds = sample_datasets()
    winds = sw.load_winds(ds.wind_paths)
    # tracking, from the very file the scenario wrote
    tracking = sw.track_reports(sw.read_reports(work / "reports.csv"))
    track = next(t for t in tracking.tracks if t.id == res.track.id)
    assert track.classification.label == res.track.classification.label
    np.testing.assert_allclose([track.lat_deg[-1], track.lon_deg[-1], track.alt_m[-1]],
                               [res.track.lat_deg[-1], res.track.lon_deg[-1], res.track.alt_m[-1]], atol=1e-9)  # fmt: skip
    fix = dict(lat_deg=float(track.lat_deg[-1]), lon_deg=float(track.lon_deg[-1]), alt_m=float(track.alt_m[-1]),
               time=sw.isoformat(track.time[-1]))  # fmt: skip
    # backtrack
    bt = sw.backtrack(winds, **fix, hours=CFG.backtrack_hours,
                      ensemble=sw.EnsembleSettings(members=CFG.backtrack_members, seed=CFG.seed))  # fmt: skip
    np.testing.assert_allclose(bt.launch_lat_deg, res.backtrack.launch_lat_deg)
    # forecast, zone entry and site passes
    profile = sw.FlightProfile.from_mapping(
        {"name": "float", "stage": [{"type": "float", "alt_sigma_m": 300.0}]}
    )
    pred = sw.predict(winds, **fix, profile=profile, hours=CFG.hours,
                      ensemble=sw.EnsembleSettings(members=CFG.members, seed=CFG.seed), outside="stop")  # fmt: skip
    zones = res.scene("zones").numbers["zones"]
    for zone in sw.builtin_adiz("US-ADIZ-ALASKA,CA-ADIZ"):
        st = sw.zone_entry_probability(zone, pred.times, pred.lat_deg, pred.lon_deg, pred.alt_m)
        assert st.probability == pytest.approx(zones[zone.id]["probability"])
    assert zones["US-ADIZ-ALASKA"]["probability"] > 0.3  # the story: Alaska, then Canada
    assert zones["CA-ADIZ"]["probability"] > 0.2
    sites = res.sites
    exp = sw.site_exposure(sites, pred.times, pred.lat_deg, pred.lon_deg, pred.alt_m,
                           radius_m=CFG.site_radius_km * 1000.0)  # fmt: skip
    assert {e.site: e.probability for e in exp} == pytest.approx(
        {k: v["probability"] for k, v in res.scene("zones").numbers["sites"].items()}
    )
    # space: overflight counts and the conjunction headline
    cat = sw.load_catalog(ds.catalog.path)
    at = cat.median_epoch
    access = sw.access_windows(cat, sites, at, f"{CFG.space_hours:g}h")
    assert len(access) == res.scene("overflight").numbers["access_windows"]
    events = sw.screen(cat, at, f"{CFG.space_hours:g}h", threshold_km=CFG.screen_threshold_km)
    tri = triage_conjunctions(events, cat, at, f"{CFG.space_hours:g}h")
    assert len(events) == res.scene("conjunctions").numbers["events"]
    assert [e.tca for e in tri.headline] == [e.tca for e in res.triage.headline]


def test_formation_pair_is_out_of_the_headline(run: tuple) -> None:
    res, _ = run
    names = res.scene("conjunctions").numbers["formations"]
    assert names == ["TERRASAR-X / TANDEM-X"]
    assert all("TANDEM-X" not in (e.primary_name, e.secondary_name) for e in res.triage.headline)


def test_the_tracker_on_the_real_flight(run: tuple) -> None:
    """SHAB12V (2022-08-22): a solar balloon that climbed to ~20 km and held commanded altitude steps
    (its ``alt_sp`` column; EarthSHAB README), so the tracker must call it a balloon with ascent and
    float phases and a maximum near 20.2 km (the file's highest altitude is 20,240 m)."""
    res, _ = run
    real = res.scene("real").numbers
    assert real["tracks"] == 1 and real["class"].startswith("balloon")
    assert {"ascent", "float"} <= set(real["phases"])
    assert abs(real["max_alt_m"] - 20_240.0) < 150.0
