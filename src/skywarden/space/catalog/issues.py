"""Records of what went wrong while reading a catalog: bad, checksum, duplicate and stale records.

Catalog-scale readers never abort on one bad record; they keep going and append a
:class:`RecordIssue` naming the file and the 1-based line. :func:`warn_issues` then emits ONE
:class:`~skywarden.errors.DataQualityWarning` with the counts per kind.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import DataQualityWarning

__all__ = ["ISSUE_KINDS", "RecordIssue", "summarize_issues", "warn_issues"]

ISSUE_KINDS = ("bad", "checksum", "duplicate", "stale")
"""``bad``: record skipped (unreadable); ``checksum``: TLE checksum wrong (record kept unless
strict); ``duplicate``: an older element set of an object that appears again (dropped, newest
epoch wins); ``stale``: the element set is older than the stale limit (kept, flagged)."""


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """One problem with one record: ``kind`` (see :data:`ISSUE_KINDS`), where, and why."""

    kind: str
    path: str
    line: int | None
    message: str
    norad_id: int | None = None

    @property
    def where(self) -> str:
        """``path:line`` (or just the path)."""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


def summarize_issues(issues: Sequence[RecordIssue]) -> dict[str, int]:
    """Counts per kind, in :data:`ISSUE_KINDS` order (kinds with zero included)."""
    counts = Counter(issue.kind for issue in issues)
    return {kind: counts.get(kind, 0) for kind in ISSUE_KINDS}


def warn_issues(issues: Sequence[RecordIssue], what: str, *, stacklevel: int = 3) -> None:
    """Emit one :class:`DataQualityWarning` summarising ``issues`` (nothing when empty)."""
    if not issues:
        return
    counts = summarize_issues(issues)
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    first = issues[0]
    warnings.warn(
        f"{what}: {parts} record(s); first: {first}. See Catalog.issues for the full list.",
        DataQualityWarning,
        stacklevel=stacklevel,
    )
