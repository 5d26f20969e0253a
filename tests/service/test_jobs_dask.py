"""Jobs sent to a configured Dask cluster (``ServiceSettings.dask_scheduler``, ``skywarden serve
--dask``): the same answer as the job run in the service's own worker process, with the work
done as tasks on the cluster's workers (seen in the scheduler's task stream).

Reference: the same job on the same store without a cluster (the library in-process); the
ensemble prediction on the real GFS analysis of 2010-10-26 12Z (MetPy test file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from skywarden.service import ServiceSettings

from .test_jobs import FIX, WIND_FILE, add_wind, wait_state


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield c
    c.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_predict_job_on_a_dask_scheduler_equals_the_local_job(
    cluster, make_client, headers, migrated_url, shared_data
) -> None:
    from distributed import Client, get_task_stream

    wid = add_wind(migrated_url, shared_data / WIND_FILE)
    params = {"fix": FIX, "winds": [wid], "ensemble": 8, "hours": 3, "profile": "burst", "seed": 5}
    results = {}
    with Client(cluster.scheduler_address) as watcher, get_task_stream(watcher) as stream:
        for name, spec in (("local", None), ("dask", cluster.scheduler_address)):
            client = make_client(dask_scheduler=spec)
            r = client.post("/jobs", json={"kind": "predict", "params": params}, headers=headers["operator"])
            assert r.status_code == 202, r.text
            done = wait_state(client, r.json()["id"], headers["viewer"], {"succeeded", "failed"}, 180)
            assert done["state"] == "succeeded", done["error"]
            assert done["progress"] == 1.0
            results[name] = client.get(f"/jobs/{done['id']}/result", headers=headers["viewer"]).json()
    keys = [str(t["key"]) for t in stream.data]
    assert sum("skywarden-predict" in k for k in keys) >= 2, keys  # member blocks ran on the cluster
    assert results["dask"] == results["local"]


def test_the_scheduler_setting_is_checked() -> None:
    assert ServiceSettings(dask_scheduler="tcp://10.0.0.5:8786").dask_scheduler == "tcp://10.0.0.5:8786"
    assert ServiceSettings(dask_scheduler="local").dask_scheduler == "local"
    with pytest.raises(ValidationError, match="dask_scheduler"):
        ServiceSettings(dask_scheduler="my cluster")
