"""Air tracking benchmarks (issue 5 goals).

1. Single-object Kalman filter + RTS smoother, reports/s (goal ≥ 1,000,000/s), against filterpy
   (KalmanFilter + rts_smoother, the same CV model) measured in the same run.
2. Association (GNN, M-of-N) of 100 objects for 1 h at 1 Hz with 10 clutter reports per scan,
   reports/s (issue 18 goal ≥ 300,000/s); peer: the single-object filter rate from (1).

Wall-clock rates and rates per CPU second of this process are printed: on the shared 2-core
machine the wall clock mostly measures the other engineers' load.

Run: ``.venv/bin/python bench/bench_air.py``
"""

from __future__ import annotations

import time

import numpy as np
from filterpy.common import Q_continuous_white_noise
from filterpy.kalman import KalmanFilter, rts_smoother

from skywarden.air import BALLOON, run_filter
from skywarden.air.association import AssociationConfig, associate

N_FILTER = 1_000_000
N_PEER = 5_000
N_OBJECTS = 100
DURATION_S = 3600
CLUTTER_PER_SCAN = 10


def _data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n, dtype=np.float64)
    truth = np.stack([10 * t, 3 * t, 5 * t], axis=1)
    return t, truth + rng.normal(0, 5.0, truth.shape)


def bench_filter() -> tuple[float, float, float]:
    rng = np.random.default_rng(1)
    t, z = _data(N_FILTER, rng)
    run_filter(t[:100], z[:100], 25.0, BALLOON)  # compile (cached) outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    run_filter(t, z, 25.0, BALLOON)
    ours = N_FILTER / (time.perf_counter() - t0)
    ours_cpu = N_FILTER / (time.process_time() - c0)
    zp = z[:N_PEER]
    kf = KalmanFilter(dim_x=6, dim_z=3)
    f = np.eye(6)
    q = np.zeros((6, 6))
    for a in range(3):
        f[2 * a, 2 * a + 1] = 1.0
        q[2 * a : 2 * a + 2, 2 * a : 2 * a + 2] = Q_continuous_white_noise(2, 1.0, BALLOON.q_enu[a])
    kf.F, kf.Q, kf.R = f, q, np.eye(3) * 25.0
    kf.H = np.zeros((3, 6))
    kf.H[[0, 1, 2], [0, 2, 4]] = 1.0
    kf.x = np.array([zp[0, 0], 0, zp[0, 1], 0, zp[0, 2], 0.0])
    kf.P = np.diag([25.0, 400, 25, 400, 25, 400])
    t0 = time.perf_counter()
    xs, ps = [], []
    for zi in zp:
        kf.predict()
        kf.update(zi)
        xs.append(kf.x.copy())
        ps.append(kf.P.copy())
    rts_smoother(np.array(xs), np.array(ps), np.array([f] * N_PEER), np.array([q] * N_PEER))
    peer = N_PEER / (time.perf_counter() - t0)
    return ours, peer, ours_cpu


def bench_association() -> tuple[float, int, int, float]:
    rng = np.random.default_rng(2)
    t = np.arange(DURATION_S, dtype=np.float64)
    start = rng.uniform(-50_000, 50_000, (N_OBJECTS, 3)) * [1, 1, 0] + [0, 0, 5000]
    vel = rng.uniform(-30, 30, (N_OBJECTS, 3)) * [1, 1, 0.1]
    vel[: N_OBJECTS // 5, :2] *= 8  # a fifth are aircraft-fast
    pos = (
        start[:, None, :]
        + vel[:, None, :] * t[None, :, None]
        + rng.normal(0, 10.0, (N_OBJECTS, DURATION_S, 3))
    )
    ts = np.repeat(t[None, :], N_OBJECTS, axis=0).ravel()
    zs = pos.reshape(-1, 3)
    ct = np.repeat(t, CLUTTER_PER_SCAN)
    cz = rng.uniform([-80_000, -80_000, 0], [80_000, 80_000, 12_000], (len(ct), 3))
    t_all = np.concatenate([ts, ct])
    order = np.argsort(t_all, kind="stable")
    t_all, z_all = t_all[order], np.concatenate([zs, cz])[order]
    associate(t_all[:5000], z_all[:5000], AssociationConfig())  # compile (cached) outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    res = associate(t_all, z_all, AssociationConfig())
    rate = len(t_all) / (time.perf_counter() - t0)
    rate_cpu = len(t_all) / (time.process_time() - c0)
    return rate, len(res.tracks), len(t_all), rate_cpu


def main() -> None:
    ours, peer, ours_cpu = bench_filter()
    print(
        f"filter+smoother (CV, 1 object): {ours:,.0f} reports/s over {N_FILTER:,} reports "
        f"({ours_cpu:,.0f} per CPU second)"
    )
    print(f"  peer filterpy KalmanFilter+rts_smoother: {peer:,.0f} reports/s; ratio {ours / peer:,.0f}x")
    rate, n_tracks, n, rate_cpu = bench_association()
    print(
        f"association GNN {N_OBJECTS} objects x {DURATION_S} s at 1 Hz + {CLUTTER_PER_SCAN} clutter/scan: "
        f"{rate:,.0f} reports/s ({n:,} reports, {n_tracks} confirmed tracks); "
        f"ratio to single-object filter {rate / ours:.3f}; {rate_cpu:,.0f} per CPU second"
    )


if __name__ == "__main__":
    main()
