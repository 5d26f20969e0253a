"""Line-of-sight link windows, cross-checked against skyfield's topocentric geometry.

Reference: skyfield 1.x (``EarthSatellite``, ``wgs84.latlon``, ``find_events`` and ``altaz``)
with its built-in timescale (no download), on real CelesTrak elements from the shared active
catalog (2026-03-19). skyfield uses a real ΔT and its own Earth rotation model; differences in
window edges of a fraction of a second are expected, so edges are compared within ONE_SECOND·2.
"""

from __future__ import annotations

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84

from skywarden.sites import Site
from skywarden.space.catalog import load_catalog
from skywarden.space.catalog.tle import format_tle
from skywarden.zones.links import ground_link_windows, satellite_link_windows

ONE_SECOND = 1.0  # s
TENTH_DEGREE = 0.1  # deg
IDS = [25544, 43013, 33591, 27424, 20580]  # ISS, NOAA-20, NOAA-19, Aqua, Hubble


@pytest.fixture(scope="module")
def sats(shared_data):  # type: ignore[no-untyped-def]
    cat = load_catalog(shared_data / "catalogs" / "celestrak-active-2026-03-19.tle")
    return cat.select(ids=IDS)


def _sf_time(ts, t64):  # type: ignore[no-untyped-def]
    s = str(np.datetime_as_string(t64, unit="ms"))
    y, mo, rest = s.split("-", 2)
    d, hms = rest.split("T")
    h, mi, sec = hms.split(":")
    return ts.utc(int(y), int(mo), int(d), int(h), int(mi), float(sec))


def test_fixed_balloon_matches_skyfield_find_events(sats) -> None:  # type: ignore[no-untyped-def]
    # A balloon holding station at 20 km over Kansas for 12 h: the windows are classic passes
    # for an observer at 20 km, which skyfield's find_events computes independently.
    t0 = np.datetime64("2026-03-19T12:00:00", "ns")
    times = t0 + np.arange(0, 12 * 3600 + 1, 600) * np.timedelta64(1, "s")
    n = times.size
    wins = satellite_link_windows(times, np.full(n, 38.5), np.full(n, -98.0), np.full(n, 20_000.0), sats)
    ts = load.timescale(builtin=True)
    observer = wgs84.latlon(38.5, -98.0, elevation_m=20_000.0)
    t_start, t_end = _sf_time(ts, times[0]), _sf_time(ts, times[-1])
    for e in sats:
        l1, l2 = format_tle(e)
        sat = EarthSatellite(l1, l2, e.name, ts)
        tt, events = sat.find_events(observer, t_start, t_end, altitude_degrees=10.0)
        rises = [t for t, ev in zip(tt, events, strict=True) if ev == 0]
        sets = [t for t, ev in zip(tt, events, strict=True) if ev == 2]
        ours = [w for w in wins if w.target == str(e.norad_id) and not w.clipped_start and not w.clipped_end]
        assert len(ours) == len(rises) == len(sets), e.name
        for w, r, s in zip(ours, rises, sets, strict=True):
            assert (
                abs((w.start - np.datetime64(r.utc_datetime().replace(tzinfo=None))) / np.timedelta64(1, "s"))
                < 2 * ONE_SECOND
            )
            assert (
                abs((w.end - np.datetime64(s.utc_datetime().replace(tzinfo=None))) / np.timedelta64(1, "s"))
                < 2 * ONE_SECOND
            )


def test_moving_balloon_edges_sit_on_the_mask_in_skyfield(sats) -> None:  # type: ignore[no-untyped-def]
    # A balloon drifting east at ~25 m/s: at each of our window edges, skyfield's elevation of the
    # satellite seen from the balloon's interpolated position is the 10° mask.
    t0 = np.datetime64("2026-03-19T00:00:00", "ns")
    step = 300
    times = t0 + np.arange(0, 8 * 3600 + 1, step) * np.timedelta64(1, "s")
    lon = -100.0 + np.arange(times.size) * step * 25.0 / (111_320.0 * np.cos(np.deg2rad(40.0)))
    lat = np.full(times.size, 40.0)
    alt = np.linspace(18_000.0, 19_000.0, times.size)
    wins = [
        w
        for w in satellite_link_windows(times, lat, lon, alt, sats)
        if not (w.clipped_start or w.clipped_end)
    ]
    assert wins
    ts = load.timescale(builtin=True)
    by_id = {str(e.norad_id): e for e in sats}
    t_s = (times - t0) / np.timedelta64(1, "s")
    for w in wins:
        l1, l2 = format_tle(by_id[w.target])
        sat = EarthSatellite(l1, l2, "", ts)
        for edge in (w.start, w.end):
            x = (edge - t0) / np.timedelta64(1, "s")
            obs = wgs84.latlon(
                np.interp(x, t_s, lat), np.interp(x, t_s, lon), elevation_m=np.interp(x, t_s, alt)
            )
            el, _, _ = (sat - obs).at(_sf_time(ts, edge)).altaz()
            assert abs(el.degrees - 10.0) < TENTH_DEGREE, (w.name, edge)


