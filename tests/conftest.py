"""Shared fixtures. The real public data lives in ``../shared/data`` beside the repository.

``shared_data`` is the ONE way tests and benchmarks find it: it looks at ``$SKYWARDEN_SHARED_DATA``
first, then for ``shared/data`` beside or above the repository, and fails (not skips) with a
clear message when it is missing, so a missing data folder can never pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def find_shared_data() -> Path | None:
    """Locate ``shared/data``; None when absent."""
    env = os.environ.get("SKYWARDEN_SHARED_DATA")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in [REPO, *REPO.parents]:
        candidate = parent.parent / "shared" / "data" if parent == REPO else parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ``../shared/data`` (real catalogs, winds, flights, sensors, airspace)."""
    found = find_shared_data()
    if found is None:
        pytest.fail(
            "The shared data folder was not found. Tests need the real public data in "
            f"'{REPO.parent / 'shared' / 'data'}' (a 'shared' checkout beside this repository), "
            "or set SKYWARDEN_SHARED_DATA=/path/to/shared/data.",
            pytrace=False,
        )
    return found
