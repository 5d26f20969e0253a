"""Conjunction screening against astroz's ``screen`` (PyPI) and an independent brute force.

* astroz 0.17 ``astroz.screen`` on the real CelesTrak active catalog (tests/conftest
  ``shared_data``, catalogs/celestrak-active-2026-03-19.tle) over one hour, 5 km: every event it
  finds must be ours with TCA within one second and miss distance within ten metres (astroz's
  indices are in ``Constellation.satnums`` order, mapped back to NORAD ids here).
* Brute force: python-sgp4 ``SatrecArray`` on a 10 s grid for a random 400-object subset, every
  local minimum of the sampled range below threshold + (16 km/s × 5 s) refined with
  ``scipy.optimize.minimize_scalar`` on exact SGP4 ranges — nothing shared with the screen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from sgp4.api import SatrecArray

from skywarden.errors import DataQualityWarning, InputError, NotFoundError
from skywarden.space.catalog import load_catalog
from skywarden.space.orbit.backends.base import exact_satrecs
from skywarden.space.safety.conjunction import screen
from skywarden.timeutil import datetime64_to_jd

ONE_SECOND = 1.0  # s
TEN_METRES = 10.0  # m
START = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
MAX_RELATIVE_SPEED_KM_S = 16.0  # two Earth orbits cannot close faster


@pytest.fixture(scope="module")
def active_path(shared_data):
    return shared_data / "catalogs" / "celestrak-active-2026-03-19.tle"


@pytest.fixture(scope="module")
def active(active_path):
    return load_catalog(active_path)


@pytest.fixture(scope="module")
def one_hour_events(active):
    # astroz screens docked objects (one shared element set) against each other too: so do we here
    return screen(active, START, "1h", 5.0, include_colocated=True)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (min(a, b), max(a, b))


@pytest.mark.slow
def test_finds_every_astroz_event_on_active_catalog(active_path, one_hour_events):
    import astroz

    const = astroz.Constellation(str(active_path))
    ref = astroz.screen(const, 60.0, threshold=5.0, start_time=START)
    satnums = np.array(const.satnums)
    ours: dict[tuple[int, int], list] = {}
    for e in one_hour_events:
        ours.setdefault(_pair(e.primary, e.secondary), []).append(e)
    assert len(ref.i) > 500  # the real catalog has many (Starlink) close approaches in an hour
    for i, j, t_min, d_km in zip(ref.i, ref.j, ref.time, ref.distance, strict=True):
        pair = _pair(int(satnums[i]), int(satnums[j]))
        assert pair in ours, f"astroz event {pair} at t+{t_min:.2f} min missing"
        best = min(ours[pair], key=lambda e: abs((e.tca - START).total_seconds() - t_min * 60.0))
        assert abs((best.tca - START).total_seconds() - t_min * 60.0) < ONE_SECOND
        assert abs(best.miss_distance_m - d_km * 1e3) < TEN_METRES
    assert len(one_hour_events) == len(ref.i)  # and nothing extra


def _brute_force(elements, span_s: float, threshold_km: float, dt: float = 10.0):
    sats = exact_satrecs(elements)
    ts = np.arange(0.0, span_s + dt, dt)
    t64 = np.datetime64(START.replace(tzinfo=None), "ns") + (ts * 1e9).astype("timedelta64[ns]")
    jd, fr = datetime64_to_jd(t64)
    _, r, _ = SatrecArray(sats).sgp4(jd, fr)
    ii, jj = np.triu_indices(len(sats), 1)
    margin = MAX_RELATIVE_SPEED_KM_S * dt / 2
    found = []

    def dist(t, a, b):
        _, ra, _ = sats[a].sgp4(jd[0], fr[0] + t / 86400.0)
        _, rb, _ = sats[b].sgp4(jd[0], fr[0] + t / 86400.0)
        return float(np.linalg.norm(np.subtract(rb, ra)))

    for s in range(0, ii.size, 20_000):
        a_idx, b_idx = ii[s : s + 20_000], jj[s : s + 20_000]
        d = np.linalg.norm(r[b_idx] - r[a_idx], axis=2)
        pad = np.full((d.shape[0], 1), np.inf)
        local_min = (
            (d <= np.hstack([pad, d[:, :-1]]))
            & (d <= np.hstack([d[:, 1:], pad]))
            & (d <= threshold_km + margin)
        )
        for p, k in zip(*np.nonzero(local_min), strict=True):
            a, b = int(a_idx[p]), int(b_idx[p])
            res = minimize_scalar(dist, bounds=(max(0.0, ts[k] - dt), min(span_s, ts[k] + dt)), args=(a, b),
                                  method="bounded", options={"xatol": 1e-3})  # fmt: skip
            if res.fun <= threshold_km and res.x < span_s:
                found.append((_pair(elements[a].norad_id, elements[b].norad_id), float(res.x), res.fun))
    return found


@pytest.mark.slow
def test_brute_force_fine_grid_confirms_nothing_missed(active):
    rng = np.random.default_rng(2026)
    subset = [active[int(k)] for k in np.sort(rng.choice(len(active), 400, replace=False))]
    threshold = 20.0
    brute = _brute_force(subset, 3600.0, threshold)
    events = screen(subset, START, "1h", threshold)
    assert len(brute) >= 5
    for pair, t, _ in brute:
        match = [e for e in events if _pair(e.primary, e.secondary) == pair]
        assert match and min(abs((e.tca - START).total_seconds() - t) for e in match) < ONE_SECOND
    assert len(events) == len(brute)
    # a 5× coarser grid is slower to refine but not blind: the same events, same TCAs
    coarse = screen(subset, START, "1h", threshold, step_s=300.0)
    assert len(coarse) == len(events)
    for a, b in zip(sorted(coarse, key=lambda e: (e.tca, e.primary)), events, strict=True):
        assert _pair(a.primary, a.secondary) == _pair(b.primary, b.secondary)
        assert abs((a.tca - b.tca).total_seconds()) < ONE_SECOND
        assert abs(a.miss_distance_m - b.miss_distance_m) < TEN_METRES


def test_event_fields_rtn_and_default_covariance(one_hour_events):
    e = one_hour_events[0]
    assert e.tca >= START
    d = e.to_dict()
    assert {"tca", "primary", "secondary", "miss_distance_m", "relative_speed_m_s"} <= set(d)
    assert d["covariance_source"] == "default-tle-model"
    assert np.linalg.norm(e.miss_rtn_m) == pytest.approx(e.miss_distance_m, rel=1e-12)
    rhat = e.r1_m / np.linalg.norm(e.r1_m)
    assert e.miss_rtn_m[0] == pytest.approx(float(np.dot(e.r2_m - e.r1_m, rhat)), abs=1e-6)
    # at TCA the range rate vanishes: relative velocity ⟂ miss vector
    rel_v = e.v2_m_s - e.v1_m_s
    assert abs(np.dot(e.r2_m - e.r1_m, rel_v)) / (e.miss_distance_m * e.relative_speed_m_s) < 1e-5
    assert all(0.0 <= x.pc <= 1.0 for x in one_hour_events)
    assert [x.tca for x in one_hour_events] == sorted(x.tca for x in one_hour_events)


def test_targets_restrict_to_events_with_the_target(active, one_hour_events):
    counts: dict[int, int] = {}
    for e in one_hour_events:
        for k in (e.primary, e.secondary):
            counts[k] = counts.get(k, 0) + 1
    target = max(counts, key=counts.__getitem__)
    events = screen(active, START, "1h", 5.0, targets=[target])
    expected = sorted(
        (e.tca, _pair(e.primary, e.secondary)) for e in one_hour_events if target in (e.primary, e.secondary)
    )
    assert sorted((e.tca, _pair(e.primary, e.secondary)) for e in events) == expected
    assert all(e.primary == target for e in events)
    with pytest.raises(NotFoundError, match="99999999"):
        screen(active, START, "1h", 5.0, targets=[99999999])


def test_one_bad_object_never_stops_the_screen(active, one_hour_events):
    keep = {k for e in one_hour_events[:5] for k in (e.primary, e.secondary)}
    subset = [el for el in active if el.norad_id in keep]
    reference = screen(subset, START, "1h", 5.0)
    decayed = replace(subset[0], norad_id=99990, mean_motion_rev_day=17.2, bstar_per_er=0.9,
                      epoch=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    with pytest.warns(DataQualityWarning, match="1 of"):
        events = screen([*subset, decayed], START, "1h", 5.0)
    assert [(e.tca, e.primary, e.secondary) for e in events] == [
        (e.tca, e.primary, e.secondary) for e in reference
    ]


def test_bad_arguments_and_progress(active):
    calls = []
    screen(active[:50], START, "10m", 5.0, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] and all(a <= b for a, b in calls)
    with pytest.raises(InputError):
        screen(active, START, "1h", 0.0)
    with pytest.raises(InputError):
        screen(active, START, "1h", 5.0, step_s=-1)
    assert screen(active[:1], START, "1h", 5.0) == []


def test_docked_objects_are_not_conjunctions_by_default(active):
    """The active catalog gives the ISS modules and visiting vehicles, the CSS modules and
    MEV-2 on Intelsat 10-02 one shared element set each: screened against each other they give
    hundreds of zero-distance "events" a day (astroz reports them too). By default they are not
    screened against each other, but still against everything else."""
    from skywarden.space.safety.conjunction import colocated_groups

    groups = colocated_groups(active)
    names = {frozenset(el.norad_id for el in g) for g in groups}
    assert frozenset({28358, 46113}) in names and any(25544 in g for g in names)
    group_of = {el.norad_id: k for k, g in enumerate(groups) for el in g}
    subset = [el for g in groups for el in g] + [
        el for el in list(active)[:300] if el.norad_id not in group_of
    ]

    def same_group(e) -> bool:
        return e.primary in group_of and group_of[e.primary] == group_of.get(e.secondary)

    everything = screen(subset, START, "24h", 5.0, include_colocated=True)
    docked = [e for e in everything if same_group(e)]
    assert len(docked) > 100 and all(e.miss_distance_m < 1.0 for e in docked)
    default = screen(subset, START, "24h", 5.0)
    assert not any(same_group(e) for e in default)
    assert sorted((e.primary, e.secondary, e.tca) for e in default) == sorted(
        (e.primary, e.secondary, e.tca) for e in everything if not same_group(e)
    )
