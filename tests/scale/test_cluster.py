"""The cluster plumbing of skywarden.scale on a real LocalCluster: one pickle per scattered
value, one core per local worker."""

from __future__ import annotations

import os
import pickle

import pytest

from skywarden import scale
from skywarden.scale.cluster import LOCAL_MALLOC_ENV, Shared, machine_cores, unwrap


def test_shared_round_trip_stays_lazy_and_keeps_the_value() -> None:
    value = {"elements": list(range(1000)), "name": "catalog"}
    moved = pickle.loads(pickle.dumps(Shared(value)))
    assert isinstance(moved, Shared)
    assert moved._blob is not None  # still bytes: a forwarding worker re-sends them as they are
    again = pickle.loads(pickle.dumps(moved))  # forwarded without unpickling
    assert unwrap(again) == value and unwrap(moved) == value
    assert moved._blob is None  # unpickled once, on first use
    assert unwrap(42) == 42


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_local_cluster_pins_one_core_per_worker_and_scatters_one_future() -> None:
    cores = machine_cores()
    n = min(2, len(cores))

    # Nested, so cloudpickle ships them by value (the workers cannot import the test module).
    def _worker_facts() -> tuple[list[int], str | None, dict[str, str]]:
        # /proc/self/environ: the environment the process was started with (what glibc read).
        with open("/proc/self/environ", "rb") as f:
            started = dict(x.decode().split("=", 1) for x in f.read().split(b"\0") if b"=" in x)
        return sorted(os.sched_getaffinity(0)), os.environ.get("NUMBA_NUM_THREADS"), started

    def _len_of(x: object) -> int:
        return len(unwrap(x))

    with scale.dask_client("local", n_workers=n) as client:
        facts = client.run(_worker_facts)
        masks = [m for m, _, _ in facts.values()]
        assert all(len(m) == 1 for m in masks), masks  # astroz/numba see one core
        assert len({m[0] for m in masks}) == n  # and each worker its own
        assert {t for _, t, _ in facts.values()} == {"1"}
        for _, _, started in facts.values():  # malloc's settings were there when the process began
            for key, value in LOCAL_MALLOC_ENV.items():
                assert started.get(key) == value, (key, started.get(key))
        catalog = list(range(26_000))
        fut = scale.scatter(client, catalog)  # ONE future for the whole list, not 26,000
        held = client.who_has()
        assert list(held) == [fut.key] and len(held[fut.key]) == n  # on every worker (broadcast)
        assert client.submit(_len_of, fut, pure=False).result() == 26_000
