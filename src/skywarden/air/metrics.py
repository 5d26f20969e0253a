"""Tracking performance metrics: OSPA distance (Schuhmacher, Vo & Vo, IEEE TSP 56(8), 2008)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["ospa"]


def ospa(x: Any, y: Any, c: float, p: float = 2.0) -> float:
    """OSPA distance between point sets ``x`` (m, d) and ``y`` (n, d), cut-off ``c``, order ``p``.

    ``d = ( (min over assignments Σ min(c, |x_i - y_π(i)|)^p + c^p |m - n|) / max(m, n) )^(1/p)``
    (eq. 3 of the paper); 0 for two empty sets. Units are those of the points (metres here).
    """
    a = np.asarray(x, dtype=np.float64).reshape(-1, np.shape(x)[-1] if np.ndim(x) > 1 else 1)
    b = np.asarray(y, dtype=np.float64).reshape(-1, a.shape[1])
    m, n = len(a), len(b)
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(c)
    dist = np.minimum(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2), c) ** p
    ri, ci = linear_sum_assignment(dist)
    total = dist[ri, ci].sum() + c**p * abs(m - n)
    return float((total / max(m, n)) ** (1.0 / p))
