"""Profiles from TOML/JSON, stage choice from a tracked fix, ensembles and their statistics."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from skywarden.errors import (
    DomainError,
    NotFoundError,
    OptionError,
    ParseError,
    SkywardenError,
    ValidationError,
)
from skywarden.flight.backtrack import backtrack
from skywarden.flight.ensemble import (
    landing_dispersion,
    mean_track,
    polygon_entry_probability,
    position_contours,
    positions_at,
)
from skywarden.flight.predict import EnsembleSettings, predict
from skywarden.flight.stages import Ascent, Descent, FlightProfile, Float, profile_for_fix
from skywarden.weather.atmosphere import altitude_from_pressure
from skywarden.weather.winds import WindField

from .test_closed_form import T0, analytic_field

ONE_METRE = 1.0  # m
ONE_SECOND = 1.0  # s
TEN_METRES_DEG = 1e-4  # deg of latitude ≈ 11 m

TOML = """
name = "zero-pressure"
[[stage]]
type = "ascent"
rate_m_s = 4.5
[[stage]]
type = "float"
pressure_hpa = 70
amplitude_m = 200
period_s = 7200
duration_s = 36000
[[stage]]
type = "descent"
sea_level_speed_m_s = 6
"""


@pytest.fixture(scope="module")
def breeze() -> WindField:
    """10 m/s from the west plus a weak southerly, every altitude."""
    return analytic_field(lambda la, lo, al: 10.0 + 0 * al, lambda la, lo, al: 2.0 + 0 * al,
                          np.arange(20.0, 70.01, 0.5), np.arange(0.0, 360.0, 0.5), np.array([0.0, 40_000.0]))  # fmt: skip


def test_toml_and_json_profiles(tmp_path: Path) -> None:
    p = tmp_path / "zp.toml"
    p.write_text(TOML)
    prof = FlightProfile.load(p)
    assert prof.name == "zero-pressure"
    assert [type(s) for s in prof.stages] == [Ascent, Float, Descent]
    asc = prof.stages[0]
    assert isinstance(asc, Ascent) and asc.event == "float_start"
    assert asc.target_alt_m == pytest.approx(altitude_from_pressure(7000.0))
    j = tmp_path / "b.json"
    j.write_text(json.dumps({"stages": [{"type": "ascent", "rate_m_s": 5, "target_alt_m": 25000},
                                        {"type": "descent"}]}))  # fmt: skip
    assert FlightProfile.load(j).stages[0].end_event == "burst"


def test_profile_errors_name_the_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text('[[stage]]\ntype = "ascent"\nrate_ms = 5\n')
    with pytest.raises(ParseError, match=r"bad.toml: field 'stage\[0\]': unknown key"):
        FlightProfile.load(p)
    p.write_text('[[stage]]\ntype = "rocket"\n')
    with pytest.raises(OptionError, match="ascent"):
        FlightProfile.load(p)
    p.write_text("[[stage]\n")
    with pytest.raises(ParseError, match="not valid TOML"):
        FlightProfile.load(p)
    p.write_text('[[stage]]\ntype = "ascent"\nrate_m_s = -1\n')
    with pytest.raises(ValidationError, match="positive"):
        FlightProfile.load(p)
    with pytest.raises(NotFoundError, match="preset"):
        FlightProfile.resolve(tmp_path / "nope.toml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_fuzz_profile_loader(tmp_path: Path, text: str) -> None:
    p = tmp_path / "fuzz.toml"
    p.write_text(text, encoding="utf-8")
    with contextlib.suppress(SkywardenError):
        FlightProfile.load(p)


def test_profile_for_fix_chooses_stages() -> None:
    asc = profile_for_fix("ascent", 12_000.0, 6.0)
    assert (
        isinstance(asc.stages[0], Ascent)
        and asc.stages[0].rate_m_s == 6.0
        and isinstance(asc.stages[1], Descent)
    )
    fl = profile_for_fix("float", 18_000.0, 0.0, FlightProfile.float_())
    assert len(fl.stages) == 1 and isinstance(fl.stages[0], Float)
    de = profile_for_fix("descent", 10_000.0, -12.0)
    d = de.stages[0]
    assert isinstance(d, Descent)
    assert Descent.speed_at(10_000.0, d.sea_level_speed_m_s) == pytest.approx(12.0)
    with pytest.raises(ValidationError, match="landed"):
        profile_for_fix("landed", 1500.0, 0.0)


def test_balloon_physics_is_plausible() -> None:
    """A 1200 g latex balloon, 1.5 kg payload, 3 kg neck lift, 8.6 m burst diameter: the CUSF
    calculator's typical numbers are ~5 m/s and ~30 km; accept a broad physical range."""
    a = Ascent.from_balloon(payload_mass_kg=1.5, balloon_mass_kg=1.2, neck_lift_kg=3.0, burst_diameter_m=8.63)
    assert 4.0 < a.rate_m_s < 7.0
    assert a.target_alt_m is not None and 28_000.0 < a.target_alt_m < 36_000.0
    with pytest.raises(ValidationError, match="exceed"):
        Ascent.from_balloon(payload_mass_kg=3.0, balloon_mass_kg=1.2, neck_lift_kg=2.0, burst_diameter_m=8.0)


