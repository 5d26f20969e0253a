"""A small supervised pool of worker processes for jobs (never the web server's event loop).

Each job runs in its own child process started from a ``forkserver`` (the server preloads
skywarden once, so a job starts in milliseconds without forking the threaded web server) and
talks to the parent over a pipe: ``("progress", fraction)`` messages, then ``("done", result)`` or
``("error", type, message, status_code)``. At most ``max_workers`` children run at once; the rest
wait in FIFO order. :meth:`WorkerPool.cancel` terminates a running child (SIGTERM, then SIGKILL
after a grace period) or drops a waiting job. A child that dies without an answer (killed, out of
memory, segfault) is reported as an error with its exit code, so no job is left hanging.

The pool knows nothing about the database: the owner passes ``on_progress``/``on_finish``
coroutines and persists what they report (see :mod:`.jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["JobOutcome", "WorkerPool", "process_context"]

log = logging.getLogger(__name__)

_ctx = multiprocessing.get_context("forkserver")
_ctx.set_forkserver_preload(["skywarden", "skywarden.service.jobs_kinds"])


def process_context() -> Any:
    """The multiprocessing context of the service's worker processes (fork server, preloaded)."""
    return _ctx


@dataclass
class JobOutcome:
    """How a job ended: ``state`` is ``succeeded``, ``failed`` or ``cancelled``."""

    state: str
    result: dict[str, Any] | None = None
    error: str | None = None
    status_code: int | None = None


@dataclass
class _Running:
    job_id: str
    process: Any
    conn: Connection
    cancelled: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)


def _watch_server(server_pid: int) -> None:
    """End this worker when the server that started it is gone (e.g. killed with SIGKILL): its
    job is re-queued by the next server, so an orphan would only burn CPU."""
    import os
    import threading

    def check() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                os._exit(3)
            except PermissionError:
                pass

    threading.Thread(target=check, daemon=True, name="server-watch").start()


def _child(
    job_id: str,
    kind: str,
    params: dict[str, Any],
    inputs: dict[str, Any],
    conn: Connection,
    server_pid: int = 0,
    dask: str | None = None,
) -> None:
    """Entry point of a worker process."""
    import warnings

    if server_pid:
        _watch_server(server_pid)

    from skywarden.errors import SkywardenError
    from skywarden.service.jobs_kinds import run_job

    warnings.simplefilter("ignore")  # a worker has no console; warnings are not errors here
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if total and now - last[0] > 0.2:
            last[0] = now
            conn.send(("progress", max(0.0, min(1.0, done / total))))

    try:
        result = run_job(kind, params, inputs, progress, dask=dask)
    except SkywardenError as exc:
        conn.send(("error", type(exc).__name__, str(exc), exc.status_code))
    except Exception as exc:
        conn.send(("error", type(exc).__name__, str(exc) or repr(exc), 500))
    else:
        conn.send(("done", result))
    finally:
        conn.close()


OnProgress = Callable[[str, float], Awaitable[None]]
OnFinish = Callable[[str, JobOutcome], Awaitable[None]]


