"""skywarden.windows: root and maximum refinement (analytic references)."""

from __future__ import annotations

import numpy as np

from skywarden.windows import BEST_TOLERANCE_S, golden_max


def _cosine(peaks_s: np.ndarray):  # type: ignore[no-untyped-def]
    """f_k(t) = cos((t - peak_k) / 100 s): maximum 1 exactly at ``peak_k`` (analytic)."""

    def f(series: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.cos((t - peaks_s[series]) / 100.0)

    return f


def test_golden_max_finds_the_analytic_maximum_per_bracket_whatever_shares_the_call() -> None:
    peaks = np.array([12.345, 1000.0 + np.pi, 5.0])
    f = _cosine(peaks)
    a, b = np.array([0.0, 900.0, 4.0]), np.array([60.0, 1200.0, 6.5])  # widths 60 s, 300 s, 2.5 s
    t_all, v_all = golden_max(f, np.arange(3), a, b)
    assert np.all(np.abs(t_all - peaks) <= BEST_TOLERANCE_S)
    assert np.all(v_all <= 1.0) and np.all(v_all > 1.0 - 1e-6)  # 1 - cos(0.1 s / 100 s) = 5e-7
    # Each bracket alone gives bit-identical answers: a catalog cut into blocks (skywarden.scale)
    # must not change a window's best time by sharing a call with a wider bracket.
    for k in range(3):
        t_k, v_k = golden_max(f, np.array([k]), a[k : k + 1], b[k : k + 1])
        assert t_k[0] == t_all[k] and v_k[0] == v_all[k]
