"""A compiled open-addressing hash table ``int64 key → least budget used`` for the reach search.

The steady-wind visited-bin pruning of :mod:`skywarden.flight.reach_grid` needs, for every
(member, level, fine bin) ever occupied, the least altitude budget used to be there. A dense
global table is too large for fine bins (tens of millions of cells per level); the occupied
cells are a small part of the globe, so a hash table sized to them is used instead (linear
probing, load factor ≤ 1/2, grown by rehashing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = ["VisitedTable"]

_EMPTY = np.int64(-1)


@njit(cache=True, nogil=True)
def _slot(keys: Any, key: np.int64) -> int:
    mask = keys.size - 1
    h = (key * np.int64(-7046029254386353131)) >> np.int64(17)  # multiplicative hashing
    i = int(h & mask)
    while keys[i] != key and keys[i] != -1:
        i = (i + 1) & mask
    return i


@njit(cache=True, nogil=True)
def _update(keys: Any, vals: Any, query: Any, used: Any, fresh: Any) -> int:
    """For each query key: fresh if never seen or seen with more budget used (then stored).
    Returns the number of new keys inserted."""
    added = 0
    for n in range(query.size):
        i = _slot(keys, query[n])
        if keys[i] == -1:
            keys[i] = query[n]
            vals[i] = used[n]
            fresh[n] = True
            added += 1
        elif vals[i] > used[n] + 1e-3:
            vals[i] = used[n]
            fresh[n] = True
        else:
            fresh[n] = False
    return added


@njit(cache=True, nogil=True)
def _rehash(keys: Any, vals: Any, new_keys: Any, new_vals: Any) -> None:
    for n in range(keys.size):
        if keys[n] != -1:
            i = _slot(new_keys, keys[n])
            new_keys[i] = keys[n]
            new_vals[i] = vals[n]


class VisitedTable:
    """``update(keys, used) → fresh`` mask; keys are non-negative int64."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        cap = 1 << max(4, int(capacity - 1).bit_length())
        self.keys = np.full(cap, _EMPTY, np.int64)
        self.vals = np.zeros(cap, np.float64)
        self.size = 0

    def update(self, keys: np.ndarray, used: np.ndarray) -> np.ndarray:
        need = self.size + keys.size
        if 2 * need > self.keys.size:
            cap = self.keys.size
            while 2 * need > cap:
                cap *= 2
            new_keys = np.full(cap, _EMPTY, np.int64)
            new_vals = np.zeros(cap, np.float64)
            _rehash(self.keys, self.vals, new_keys, new_vals)
            self.keys, self.vals = new_keys, new_vals
        fresh = np.zeros(keys.size, np.bool_)
        self.size += _update(
            self.keys,
            self.vals,
            np.ascontiguousarray(keys, np.int64),
            np.ascontiguousarray(used, np.float64),
            fresh,
        )
        return fresh