def test_float_with_oscillation_and_launch_at_float_altitude(breeze: WindField) -> None:
    prof = FlightProfile((Ascent(rate_m_s=5.0, target_alt_m=None), Float(alt_m=18_000.0, amplitude_m=300.0,
                          period_s=3600.0, duration_s=6 * 3600.0)), name="osc")  # fmt: skip
    pred = predict(breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0, profile=prof, hours=8,
                   output_step_s=60.0)  # fmt: skip
    assert "float_start" not in pred.events  # started floating at the launch altitude
    assert pred.status[0] == "float_end"
    alt = pred.alt_m[0][np.isfinite(pred.alt_m[0])]
    assert alt.max() == pytest.approx(18_300.0, abs=ONE_METRE) and alt.min() == pytest.approx(
        17_700.0, abs=ONE_METRE
    )
    assert pred.assumptions["integration_error_m"] < ONE_METRE


def test_stochastic_ensemble_is_reproducible_and_spreads(breeze: WindField) -> None:
    ens = EnsembleSettings(members=60, wind_sigma_m_s=3.0, wind_tau_s=3 * 3600.0, seed=3)
    a = predict(
        breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=1500.0, time=T0, profile="burst", hours=6, ensemble=ens
    )
    b = predict(
        breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=1500.0, time=T0, profile="burst", hours=6, ensemble=ens
    )
    np.testing.assert_array_equal(a.end_lat_deg, b.end_lat_deg)
    assert set(a.status) == {"landed"}
    disp = landing_dispersion(a)
    assert disp["n_members"] == 60 and 1_000.0 < disp["cep50_m"] < disp["cep90_m"] < 200_000.0
    burst = a.events["burst"]["alt_m"]
    assert 500.0 < float(np.std(burst)) < 3_000.0  # burst spread 1500 m (1σ) by default
    # the known value: σ = 1500 m; a sample σ of n members has standard error σ/√(2(n−1)) (4 of them)
    n = burst.size
    assert abs(float(np.std(burst, ddof=1)) - 1500.0) < 4.0 * 1500.0 / np.sqrt(2.0 * (n - 1))
    assert a.assumptions["ensemble"]["source"] == "stochastic"
    mt = mean_track(a)
    assert np.isfinite(mt["lat_deg"][0]) and mt["lat_deg"][0] == pytest.approx(40.0)


def test_contours_hold_their_fraction(breeze: WindField) -> None:
    pred = predict(breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0, profile="float", hours=12,
                   ensemble=EnsembleSettings(members=200, seed=1))  # fmt: skip
    when = T0 + np.timedelta64(12, "h")
    lat, lon, _ = positions_at(pred, when)
    for c in position_contours(pred, [when], (0.5, 0.9)):
        from shapely.geometry import Polygon

        poly = Polygon(c["ring"]).buffer(1e-9)
        inside = np.mean([poly.contains(Point(x, y)) for x, y in zip(lon, lat, strict=True)])
        assert inside >= c["level"] - 0.01
    a50, a90 = (c["area_km2"] for c in position_contours(pred, [when], (0.5, 0.9)))
    assert a50 < a90


def test_polygon_entry_probability(breeze: WindField) -> None:
    pred = predict(breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0, profile="float", hours=12,
                   ensemble=EnsembleSettings(members=40, wind_sigma_m_s=0.0, seed=1, float_alt_sigma_m=0.0))  # fmt: skip
    ahead = [(-99.0, 39.5), (-98.0, 39.5), (-98.0, 41.5), (-99.0, 41.5)]  # downwind: every member crosses
    behind = [(-103.0, 39.0), (-102.0, 39.0), (-102.0, 41.0), (-103.0, 41.0)]
    res = polygon_entry_probability(pred, ahead)
    assert res["probability"] == 1.0
    # 10 m/s east at 40° N: lon −100 → −99 is ~85.4 km, ~2.4 h (recorded every 10 min)
    hours = (res["first_entry"] - T0) / np.timedelta64(1, "h")
    assert np.all((hours > 2.2) & (hours < 2.6))
    assert polygon_entry_probability(pred, behind)["probability"] == 0.0


def test_members_from_the_wind_file(tmp_path: Path) -> None:
    base = analytic_field(lambda la, lo, al: 10.0 + 0 * al, lambda la, lo, al: 0 * al, np.arange(30.0, 50.01, 1.0),
                          np.arange(0.0, 360.0, 1.0), np.array([0.0, 40_000.0]))  # fmt: skip
    u = np.concatenate([base.u_m_s, base.u_m_s * 2.0], axis=0)
    two = WindField(times=base.times, pressure_pa=base.pressure_pa, lat_deg=base.lat_deg, lon_deg=base.lon_deg,
                    u_m_s=u, v_m_s=np.concatenate([base.v_m_s] * 2), alt_m=base.alt_m, heights_source="analytic")  # fmt: skip
    pred = predict(two, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0, profile="float", hours=6,
                   ensemble=EnsembleSettings(float_alt_sigma_m=0.0))  # fmt: skip
    assert pred.n_members == 2 and pred.assumptions["ensemble"]["source"] == "wind-file members"
    d0 = pred.end_lon_deg[0] + 100.0
    d1 = pred.end_lon_deg[1] + 100.0
    assert d1 == pytest.approx(2.0 * d0, rel=1e-9)


