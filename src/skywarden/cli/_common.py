"""Helpers shared by the CLI modules: consoles, JSON output, progress bars, option parsing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..export.jsonable import json_text, to_jsonable

__all__ = ["console", "console_err", "dump_json", "progress", "progress_callback", "to_jsonable", "track"]

console = Console()
console_err = Console(stderr=True)

T = TypeVar("T")


def dump_json(value: Any) -> str:
    """Indented JSON text of ``value`` (see :func:`to_jsonable`)."""
    return json_text(value)


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
