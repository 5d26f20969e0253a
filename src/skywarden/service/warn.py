"""Run a library call and collect its warnings instead of letting them escape.

The library reports data-quality problems as warnings (one per call, with a count). In the
service they belong in the answer or the log, never in the process-wide warning machinery (where
a ``-W error`` run, like the test suite, would turn them into 500s). ``warnings.catch_warnings``
changes process-global state, so calls are serialised by one lock; only reading uploads and
computing uncached queries go through here.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["collect_warnings"]

log = logging.getLogger(__name__)
_LOCK = threading.RLock()
T = TypeVar("T")


def collect_warnings(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, list[str]]:
    """``(fn(*args, **kwargs), [warning messages])``; the warnings are also logged at INFO."""
    with _LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    messages = [str(w.message) for w in caught]
    for m in messages:
        log.info("library warning: %s", m)
    return result, messages
