"""Synthetic scene with known truth: two balloons drifting 300 m apart, an aircraft crossing
them at their altitude, a balloon that appears later, noise, gaps and uniform clutter.
Scored with OSPA (Schuhmacher, Vo & Vo 2008) and identity swaps against the truth."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.air import Reports, track_reports
from skywarden.air.frame import LocalFrame
from skywarden.air.metrics import ospa

NOISE_M = 10.0  # m, 1-sigma per axis
OSPA_CUTOFF_M = 200.0  # m
MEAN_OSPA_MAX_M = 40.0  # m
T_END_S = 600


def _truth() -> dict[int, tuple[np.ndarray, np.ndarray]]:
    t = np.arange(0.0, T_END_S, 1.0)
    b1 = np.stack([10 * t, 2 * t, 3000 + 5 * t], axis=1)
    b2 = np.stack([10 * t, 300 + 2 * t, 3000 + 5 * t], axis=1)  # 300 m north of b1
    ac = np.stack([3000 + 0 * t, -15_000 + 60 * t, 4500 + 0 * t], axis=1)  # crosses at 250 s
    late = t >= 300
    b3 = np.stack([-2000 + 8 * (t - 300), -1000 + 3 * (t - 300), 500 + 4 * (t - 300)], axis=1)
    return {1: (t, b1), 2: (t, b2), 3: (t, ac), 4: (t[late], b3[late])}


def _scene(seed: int = 11) -> tuple[Reports, dict[int, tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(seed)
    truth = _truth()
    ts, pos, label = [], [], []
    for k, (t, p) in truth.items():
        keep = rng.random(len(t)) > 0.1  # 10 % missed detections
        if k == 2:
            keep &= (t < 200) | (t > 220)  # a 20 s gap while the aircraft approaches
        ts.append(t[keep])
        pos.append(p[keep] + rng.normal(0, NOISE_M, p[keep].shape))
        label.append(np.full(keep.sum(), k))
    n_clutter = 2 * T_END_S
    ts.append(rng.integers(0, T_END_S, n_clutter).astype(float))
    pos.append(rng.uniform([-20_000, -20_000, 0], [20_000, 20_000, 10_000], (n_clutter, 3)))
    label.append(np.zeros(n_clutter, int))
    t_all = np.concatenate(ts)
    order = np.argsort(t_all, kind="stable")
    frame = LocalFrame(40.0, -105.0, 0.0)
    lat, lon, alt = frame.to_geodetic(np.concatenate(pos)[order])
    times = np.datetime64("2026-06-01T12:00:00", "ns") + (t_all[order] * 1e9).astype("timedelta64[ns]")
    rep = Reports.from_columns(times, lat, lon, alt, alt_datum="gps", line=np.concatenate(label)[order])
    return rep, truth


@pytest.fixture(scope="module")
def scene():  # type: ignore[no-untyped-def]
    rep, truth = _scene()
    return rep, truth, track_reports(rep)


def test_objects_kept_apart_without_identity_swaps(scene) -> None:  # type: ignore[no-untyped-def]
    _, _, res = scene
    assert len(res) == 4
    owners = []
    for trk in res:
        labels = trk.reports.line
        major = np.bincount(labels[labels > 0]).argmax()
        purity = np.mean(labels == major)
        assert purity > 0.97, (trk.id, purity)  # no swaps, little clutter
        owners.append(int(major))
    assert sorted(owners) == [1, 2, 3, 4]  # each truth object exactly one track
    assert res.clutter_reports > 0.9 * 2 * T_END_S


def test_classes_and_new_object_flag(scene) -> None:  # type: ignore[no-untyped-def]
    _, _, res = scene
    by_owner = {int(np.bincount(t.reports.line[t.reports.line > 0]).argmax()): t for t in res}
    assert by_owner[3].classification.label == "aircraft"
    # 60 m/s over ground is below the ground-speed rule: it is the airspeed against the wind
    # measured by the two balloons (10, 2 m/s) that marks it
    assert any("relative to the wind" in r for r in by_owner[3].classification.reasons)
    assert by_owner[1].classification.is_balloon and by_owner[2].classification.is_balloon
    assert by_owner[4].new_object and not by_owner[1].new_object


def test_ospa_against_truth(scene) -> None:  # type: ignore[no-untyped-def]
    _, truth, res = scene
    frame = LocalFrame(40.0, -105.0, 0.0)
    t0 = np.datetime64("2026-06-01T12:00:00", "ns")
    dists = []
    for step in range(20, T_END_S, 10):
        real = [p[np.searchsorted(t, step)] for t, p in truth.values() if t[0] <= step <= t[-1]]
        est = []
        for trk in res:
            secs = (trk.time - t0).astype(np.int64) / 1e9
            if secs[0] <= step <= secs[-1]:
                i = int(np.argmin(np.abs(secs - step)))
                if abs(secs[i] - step) <= 1.0:
                    est.append(frame.to_enu(trk.lat_deg[i], trk.lon_deg[i], trk.alt_m[i]))
        dists.append(ospa(np.array(real), np.array(est).reshape(-1, 3), OSPA_CUTOFF_M))
    assert np.mean(dists) < MEAN_OSPA_MAX_M


def test_ospa_closed_forms() -> None:
    # eq. 3 of Schuhmacher et al.: identical sets 0; one extra point costs c^p / max(m, n)
    x = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]])
    assert ospa(x, x, 50.0) == 0.0
    assert ospa(x, x[:1], 50.0) == pytest.approx((50.0**2 / 2) ** 0.5)
    assert ospa(x, x + np.array([3.0, 4.0, 0.0]), 50.0) == pytest.approx(5.0)
    assert ospa(np.zeros((0, 3)), np.zeros((0, 3)), 50.0) == 0.0


def test_coasting_through_a_short_gap_and_deletion_after_a_long_one() -> None:
    from skywarden.air.association import AssociationConfig, associate

    rng = np.random.default_rng(21)
    t = np.arange(0.0, 600.0)
    seen = (t < 200) | ((t >= 230) & (t < 300)) | (t >= 450)  # 30 s gap (coast), 150 s gap (delete)
    z = np.stack([20 * t, 5 * t, 1000 + 0 * t], axis=1)[seen] + rng.normal(0, NOISE_M, (seen.sum(), 3))
    # 20 m/s is balloon-like: its coast limit is max_coast_balloon_s (days by default)
    res = associate(t[seen], z, AssociationConfig(max_coast_s=60.0, max_coast_balloon_s=60.0))
    assert len(res.tracks) == 2
    assert len(res.tracks[0]) == np.count_nonzero(t[seen] < 300)  # one track across the 30 s gap
    assert res.birth_scan[1] > 0


def test_pure_clutter_confirms_nothing() -> None:
    from skywarden.air.association import associate

    rng = np.random.default_rng(22)
    t = np.sort(rng.integers(0, 600, 1200).astype(float))
    z = rng.uniform([-20_000, -20_000, 0], [20_000, 20_000, 10_000], (len(t), 3))
    res = associate(t, z)
    assert len(res.tracks) == 0 and len(res.clutter) == len(t)


def test_a_balloon_coasts_for_hours_an_aircraft_does_not() -> None:
    """Class-dependent deletion: the same 2-hour silence keeps a 20 m/s (wind-drift) object one
    track and splits a 120 m/s object into two (default limits: days vs 5 minutes)."""
    from skywarden.air.association import associate

    rng = np.random.default_rng(23)
    t = np.concatenate([np.arange(0.0, 300.0, 10.0), np.arange(7500.0, 7800.0, 10.0)])
    for speed, n_tracks in ((20.0, 1), (120.0, 2)):
        z = np.stack([speed * t, 0 * t, 18_000 + 0 * t], axis=1) + rng.normal(0, NOISE_M, (len(t), 3))
        assert len(associate(t, z).tracks) == n_tracks, speed


def test_stacked_pressure_altitude_aircraft_stay_apart() -> None:
    """The baro-jump tolerance (vertical term capped for pressure altitudes) only serves a
    report no track claimed: two aircraft flying one route 1000 ft (305 m, the reduced vertical
    separation minimum) apart, 1 Hz, are two tracks and no report changes sides."""
    from skywarden.air.association import associate

    rng = np.random.default_rng(24)
    t = np.arange(0.0, 600.0)
    path = np.stack([180 * t, 40 * np.sin(t / 60.0) * 60.0, 10_000 + 0 * t], axis=1)
    low = path + rng.normal(0, NOISE_M, path.shape)
    high = path + np.array([0, 0, 305.0]) + rng.normal(0, NOISE_M, path.shape)
    t_all = np.concatenate([t, t + 0.4])
    order = np.argsort(t_all, kind="stable")
    z = np.concatenate([low, high])[order]
    label = np.repeat([0, 1], len(t))[order]
    res = associate(t_all[order], z, pressure_alt=np.ones(len(z), bool))
    assert len(res.tracks) == 2
    assert sorted(np.unique(label[m]).tolist() for m in res.tracks) == [[0], [1]]
    assert sum(len(m) for m in res.tracks) >= len(z) - 6


def test_a_frozen_then_jumping_baro_altitude_keeps_one_track() -> None:
    """ADS-B barometric altitude on a descending zero-g parabola (traffic's ``zero_gravity``
    sample) holds for seconds and then catches up by ~750 m in one report: a pressure-altitude
    stream keeps one track; the same jumps in a GNSS altitude (no such failure mode) do not."""
    from skywarden.air.association import associate

    rng = np.random.default_rng(25)
    t = np.arange(0.0, 300.0)
    true_z = 9000.0 - np.clip(t - 100.0, 0.0, 100.0) * 90.0  # 100 s at -90 m/s
    held = true_z.copy()
    for k in range(100, 200, 10):  # the baro holds 9 s, then jumps ~800 m
        held[k : k + 9] = true_z[k]
    z = np.stack([150 * t, 0 * t, held], axis=1) + rng.normal(0, NOISE_M, (len(t), 3))
    baro = associate(t, z, pressure_alt=np.ones(len(t), bool))
    assert [len(m) for m in baro.tracks] == [len(t)]
    assert len(associate(t, z).tracks) > 1
