"""Helpers shared by the CLI modules: consoles, JSON output, progress bars, option parsing."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..timeutil import isoformat

__all__ = ["console", "console_err", "dump_json", "progress", "progress_callback", "to_jsonable", "track"]

console = Console()
console_err = Console(stderr=True)

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: datetimes become ISO 8601 ``Z`` strings, NaN becomes ``null``."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, datetime | np.datetime64):
        if isinstance(value, np.datetime64) and np.isnat(value):
            return None
        return isoformat(value, timespec="milliseconds" if _has_subseconds(value) else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


def _has_subseconds(value: datetime | np.datetime64) -> bool:
    if isinstance(value, np.datetime64):
        return bool(value.astype("datetime64[ns]").astype(np.int64) % 1_000_000_000)
    return value.microsecond != 0


def dump_json(value: Any) -> str:
    """Indented JSON text of ``value`` (see :func:`to_jsonable`)."""
    return json.dumps(to_jsonable(value), indent=2, allow_nan=False)


@contextmanager
def progress(transient: bool = True) -> Iterator[Progress]:
    """A Rich progress bar on stderr (hidden when stderr is not a terminal)."""
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console_err,
        transient=transient,
    )
    with bar:
        yield bar


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar."""
    with progress() as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


@contextmanager
def progress_callback(description: str) -> Iterator[Any]:
    """A ``callback(done, total)`` that drives a Rich bar; pass it to API ``progress=`` params.

    The Python API never prints: long operations take an optional ``progress`` callable and
    call it with (units done, units total); the CLI hands them this one.
    """
    with progress() as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
