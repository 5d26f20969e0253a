"""Reported velocities as measurements in the tracker: frame rotation and the "auto" policy."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.air import Reports
from skywarden.air.frame import LocalFrame
from skywarden.air.tracker import build_track
from skywarden.errors import OptionError
from skywarden.geo import ecef_to_enu_matrix

ROUNDING = 1e-9  # m/s


def test_velocity_from_local_enu_inverts_velocity_to_local_enu() -> None:
    frame = LocalFrame(40.0, -105.0, 1600.0)
    lat = np.array([40.0, 44.0, 36.5])
    lon = np.array([-105.0, -98.0, -112.0])
    v_frame = np.array([[10.0, -3.0, 2.0], [250.0, 40.0, -5.0], [-1.0, 0.5, 0.1]])
    local = frame.velocity_to_local_enu(v_frame, lat, lon)
    np.testing.assert_allclose(frame.velocity_from_local_enu(local, lat, lon), v_frame, atol=ROUNDING)
    # a missing vertical rate stays missing and does not spoil the horizontal part
    part = local.copy()
    part[1, 2] = np.nan
    back = frame.velocity_from_local_enu(part, lat, lon)
    assert np.isnan(back[1, 2]) and np.isfinite(back[1, :2]).all()
    # the error is the dropped local vertical's share of the frame's horizontal: |v_up| sin(tilt)
    tilt = np.arccos(ecef_to_enu_matrix(44.0, -98.0)[2] @ ecef_to_enu_matrix(40.0, -105.0)[2])
    assert np.linalg.norm(back[1, :2] - v_frame[1, :2]) <= abs(local[1, 2]) * np.sin(tilt) + ROUNDING


def _airliner(noise_m: float, seed: int = 5) -> tuple[Reports, np.ndarray]:
    """A 230 m/s jet turning at 1.5 °/s for 10 minutes; noisy positions, accurate velocities."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 600.0, 5.0)
    omega = np.radians(1.5)  # rad/s
    heading = np.radians(90.0) + omega * t
    speed = 230.0
    frame = LocalFrame(45.0, 10.0, 0.0)
    e = -speed / omega * np.cos(heading)  # the exact circle: dE/dt = v sin h, dN/dt = v cos h
    n = speed / omega * np.sin(heading)
    u = 10_000.0 + 0 * t
    truth_v = np.stack([speed * np.sin(heading), speed * np.cos(heading), 0 * t], axis=1)
    lat, lon, alt = frame.to_geodetic(np.stack([e, n, u], axis=1) + rng.normal(0, noise_m, (t.size, 3)))
    local_v = frame.velocity_to_local_enu(truth_v + rng.normal(0, 0.5, truth_v.shape), lat, lon)
    times = np.datetime64("2026-01-01T00:00:00") + (t * 1e9).astype("timedelta64[ns]")
    rep = Reports.from_columns(
        times,
        lat,
        lon,
        alt,
        object_id="3C6444",
        alt_datum="gps",
        vel_enu_m_s=local_v,
        h_acc_m=noise_m,
        v_acc_m=noise_m,
    )
    return rep, frame.velocity_to_local_enu(truth_v, lat, lon)


def test_auto_uses_reported_velocities_for_aircraft_only() -> None:
    rep, truth_v = _airliner(noise_m=60.0)
    used = build_track(rep, "3C6444")  # auto: classified aircraft, velocities used
    ignored = build_track(rep, "3C6444", use_reported_velocity=False)
    assert used.classification.label == ignored.classification.label == "aircraft"
    err_used = np.sqrt(np.mean((used.vel_enu_m_s[:, :2] - truth_v[:, :2]) ** 2))
    err_ignored = np.sqrt(np.mean((ignored.vel_enu_m_s[:, :2] - truth_v[:, :2]) ** 2))
    assert err_used < 0.5 * err_ignored
    with pytest.raises(OptionError):
        build_track(rep, "3C6444", use_reported_velocity="sometimes")
