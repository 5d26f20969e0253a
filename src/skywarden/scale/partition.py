"""How a job is cut into independent tasks: object blocks, block pairs, site runs, time slices,
member blocks. Pure integer arithmetic, tested on its own (``tests/scale/test_partition.py``).

All-vs-all screening over ``nb`` object blocks uses the pairs ``(a, b)`` with ``a ≤ b``: the
diagonal ``(a, a)`` screens the pairs inside block ``a``, an off-diagonal ``(a, b)`` only the
pairs with one object in ``a`` and one in ``b``. Every unordered pair of distinct objects
``{i, j}`` lies in exactly one of them — in ``(block(i), block(j))`` ordered — so nothing is
screened twice or missed; there are ``nb (nb + 1) / 2`` tasks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..errors import InputError

__all__ = ["block_pairs", "blocks", "even_blocks", "n_slices", "weighted_blocks"]


def blocks(n: int, size: int) -> list[tuple[int, int]]:
    """Half-open ranges ``[start, stop)`` of at most ``size`` covering ``range(n)`` in order."""
    if size < 1:
        raise InputError(f"block size must be at least 1; got {size}")
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def even_blocks(n: int, parts: int) -> list[tuple[int, int]]:
    """``range(n)`` cut into ``min(parts, n)`` contiguous ranges whose sizes differ by at most one."""
    parts = max(1, min(parts, n))
    if n <= 0:
        return []
    base, extra = divmod(n, parts)
    out, a = [], 0
    for k in range(parts):
        b = a + base + (1 if k < extra else 0)
        out.append((a, b))
        a = b
    return out


def weighted_blocks(weights: Sequence[float], parts: int) -> list[tuple[int, int]]:
    """``range(len(weights))`` cut into at most ``parts`` contiguous, non-empty ranges of about
    equal total weight (the cost of each index); where all weights are zero, :func:`even_blocks`."""
    w = [max(float(x), 0.0) for x in weights]
    n, total = len(w), sum(w)
    if n == 0:
        return []
    if total <= 0:
        return even_blocks(n, parts)
    parts = max(1, min(parts, n))
    out, a, acc, k = [], 0, 0.0, 1
    for i, x in enumerate(w):
        acc += x
        if k < parts and acc >= total * k / parts and i + 1 < n:
            out.append((a, i + 1))
            a, k = i + 1, k + 1
    out.append((a, n))
    return out


def block_pairs(n_blocks: int) -> list[tuple[int, int]]:
    """The ``(a, b)`` block pairs with ``a ≤ b`` (see the module docstring)."""
    return [(a, b) for a in range(n_blocks) for b in range(a, n_blocks)]


def n_slices(n_steps: int, wanted: int, min_steps: int = 30) -> int:
    """Time slices for ``n_steps`` grid intervals: ``wanted``, but at least ``min_steps`` each."""
    return max(1, min(wanted, math.ceil(n_steps / min_steps)))
