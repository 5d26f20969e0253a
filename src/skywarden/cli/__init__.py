"""The ``skywarden`` command line: one subcommand per capability, ``--json`` for machines.

Each capability lives in its own module here with a ``register(app)`` function; this file only
assembles them. Nothing below the CLI prints: commands call the Python API and render with Rich.
Errors from :mod:`skywarden.errors` become a one-paragraph message and exit code 2 (input) or
1 (anything else), never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.markup import escape

from ..errors import SkywardenError
from ._common import console_err

__all__ = ["app", "main"]

app = typer.Typer(
    name="skywarden",
    help="Air-and-space domain awareness from public data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"skywarden {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Air-and-space domain awareness from public data. Every command has --help."""


# Modules that add subcommands; each has register(app). Order is the order in --help.
_COMMAND_MODULES: list[str] = [
    "demo",
    "catalog",
    "propagate",
    "track",
    "predict",
    "conjunctions",
    "overflight",
    "hazard",
    "steer",
    "exposure",
    "serve",
    "db",
    "admin",
]

for _name in _COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SkywardenError as exc:
        console_err.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True, emoji=False
        )
        sys.exit(2 if exc.status_code < 500 else 1)
