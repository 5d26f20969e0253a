"""Generic window finder: where does a batch of continuous functions of time stay ≥ 0?

Given many independent series (e.g. satellite × site pairs) sampled on one time grid and an
evaluator ``f(series, t_s)`` that can be called at any times, :func:`find_windows` returns every
interval where ``f ≥ 0``, with its edges refined to ``tol_s`` and its maximum located:

1. **Sign changes** between adjacent samples bracket an edge; edges are refined by vectorised
   Illinois (safeguarded regula falsi) steps — all open brackets of all series advance together,
   one evaluator call per iteration — until each bracket is narrower than ``tol_s``.
2. **Hidden windows**: a window shorter than the sample step can sit between two negative
   samples. Every *negative local maximum* among the samples is refined by golden-section search
   on its two neighbouring steps; if the refined maximum is ≥ 0 the window is kept and its two
   edges bisected. This cannot miss a window provided ``f`` is unimodal over any two adjacent
   steps near its maxima (true for satellite elevation / off-nadir margins with the steps
   :mod:`skywarden.space.overflight` chooses: a pass lasts longer than the gap between two
   maxima is short, i.e. two passes are never within two steps of each other).
3. **Best point** of each window: the best sample inside it, refined by golden section on its
   neighbouring steps (clipped to the window).
4. Windows already open at the first sample start there and are marked ``clipped_start``;
   windows still open at the last sample end there and are marked ``clipped_end``.

Samples the caller knows to be outside every window (e.g. screened out by a cheap bound) may be
given as ``-inf``; they are never evaluated. Times are float seconds from any origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["GOLDEN_ITERATIONS", "Windows", "bisect_roots", "find_windows", "golden_max"]

Evaluator = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``f(series_index int64 (k,), t_s float64 (k,)) -> margin float64 (k,)``; ≥ 0 means inside."""

_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0
GOLDEN_ITERATIONS = 30
"""Golden-section iterations for callers that fix the count: 0.618**30 ≈ 5e-7 of the bracket."""
BEST_TOLERANCE_S = 0.1
"""Default precision of the time of a maximum (best geometry), seconds."""


@dataclass(frozen=True)
class Windows:
    """Windows found by :func:`find_windows`, one entry per window (arrays of equal length).

    ``series`` index of the series; ``start_s``, ``end_s`` edges (s); ``best_s`` time of the
    maximum of ``f``; ``best_value`` that maximum; ``clipped_start`` / ``clipped_end`` when the
    window was already open at the first sample / still open at the last.
    Sorted by series, then start.
    """

    series: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    best_s: np.ndarray
    best_value: np.ndarray
    clipped_start: np.ndarray
    clipped_end: np.ndarray

    def __len__(self) -> int:
        return int(self.series.size)


def bisect_roots(
    f: Evaluator, series: np.ndarray, a: np.ndarray, b: np.ndarray, fa: np.ndarray, tol_s: float
) -> np.ndarray:
    """Roots of ``f(series, ·)`` in brackets ``[a, b]`` where ``f(a)`` and ``f(b)`` differ in sign
    (``fa`` is ``f(a)``; ``-inf`` allowed). Returns a time within ``tol_s/2`` of a root (the
    midpoint of a final bracket no wider than ``tol_s``). The "inside" side is ``f ≥ 0``.

    Illinois (modified regula falsi) steps keep the bracket and converge superlinearly on the
    smooth margins used here; a bisection step is taken whenever the secant step is not usable
    (infinite end values) or does not shrink the bracket enough, so the worst case is bisection.
    Only brackets not yet converged are evaluated in each iteration.
    """
    a = np.asarray(a, dtype=np.float64).copy()
    b = np.asarray(b, dtype=np.float64).copy()
    if a.size == 0:
        return a
    fa = np.asarray(fa, dtype=np.float64).copy()
    fb = f(series, b)
    side = np.zeros(a.size, dtype=np.int8)  # +1: b was kept last time, -1: a was kept
    active = np.flatnonzero(b - a > tol_s)
    for _ in range(200):
        if active.size == 0:
            break
        aa, bb, ffa, ffb = a[active], b[active], fa[active], fb[active]
        width = bb - aa
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            x = (aa * ffb - bb * ffa) / (ffb - ffa)
        # Keep the step at least a quarter-tolerance inside the bracket; bisect when unusable.
        usable = np.isfinite(x) & (x > aa + 0.25 * tol_s) & (x < bb - 0.25 * tol_s)
        x = np.where(usable, x, 0.5 * (aa + bb))
        fx = f(series[active], x)
        same_as_a = (fx >= 0.0) == (ffa >= 0.0)
        # Illinois: halve the value kept at the end that did not move twice in a row.
        s_prev = side[active]
        new_a = np.where(same_as_a, x, aa)
        new_b = np.where(same_as_a, bb, x)
        new_fa = np.where(same_as_a, fx, np.where(s_prev == -1, 0.5 * ffa, ffa))
        new_fb = np.where(same_as_a, np.where(s_prev == 1, 0.5 * ffb, ffb), fx)
        side[active] = np.where(same_as_a, 1, -1)
        # A step that removed less than half the bracket is followed by a bisection next time.
        slow = (new_b - new_a) > 0.5 * width
        side[active] = np.where(slow & ~usable, 0, side[active])
        a[active], b[active], fa[active], fb[active] = new_a, new_b, new_fa, new_fb
        active = active[(new_b - new_a) > tol_s]
    return 0.5 * (a + b)


