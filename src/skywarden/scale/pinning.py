"""Pinning the workers of a local Dask cluster, one core each (imported only when one starts:
it needs ``distributed`` at import time)."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["OneCorePerWorker"]


class OneCorePerWorker(WorkerPlugin):  # type: ignore[misc]
    """Dask worker plugin: pin worker number ``k`` of a LocalCluster to core ``cores[k % len]``.

    Every thread of the worker process is pinned (Linux affinity is per thread; threads started
    later inherit it), so thread pools sized from the affinity mask — astroz's SGP4 and
    screening threads — start one thread, and numba is told to use one (``NUMBA_NUM_THREADS=1``
    is set in the worker's environment by :func:`dask_client`). Without it two workers on two
    cores each start two threads per parallel call and the threads fight for the cores. Workers
    whose name is not a number, and systems without ``sched_setaffinity``, are left as they are.
    """

    name = "skywarden-one-core-per-worker"

    def __init__(self, cores: list[int]) -> None:
        self.cores = list(cores)

    def setup(self, worker: Any) -> None:
        try:
            k = int(worker.name)
        except (TypeError, ValueError):
            return
        if not self.cores or not hasattr(os, "sched_setaffinity"):
            return
        mask = {self.cores[k % len(self.cores)]}
        for tid in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):  # a thread that just ended
                os.sched_setaffinity(int(tid), mask)
