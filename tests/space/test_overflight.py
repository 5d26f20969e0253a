"""Access and quiet windows, checked against outside references.

* Pass times: skyfield ``EarthSatellite.find_events`` (skyfield 1.5x, ``load.timescale(builtin=
  True)``) on the CelesTrak active snapshot of 2026-03-19, one site (Colorado Springs,
  38.8° N 104.7° W, 1900 m), one day, 10° mask. The default run uses a deterministic sample of
  about 1,500 objects spread over all orbit classes (every k-th LEO by catalog order, all
  MEO/GEO/HEO up to a cap); the full 14,710-object check runs in ``bench/bench_overflight.py``.
* Sun elevation: astropy ``get_sun`` → ``AltAz`` (no refraction), offline IERS settings.
* The window finder alone: closed-form roots of sinusoids.
"""

from __future__ import annotations

import itertools
import math
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from skywarden.errors import DataQualityWarning, InputError, OptionError
from skywarden.sites import Site
from skywarden.space.catalog import load_catalog
from skywarden.space.overflight import AccessWindow, Threat, access_windows, daylight_intervals, quiet_windows
from skywarden.space.overflight.sensors import load_sensors
from skywarden.windows import find_windows

ONE_SECOND = 1.0  # s
ONE_MILLISECOND = 1e-3  # s
SKYFIELD_HALF_SECOND = 0.5  # s: find_events brackets its rise/set to 0.5 s
SUN_TOLERANCE_DEG = 0.005  # deg: the Sun module's bound vs astropy (0.0042° over 2000–2025; 0.0012° this day)
GRAZING_ARCSEC = 5.0 / 3600.0  # deg: angle agreement where the elevation changes too slowly for time
MASK_DEG = 10.0

SITE = Site("colorado-springs", 38.8, -104.7, 1900.0)
T0 = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=24)


@pytest.fixture(scope="module")
def active(shared_data: Path):  # type: ignore[no-untyped-def]
    return load_catalog(shared_data / "catalogs" / "celestrak-active-2026-03-19.tle")


@pytest.fixture(scope="module")
def active_tle(shared_data: Path) -> dict[int, tuple[str, str, str]]:
    lines = (shared_data / "catalogs" / "celestrak-active-2026-03-19.tle").read_text().splitlines()
    return {
        int(lines[i + 1][2:7]): (lines[i].strip(), lines[i + 1], lines[i + 2])
        for i in range(0, len(lines), 3)
    }


# --- the generic window finder --------------------------------------------------------------