def golden_max(
    f: Evaluator,
    series: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    iterations: int | None = None,
    tol_s: float = BEST_TOLERANCE_S,
) -> tuple[np.ndarray, np.ndarray]:
    """Maximise ``f(series, ·)`` on ``[a, b]`` (assumed unimodal) by golden-section search.

    Runs ``iterations`` steps, or by default, per bracket, as many as shrink THAT bracket below
    ``tol_s`` (so a bracket's answer does not depend on which other brackets share the call — a
    catalog cut into blocks gives bit-identical results). Returns ``(t_best, f_best)``; the ends
    ``a`` and ``b`` are candidates too, so a maximum at a bracket end is found.
    """
    a0 = np.asarray(a, dtype=np.float64)
    b0 = np.asarray(b, dtype=np.float64)
    if a0.size == 0:
        return a0.copy(), a0.copy()
    if iterations is None:
        width = np.maximum(b0 - a0, tol_s)
        steps = np.maximum(0, np.ceil(np.log(width / tol_s) / -np.log(_INV_PHI))).astype(np.int64)
    else:
        steps = np.full(a0.size, int(iterations), dtype=np.int64)
    a, b = a0.copy(), b0.copy()
    c = b - _INV_PHI * (b - a)
    d = a + _INV_PHI * (b - a)
    fc = np.array(f(series, c), dtype=np.float64)
    fd = np.array(f(series, d), dtype=np.float64)
    for k in range(int(steps.max(initial=0))):
        act = np.flatnonzero(steps > k)
        aa, bb, cc, dd, ffc, ffd = a[act], b[act], c[act], d[act], fc[act], fd[act]
        left = ffc >= ffd  # the maximum lies in [a, d]
        bb = np.where(left, dd, bb)
        aa = np.where(left, aa, cc)
        new_c = np.where(left, bb - _INV_PHI * (bb - aa), dd)
        new_d = np.where(left, cc, aa + _INV_PHI * (bb - aa))
        fresh = f(series[act], np.where(left, new_c, new_d))
        fc[act], fd[act] = np.where(left, fresh, ffd), np.where(left, ffc, fresh)
        a[act], b[act], c[act], d[act] = aa, bb, new_c, new_d
    t_best = np.where(fc >= fd, c, d)
    f_best = np.maximum(fc, fd)
    for t_end in (a0, b0):
        f_end = f(series, t_end)
        better = f_end > f_best
        t_best = np.where(better, t_end, t_best)
        f_best = np.where(better, f_end, f_best)
    return t_best, f_best


