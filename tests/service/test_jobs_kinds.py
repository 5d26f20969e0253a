"""Each job kind's runner (what a worker process executes) against the library function the CLI
calls, called directly with the same inputs: the service adds nothing to the numbers.

Inputs: the real GFS analysis of 2010-10-26 12Z (``winds/gfs_1deg_namerica_2010102612_pl.nc``),
the CelesTrak active catalog of 2026-03-19 (``catalogs/celestrak-active-2026-03-19.tle``). The
library functions themselves are checked against outside references in their own tests.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import skywarden as sw
from skywarden.service.jobs_kinds import result_formats, run_job

WIND = "winds/gfs_1deg_namerica_2010102612_pl.nc"
FIX = {"lat": 40.0, "lon": -100.0, "alt_m": 18000.0, "time": "2010-10-26T12:00:00Z"}


@pytest.fixture(scope="module")
def winds(shared_data):
    return shared_data / WIND


def test_backtrack_job_equals_library(winds):
    out = run_job(
        "backtrack",
        {"fix": FIX, "winds": [1], "hours": 3, "ensemble": 3},
        {"fix": FIX, "wind_paths": [str(winds)]},
    )
    ref = sw.backtrack(
        sw.load_winds([winds]), lat_deg=40.0, lon_deg=-100.0, alt_m=18000.0, time=FIX["time"], hours=3,
        candidate_step_s=1800.0, ensemble=sw.EnsembleSettings(members=3, wind_sigma_m_s=2.0, seed=0),
    )  # fmt: skip
    summary = out["json"]["summary"]
    assert summary["n_launches"] == int(ref.launch_lat_deg.size) > 0
    top = ref.probability_map(0.5)[0]
    assert summary["top_cells"][0]["lat_deg"] == pytest.approx(top["lat_deg"], abs=1e-12)
    assert summary["top_cells"][0]["probability"] == pytest.approx(top["probability"], abs=1e-12)
    assert out["geojson"]["type"] == "FeatureCollection" and out["czml"][0]["id"] == "document"


def test_reach_job_equals_library(winds):
    params = {"fix": FIX, "winds": [1], "hours": 6, "resolution_km": 100, "levels": 4,
              "site": {"lat": 40.5, "lon": -97.0, "time": FIX["time"]}}  # fmt: skip
    out = run_job("reach", params, {"fix": FIX, "wind_paths": [str(winds)]})
    limits = sw.SteeringLimits(
        alt_min_m=15000.0, alt_max_m=21000.0, n_levels=4, max_climb_m_s=1.0, max_descent_m_s=1.0
    )
    res = sw.reachable_region(
        sw.load_winds([winds]), lat_deg=40.0, lon_deg=-100.0, alt_m=18000.0, time=FIX["time"], hours=6,
        limits=limits, resolution_km=100.0,
    )  # fmt: skip
    assert out["json"]["area_km2"] == pytest.approx(res.summary()["area_km2"], rel=1e-12)
    site = sw.earliest_arrival(res, 40.5, -97.0, 25.0).to_dict()
    assert out["json"]["site"]["reachable"] == site["reachable"]
    assert out["geojson"]["type"] == "FeatureCollection"


def test_screen_job_equals_library(shared_data):
    cat = shared_data / "catalogs" / "celestrak-active-2026-03-19.tle"
    params = {"start": "2026-03-19T12:00:00Z", "duration": "1h", "targets": [46232]}
    out = run_job("screen", params, {"catalog_path": str(cat)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sw.DataQualityWarning)
        ref = sw.screen(sw.load_catalog(cat), "2026-03-19T12:00:00Z", "1h", 5.0, targets=[46232])
    assert [(e["primary"], e["secondary"]) for e in out["json"]] == [(e.primary, e.secondary) for e in ref]
    assert [e["pc"] for e in out["json"]] == pytest.approx([e.pc for e in ref], rel=1e-12)
    assert result_formats("screen") == ("json",)


@pytest.mark.slow
def test_hazard_job_equals_library(winds):
    path = [
        {"time": "2010-10-26T12:00:00Z", "lat": 40.0, "lon": -100.0, "alt_m": 18000.0},
        {"time": "2010-10-26T13:00:00Z", "lat": 40.1, "lon": -99.5, "alt_m": 18000.0},
    ]
    params = {"path": path, "payload": "radiosonde", "samples": 32, "step": "30min"}
    out = run_job("hazard", params, {"path": path, "wind_paths": [str(winds)]})
    times = np.array(["2010-10-26T12:00:00", "2010-10-26T13:00:00"], dtype="datetime64[ns]")
    plan = sw.termination_windows(
        times, [40.0, 40.1], [-100.0, -99.5], [18000.0, 18000.0], "radiosonde", wind=sw.load_winds([winds]),
        step="30min", n=32, seed=0,
    )  # fmt: skip
    ref = plan.as_dict()
    assert [c["time"] for c in out["json"]["candidates"]] == [c["time"] for c in ref["candidates"]]
    assert [c["ec"] for c in out["json"]["candidates"]] == pytest.approx(
        [c["ec"] for c in ref["candidates"]], rel=1e-12
    )
    assert out["json"]["windows"] == [list(w) for w in ref["windows"]]
    assert [c["within_limits"] for c in out["json"]["candidates"]] == [
        c["within_limits"] for c in ref["candidates"]
    ]
    assert out["geojson"]["type"] == "FeatureCollection"