def test_window_finder_on_sinusoids_finds_short_and_long_windows() -> None:
    """f_i(t) = sin(ω_i t + φ_i) − c_i ≥ 0 between closed-form roots.

    Series 0: windows [arcsin(c)/ω, (π − arcsin(c))/ω] + k·P. Series 1: windows of 24.3 s, ten
    times shorter than the 250 s sample step. Series 2: inside all along (one window clipped at
    both ends). Series 3 (φ = π/2, c = 0.5, P = 12,000 s): inside at t = 0 until 2,000 s,
    again 10,000–14,000 s and from 22,000 s to the end (24,000 s).
    """
    w = np.array([2 * np.pi / 5400, 2 * np.pi / 5400, 2 * np.pi / 86400, 2 * np.pi / 12000])
    c = np.array([0.5, 0.9999, -2.0, 0.5])
    phase = np.array([0.0, 0.0, 0.0, np.pi / 2])

    def f(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.sin(w[s] * t + phase[s]) - c[s]

    t = np.arange(0.0, 24_000.0 + 1, 250.0)
    values = f(np.repeat(np.arange(4)[:, None], t.size, 1), np.broadcast_to(t, (4, t.size)))
    found = find_windows(f, t, values, tol_s=ONE_MILLISECOND)
    for s in (0, 1):
        period = 2 * np.pi / w[s]
        rise0 = np.arcsin(c[s]) / w[s]
        set0 = (np.pi - np.arcsin(c[s])) / w[s]
        n = np.arange(5)
        sel = found.series == s
        assert sel.sum() == 5
        assert np.max(np.abs(found.start_s[sel] - (rise0 + n * period))) < ONE_MILLISECOND
        assert np.max(np.abs(found.end_s[sel] - (set0 + n * period))) < ONE_MILLISECOND
        assert np.max(np.abs(found.best_s[sel] - (rise0 + set0) / 2 - n * period)) < 0.1
        assert not found.clipped_start[sel].any() and not found.clipped_end[sel].any()
    sel = found.series == 2
    assert sel.sum() == 1
    assert found.clipped_start[sel][0] and found.clipped_end[sel][0]
    sel = found.series == 3
    assert np.allclose(found.start_s[sel], [0.0, 10_000.0, 22_000.0], atol=ONE_MILLISECOND)
    assert np.allclose(found.end_s[sel], [2_000.0, 14_000.0, 24_000.0], atol=ONE_MILLISECOND)
    assert found.clipped_start[sel].tolist() == [True, False, False]
    assert found.clipped_end[sel].tolist() == [False, False, True]


# --- against skyfield -----------------------------------------------------------------------


def _sample(catalog) -> list:  # type: ignore[no-untyped-def]
    classes = np.array([e.orbit_class for e in catalog])
    chosen: list[int] = []
    for cls, cap in (("LEO", 1000), ("MEO", 200), ("GEO", 250), ("HEO", 100)):
        idx = np.flatnonzero(classes == cls)
        step = max(1, len(idx) // cap)
        chosen.extend(idx[::step][:cap].tolist())
    return [catalog[i] for i in sorted(chosen)]


def test_elevation_passes_match_skyfield(active, active_tle) -> None:  # type: ignore[no-untyped-def]
    """Every skyfield pass is found, no extra passes, rise/culminate/set within one second.

    Boundary handling: skyfield reports a pass under way at t0 without its rise (and one still
    under way at t1 without its set); ours are clipped at t0/t1 and marked, so only unclipped
    edges are compared. Grazing crossings of GEO/MEO objects whose elevation moves by less
    than ~1″/s are ill-conditioned in time: there the two agree in *angle* — skyfield's own
    altitude at our edge time is within 5″ of the mask. Where skyfield's ``find_events`` misses
    a rise/set of a slow object (it samples long-period orbits only every 0.05 orbit or 6 h),
    skyfield's own altitude one second either side of our edge proves the crossing is real.
    """
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    sample = _sample(active)
    assert len(sample) > 1400
    dut1 = float(ts.from_datetime(T0).dut1)
    windows = access_windows(sample, SITE, T0, "24h", min_elevation_deg=MASK_DEG, dut1_s=dut1)
    ours: dict[int, list[AccessWindow]] = {}
    for w in windows:
        ours.setdefault(w.norad_id, []).append(w)
    topo = wgs84.latlon(SITE.lat_deg, SITE.lon_deg, elevation_m=SITE.alt_m)
    t0, t1 = ts.from_datetime(T0), ts.from_datetime(T1)
    n_compared = n_rescued = 0
    worst_s = 0.0
    for el in sample:
        name, l1, l2 = active_tle[el.norad_id]
        sat = EarthSatellite(l1, l2, name, ts)
        times, events = sat.find_events(topo, t0, t1, altitude_degrees=MASK_DEG)

        def alt(when: datetime, sat=sat) -> float:
            return float((sat - topo).at(ts.from_datetime(when)).altaz()[0].degrees)

        sky_rise = [t.utc_datetime() for t, e in zip(times, events, strict=True) if e == 0]
        sky_set = [t.utc_datetime() for t, e in zip(times, events, strict=True) if e == 2]
        mine = ours.get(el.norad_id, [])
        my_rise = [w.start for w in mine if not w.clipped_start]
        my_set = [w.end for w in mine if not w.clipped_end]
        for sky_edges, my_edges, sign in ((sky_rise, my_rise, 1.0), (sky_set, my_set, -1.0)):
            # every skyfield edge has one of ours close by
            for edge in sky_edges:
                dt = [abs((edge - m).total_seconds()) for m in my_edges]
                assert dt, f"{name}: skyfield edge {edge} not found"
                k = int(np.argmin(dt))
                if dt[k] > ONE_SECOND:
                    assert abs(alt(my_edges[k]) - MASK_DEG) < GRAZING_ARCSEC, (name, edge, my_edges[k])
                else:
                    worst_s = max(worst_s, dt[k])
                n_compared += 1
            # every edge of ours is skyfield's, or a real crossing by skyfield's own altitude
            for m in my_edges:
                if not any(abs((edge - m).total_seconds()) <= 600 for edge in sky_edges):
                    before, after = alt(m - timedelta(seconds=1)), alt(m + timedelta(seconds=1))
                    assert sign * (after - MASK_DEG) >= 0 >= sign * (before - MASK_DEG), (name, m)
                    n_rescued += 1
        # culminations of LEO passes within one second
        if el.orbit_class == "LEO":
            sky_culm = [t.utc_datetime() for t, e in zip(times, events, strict=True) if e == 1]
            for w in mine:
                if w.clipped_start or w.clipped_end:
                    continue
                inside = [c for c in sky_culm if w.start <= c <= w.end]
                assert len(inside) == 1, (name, w.start)
                assert abs((inside[0] - w.best).total_seconds()) < ONE_SECOND, (name, w.best, inside[0])
    assert n_compared > 5000
    assert worst_s < ONE_SECOND
    # Skyfield misses a handful of slow-object crossings; far fewer than the compared edges.
    assert n_rescued < 0.01 * n_compared


def test_sun_elevation_matches_astropy(active) -> None:  # type: ignore[no-untyped-def]
    from astropy import units as u
    from astropy.coordinates import AltAz, EarthLocation, get_sun
    from astropy.time import Time
    from astropy.utils import iers

    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    windows = access_windows(active, SITE, T0, "24h")
    assert len(windows) > 100
    chosen = windows[:: max(1, len(windows) // 40)]
    loc = EarthLocation.from_geodetic(
        lon=SITE.lon_deg * u.deg, lat=SITE.lat_deg * u.deg, height=SITE.alt_m * u.m
    )
    t = Time([w.best.replace(tzinfo=None) for w in chosen], scale="utc")
    ref = get_sun(t).transform_to(AltAz(obstime=t, location=loc, pressure=0 * u.hPa)).alt.deg
    ours = np.array([w.sun_elevation_deg for w in chosen])
    assert np.max(np.abs(ours - ref)) < SUN_TOLERANCE_DEG
    # can_image follows the sun threshold for optical windows, is always True otherwise.
    for w in windows:
        if w.kind == "optical":
            assert w.can_image == (w.sun_elevation_deg >= (w.min_sun_elevation_deg or 0.0))
        else:
            assert w.can_image


def test_sensor_windows_respect_field_of_regard(active) -> None:  # type: ignore[no-untyped-def]
    windows = access_windows(active, SITE, T0, "24h")
    table = load_sensors()
    for w in windows:
        assert T0 <= w.start <= w.best <= w.end <= T1
        if w.criterion == "off_nadir":
            assert w.min_off_nadir_deg <= w.limit_deg + 1e-6
            assert w.max_elevation_deg >= 0.0
        else:
            assert w.max_elevation_deg >= w.limit_deg - 1e-6
        row = table.match(w.norad_id, w.name)
        assert row is not None and row.kind == w.kind
        assert w.confidence == row.confidence and w.confidence in ("high", "medium", "low")
    maxar = [w for w in windows if w.system in ("WorldView-3", "WorldView Legion", "WorldView-2")]
    assert maxar
    for w in maxar:
        # GSD at best geometry is the nadir GSD scaled up by the formula, never below it; the
        # 45° limit is published (not assumed), only the sun threshold is a default.
        assert w.gsd_m >= 0.30 and w.min_off_nadir_deg <= 45.0 + 1e-6
        assert not w.assumed and w.assumed_fields == ("min_sun_elevation_deg",)


def test_geo_imager_gives_one_long_window(active) -> None:  # type: ignore[no-untyped-def]
    """Gaofen-4 (GEO, 50 m) over Beijing: one window spanning the whole request, clipped."""
    beijing = Site("beijing", 39.9, 116.4, 50.0)
    windows = access_windows(active, beijing, T0, "48h", norad_ids=[41194])
    assert len(windows) == 1
    (w,) = windows
    assert w.clipped_start and w.clipped_end
    assert w.start == T0 and w.end == T0 + timedelta(hours=48)
    assert w.kind == "optical" and w.gsd_m > 50.0


def test_clipped_pass_at_start(active) -> None:  # type: ignore[no-untyped-def]
    iss = [e for e in active if e.norad_id == 25544]
    first = access_windows(iss, SITE, T0, "24h", min_elevation_deg=MASK_DEG)
    assert first and not first[0].clipped_start
    mid = first[0].start + (first[0].end - first[0].start) / 2
    again = access_windows(iss, SITE, mid, "24h", min_elevation_deg=MASK_DEG)
    assert again[0].clipped_start and again[0].start == mid
    assert abs((again[0].end - first[0].end).total_seconds()) < ONE_MILLISECOND * 10
    cut = access_windows(iss, SITE, T0, mid - T0, min_elevation_deg=MASK_DEG)
    assert cut[-1].clipped_end and cut[-1].end == mid


def test_filters(active) -> None:  # type: ignore[no-untyped-def]
    sar = access_windows(active, SITE, T0, "24h", kind="sar")
    assert sar and all(w.kind == "sar" for w in sar)
    fine = access_windows(active, SITE, T0, "24h", kind="optical", max_gsd_m=1.0)
    # GSD at best geometry ≤ 1 m, or unknown (military rows without a figure: kept, assumed).
    assert fine and all(
        w.gsd_m <= 1.0 or (math.isnan(w.gsd_m) and "best_gsd_m" in w.assumed_fields) for w in fine
    )
    assert any(w.gsd_m <= 1.0 for w in fine)
    italy = access_windows(active, SITE, T0, "24h", countries=["Italy"])
    assert italy and all("Italy" in w.country for w in italy)
    with pytest.raises(OptionError) as info:
        access_windows(active, SITE, T0, "24h", kind="lidar")
    assert "'optical'" in str(info.value) and "'sar'" in str(info.value) and "'ir'" in str(info.value)


def test_quiet_windows_are_the_complement(active) -> None:  # type: ignore[no-untyped-def]
    windows = access_windows(active, SITE, T0, "24h")
    threats = (Threat(kind="optical", max_gsd_m=1.0), Threat(kind="sar"))
    quiet = quiet_windows(windows, SITE, T0, T1, threats, min_duration="0s")
    daylight = daylight_intervals(SITE, T0, T1, 10.0)
    busy = []
    for w in windows:
        if not any(r.matches(w) for r in threats):
            continue
        if w.kind == "optical":
            busy += [(max(w.start, a), min(w.end, b)) for a, b in daylight if min(w.end, b) > max(w.start, a)]
        else:
            busy.append((w.start, w.end))
    # No quiet window overlaps a threat interval; quiet + busy cover the whole day.
    for q in quiet:
        assert all(q.end <= s or q.start >= e for s, e in busy)
    covered = sorted([(q.start, q.end) for q in quiet] + busy)
    cursor = T0
    for s, e in covered:
        assert s <= cursor + timedelta(microseconds=1)
        cursor = max(cursor, e)
    assert cursor >= T1 - timedelta(microseconds=1)
    long_only = quiet_windows(windows, SITE, T0, T1, threats, min_duration="30min")
    assert all(q.duration_s >= 1800 for q in long_only)
    assert len(long_only) <= len(quiet)


def test_daylight_intervals_against_closed_form_equinox() -> None:
    """At the equator on the 2026 March equinox (20 Mar 14:46 UTC) day and night are 12 h each
    for the sun's centre at 0° (no refraction), to within a few minutes (declination drift)."""
    site = Site("equator", 0.0, 0.0)
    start = datetime(2026, 3, 20, 0, 0, tzinfo=UTC)
    days = daylight_intervals(site, start, start + timedelta(days=1), 0.0)
    assert len(days) == 1
    length_h = (days[0][1] - days[0][0]).total_seconds() / 3600
    assert abs(length_h - 12.0) < 0.05


def test_bad_requests(active) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="--force"):
        access_windows(active[:10], SITE, T0, "31d")
    with pytest.raises(InputError):
        access_windows(active[:10], [], T0, "1h")
    with pytest.warns(DataQualityWarning) as record:
        access_windows(active[:50], SITE, "2026-11-23T00:00:00Z", "1h", min_elevation_deg=10.0)
    text = " ".join(str(r.message) for r in record)
    assert "50 of 50" in text and "oldest" in text


def test_progress_callback_and_force(active) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[int, int]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        access_windows(
            active[:5],
            SITE,
            T0,
            "31d",
            force=True,
            min_elevation_deg=0.0,
            progress=lambda d, t: calls.append((d, t)),
        )
    assert calls and calls[-1][0] == calls[-1][1]


def test_window_json_fields(active) -> None:  # type: ignore[no-untyped-def]
    from skywarden.export.jsonable import to_jsonable

    w = access_windows(active, SITE, T0, "24h")[0]
    d = to_jsonable(w.to_dict())
    for key in ("norad_id", "name", "start", "end", "max_elevation_deg", "min_off_nadir_deg", "gsd_m",
                "sun_elevation_deg", "kind", "confidence"):  # fmt: skip
        assert key in d
    assert d["start"].endswith("Z")
    assert math.isfinite(d["max_elevation_deg"])


# --- exports and command line ---------------------------------------------------------------


def test_ical_one_event_per_window_with_stable_uid(active) -> None:  # type: ignore[no-untyped-def]
    from icalendar import Calendar

    from skywarden.export import ical

    windows = access_windows(active, SITE, T0, "24h", kind="sar")
    stamp = datetime(2026, 11, 23, tzinfo=UTC)
    text = ical.calendar(windows, dtstamp=stamp)
    events = Calendar.from_ical(text).walk("VEVENT")
    assert len(events) == len(windows)
    for ev, w in zip(events, windows, strict=True):
        # iCalendar DATE-TIME has whole seconds (RFC 5545 §3.3.5); UTC form with a Z.
        assert ev.decoded("dtstart") == w.start.replace(microsecond=0)
        assert ev.decoded("dtstart").utcoffset() == timedelta(0)
        assert ev.decoded("dtend") == w.end.replace(microsecond=0)
    again = access_windows(active, SITE, T0, "24h", kind="sar")
    assert ical.calendar(again, dtstamp=stamp) == text
    assert len({str(ev["uid"]) for ev in events}) == len(events)


def test_frame_output_matches_records(active) -> None:  # type: ignore[no-untyped-def]
    records = access_windows(active, SITE, T0, "24h", kind="sar")
    frame = access_windows(active, SITE, T0, "24h", kind="sar", as_frame=True)
    assert len(frame) == len(records)
    assert [t.to_pydatetime() for t in frame["start"]] == [w.start for w in records]
    assert frame["norad_id"].tolist() == [w.norad_id for w in records]
    assert np.allclose(frame["duration_s"], [w.duration_s for w in records])


def test_ucs_purpose_gives_assumed_default_class(active, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    """Objects with no table row but an imaging purpose in UCS get a default class, assumed."""
    from skywarden.space.catalog.metadata import load_ucs

    with pytest.warns(DataQualityWarning, match="repeated NORAD"):  # 9 duplicate rows in the 2023 file
        ucs = load_ucs(shared_data / "satellite-metadata" / "UCS-Satellite-Database-5-1-2023.csv")
    meta = {int(k): {str(c): v for c, v in row.items()} for k, row in ucs.to_dict("index").items()}
    with_ucs = access_windows(active, SITE, T0, "24h", metadata=meta)
    without = access_windows(active, SITE, T0, "24h")
    extra = [w for w in with_ucs if "kind" in w.assumed_fields]
    assert extra and len(with_ucs) == len(without) + len(extra)
    table = load_sensors()
    for w in extra:
        assert table.match(w.norad_id, w.name) is None and w.assumed and w.confidence == "assumed"
        assert w.kind in ("optical", "sar", "ir") and math.isnan(w.gsd_m)


def test_quintic_interpolant_matches_exact_sgp4_between_samples(active) -> None:  # type: ignore[no-untyped-def]
    """The refinement runs on a quintic Hermite interpolant of 300 s LEO samples; between the
    samples it must stay within tens of metres of SGP4 itself (a cubic one is off by ~0.2 km)."""
    from skywarden.space.orbit.frames import EARTH_ROTATION_RAD_S
    from skywarden.space.orbit.propagate import propagate
    from skywarden.space.overflight.geometry import hermite, itrs_acceleration

    fifty_metres_km = 0.050
    leo = [e for e in active if e.orbit_class == "LEO"][::140][:100]
    step, n_t = 300.0, 97
    t0 = np.datetime64("2026-03-19T12:00:00", "ns")
    grid = propagate(
        leo, t0 + (np.arange(n_t) * step * 1e9).astype("timedelta64[ns]"), "itrs", velocities=True
    )
    assert grid.velocities is not None
    acc = np.empty_like(grid.positions)
    itrs_acceleration(grid.positions, grid.velocities, EARTH_ROTATION_RAD_S, acc)
    mid_s = np.arange(n_t - 1) * step + 0.5 * step
    exact = propagate(leo, t0 + (mid_s * 1e9).astype("timedelta64[ns]"), "itrs").positions
    out = np.empty((mid_s.size, 3))
    worst = 0.0
    for i in range(len(leo)):
        hermite(grid.positions, grid.velocities, acc, step, n_t, np.full(mid_s.size, i, np.int64), mid_s, out)
        worst = max(worst, float(np.nanmax(np.linalg.norm(out - exact[i], axis=1))))
    assert worst < fifty_metres_km


def test_sar_near_range_gap_splits_steep_passes_like_skyfield(active, active_tle) -> None:  # type: ignore[no-untyped-def]
    """A SAR cannot image a site steeper than its minimum incidence (elevation > 90° − min_inc).

    Every SAR row with an incidence window gets windows with lo ≤ elevation ≤ hi only; a pass
    that climbs above hi is split. Checked with skyfield's own topocentric altitude: at the inner
    edges of each split it equals the ceiling, in the gap it is above it, at the outer edges it
    equals the lower limit (90° − max_inc).
    """
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    sites = [SITE, Site("equator", 0.5, 10.0, 0.0), Site("helsinki", 60.2, 24.9, 0.0)]
    dut1 = float(ts.from_datetime(T0).dut1)
    windows = access_windows(active, sites, T0, "24h", kind="sar", dut1_s=dut1)
    table = load_sensors()
    by_pair: dict[tuple[int, str], list[AccessWindow]] = {}
    for w in windows:
        by_pair.setdefault((w.norad_id, w.site), []).append(w)
    site_of = {s.name: s for s in sites}

    def altitude(nid: int, site: Site, when: datetime) -> float:
        name, l1, l2 = active_tle[nid]
        sat = EarthSatellite(l1, l2, name, ts)
        topo = wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.alt_m)
        return float((sat - topo).at(ts.from_datetime(when)).altaz()[0].degrees)

    splits = 0
    for (nid, site_name), ws in by_pair.items():
        row = table.match(nid, ws[0].name)
        assert row is not None
        if not (math.isfinite(row.min_incidence_deg) and math.isfinite(row.max_incidence_deg)):
            continue
        ceiling, floor = 90.0 - row.min_incidence_deg, 90.0 - row.max_incidence_deg
        for w in ws:
            assert w.limit_deg == pytest.approx(floor) and w.max_elevation_deg <= ceiling + 1e-3
        for a, b in itertools.pairwise(ws):
            if (b.start - a.end).total_seconds() > 600:
                continue  # two separate passes
            splits += 1
            site = site_of[site_name]
            gap_mid = a.end + (b.start - a.end) / 2
            assert altitude(nid, site, a.end) == pytest.approx(ceiling, abs=0.01)
            assert altitude(nid, site, b.start) == pytest.approx(ceiling, abs=0.01)
            assert altitude(nid, site, gap_mid) > ceiling
            if not a.clipped_start:
                assert altitude(nid, site, a.start) == pytest.approx(floor, abs=0.01)
    assert splits >= 10