class WorkerPool:
    """Run jobs in child processes, at most ``max_workers`` at a time (see the module docstring)."""

    def __init__(
        self,
        on_progress: OnProgress,
        on_finish: OnFinish,
        *,
        max_workers: int = 2,
        poll_s: float = 0.05,
        kill_grace_s: float = 3.0,
        dask: str | None = None,
    ) -> None:
        self.on_progress = on_progress
        self.on_finish = on_finish
        self.max_workers = max(1, int(max_workers))
        self.poll_s = poll_s
        self.kill_grace_s = kill_grace_s
        self.dask = dask
        self._running: dict[str, _Running] = {}
        self._waiting: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
        self._starting: set[str] = set()
        self._cancel_requested: set[str] = set()
        self._closed = False

    @property
    def running(self) -> list[str]:
        return list(self._running)

    @property
    def waiting(self) -> list[str]:
        return [w[0] for w in self._waiting]

    def submit(self, job_id: str, kind: str, params: dict[str, Any], inputs: dict[str, Any]) -> None:
        """Queue a job; it starts when a worker slot is free (call from the event loop)."""
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        self._waiting.append((job_id, kind, params, inputs))
        self._fill()

    def _fill(self) -> None:
        while (
            self._waiting and len(self._running) + len(self._starting) < self.max_workers and not self._closed
        ):
            item = self._waiting.pop(0)
            self._starting.add(item[0])
            asyncio.get_running_loop().create_task(self._start(*item))

    async def _start(self, job_id: str, kind: str, params: dict[str, Any], inputs: dict[str, Any]) -> None:
        """Start a child off the event loop (the first start waits for the fork server to load
        skywarden, seconds on a busy machine; the web server keeps answering meanwhile)."""
        parent, child = _ctx.Pipe(duplex=False)
        proc = _ctx.Process(
            target=_child,
            args=(job_id, kind, params, inputs, child, os.getpid(), self.dask),
            name=f"skywarden-job-{job_id}",
        )
        proc.daemon = True
        try:
            await asyncio.to_thread(proc.start)
        except Exception as exc:
            self._starting.discard(job_id)
            parent.close()
            child.close()
            await self.on_finish(
                job_id, JobOutcome("failed", error=f"could not start a worker process: {exc}")
            )
            self._fill()
            return
        finally:
            child.close()
        self._starting.discard(job_id)
        run = _Running(job_id, proc, parent)
        self._running[job_id] = run
        if job_id in self._cancel_requested or self._closed:
            self._cancel_requested.discard(job_id)
            run.cancelled = True
            proc.terminate()
        run.task = asyncio.get_running_loop().create_task(self._watch(run))

    async def warm_up(self) -> None:
        """Start the fork server (it imports skywarden once) before the first job needs it."""

        def ensure() -> None:
            from multiprocessing import forkserver

            forkserver.ensure_running()

        await asyncio.to_thread(ensure)

    async def _watch(self, run: _Running) -> None:
        outcome: JobOutcome | None = None
        try:
            while outcome is None:
                try:
                    ready = run.conn.poll()
                except (OSError, EOFError):
                    ready = False
                if ready:
                    try:
                        msg = run.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg is None:
                        outcome = self._died(run)
                    elif msg[0] == "progress":
                        await self.on_progress(run.job_id, float(msg[1]))
                    elif msg[0] == "done":
                        outcome = JobOutcome("succeeded", result=msg[1])
                    else:
                        outcome = JobOutcome("failed", error=f"{msg[1]}: {msg[2]}", status_code=int(msg[3]))
                elif not run.process.is_alive():
                    await asyncio.sleep(self.poll_s)  # let a last message arrive
                    if not run.conn.poll():
                        outcome = self._died(run)
                else:
                    await asyncio.sleep(self.poll_s)
        finally:
            await asyncio.to_thread(self._reap, run)
            self._running.pop(run.job_id, None)
        try:
            await self.on_finish(run.job_id, outcome)
        except Exception:  # the owner's bookkeeping must not kill the pool
            log.exception("job %s: on_finish failed", run.job_id)
        self._fill()

    def _died(self, run: _Running) -> JobOutcome:
        if run.cancelled:
            return JobOutcome("cancelled", error="cancelled by request")
        code = run.process.exitcode
        return JobOutcome("failed", error=f"the worker process died (exit code {code}) without a result")

    def _reap(self, run: _Running) -> None:
        run.process.join(self.kill_grace_s)
        if run.process.is_alive():
            run.process.kill()
            run.process.join()
        run.conn.close()

    def cancel(self, job_id: str) -> bool:
        """Stop a waiting or running job; True if it was known. A running one reports ``cancelled``."""
        for k, w in enumerate(self._waiting):
            if w[0] == job_id:
                del self._waiting[k]
                return True
        if job_id in self._starting:
            self._cancel_requested.add(job_id)
            return True
        run = self._running.get(job_id)
        if run is None:
            return False
        run.cancelled = True
        run.process.terminate()
        return True

    async def shutdown(self) -> None:
        """Stop everything (used when the server stops; the jobs stay ``running`` in the store and
        are picked up again on the next start)."""
        self._closed = True
        self._waiting.clear()
        tasks = []
        for run in list(self._running.values()):
            run.cancelled = True
            with contextlib.suppress(Exception):
                run.process.kill()
            if run.task is not None:
                run.task.cancel()
                tasks.append(run.task)
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
