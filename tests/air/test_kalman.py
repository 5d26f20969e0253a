"""The Kalman filter and RTS smoother against filterpy (same model, same data), the compiled
path against the numpy path, and the chi-square gate."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from filterpy.common import Q_continuous_white_noise
from filterpy.kalman import KalmanFilter, rts_smoother

from skywarden.air import AIRCRAFT, BALLOON, MotionModel, read_reports, run_filter
from skywarden.air.frame import LocalFrame

NUMERICAL_NOISE_M = 1e-6  # m: two double-precision implementations of the same equations
NUMERICAL_NOISE_M_S = 1e-7  # m/s
NO_GATE = 1e30


def _filterpy(
    t: np.ndarray,
    z: np.ndarray,
    r: np.ndarray,
    model: MotionModel,
    zv: np.ndarray | None = None,
    rv: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """filterpy KalmanFilter + rts_smoother on one axis-stacked state [p_e, v_e, (a_e), p_n, ...].

    With ``zv``: one joint update per report of the positions and every finite velocity
    component (H and R built per report), filterpy's own general update."""
    k = model.order
    kf = KalmanFilter(dim_x=3 * k, dim_z=3)
    h = np.zeros((3, 3 * k))
    for a in range(3):
        h[a, a * k] = 1.0
    kf.H = h
    x0 = np.zeros(3 * k)
    p0 = np.zeros((3 * k, 3 * k))
    for a in range(3):
        x0[a * k] = z[0, a]
        p0[a * k, a * k] = r[0, a]
        p0[a * k + 1, a * k + 1] = model.init_var[0]
        if k == 3:
            p0[a * k + 2, a * k + 2] = model.init_var[1]
    kf.x, kf.P = x0.copy(), p0.copy()
    xs, ps, fs, qs = [x0.copy()], [p0.copy()], [], []
    for i in range(1, len(t)):
        dt = t[i] - t[i - 1]
        f = np.zeros((3 * k, 3 * k))
        q = np.zeros((3 * k, 3 * k))
        for a in range(3):
            sl = slice(a * k, (a + 1) * k)
            f1 = np.eye(k)
            f1[0, 1] = dt
            if k == 3:
                f1[1, 2] = dt
                f1[0, 2] = dt * dt / 2
            f[sl, sl] = f1
            q[sl, sl] = Q_continuous_white_noise(dim=k, dt=dt, spectral_density=model.q_enu[a])
        kf.predict(F=f, Q=q)
        if zv is None or rv is None or not np.isfinite(zv[i]).any():
            kf.update(z[i], R=np.diag(r[i]))
        else:
            have = np.flatnonzero(np.isfinite(zv[i]))
            hv = np.zeros((have.size, 3 * k))
            for row, a in enumerate(have):
                hv[row, a * k + 1] = 1.0
            kf.update(
                np.concatenate([z[i], zv[i, have]]),
                R=np.diag(np.concatenate([r[i], rv[i, have]])),
                H=np.vstack([h, hv]),
            )
        xs.append(kf.x.copy())
        ps.append(kf.P.copy())
        fs.append(f)
        qs.append(q)
    fs.append(np.eye(3 * k))
    qs.append(np.zeros((3 * k, 3 * k)))
    # filterpy's rts_smoother uses Fs[k] to go from k to k+1
    xsm, _, _, _ = rts_smoother(np.array(xs), np.array(ps), np.array(fs), np.array(qs))
    return np.array(xs).reshape(len(t), 3, k), xsm.reshape(len(t), 3, k)


@pytest.mark.parametrize("model", [BALLOON, AIRCRAFT], ids=["CV", "CA"])
def test_agrees_with_filterpy_on_real_flight(shared_data: Path, model: MotionModel) -> None:
    # 600 s of EOSS-340 ascent through burst (real fixes, 1 s cadence, stated accuracies)
    rep = read_reports(shared_data / "flights/eoss-340_2023-04-22_deertrail-co_1s.csv", date="2023-04-22")
    sel = slice(4600, 5200)
    frame = LocalFrame(rep.lat_deg[sel][0], rep.lon_deg[sel][0], rep.alt_m[sel][0])
    z = frame.to_enu(rep.lat_deg[sel], rep.lon_deg[sel], rep.alt_m[sel])
    t = (rep.time[sel] - rep.time[sel][0]).astype(np.int64) / 1e9
    r = np.stack([rep.h_acc_m[sel] ** 2, rep.h_acc_m[sel] ** 2, rep.v_acc_m[sel] ** 2], axis=1)
    ungated = MotionModel(model.name, model.order, model.q_enu, gate_nis=NO_GATE, init_var=model.init_var)
    ours = run_filter(t, z, r, ungated)
    xf, xs = _filterpy(t, z, r, ungated)
    assert np.max(np.abs(ours.x_filt[:, :, 0] - xf[:, :, 0])) < NUMERICAL_NOISE_M
    assert np.max(np.abs(ours.x_smooth[:, :, 0] - xs[:, :, 0])) < NUMERICAL_NOISE_M
    assert np.max(np.abs(ours.x_smooth[:, :, 1] - xs[:, :, 1])) < NUMERICAL_NOISE_M_S


