"""``skywarden serve``: run the watch service (FastAPI on uvicorn; OpenAPI docs at ``/docs``)."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import console_err

__all__ = ["register"]

_DB_HELP = "Database URL (default: SQLite in the user data directory; PostgreSQL: postgresql+psycopg://…)."


def serve(
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    config: Path | None = typer.Option(None, "--config", help="Service settings (TOML or JSON)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    dask: str | None = typer.Option(
        None,
        "--dask",
        help="Send jobs' heavy parts to this Dask scheduler (tcp://host:8786) or 'local' "
        "(overrides dask_scheduler in --config).",
    ),
) -> None:
    """Run the HTTP service until interrupted. Refuses an empty/old schema: run `skywarden db upgrade`."""
    import uvicorn
    from pydantic import ValidationError

    from ..errors import OptionError
    from ..service import ServiceSettings, create_app, load_settings
    from ..store.db import redact_url

    settings = load_settings(config)
    if dask is not None:
        try:
            settings = ServiceSettings.model_validate({**settings.model_dump(), "dask_scheduler": dask})
        except ValidationError:
            raise OptionError("dask", dask, ("local", "tcp://host:8786")) from None
    app = create_app(db_url=db, settings=settings)
    console_err.print(
        f"skywarden service on http://{host}:{port} (docs /docs), store {redact_url(app.state.ctx.db_url)}",
        highlight=False,
        markup=False,
    )
    # access_log off: request lines could carry query strings; metrics count requests instead.
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def register(app: typer.Typer) -> None:
    """Add ``skywarden serve``."""
    app.command("serve")(serve)
