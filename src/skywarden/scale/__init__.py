"""skywarden.scale: catalog-scale jobs on Dask distributed (a surface layer; nothing imports it).

Default everywhere is in-process with no Dask running (``client=None``). With a
``distributed.Client`` — from :func:`dask_client` (``"local"``: a LocalCluster sized to the
machine; ``"tcp://host:8786"``: an existing scheduler) — whole-catalog propagation, overflight
windows for many sites, all-vs-all conjunction screening and ensembles (predict, backtrack, the
hazard Monte Carlo sweep) run
as Dask task graphs whose merged result equals the in-process result. :func:`run_job` is the
plain entry point for the service's job runner. Partitioning and memory model:
:mod:`skywarden.scale.jobs`; running on a real cluster: ``docs/scale.md``.
"""

from .cluster import ClusterError, dask_client, n_workers, run_tasks, scatter
from .jobs import (
    JOB_KINDS,
    access_windows,
    backtrack,
    hazard,
    iter_propagate,
    predict,
    propagate,
    run_job,
    run_whole,
    screen,
)
from .partition import block_pairs, blocks, even_blocks

__all__ = [
    "JOB_KINDS",
    "ClusterError",
    "access_windows",
    "backtrack",
    "block_pairs",
    "blocks",
    "dask_client",
    "even_blocks",
    "hazard",
    "iter_propagate",
    "n_workers",
    "predict",
    "propagate",
    "run_job",
    "run_tasks",
    "run_whole",
    "scatter",
    "screen",
]
