"""An in-memory LRU for query answers (overflight/quiet), thread-safe.

Keys are tuples of the query's inputs (catalog id, site id, window, parameters); values are the
JSON-able answers. The database copy (``query_cache`` table) is handled by the caller so a
restarted server answers repeated queries without recomputing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["QueryCache"]


class QueryCache:
    """Least-recently-used mapping with at most ``size`` entries (0 disables it)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