def test_ground_station_sees_a_balloon_until_its_horizon() -> None:
    # A balloon at 20 km flying due east from a station at 40 N 100 W along the parallel. It sinks
    # below the station's 0° horizon where the geometric horizon distances add up:
    # d ≈ √(2Rh) for h = 20 km → ≈ 505 km (spherical Earth; the check uses 1 % tolerance).
    t0 = np.datetime64("2026-01-01T00:00:00", "ns")
    times = t0 + np.arange(0, 10 * 3600 + 1, 60) * np.timedelta64(1, "s")
    lon = -100.0 + np.linspace(0.0, 9.0, times.size)
    (w,) = ground_link_windows(
        times, np.full(times.size, 40.0), lon, np.full(times.size, 20_000.0), [Site("gs", 40.0, -100.0)]
    )
    assert w.clipped_start and not w.clipped_end
    frac = (w.end - t0) / (times[-1] - t0)
    end_lon = -100.0 + 9.0 * frac
    from skywarden.geo import geodesic_inverse

    _, _, d = geodesic_inverse(40.0, -100.0, 40.0, end_lon)
    assert float(d) == pytest.approx(np.sqrt(2 * 6_371_000.0 * 20_000.0), rel=0.01)


def test_reach_prefilter_loses_no_window(shared_data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The central-angle bound skips samples that cannot reach the mask within a step; with the
    # bound switched off every sample is evaluated. Both must give the same windows.
    import skywarden.zones.links as links

    cat = load_catalog(shared_data / "catalogs" / "celestrak-active-2026-03-19.tle")
    sample = cat.elements[::70]  # ~210 satellites of every orbit class
    t0 = np.datetime64("2026-03-19T06:00:00", "ns")
    times = t0 + np.arange(0, 6 * 3600 + 1, 600) * np.timedelta64(1, "s")
    n = times.size
    args = (times, np.linspace(30.0, 31.0, n), np.linspace(-120.0, -115.0, n), np.full(n, 20_000.0), sample)
    fast = links.satellite_link_windows(*args)
    # An infinite angular-rate bound makes every sample "reachable": nothing is skipped.
    monkeypatch.setattr(
        links, "_max_angular_rate_rad_s", lambda elements, path: np.full(len(elements), np.inf)
    )
    full = links.satellite_link_windows(*args)
    assert len(fast) == len(full) > 10
    for a, b in zip(fast, full, strict=True):
        assert a.target == b.target
        assert abs((a.start - b.start) / np.timedelta64(1, "s")) < ONE_SECOND
        assert abs((a.end - b.end) / np.timedelta64(1, "s")) < ONE_SECOND


def test_compiled_margin_kernel_equals_the_numpy_reference(sats) -> None:  # type: ignore[no-untyped-def]
    # The numba kernel and the readable numpy path (_hermite + _AirPath.at + _elevation_range)
    # compute the same elevation and range.
    import skywarden.zones.links as links
    from skywarden.space.orbit.propagate import propagate

    t0 = np.datetime64("2026-03-19T00:00:00", "ns")
    times = t0 + np.arange(0, 3 * 3600 + 1, 600) * np.timedelta64(1, "s")
    path = links._AirPath(
        times, np.linspace(40, 41, times.size), np.linspace(179, 182, times.size), np.full(times.size, 18e3)
    )
    grid_s = np.arange(0, 3 * 3600 + 1, 180.0)
    eph = propagate(sats, path.to_datetime64(grid_s), frame="itrs", velocities=True)
    rng_gen = np.random.default_rng(3)
    series = rng_gen.integers(0, len(sats), 500)
    t = rng_gen.uniform(0, 3 * 3600, 500)
    el_k, r_k = links._el_range_kernel(
        eph.positions, eph.velocities, 180.0, series, t, t, path.t_s, path.lat, path.lon, path.alt
    )
    el_n, r_n = links._elevation_range(
        links._hermite(eph.positions, eph.velocities, 180.0, series, t), *path.at(t)
    )
    assert np.allclose(el_k, el_n, atol=1e-9) and np.allclose(r_k, r_n, atol=1e-9)


def test_compiled_grid_margins_equal_the_numpy_reference(sats) -> None:  # type: ignore[no-untyped-def]
    import skywarden.zones.links as links
    from skywarden.space.orbit.propagate import propagate

    t0 = np.datetime64("2026-03-19T00:00:00", "ns")
    times = t0 + np.arange(0, 6 * 3600 + 1, 600) * np.timedelta64(1, "s")
    path = links._AirPath(
        times, np.full(times.size, 38.0), np.linspace(-100, -95, times.size), np.full(times.size, 2e4)
    )
    grid_s = np.arange(0, 6 * 3600 + 1, 180.0)
    eph = propagate(sats, path.to_datetime64(grid_s), frame="itrs", velocities=True)
    obj, up = path.at(grid_s)
    rate = links._max_angular_rate_rad_s(list(sats), path)
    got = links._grid_margin_kernel(eph.positions, obj, up, rate, 180.0, 10.0, 3000.0)
    el, rng = links._elevation_range(eph.positions, obj[None], up[None])
    ref = np.minimum(el - 10.0, (3000.0 - rng) / 100.0)
    skip = links._cannot_reach(eph.positions, obj, rate, 180.0, 10.0)
    ref[skip] = -np.inf
    assert (np.isneginf(got) == np.isneginf(ref)).all() and skip.any() and not skip.all()
    ok = np.isfinite(ref)
    assert np.allclose(got[ok], ref[ok], atol=1e-9)


def test_ensemble_ground_link_probability_counts_the_members_that_come_into_view() -> None:
    """Ten balloons at 20 km fly east along 40 N, each ending at a different longitude: the
    station 800 km east of the start (beyond the 505 km horizon distance of a 20 km object,
    see the test above) hears exactly the members that get within about 505 km of it, and
    their first-contact times equal ``ground_link_windows`` on each member alone."""
    from skywarden.geo import geodesic_destination
    from skywarden.zones.links import ground_link_probability

    t0 = np.datetime64("2026-01-01T00:00:00", "ns")
    times = t0 + np.arange(0, 4 * 3600 + 1, 120) * np.timedelta64(1, "s")
    station_lon = float(geodesic_destination(40.0, -100.0, 90.0, 800_000.0)[1])
    station = Site("gs", 40.0, station_lon)
    ends = np.linspace(-99.0, -93.0, 10)  # last longitude of each member
    lat = np.full((10, times.size), 40.0)
    lon = np.stack([np.linspace(-100.0, e, times.size) for e in ends])
    alt = np.full((10, times.size), 20_000.0)
    lon[3, 60:] = np.nan  # one member ends early (landed): NaN after it
    lat[3, 60:] = np.nan
    alt[3, 60:] = np.nan
    (chance,) = ground_link_probability(times, lat, lon, alt, [station])
    firsts = []
    for m in range(10):
        ok = np.isfinite(lon[m])
        w = ground_link_windows(times[ok], lat[m, ok], lon[m, ok], alt[m, ok], [station])
        if w:
            firsts.append(w[0].start)
    assert 0 < len(firsts) < 10
    assert chance.probability == pytest.approx(len(firsts) / 10) and chance.members == 10
    assert abs((chance.earliest - min(firsts)) / np.timedelta64(1, "s")) <= 2 * ONE_SECOND
    assert abs((chance.latest_first - max(firsts)) / np.timedelta64(1, "s")) <= 2 * ONE_SECOND


def test_satellite_link_probability_counts_members_with_line_of_sight(sats) -> None:  # type: ignore[no-untyped-def]
    """Two members: one on the mean path (over Kansas), one 3,400 km east (over the Atlantic
    coast). At each window's best time the first member sees the satellite by construction; the
    second one does when skyfield's own altitude from there is above the 10° mask."""
    from skywarden.zones.links import satellite_link_probability

    t0 = np.datetime64("2026-03-19T12:00:00", "ns")
    times = t0 + np.arange(0, 24 * 3600 + 1, 600) * np.timedelta64(1, "s")
    n = times.size
    wins = satellite_link_windows(times, np.full(n, 38.5), np.full(n, -98.0), np.full(n, 20_000.0), sats)
    lat = np.stack([np.full(n, 38.5), np.full(n, 38.5)])
    lon = np.stack([np.full(n, -98.0), np.full(n, -58.0)])
    alt = np.full((2, n), 20_000.0)
    prob = satellite_link_probability(wins, sats, times, lat, lon, alt, min_elevation_deg=10.0)
    ts = load.timescale(builtin=True)
    far = wgs84.latlon(38.5, -58.0, elevation_m=20_000.0)
    by_id = {str(e.norad_id): e for e in sats}
    checked = 0
    for w, p in zip(wins, prob, strict=True):
        l1, l2 = format_tle(by_id[w.target])
        sat = EarthSatellite(l1, l2, w.name, ts)
        alt_far = (sat - far).at(_sf_time(ts, w.best_time)).altaz()[0].degrees
        if abs(alt_far - 10.0) < TENTH_DEGREE:
            continue  # too close to the mask to call
        assert p == (1.0 if alt_far > 10.0 else 0.5), (w.name, w.best_time, alt_far)
        checked += 1
    assert checked >= 5 and {0.5, 1.0} <= set(prob.tolist())
