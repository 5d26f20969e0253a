"""The demo's terminal output fits 80 columns without cutting a time (issue 20: a window table cut
every time to ``2026-05-3…``)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from skywarden.cli.demo import demo_tables, short_time

TIME_RE = re.compile(r"\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z")


@pytest.fixture(scope="module")
def result(scenario_run: tuple) -> object:
    return scenario_run[0]


def test_short_time() -> None:
    assert short_time("2026-05-30T14:02:11.6Z") == "05-30 14:02:11Z"
    assert short_time(None) == "–"


def test_tables_fit_80_columns_with_whole_times(result: object) -> None:
    tables = demo_tables(result)
    assert set(tables) >= {"track", "zones", "links", "termination", "overflight", "quiet", "conjunctions"}
    for key, table in tables.items():
        console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
        console.print(table)
        text = console.export_text()
        assert "…" not in text, (key, text)
        assert max(len(line) for line in text.splitlines()) <= 80, key
        if table.row_count:
            cells = [c for col in table.columns for c in col._cells if TIME_RE.fullmatch(str(c))]
            for cell in cells:
                assert str(cell) in text, (key, cell)  # each time printed whole, on one line
