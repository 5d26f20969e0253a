"""Reports: a self-contained HTML page of a scenario (inline figures, offline coastlines).

:func:`write_report` / :func:`build_report` take a :class:`skywarden.scenario.ScenarioResult`.
"""

from __future__ import annotations

from .html import build_report, figure_png, write_report

__all__ = ["build_report", "figure_png", "write_report"]
