"""Service settings: one typed pydantic model, loadable from a TOML or JSON file (``--config``).

Secrets never live here (tokens are in the database; webhook secrets per webhook).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ParseError
from ..store.db import default_data_dir

__all__ = ["ServiceSettings", "load_settings"]


class ServiceSettings(BaseModel):
    """Everything the service can be told; the defaults are safe for a single-user laptop."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Field(default_factory=default_data_dir, description="Wind files and other uploads.")
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024, description="Request body limit.")
    rate_limit_per_s: float = Field(default=50.0, gt=0, description="Token-bucket refill rate per token.")
    rate_limit_burst: int = Field(default=200, ge=1, description="Token-bucket capacity per token.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Allowed CORS origins; empty = CORS off."
    )
    token_cache_ttl_s: float = Field(
        default=60.0, ge=0, description="How long a verified token is trusted without a new argon2 check."
    )
    query_cache_size: int = Field(
        default=1024, ge=0, description="In-memory LRU entries for overflight/quiet."
    )
    persist_query_cache: bool = Field(
        default=True, description="Also keep cached query answers in the database."
    )
    allow_private_webhooks: bool = Field(
        default=False, description="Allow webhook targets on loopback/private addresses (SSRF guard off)."
    )
    job_workers: int = Field(default=2, ge=1, description="Worker processes for jobs.")
    dask_scheduler: str | None = Field(
        default=None,
        pattern=r"^(local|[a-z][a-z0-9+.-]*://\S+)$",
        description="Run each job's heavy part on this Dask cluster: a scheduler address "
        "(tcp://host:8786) or 'local' (a LocalCluster per job); None: in the job's own worker process.",
    )
    watch_interval_s: float = Field(default=300.0, gt=0, description="Scheduled watch evaluation period.")
    job_max_attempts: int = Field(
        default=3,
        ge=1,
        description="Starts of a job (restarts included) before it is failed with the reason.",
    )
    webhook_backoff_s: float = Field(
        default=5.0, gt=0, description="First webhook retry delay; doubles per failed attempt."
    )
    webhook_backoff_max_s: float = Field(default=3600.0, gt=0, description="Longest webhook retry delay.")
    webhook_max_attempts: int = Field(default=10, ge=1, description="Delivery attempts before 'failed'.")


def load_settings(path: str | Path | None) -> ServiceSettings:
    """Settings from a ``.toml`` or ``.json`` file; defaults when ``path`` is None."""
    if path is None:
        return ServiceSettings()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise ParseError(str(exc), path=p, expected="a TOML or JSON settings file") from None
    return ServiceSettings.model_validate(data.get("service", data))
