"""Plain-JSON conversion shared by every writer: datetimes become ISO 8601 ``Z`` strings,
NaN and infinities become ``null``, numpy scalars and arrays become Python numbers and lists."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..timeutil import isoformat

__all__ = ["json_text", "to_jsonable", "write_json"]


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


def json_text(value: Any) -> str:
    """Indented JSON text of ``value`` after :func:`to_jsonable` (NaN never written: it is ``null``)."""
    return json.dumps(to_jsonable(value), indent=2, allow_nan=False)


def write_json(path: str | Path, value: Any) -> Path:
    """Write :func:`json_text` of ``value`` to ``path`` (UTF-8); the path."""
    path = Path(path)
    path.write_text(json_text(value), encoding="utf-8")
    return path


def _has_subseconds(value: datetime | np.datetime64) -> bool:
    if isinstance(value, np.datetime64):
        return bool(value.astype("datetime64[ns]").astype(np.int64) % 1_000_000_000)
    return value.microsecond != 0
