"""Connecting to Dask and running a list of independent tasks on it, with progress and retries.

``dask_client(spec)`` is the one place a cluster is chosen:

* ``None`` (or ``""``/``"none"``): no Dask at all — the caller runs in-process (the default).
* ``"local"``: a :class:`distributed.LocalCluster` sized to this machine — one single-threaded
  worker *process* per core (the cores this process may run on), no dashboard; closed on exit.
  Each worker is pinned to one core (:class:`~skywarden.scale.pinning.OneCorePerWorker`) so the libraries' own thread
  pools (numba ``prange``, astroz's SGP4 and screening threads, which size themselves from the
  CPU affinity) run one thread per worker instead of every worker starting one per core.
* ``"tcp://host:8786"`` (any ``scheme://`` address): an existing scheduler (``dask scheduler``,
  dask-kubernetes, dask-jobqueue); only the client is closed on exit.
* a :class:`distributed.Client` already made by the caller (the service): used as is, not closed.

:func:`run_tasks` submits one task per argument tuple, names the large shared inputs it was
given as futures (scattered once, ``broadcast=True``, by :func:`scatter`), reports
``progress(done, total)`` as tasks finish (``distributed.as_completed``), and returns the
results in submission order. Failures: an exception a task raises is re-raised as is (a
:class:`~skywarden.errors.SkywardenError` from the library keeps its class and message); a task
whose workers died (``KilledWorker``: the scheduler already retried it on other workers
``distributed.scheduler.allowed-failures`` times, default 3) or a lost scheduler becomes a
:class:`ClusterError` naming the task.
"""

from __future__ import annotations

import os
import pickle
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import OptionError, SkywardenError

__all__ = [
    "ClusterError", "Shared", "dask_client", "machine_cores", "n_workers", "run_tasks", "scatter",
    "unwrap",
]  # fmt: skip

Progress = Callable[[int, int], None]


class ClusterError(SkywardenError):
    """The Dask cluster could not run a job: scheduler unreachable, workers lost, task killed."""

    status_code = 503


def machine_cores() -> list[int]:
    """The CPU cores this process may run on (its affinity mask; all cores where there is none)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return list(range(os.cpu_count() or 1))


#: Environment of ``dask_client("local")``'s worker processes, set by the nanny in the new
#: process before it imports numba: one numba/OpenMP thread each (a worker per core).
LOCAL_WORKER_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
#: glibc malloc settings of the local workers, so a task's large arrays (the screen's state
#: chunks, ≤ 192 MiB; the overflight screen's object × site × step slabs) are reused from the
#: heap by the next task instead of being mapped, page-faulted and zeroed anew each time.
#: glibc reads them once, when the process starts, so they must be in the environment the
#: nanny spawns the worker with (Dask's ``distributed.nanny.pre-spawn-environ``;
#: ``env=``/``distributed.nanny.environ`` arrive too late and malloc ignores them):
#:
#: * ``MALLOC_ARENA_MAX=1``: the task thread allocates from the main heap; a thread's own arena
#:   holds at most 64 MiB per block, so bigger arrays were mmapped and unmapped every time;
#: * ``MALLOC_MMAP_THRESHOLD_`` 256 MiB: arrays up to 256 MiB come from the heap;
#: * ``MALLOC_TRIM_THRESHOLD_`` 2 GiB: up to 2 GiB freed at the top of the heap stays for the
#:   next task (Dask's default, 64 KiB, hands every freed block back to the system). A worker's
#:   RSS therefore stays near its largest task's peak between jobs; Dask's memory limit still
#:   applies.
#:
#: Measured here 2026-12-05 (one worker, tasks of the active catalog × 1,000 sites × 24 h
#: overflight): 10.0 s for the four blocks with Dask's setting (0.1–1.0 s of system time per
#: task, 240,000 page faults), 8.9 s with these (no faults after the worker's first task),
#: against 8.7 s in a plain process on one core. A quarter of the 26k × 24 h screen: 11.5–12.5 s
#: → 9.7–10.2 s (9.3–9.9 s plain). Like Dask's own default, the nanny leaves them in this
#: process's ``os.environ`` (inherited by processes it starts later; this one is unaffected).
LOCAL_MALLOC_ENV = {
    "MALLOC_ARENA_MAX": "1",
    "MALLOC_MMAP_THRESHOLD_": str(256 * 2**20),
    "MALLOC_TRIM_THRESHOLD_": str(2 * 2**30),
}
#: Dask settings of ``dask_client("local")`` (the nanny hands them to its workers). A worker
#: holds exactly one task at a time (saturation 1.0; Dask's default 1.1 rounds up to two per
#: single-threaded worker, and a task queued behind a long one waits for work stealing while the
#: other worker idles). No statistical profiler: it samples every thread's stack 100 times a
#: second under the GIL, 10 % of a screening task's time here (13.0 s against 11.6 s outside a
#: task).
LOCAL_DASK_CONFIG = {
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.profile.enabled": False,
    **{f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in LOCAL_MALLOC_ENV.items()},
}


def _valid_spec(spec: str) -> bool:
    return spec == "local" or "://" in spec


@contextmanager
def dask_client(spec: Any = None, *, n_workers: int | None = None, timeout_s: float = 10.0) -> Iterator[Any]:
    """Yield a ``distributed.Client`` for ``spec`` (see the module docstring), or None for no Dask.

    ``n_workers`` overrides the LocalCluster size (default: one worker per core).
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "none")):
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    if isinstance(spec, Client):
        yield spec
        return
    if not isinstance(spec, str) or not _valid_spec(spec.strip()):
        raise OptionError("dask", str(spec), ("local", "tcp://host:8786"))
    spec = spec.strip()
    if spec == "local":
        cores = machine_cores()
        workers = n_workers or max(len(cores), 1)
        try:
            with dask.config.set(LOCAL_DASK_CONFIG):
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                    env=LOCAL_WORKER_ENV,
                )  # fmt: skip
        except Exception as exc:  # pragma: no cover - depends on the machine
            raise ClusterError(f"could not start a local Dask cluster of {workers} workers: {exc}") from exc
        client = Client(cluster)
        if workers <= len(cores):
            from .pinning import OneCorePerWorker

            client.register_plugin(OneCorePerWorker(cores))
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(spec, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"could not reach the Dask scheduler at {spec} within {timeout_s:g} s ({exc}); start one with "
            "`dask scheduler` (it prints its tcp://host:8786 address) or use --dask local"
        ) from exc
    try:
        yield client
    finally:
        client.close()