def test_domain_policies(breeze: WindField) -> None:
    small = analytic_field(lambda la, lo, al: 30.0 + 0 * al, lambda la, lo, al: 0 * al, np.arange(35.0, 45.01, 0.5),
                           np.arange(255.0, 265.01, 0.5), np.array([0.0, 40_000.0]))  # fmt: skip
    kw = {"lat_deg": 40.0, "lon_deg": -100.0, "alt_m": 18_000.0, "time": T0, "profile": "float", "hours": 24}
    with pytest.raises(DomainError, match="left the wind field"):
        predict(small, outside="raise", **kw)
    stop = predict(small, outside="stop", **kw)
    assert stop.status[0] == "domain_edge" and stop.end_lon_deg[0] == pytest.approx(-95.0, abs=0.1)
    for policy in ("clamp", "hold"):
        went = predict(small, outside=policy, **kw)
        assert went.status[0] == "time_limit" and went.end_lon_deg[0] > -90.0
    with pytest.raises(OptionError):
        predict(small, outside="wrap", **kw)


def test_backtrack_finds_the_launch(breeze: WindField) -> None:
    """Forward: launch at (40, -100), ascent 5 m/s to 18 km, float 3 h. Backtrack from the fix
    at the end: the candidate with a 3 h float lands back at the launch point and time."""
    prof = FlightProfile((Ascent(rate_m_s=5.0, target_alt_m=18_000.0), Float(duration_s=3 * 3600.0)))
    fwd = predict(breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=0.0, ground_alt_m=0.0, time=T0, profile=prof,
                  hours=6)  # fmt: skip
    fix_t = fwd.end_time[0]
    res = backtrack(breeze, lat_deg=fwd.end_lat_deg[0], lon_deg=fwd.end_lon_deg[0], alt_m=18_000.0, time=fix_t,
                    hours=8, candidate_step_s=1800.0, ensemble=1)  # fmt: skip
    k = int(np.flatnonzero(np.isclose(res.float_hours, 3.0))[0])
    assert res.launch_lat_deg[k] == pytest.approx(40.0, abs=TEN_METRES_DEG)
    assert res.launch_lon_deg[k] == pytest.approx(-100.0, abs=TEN_METRES_DEG)
    assert abs((res.launch_time[k] - T0) / np.timedelta64(1, "s")) < ONE_SECOND
    rng = res.launch_time_range()
    assert rng["n"] == res.launch_lat_deg.size
    cells = res.probability_map(0.5)
    assert math.isclose(sum(c["probability"] for c in cells), 1.0)
    ens = backtrack(breeze, lat_deg=fwd.end_lat_deg[0], lon_deg=fwd.end_lon_deg[0], alt_m=18_000.0, time=fix_t,
                    hours=8, ensemble=10)  # fmt: skip
    assert ens.launch_lat_deg.size > 10 and len(ens.region_contours()) == 2
    with pytest.raises(ValidationError, match="shorter than the ascent"):
        backtrack(breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=T0, hours=0.5)


def test_backtrack_from_a_track_segment(breeze: WindField) -> None:
    """A track of the forward float path itself, built by the tracker from exact fixes. Pooling
    four fixes of the last 30 min keeps the launch at the true place (deterministic winds: all
    fixes agree)."""
    from skywarden.air import Reports, track_reports
    from skywarden.flight.backtrack import backtrack_track

    prof = FlightProfile((Ascent(rate_m_s=5.0, target_alt_m=18_000.0), Float(duration_s=3 * 3600.0)))
    fwd = predict(breeze, lat_deg=40.0, lon_deg=-100.0, alt_m=0.0, ground_alt_m=0.0, time=T0, profile=prof,
                  hours=6, output_step_s=60.0)  # fmt: skip
    t, lat, lon, alt = fwd.member_path(0)
    # a real Track through the public API (the tracker's smoother on exact, noise-free fixes)
    (track,) = track_reports(Reports.from_columns(t, lat, lon, alt, object_id="SYN", alt_datum="gps"))
    res = backtrack_track(
        breeze, track, hours=8, segment_s=1800.0, n_fixes=4, candidate_step_s=600.0, ensemble=1
    )
    assert res.assumptions["track_segment"]["fixes_used"] == 4
    d = np.hypot(res.launch_lat_deg - 40.0, (res.launch_lon_deg + 100.0) * np.cos(np.radians(40.0)))
    assert d.min() < TEN_METRES_DEG  # some candidate of each fix hits the true launch within ~10 m
    assert np.sum(d < TEN_METRES_DEG) == 4
