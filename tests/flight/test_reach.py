"""Reachable regions and earliest arrival of an altitude-controlled balloon.

References:

* analytic fields (closed form, computed by hand below): an easterly 10 m/s below 17 km and a
  westerly 10 m/s from 18 km up (linear in between — the field's level interpolation) on the
  equator. A balloon at 17 km drifts west at 10 m/s; climbing at 1 m/s it crosses the 17–18 km
  shear layer in 1000 s with zero net displacement (the wind there is odd about 17.5 km) and
  then drifts east at 10 m/s. Distances along the equator are converted with pyproj/
  GeographicLib geodesics.
* brute force: on a small problem every altitude schedule is enumerated and integrated with the
  same kernel; the pruned search must reach as far and arrive as early.
* real GFS (NOAA, ``winds/gfs_2p5deg_global_2011011012_f120.grib2``): passive predictions of
  the flight predictor (:func:`skywarden.flight.predict`, the prediction issue) at every level
  are schedules too and must lie inside the region; the region grows with the band and with T.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from skywarden.errors import ValidationError
from skywarden.flight.predict import predict
from skywarden.flight.reach import SteeringLimits, earliest_arrival, reachable_region
from skywarden.flight.reach_grid import integrate_step
from skywarden.flight.stages import Ascent, FlightProfile, Float
from skywarden.geo import geodesic_destination, geodesic_inverse
from skywarden.weather.atmosphere import standard_atmosphere
from skywarden.weather.winds import WindField, load_winds

T0 = np.datetime64("2024-01-01T00:00:00", "ns")
STEP_S = 900.0  # s, decision step used throughout
RES_KM = 10.0  # km, pruning grid in the analytic tests
KM = 1000.0  # m
SPEED = 10.0  # m/s, analytic wind speed
CROSS_S = 1000.0  # s to cross the 17–18 km shear layer at 1 m/s
# Merging two states of one bin moves a schedule's representative by up to a bin diagonal
# (√2 bins); later merges can add to it, so real-field containment is checked to 2 bins.
MERGE_TOL_BINS = 2.0


def layered_field(u_of_alt, v_of_alt=None, lat=(-10.0, 10.0), alts=None) -> WindField:  # type: ignore[no-untyped-def]
    alts = np.array([0.0, 15e3, 16e3, 17e3, 18e3, 19e3, 20e3, 21e3, 30e3]) if alts is None else alts
    la = np.arange(lat[0], lat[1] + 0.01, 0.5)
    lo = np.arange(0.0, 360.0, 0.5)
    shape = (alts.size, la.size, lo.size)
    u = np.broadcast_to(np.asarray([u_of_alt(a) for a in alts])[:, None, None], shape)
    v = np.broadcast_to(np.asarray([(v_of_alt or (lambda a: 0.0))(a) for a in alts])[:, None, None], shape)
    return WindField(
        times=np.array([T0]), pressure_pa=np.asarray(standard_atmosphere(alts).pressure_pa), lat_deg=la, lon_deg=lo,
        u_m_s=u[None, None].astype(np.float32), v_m_s=v[None, None].astype(np.float32),
        alt_m=np.broadcast_to(alts[:, None, None], shape)[None, None].astype(np.float32), heights_source="analytic",
    )  # fmt: skip


@pytest.fixture(scope="module")
def two_layer() -> WindField:
    return layered_field(lambda a: -SPEED if a < 17_500 else SPEED)


@pytest.fixture(scope="module")
def two_layer_reach(two_layer):  # type: ignore[no-untyped-def]
    lim = SteeringLimits(15_000, 21_000, level_step_m=1000.0)
    return reachable_region(two_layer, lat_deg=0.0, lon_deg=10.0, alt_m=17_000.0, time=T0, hours=24,
                            limits=lim, resolution_km=RES_KM, step_s=STEP_S)  # fmt: skip


def test_analytic_region_extent(two_layer_reach) -> None:  # type: ignore[no-untyped-def]
    day = 86_400.0
    _, west_lon = geodesic_destination(0.0, 10.0, 270.0, SPEED * day)
    _, east_lon = geodesic_destination(0.0, 10.0, 90.0, SPEED * (day - CROSS_S))
    lon0, lat0, lon1, lat1 = two_layer_reach.polygons().bounds
    bin_deg = RES_KM / 111.195
    assert abs(lon0 - float(west_lon)) < bin_deg
    assert abs(lon1 - float(east_lon)) < bin_deg
    assert lat1 - lat0 < 2 * bin_deg  # no meridional wind: a thin strip along the equator
    # the far ends are reachable, one bin beyond is not
    far = two_layer_reach.distance_to_region_km([0.0, 0.0], [float(west_lon), float(east_lon) + 2 * bin_deg])
    assert far[0] == 0.0 and far[1] > RES_KM


def test_analytic_earliest_arrival_and_schedule(two_layer_reach) -> None:  # type: ignore[no-untyped-def]
    site_lon, radius_km = 13.0, 10.0
    _, _, d = geodesic_inverse(0.0, 10.0, 0.0, site_lon)
    # by hand: 1000 s across the shear layer (no net motion), then east at 10 m/s
    need_s = CROSS_S + (float(d) - radius_km * KM) / SPEED
    expect = T0 + np.timedelta64(int(np.ceil(need_s / STEP_S) * STEP_S), "s")
    arr = earliest_arrival(two_layer_reach, 0.0, site_lon, radius_km)
    assert arr.reachable and arr.time == expect
    assert arr.schedule_alt_m[0] == 17_000.0 and arr.schedule_alt_m[-1] >= 18_000.0
    man = arr.maneuvers()
    assert len(man) == 1 and man[0]["to_alt_m"] > man[0]["from_alt_m"]
    assert not arr.passive_arrives  # passive drift at 17 km goes west
    # a site to the west: passive drift arrives, at the hand-computed time
    _, _, dw = geodesic_inverse(0.0, 10.0, 0.0, 8.0)
    west = earliest_arrival(two_layer_reach, 0.0, 8.0, radius_km)
    t_west = T0 + np.timedelta64(int(np.ceil((float(dw) - radius_km * KM) / SPEED / STEP_S) * STEP_S), "s")
    assert west.passive_arrives and west.passive_time == t_west and west.time == t_west


def brute_force(field, lat, lon, alt0, levels, n_steps, rate):  # type: ignore[no-untyped-def]
    """Every schedule over ``levels`` (one level move per step at most, within ``rate``)."""
    fa = field.kernel_args()
    la, lo, al = np.array([lat]), np.array([lon]), np.array([alt0])
    out = [(la, lo)]
    for _ in range(n_steps):
        src, tgt = [], []
        for lv in levels:
            ok = np.abs(lv - al) <= rate * STEP_S + 1e-6
            src.append(np.flatnonzero(ok))
            tgt.append(np.full(int(ok.sum()), lv))
        s, t = np.concatenate(src), np.concatenate(tgt)
        nla, nlo, ok = integrate_step(fa, np.zeros(s.size, np.int64), 0.0, la[s], lo[s], al[s], t, STEP_S)
        la, lo, al = nla[ok], nlo[ok], t[ok]
        out.append((la, lo))
    return out


def test_pruned_search_matches_brute_force() -> None:
    # wind turning with height: u and v both change across five levels, so the best schedule
    # for each direction is not obvious
    f = layered_field(lambda a: 12.0 * np.cos(a / 2500.0), lambda a: 9.0 * np.sin(a / 1700.0))
    levels = np.array([16e3, 17e3, 18e3])
    lim = SteeringLimits(
        16e3, 18e3, level_step_m=1000.0, max_climb_m_s=1000.0 / STEP_S, max_descent_m_s=1000.0 / STEP_S
    )
    n = 7  # 3^7 = 2187 schedules at most
    res = reachable_region(f, lat_deg=0.0, lon_deg=20.0, alt_m=17e3, time=T0, hours=n * STEP_S / 3600,
                           limits=lim, resolution_km=2.0)  # fmt: skip
    bf = brute_force(f, 0.0, 20.0, 17e3, levels, n, 1000.0 / STEP_S)
    all_la = np.concatenate([b[0] for b in bf])
    all_lo = np.concatenate([b[1] for b in bf])
    lon0, lat0, lon1, lat1 = res.polygons().bounds
    tol = 2.0 / 111.195  # one bin
    for got, want in ((lon0, all_lo.min()), (lon1, all_lo.max()), (lat0, all_la.min()), (lat1, all_la.max())):
        assert abs(got - want) < tol
    # every brute-force end point is within one bin of the pruned region
    assert float(np.max(res.distance_to_region_km(bf[-1][0], bf[-1][1]))) <= 2.0 * 2
    # earliest arrival at the brute force's most eastern point of step 5: same step
    k = 5
    i = int(np.argmax(bf[k][1]))
    arr = earliest_arrival(res, float(bf[k][0][i]), float(bf[k][1][i]), 3.0)
    first = min(j for j in range(n + 1) if np.any(
        np.asarray(geodesic_inverse(np.full(bf[j][0].size, bf[k][0][i]), np.full(bf[j][0].size, bf[k][1][i]),
                                    bf[j][0], bf[j][1])[2]) <= 3000.0))  # fmt: skip
    assert arr.time == res.times[first]


def test_budget_limits_shrink_the_region(two_layer) -> None:  # type: ignore[no-untyped-def]
    base = dict(
        lat_deg=0.0, lon_deg=10.0, alt_m=17_000.0, time=T0, hours=6, resolution_km=RES_KM, step_s=STEP_S
    )
    free = reachable_region(two_layer, limits=SteeringLimits(15e3, 21e3, level_step_m=1000.0), **base)
    none = reachable_region(
        two_layer, limits=SteeringLimits(15e3, 21e3, level_step_m=1000.0, max_maneuvers=0), **base
    )
    zero = reachable_region(
        two_layer, limits=SteeringLimits(15e3, 21e3, level_step_m=1000.0, max_total_change_m=0.0), **base
    )
    # no maneuver allowed = passive drift only: a 6 h line of 216 km to the west
    # (free: also 6 h − 1000 s east, 206 km)
    assert free.polygons().bounds[2] > 10.0 + 200.0 / 111.3
    for r in (none, zero):
        assert r.area_km2() < free.area_km2()
        lon0, _, lon1, _ = r.polygons().bounds
        assert lon1 <= 10.0 + RES_KM / 111.195
        assert abs(lon0 - (10.0 - SPEED * 6 * 3600 / 111_320.0)) < RES_KM / 111.195
    one = reachable_region(
        two_layer, limits=SteeringLimits(15e3, 21e3, level_step_m=1000.0, max_maneuvers=1), **base
    )
    assert none.area_km2() <= one.area_km2() <= free.area_km2()


@pytest.fixture(scope="module")
def gfs(shared_data):  # type: ignore[no-untyped-def]
    return load_winds(shared_data / "winds" / "gfs_2p5deg_global_2011011012_f120.grib2")


@pytest.fixture(scope="module")
def gfs_reach(gfs):  # type: ignore[no-untyped-def]
    lim = SteeringLimits(16_000, 20_000, level_step_m=1000.0)
    return reachable_region(gfs, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=gfs.times[0], hours=24,
                            limits=lim, resolution_km=25.0)  # fmt: skip


def test_passive_predictions_lie_inside_the_region(gfs, gfs_reach) -> None:  # type: ignore[no-untyped-def]
    # Predictions of the flight predictor from the same fix: passive float at the start altitude,
    # and passive floats at each other level after a 1 m/s climb (Ascent) or sink (a leaking
    # Float for the time the sink takes). Each is one schedule among many, so each predicted
    # position must be inside the region (within one grid bin: the search merges schedules
    # closer than a bin; see MERGE_TOL_BINS).
    profiles = [FlightProfile((Float(),))]
    for level in (16_000.0, 17_000.0, 19_000.0, 20_000.0):
        if level > 18_000.0:
            profiles.append(FlightProfile((Ascent(rate_m_s=1.0, target_alt_m=level), Float())))
        else:
            profiles.append(FlightProfile((Float(leak_m_s=1.0, duration_s=18_000.0 - level), Float())))
    for prof in profiles:
        pred = predict(gfs, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=gfs.times[0], profile=prof,
                       hours=24, step_s=60.0, output_step_s=3600.0, error_estimate=False)  # fmt: skip
        for k in (3, 6, 12, 24):
            d = gfs_reach.distance_to_region_km(pred.lat_deg[0, k], pred.lon_deg[0, k], pred.times[k])
            assert float(d[0]) <= MERGE_TOL_BINS * gfs_reach.resolution_km, (prof.describe(), k, float(d[0]))


def test_region_grows_with_band_and_time(gfs, gfs_reach) -> None:  # type: ignore[no-untyped-def]
    wide = reachable_region(gfs, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=gfs.times[0], hours=24,
                            limits=SteeringLimits(15_000, 21_000, level_step_m=1000.0), resolution_km=25.0)  # fmt: skip
    areas = [gfs_reach.area_km2(t) for t in gfs_reach.times[:: max(1, gfs_reach.times.size // 8)]]
    assert all(b >= a for a, b in itertools.pairwise(areas)) and areas[-1] > areas[1]
    assert wide.area_km2() > gfs_reach.area_km2()
    narrow_geom = gfs_reach.polygons()
    wide_geom = wide.polygons().buffer(25.0 / 111.195)
    assert narrow_geom.difference(wide_geom).area < 0.01 * narrow_geom.area


def test_probability_weighted_region(gfs) -> None:  # type: ignore[no-untyped-def]
    res = reachable_region(gfs, lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=gfs.times[0], hours=12,
                           limits=SteeringLimits(16_000, 20_000, n_levels=5), resolution_km=50.0, members=6,
                           wind_sigma_m_s=3.0, seed=1)  # fmt: skip
    _, _, p = res.bins()
    assert res.n_members == 6 and np.all((p > 0) & (p <= 1.0))
    assert np.any(p < 1.0) and np.any(p == 1.0)
    assert res.area_km2(min_probability=0.5) <= res.area_km2(min_probability=0.0)
    fc = res.to_geojson(every_hours=6.0)
    probs = {f["properties"]["min_probability"] for f in fc["features"] if f["properties"]["kind"] != "start"}
    assert probs == {0.0, 0.5, 0.9}


def test_geojson_and_czml_exports(gfs_reach) -> None:  # type: ignore[no-untyped-def]
    from shapely.geometry import shape

    fc = json.loads(json.dumps(gfs_reach.to_geojson(every_hours=12.0)))
    regions = [f for f in fc["features"] if f["properties"]["kind"] == "reachable_region"]
    hours = [f["properties"]["hours"] for f in regions]
    assert hours[0] == 12.0 and 24.0 <= hours[1] < 24.0 + 1800 / 3600  # the last step reaches the horizon
    assert regions[0]["properties"]["time"] == "2011-01-16T00:00:00Z"
    assert shape(regions[0]["geometry"]).area < shape(regions[1]["geometry"]).area
    assert "steady wind" in fc["assumptions"]["wind_time"]
    packets = gfs_reach.to_czml(every_hours=12.0)
    assert packets[0]["id"] == "document"
    avail = {p["availability"] for p in packets[1:]}
    assert "2011-01-16T00:00:00Z/2011-01-16T12:00:00Z" in avail


def test_limits_validation() -> None:
    with pytest.raises(ValidationError, match="MIN:MAX"):
        SteeringLimits(20_000, 15_000)
    with pytest.raises(ValidationError):
        SteeringLimits(max_climb_m_s=0.0)
    with pytest.raises(ValidationError, match="no multiple"):
        SteeringLimits(15_100, 15_200, level_step_m=1000.0).levels_m()
    assert SteeringLimits(15_000, 21_000, n_levels=10).levels_m().size == 10


def test_visited_bin_pruning_keeps_the_region(gfs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Steady wind: states at a level/bin visited before with no less budget are dropped. The
    # region must stay (nearly) the one found without that pruning, with far fewer states.
    from skywarden.flight import reach_grid

    kw = dict(lat_deg=40.0, lon_deg=-100.0, alt_m=18_000.0, time=gfs.times[0], hours=24,
              limits=SteeringLimits(15_000, 21_000, n_levels=10), resolution_km=50.0)  # fmt: skip
    fast = reachable_region(gfs, **kw)
    monkeypatch.setattr(reach_grid, "VISITED_PRUNING", False)
    full = reachable_region(gfs, **kw)
    assert fast.cloud.n_states < 0.8 * full.cloud.n_states  # (0.27× at 72 h on the 1° field: bench)
    assert abs(fast.area_km2() / full.area_km2() - 1.0) < 0.05
    assert (
        full.polygons().difference(fast.polygons().buffer(50.0 / 111.195)).area < 0.01 * full.polygons().area
    )


def test_visited_table_matches_a_dict() -> None:
    from skywarden.flight._visited import VisitedTable

    rng = np.random.default_rng(3)
    table = VisitedTable(capacity=16)  # small: forces several rehashes
    ref: dict[int, float] = {}
    for _ in range(20):
        keys = rng.integers(0, 5_000, 700)
        keys = np.unique(keys)  # one update never holds a key twice (the search prunes first)
        used = rng.integers(0, 5, keys.size) * 100.0
        fresh = table.update(keys, used)
        want = np.array([k not in ref or ref[k] > u + 1e-3 for k, u in zip(keys.tolist(), used, strict=True)])
        for k, u, f in zip(keys.tolist(), used, want, strict=True):
            if f:
                ref[k] = u
        assert np.array_equal(fresh, want)
    assert table.size == len(ref)
