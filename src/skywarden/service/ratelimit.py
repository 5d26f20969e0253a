"""Per-token rate limiting with a token bucket (capacity ``burst``, refill ``rate_per_s``).

A bucket holds up to ``burst`` tokens and gains ``rate_per_s`` per second; each request takes
one. An empty bucket answers 429 with ``Retry-After`` (seconds until one token is back). Buckets
are keyed by API-token id (or client address for failed authentication) and kept in memory:
the limit is per server process.
"""

from __future__ import annotations

import math
import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """Thread-safe token buckets by key."""

    def __init__(self, rate_per_s: float = 50.0, burst: int = 200, max_keys: int = 100_000) -> None:
        self.rate_per_s = float(rate_per_s)
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token: 0.0 if allowed, else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        with self._lock:
            level, last = self._buckets.get(key, (self.burst, now))
            level = min(self.burst, level + (now - last) * self.rate_per_s)
            if level >= 1.0:
                self._buckets[key] = (level - 1.0, now)
                return 0.0
            self._buckets[key] = (level, now)
            if len(self._buckets) > self.max_keys:  # forget full buckets first (they are the default)
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
            return max((1.0 - level) / self.rate_per_s, 1e-3)

    @staticmethod
    def retry_after_header(wait_s: float) -> str:
        """``Retry-After`` value: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait_s)))
