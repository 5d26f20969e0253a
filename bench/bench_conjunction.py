"""Benchmark: conjunction screening and Pc throughput, against named peers in the same run.

Run: ``.venv/bin/python bench/bench_conjunction.py [--quick]``

1. Active catalog (CelesTrak, 14,710 objects), all-vs-all, 24 h, 5 km, 60 s grid:
   astroz 0.17 ``astroz.screen`` (peer; propagation + candidates + compiled TCA refinement) vs
   ``skywarden.screen`` (our propagation backend + astroz's compiled ``screen_candidates`` on our
   arrays + our Hermite pre-filter + our python-sgp4 Newton TCA refinement + default-model Pc).
   Both start from parsed catalogs (parsing is timed separately). Event lists are compared.
2. Full Space-Track catalog (26,140 objects, 2023-10), same settings: ours, and astroz unless
   ``--quick``.
3. Pc for 10,000 CDM files (``--pc-only`` runs just this): from the KVN files on disk to Foster
   Pc for each — ``pc_from_cdms`` (compiled scan into columns + vectorised Pc), against a
   per-event ``scipy.integrate.dblquad`` of the same Foster integral (peer, Pc only, timed on
   200 events and scaled to 10,000) and against our own one-message-at-a-time lossless route.
"""

from __future__ import annotations

import sys
import tempfile
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
from skywarden.space.orbit.frames import itrs_to_teme
from skywarden.space.safety.cdm import pc_from_cdm, read_cdm
from skywarden.space.safety.cdm_table import pc_from_cdms, read_cdm_table
from skywarden.space.safety.conjunction import screen
from skywarden.space.safety.covariance import rtn_to_inertial
from skywarden.space.safety.pc.base import encounter_plane

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
        ours = screen(cat, start, "24h", 5.0, include_colocated=True)  # like astroz: docked pairs too
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


def _write_cdm_files(directory: Path, n: int) -> list[Path]:
    """N distinct KVN CDMs: CARA's Terra message with the secondary's X jittered by up to ±200 m."""
    base = read_cdm(REPO / "tests" / "data" / "cdm" / "cara_000025994_conj_000026132.cdm")
    text = base.to_kvn()
    x2 = base.get("X", 2)
    rng = np.random.default_rng(0)
    paths = []
    for k in range(n):
        new = f"= {float(x2) + rng.uniform(-0.2, 0.2):.12e} [km]"
        path = directory / f"cdm_{k:05d}.cdm"
        path.write_text(text.replace(f"= {x2} [km]", new, 1) if k else text)
        paths.append(path)
    return paths


def bench_pc(n: int = 10_000, rounds: int = 3) -> None:
    print(f"\n== Pc for {n:,} CDM files (Foster), best of {rounds} ==")
    with tempfile.TemporaryDirectory() as tmp:
        paths = _write_cdm_files(Path(tmp), n)
        pc_from_cdms(paths[:10])  # compile / load the numba scan once
        best = dict(total=np.inf, read=np.inf, pc=np.inf)
        for _ in range(rounds):
            t = time.perf_counter()
            results = pc_from_cdms(paths)
            best["total"] = min(best["total"], time.perf_counter() - t)
            t = time.perf_counter()
            table = read_cdm_table(paths)
            best["read"] = min(best["read"], time.perf_counter() - t)
            t = time.perf_counter()
            pc_from_cdms(table)
            best["pc"] = min(best["pc"], time.perf_counter() - t)
        pcs = np.array([r.pc for r in results])
        print(f"files -> Pc (read_cdm_table + pc_from_cdms): {best['total']:.2f} s  (goal <= 2 s)")
        print(
            f"  of which reading into columns {best['read']:.2f} s, states->inertial + Pc {best['pc']:.2f} s"
        )
        # The lossless parser (one CDM object per file), on 1,000 files, scaled.
        t = time.perf_counter()
        for path in paths[:1000]:
            pc_from_cdm(read_cdm(path))
        t_lossless = (time.perf_counter() - t) * n / 1000
        print(f"one message at a time (read_cdm + pc_from_cdm), scaled to {n:,}: {t_lossless:.1f} s")
        # Peer: the same Foster integral with scipy.integrate.dblquad, event by event.
        r1, v1, r2, v2 = table.r_m[:200, 0], table.v_m_s[:200, 0], table.r_m[:200, 1], table.v_m_s[:200, 1]
        if table.itrf[:200].any():  # Earth-fixed states: to TEME first, as pc_from_cdms does
            r1, v1 = itrs_to_teme(r1, v1, table.tca[:200])
            r2, v2 = itrs_to_teme(r2, v2, table.tca[:200])
        c1 = rtn_to_inertial(table.cov_rtn[:200, 0], r1, v1)
        c2 = rtn_to_inertial(table.cov_rtn[:200, 1], r2, v2)
        hbr = float(table.hbr_m[0])
        enc = encounter_plane(r1, v1, c1, r2, v2, c2, hbr)
        t = time.perf_counter()
        ref = []
        for m, cov in zip(enc.miss_m, enc.cov_m2, strict=True):
            inv, det = np.linalg.inv(cov), np.linalg.det(cov)
            norm = 1.0 / (2 * np.pi * np.sqrt(det))

            def dens(y, x, m=m, inv=inv, norm=norm):
                d = np.array([x - m[0], y - m[1]])
                return norm * np.exp(-0.5 * d @ inv @ d)

            ref.append(dblquad(dens, -hbr, hbr, lambda x: -np.sqrt(hbr**2 - x * x), lambda x: np.sqrt(hbr**2 - x * x),
                               epsabs=0, epsrel=1e-8)[0])  # fmt: skip
        t_peer = (time.perf_counter() - t) * n / 200
        err = np.max(np.abs(np.array(ref) - pcs[:200]) / np.array(ref))
        print(
            f"scipy dblquad per event (peer, Pc only), scaled to {n:,}: {t_peer:.1f} s; max rel diff {err:.1e}"
        )
        print(f"ratio skywarden files->Pc / dblquad Pc only: {best['total'] / t_peer:.4f}x")


def main() -> None:
    quick = "--quick" in sys.argv
    if "--pc-only" in sys.argv:
        bench_pc()
        return
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
