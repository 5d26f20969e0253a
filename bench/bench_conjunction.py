"""Benchmark: conjunction screening and Pc throughput, against named peers in the same run.

Run: ``.venv/bin/python bench/bench_conjunction.py [--quick]``

1. Active catalog (CelesTrak, 14,710 objects), all-vs-all, 24 h, 5 km, 60 s grid:
   astroz 0.17 ``astroz.screen`` (peer; propagation + candidates + compiled TCA refinement) vs
   ``skywarden.screen`` (our propagation backend + astroz's compiled ``screen_candidates`` on our
   arrays + our Hermite pre-filter + our python-sgp4 Newton TCA refinement + default-model Pc).
   Both start from parsed catalogs (parsing is timed separately). Event lists are compared.
2. Full Space-Track catalog (26,140 objects, 2023-10), same settings: ours, and astroz unless
   ``--quick``.
3. Pc for 10,000 CDMs: parse 10,000 KVN CDMs and compute Foster Pc (ours, vectorised), against a
   per-event ``scipy.integrate.dblquad`` of the same Foster integral (peer, timed on 200 events and
   scaled to 10,000).
"""

from __future__ import annotations

import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import astroz
from scipy.integrate import dblquad

from conftest import find_shared_data
from skywarden.errors import DataQualityWarning
from skywarden.space.catalog import load_catalog
from skywarden.space.cdm import CDM, read_cdm
from skywarden.space.conjunction import screen
from skywarden.space.covariance import rtn_to_inertial
from skywarden.space.pc import pc_foster
from skywarden.space.pc.base import encounter_plane

REPO = Path(__file__).resolve().parents[1]


def _pairs(events, satnums=None):
    if satnums is None:
        return {(min(e.primary, e.secondary), max(e.primary, e.secondary)) for e in events}
    return {(min(int(satnums[i]), int(satnums[j])), max(int(satnums[i]), int(satnums[j]))) for i, j in zip(events.i, events.j, strict=True)}  # fmt: skip


def bench_screen(path: Path, start: datetime, with_peer: bool) -> None:
    print(f"\n== {path.name}: all-vs-all, 24 h, 5 km, 60 s grid ==")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        t = time.perf_counter()
        cat = load_catalog(path)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        ours = screen(cat, start, "24h", 5.0)
        t_ours = time.perf_counter() - t
    print(f"objects {len(cat):,}; parse (skywarden.load_catalog) {t_load:.2f} s")
    print(f"skywarden.screen : {t_ours:7.2f} s  {len(ours):,} events")
    if not with_peer:
        return
    t = time.perf_counter()
    const = astroz.Constellation(str(path))
    t_parse = time.perf_counter() - t
    t = time.perf_counter()
    ref = astroz.screen(const, 1440.0, threshold=5.0, step=1.0, start_time=start)
    t_astroz = time.perf_counter() - t
    print(
        f"astroz.screen    : {t_astroz:7.2f} s  {len(ref.i):,} events (Constellation parse {t_parse:.2f} s)"
    )
    print(f"ratio skywarden/astroz: {t_ours / t_astroz:.2f}x")
    a, b = _pairs(ref, np.array(const.satnums)), _pairs(ours)
    print(
        f"event pairs: astroz {len(a):,}, ours {len(b):,}, astroz-only {len(a - b)}, ours-only {len(b - a)}"
    )
    sn = np.array(const.satnums)
    for i, j, t_min, d_km in zip(ref.i, ref.j, ref.time, ref.distance, strict=True):
        pair = (min(int(sn[i]), int(sn[j])), max(int(sn[i]), int(sn[j])))
        if pair in a - b:
            print(f"  astroz-only: {pair} t+{t_min:.3f} min, {d_km * 1e3:.1f} m")


def bench_pc(n: int = 10_000) -> None:
    print(f"\n== Pc for {n:,} CDMs (Foster) ==")
    base = read_cdm(REPO / "tests" / "data" / "cdm" / "cara_000025994_conj_000026132.cdm")
    text = base.to_kvn()
    rng = np.random.default_rng(0)
    # 10,000 distinct messages: jitter the secondary's position by up to ±200 m per axis.
    texts = []
    x2 = float(base.get("X", 2) or 0.0)
    for k in range(n):
        dx = rng.uniform(-0.2, 0.2)
        texts.append(text.replace(f"= {base.get('X', 2)} [km]", f"= {x2 + dx:.12e} [km]", 1) if k else text)
    t = time.perf_counter()
    cdms = [CDM.from_kvn(s) for s in texts]
    t_parse = time.perf_counter() - t
    t = time.perf_counter()
    r1, v1, c1, r2, v2, c2 = [], [], [], [], [], []
    for c in cdms:
        a, b = c.state_m(1)
        r1.append(a), v1.append(b), c1.append(c.covariance_rtn(1))
        a, b = c.state_m(2)
        r2.append(a), v2.append(b), c2.append(c.covariance_rtn(2))
    r1, v1, r2, v2 = map(np.array, (r1, v1, r2, v2))
    c1 = rtn_to_inertial(np.array(c1), r1, v1)
    c2 = rtn_to_inertial(np.array(c2), r2, v2)
    t_extract = time.perf_counter() - t
    t = time.perf_counter()
    pcs = pc_foster(r1, v1, c1, r2, v2, c2, 15.0)
    t_pc = time.perf_counter() - t
    print(f"parse {n:,} KVN CDMs: {t_parse:.2f} s; states+covariances to inertial: {t_extract:.2f} s")
    print(f"skywarden pc_foster (vectorised): {t_pc:.3f} s  (median Pc {np.median(pcs):.3e})")
    print(f"total parse + Pc: {t_parse + t_extract + t_pc:.2f} s (goal <= 2 s)")
    # Peer: the same Foster integral with scipy.integrate.dblquad, event by event.
    enc = encounter_plane(r1[:200], v1[:200], c1[:200], r2[:200], v2[:200], c2[:200], 15.0)
    t = time.perf_counter()
    ref = []
    for m, cov in zip(enc.miss_m, enc.cov_m2, strict=True):
        inv, det = np.linalg.inv(cov), np.linalg.det(cov)
        norm = 1.0 / (2 * np.pi * np.sqrt(det))

        def dens(y, x, m=m, inv=inv, norm=norm):
            d = np.array([x - m[0], y - m[1]])
            return norm * np.exp(-0.5 * d @ inv @ d)

        ref.append(dblquad(dens, -15.0, 15.0, lambda x: -np.sqrt(225 - x * x), lambda x: np.sqrt(225 - x * x),
                           epsabs=0, epsrel=1e-8)[0])  # fmt: skip
    t_peer = (time.perf_counter() - t) * n / 200
    err = np.max(np.abs(np.array(ref) - pcs[:200]) / np.array(ref))
    print(f"scipy dblquad per event (peer), scaled to {n:,}: {t_peer:.1f} s; max rel diff vs ours {err:.1e}")
    print(f"ratio skywarden Pc / dblquad: {t_pc / t_peer:.4f}x")


def main() -> None:
    quick = "--quick" in sys.argv
    data = find_shared_data()
    if data is None:
        sys.exit("shared data not found (set SKYWARDEN_SHARED_DATA)")
    start = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)
    bench_screen(data / "catalogs" / "celestrak-active-2026-03-19.tle", start, with_peer=True)
    bench_screen(data / "catalogs" / "spacetrack-full-3le-2023-10.txt", datetime(2023, 10, 10, tzinfo=UTC),
                 with_peer=not quick)  # fmt: skip
    bench_pc()


if __name__ == "__main__":
    main()