def find_windows(
    f: Evaluator,
    t_s: np.ndarray,
    values: np.ndarray,
    *,
    tol_s: float = 1e-3,
) -> Windows:
    """All windows where ``f ≥ 0`` for every series (see the module docstring).

    ``t_s`` is the shared sample grid ``(m,)`` (increasing, seconds) and ``values`` the margins at
    the samples ``(n_series, m)``: finite where evaluated, ``-inf`` where known to be outside,
    NaN where undefined (treated as outside). Edges are refined to ``tol_s`` seconds.
    """
    t_s = np.asarray(t_s, dtype=np.float64)
    v = np.where(np.isnan(values), -np.inf, np.asarray(values, dtype=np.float64))
    n, m = v.shape
    inside = v >= 0.0

    # --- runs of inside samples -> windows with edges in the neighbouring steps ------------
    padded = np.zeros((n, m + 2), dtype=bool)
    padded[:, 1:-1] = inside
    flat = padded.ravel()
    d = np.diff(flat.astype(np.int8))
    starts = np.flatnonzero(d == 1)  # flat padded index of the first inside sample minus 1
    ends = np.flatnonzero(d == -1)  # flat padded index of the last inside sample
    run_series = starts // (m + 2)
    first = starts % (m + 2)  # sample index of first inside sample (padded index - 1)
    last = ends % (m + 2) - 1  # sample index of last inside sample
    clipped_start = first == 0
    clipped_end = last == m - 1

    # Rising edges in (first-1, first); setting edges in (last, last+1).
    rs = ~clipped_start
    rise = np.where(clipped_start, t_s[first], np.nan)
    if rs.any():
        s_ = run_series[rs]
        lo = t_s[first[rs] - 1]
        hi = t_s[first[rs]]
        rise[rs] = bisect_roots(f, s_, lo, hi, v[s_, first[rs] - 1], tol_s)
    se = ~clipped_end
    set_ = np.where(clipped_end, t_s[last], np.nan)
    if se.any():
        s_ = run_series[se]
        lo = t_s[last[se]]
        hi = t_s[last[se] + 1]
        set_[se] = bisect_roots(f, s_, lo, hi, v[s_, last[se]], tol_s)

    # Best sample inside each run (runs are contiguous: segment maxima, first index reaching
    # the maximum), then golden refinement on its neighbouring steps.
    seg_len = last - first + 1
    seg_start = np.cumsum(seg_len) - seg_len
    run_id = np.repeat(np.arange(run_series.size), seg_len)
    idx_sample = np.repeat(first - seg_start, seg_len) + np.arange(run_id.size)
    vals = v[np.repeat(run_series, seg_len), idx_sample]
    best_k = np.zeros(run_series.size, dtype=np.int64)
    if vals.size:
        seg_max = np.maximum.reduceat(vals, seg_start)
        hits = np.flatnonzero(vals == np.repeat(seg_max, seg_len))
        first_hit = np.ones(hits.size, dtype=bool)
        first_hit[1:] = run_id[hits][1:] != run_id[hits][:-1]
        best_k = idx_sample[hits[first_hit]]
    lo_t = np.maximum(t_s[np.maximum(best_k - 1, 0)], rise)
    hi_t = np.minimum(t_s[np.minimum(best_k + 1, m - 1)], set_)
    best_t, best_v = golden_max(f, run_series, lo_t, hi_t)

    # --- hidden windows: negative local maxima that rise above zero between samples ---------
    finite = np.isfinite(v)
    left = np.concatenate([np.full((n, 1), -np.inf), v[:, :-1]], axis=1)
    right = np.concatenate([v[:, 1:], np.full((n, 1), -np.inf)], axis=1)
    cand = finite & ~inside & (v >= left) & (v >= right) & ((v > left) | (v > right) | (m == 1))
    hs, hk = np.nonzero(cand)
    h_lo = t_s[np.maximum(hk - 1, 0)]
    h_hi = t_s[np.minimum(hk + 1, m - 1)]
    h_t, h_v = golden_max(f, hs, h_lo, h_hi)
    keep = h_v >= 0.0
    hs, hk, h_t, h_v, h_lo, h_hi = hs[keep], hk[keep], h_t[keep], h_v[keep], h_lo[keep], h_hi[keep]
    h_rise = bisect_roots(f, hs, h_lo, h_t, f(hs, h_lo), tol_s)
    h_set = bisect_roots(f, hs, h_t, h_hi, h_v, tol_s)
    # A hidden window at the grid edge whose maximum is the edge itself stays clipped there.
    h_cs = (hk == 0) & (f(hs, h_lo) >= 0.0) if hs.size else np.zeros(0, dtype=bool)
    h_ce = (hk == m - 1) & (f(hs, h_hi) >= 0.0) if hs.size else np.zeros(0, dtype=bool)
    h_rise = np.where(h_cs, h_lo, h_rise)
    h_set = np.where(h_ce, h_hi, h_set)

    series = np.concatenate([run_series, hs]).astype(np.int64)
    start = np.concatenate([rise, h_rise])
    end = np.concatenate([set_, h_set])
    order = np.lexsort((start, series))
    return Windows(
        series=series[order],
        start_s=start[order],
        end_s=end[order],
        best_s=np.concatenate([best_t, h_t])[order],
        best_value=np.concatenate([best_v, h_v])[order],
        clipped_start=np.concatenate([clipped_start, h_cs])[order],
        clipped_end=np.concatenate([clipped_end, h_ce])[order],
    )