@pytest.mark.parametrize("model", [BALLOON, AIRCRAFT], ids=["CV", "CA"])
def test_compiled_and_numpy_paths_agree(model: MotionModel) -> None:
    rng = np.random.default_rng(7)
    t = np.cumsum(rng.uniform(0.2, 3.0, 400))
    t[10] = t[9]  # a duplicate time
    t[200:] += 120.0  # a 2-minute gap
    truth = np.stack([8 * t, -3 * t, 5 * t - 0.001 * t**2], axis=1)
    z = truth + rng.normal(0, 5, truth.shape)
    z[50] += 800.0  # an outlier
    fast = run_filter(t, z, 25.0, model, accelerated=True)
    slow = run_filter(t, z, 25.0, model, accelerated=False)
    assert np.array_equal(fast.accepted, slow.accepted)
    assert np.max(np.abs(fast.x_smooth - slow.x_smooth)) < NUMERICAL_NOISE_M
    assert np.max(np.abs(fast.P_smooth - slow.P_smooth)) < 1e-6


def test_outlier_is_gated_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    rng = np.random.default_rng(3)
    t = np.arange(300.0)
    truth = np.stack([10 * t, 2 * t, 5 * t], axis=1)
    z = truth + rng.normal(0, 5, truth.shape)
    z[150, 2] += 300.0  # a 300 m altitude spike (corrupted packet)
    with caplog.at_level(logging.INFO, logger="skywarden.air.kalman"):
        res = run_filter(t, z, 25.0, BALLOON)
    assert not res.accepted[150] and res.accepted.sum() == 299
    assert "1 of 300 reports rejected" in caplog.text
    # the smoothed state ignores the spike: error at the spike time is a few metres
    assert abs(res.pos_enu_m[150, 2] - truth[150, 2]) < 10.0


def test_manoeuvre_is_followed_not_gated() -> None:
    # a burst: climb at 5 m/s, then fall at 40 m/s; after max_rejects the filter re-seeds
    t = np.arange(400.0)
    up = np.where(t < 200, 5 * t, 1000 - 40 * (t - 200))
    z = np.stack([np.zeros_like(t), np.zeros_like(t), up], axis=1)
    res = run_filter(t, z, 4.0, MotionModel("stiff", 2, (0.01, 0.01, 0.01)))
    assert res.accepted[-100:].all()
    assert abs(res.vel_enu_m_s[-50, 2] + 40.0) < 0.5


def test_input_checks() -> None:
    with pytest.raises(ValueError, match="sorted"):
        run_filter([1.0, 0.0], np.zeros((2, 3)), 1.0)
    with pytest.raises(ValueError, match="no measurements"):
        run_filter([], np.zeros((0, 3)), 1.0)


def _velocity_case(model: MotionModel) -> tuple[np.ndarray, ...]:
    """A climbing, turning object; noisy positions, reported velocities with gaps and one bad one."""
    rng = np.random.default_rng(11)
    t = np.cumsum(rng.uniform(0.5, 2.0, 300))
    truth_v = np.stack([20 + 0 * t, 5 * np.sin(t / 60), 3 + 0 * t], axis=1)
    truth = np.stack([20 * t, -300 * np.cos(t / 60), 3 * t], axis=1)
    z = truth + rng.normal(0, 15, truth.shape)
    zv = truth_v + rng.normal(0, 0.5, truth.shape)
    zv[::4] = np.nan  # every fourth report has no velocity
    zv[1::7, 2] = np.nan  # some have no vertical rate
    return t, z, zv, truth, truth_v


@pytest.mark.parametrize("model", [BALLOON, AIRCRAFT], ids=["CV", "CA"])
def test_velocity_measurements_agree_with_filterpy_joint_update(model: MotionModel) -> None:
    t, z, zv, _, _ = _velocity_case(model)
    ungated = MotionModel(model.name, model.order, model.q_enu, gate_nis=NO_GATE, init_var=model.init_var)
    r = np.full(z.shape, 225.0)
    rv = np.full(z.shape, 0.25)
    ours = run_filter(t, z, r, ungated, vel_enu_m_s=zv, vel_var_m2_s2=rv)
    xf, xs = _filterpy(t, z, r, ungated, zv, rv)
    assert np.max(np.abs(ours.x_filt[:, :, :2] - xf[:, :, :2])) < NUMERICAL_NOISE_M
    assert np.max(np.abs(ours.x_smooth[:, :, 1] - xs[:, :, 1])) < NUMERICAL_NOISE_M_S
    slow = run_filter(t, z, r, ungated, vel_enu_m_s=zv, vel_var_m2_s2=rv, accelerated=False)
    assert np.max(np.abs(slow.x_smooth - ours.x_smooth)) < NUMERICAL_NOISE_M


def test_reported_velocities_sharpen_the_velocity_and_bad_ones_are_gated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t, z, zv, _, truth_v = _velocity_case(BALLOON)
    zv[100] = [400.0, 0.0, 0.0]  # a corrupted velocity report
    without = run_filter(t, z, 225.0, BALLOON)
    with caplog.at_level(logging.INFO, logger="skywarden.air.kalman"):
        fast = run_filter(t, z, 225.0, BALLOON, vel_enu_m_s=zv, vel_var_m2_s2=0.25)
    slow = run_filter(t, z, 225.0, BALLOON, vel_enu_m_s=zv, vel_var_m2_s2=0.25, accelerated=False)
    assert fast.vel_accepted is not None and slow.vel_accepted is not None
    assert not fast.vel_accepted[100] and np.array_equal(fast.vel_accepted, slow.vel_accepted)
    assert "reported velocities rejected" in caplog.text
    err_with = np.sqrt(np.mean((fast.vel_enu_m_s - truth_v) ** 2))
    err_without = np.sqrt(np.mean((without.vel_enu_m_s - truth_v) ** 2))
    assert err_with < 0.5 * err_without
    with pytest.raises(ValueError, match="variances"):
        run_filter(t, z, 225.0, BALLOON, vel_enu_m_s=zv)