def n_workers(client: Any) -> int:
    """Worker threads the scheduler knows of now (at least 1)."""
    info = client.scheduler_info()
    return max(sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()), 1)


def scatter(client: Any, value: Any) -> Any:
    """Send ``value`` to every worker once (``broadcast=True``) and return its future; tasks that
    take the future as an argument receive the worker's local copy (no per-task transfer) as a
    :class:`Shared` — :func:`unwrap` it.

    ``value`` travels as ONE pickled blob: ``client.scatter`` of a bare list or dict would scatter
    every item as a future of its own (26,000 futures for a catalog, each a dependency of every
    task), and Dask's serializer walks a list item by item, on the client and again on every
    worker that passes its copy on during the broadcast (3.4 s for the 26k catalog on two
    workers, against 0.1 s for the same data as one pickle, measured here)."""
    (future,) = client.scatter([Shared(value)], broadcast=True, hash=False)
    return future


class Shared:
    """A scattered value that Dask moves as one pickle (see :func:`scatter`).

    On a worker it stays a pickle until a task first asks for :attr:`value` (then it is unpickled
    once and kept), so a worker that passes its copy on during the broadcast forwards bytes."""

    __slots__ = ("_blob", "_value")

    def __init__(self, value: Any = None, blob: bytes | None = None) -> None:
        self._value, self._blob = value, blob

    @property
    def value(self) -> Any:
        blob = self._blob  # one read: two threads may unpickle at once, both get the value
        if blob is not None:
            self._value = pickle.loads(blob)
            self._blob = None
        return self._value

    def __reduce__(self) -> tuple[Any, tuple[None, bytes]]:
        blob = self._blob
        if blob is None:
            blob = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return Shared, (None, blob)

    def __sizeof__(self) -> int:
        return len(self._blob) if self._blob is not None else object.__sizeof__(self)


def unwrap(value: Any) -> Any:
    """The value a task received for a :func:`scatter` future (anything else as it is)."""
    return value.value if isinstance(value, Shared) else value


def run_tasks(
    client: Any,
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    *,
    kwargs: dict[str, Any] | None = None,
    progress: Progress | None = None,
    retries: int = 1,
    label: str = "task",
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """Run ``fn(*call, **kwargs)`` for every ``call`` on ``client``; results in ``calls`` order.

    ``kwargs`` are shared by all calls (put scattered futures there, or small values).
    ``retries``: times a task that raised is re-run (Dask ``retries=``). ``progress(done, total)``
    is called from this thread as tasks complete. ``on_result(k, result)`` is called from this
    thread with each task's result as it arrives (in completion order; the client gathers each
    result while the other tasks run), so the caller can fold results in as they come.
    """
    from distributed import as_completed

    total = len(calls)
    if progress is not None:
        progress(0, total)
    if not calls:
        return []
    shared = kwargs or {}
    run = uuid.uuid4().hex[:12]
    futures = [
        client.submit(fn, *call, **shared, retries=retries, pure=False, key=f"skywarden-{label}-{run}-{k}")
        for k, call in enumerate(calls)
    ]
    index = {f.key: k for k, f in enumerate(futures)}
    done = 0
    try:
        for fut in as_completed(futures):
            if fut.status == "error":
                fut.result()  # re-raise the task's own exception
            if on_result is not None:
                on_result(index[fut.key], fut.result())
            done += 1
            if progress is not None:
                progress(done, total)
        return [f.result() for f in futures]
    except SkywardenError:
        raise
    except Exception as exc:
        name = type(exc).__name__
        if name in (
            "KilledWorker",
            "CancelledError",
            "CommClosedError",
            "FutureCancelledError",
        ) or isinstance(exc, (OSError, TimeoutError)):
            which = ""
            key = getattr(exc, "task", None) or getattr(exc, "key", None)
            if key in index:
                which = f" ({label} {index[key]} of {total})"
            raise ClusterError(
                f"the Dask cluster lost a {label}{which}: {name}: {exc}. Workers died repeatedly while "
                "running it (out of memory? killed?); check the worker logs, give workers more memory or "
                "use smaller blocks"
            ) from exc
        raise
    finally:
        for f in futures:
            f.release()
