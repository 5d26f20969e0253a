"""The ``--dask`` option of the heavy commands (one definition, see :mod:`skywarden.scale`).

Absent: in-process, no Dask. ``--dask local``: a LocalCluster sized to the machine (one worker
process per core). ``--dask tcp://host:8786``: an existing scheduler. Task progress from the
cluster drives the command's Rich progress bar.
"""

from __future__ import annotations

import typer

from ..scale import dask_client

__all__ = ["DASK_OPTION", "dask_client"]

DASK_OPTION = typer.Option(
    None,
    "--dask",
    help="Run on Dask: 'local' (a LocalCluster, one worker per core) or a scheduler address tcp://host:8786.",
)
