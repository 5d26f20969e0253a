"""Confusion table of the air classifier on real recordings (issue 18).

Balloons: EOSS-323, EOSS-340, NBP3 and the five EarthSHAB solar balloons (``../shared/data/
flights``). Others: every single-flight sample shipped with the ``traffic`` package (OpenSky
ADS-B of calibration, drawing, ambulance-helicopter, fire-fighting, military and airliner flights,
aircraft at Zurich airport, and OGN glider flights), read from the installed package, one track
per ICAO address, positions and barometric altitude only (as a plain ``time,lat,lon,alt_m,id``
CSV of them would give). Tracks of at least 10 reports are scored.

An ``unknown`` track that stands on the ground for most of its time (a balloon payload before
launch or after landing, :func:`skywarden.air.classify.is_stationary`) is counted in its own
column, ``unknown (stationary)``; it stays in the recall denominator as a miss.

Run: ``.venv/bin/python bench/air_confusion.py [--write]``; ``--write`` replaces the table
between the ``air-confusion`` markers in ``bench/README.md``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "air"))
sys.path.insert(0, str(HERE.parent / "tests"))

import realdata  # noqa: E402

from conftest import find_shared_data  # noqa: E402
from skywarden.air import track_reports  # noqa: E402
from skywarden.air.classify import CLASSES, is_stationary  # noqa: E402
from skywarden.errors import DataQualityWarning  # noqa: E402

MIN_REPORTS = 10
STATIONARY = "unknown (stationary)"
TRUTH_NOTE = {
    "balloon": "EOSS-323/340, NBP3, SHAB3V/5V/10V/12V/15V",
    "glider": "traffic `gliders/*` (OGN)",
    "rotorcraft": "traffic `ambulances/*` (Rega, SAMU helicopters)",
    "aircraft": "all other traffic samples (incl. Cal Fire fleet and Zurich ground movements)",
}


def _pieces(rep, piece_h: float | None):  # type: ignore[no-untyped-def]
    if piece_h is None:
        yield rep
        return
    k = (rep.time - rep.time[0]).astype(np.int64) // int(piece_h * 3600e9)
    for piece in np.unique(k):
        yield rep.take(k == piece)


def confusion(piece_h: float | None = None) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Counts per (truth, class); ``piece_h`` cuts every recording into pieces of that many hours
    first (what a watch floor that sees only part of a flight would have)."""
    table: dict[str, dict[str, int]] = {}
    wrong: list[str] = []
    flights = [(g, n, r) for g, n, r in realdata.traffic_flights()]
    shared = find_shared_data()
    if shared is None:
        raise SystemExit("../shared/data not found")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        balloons = [("balloon", n, r) for n, r in realdata.balloon_flights(shared / "flights")]
    for group, name, rep in [*flights, *balloons]:
        truth = "balloon" if group == "balloon" else realdata.EXPECTED.get(group, "aircraft")
        if truth == "ground-vehicle":
            truth = "aircraft"
        tracks = [
            t for piece in _pieces(rep, piece_h) if len(piece) >= MIN_REPORTS for t in track_reports(piece)
        ]
        for trk in tracks:
            if len(trk) < MIN_REPORTS:
                continue
            label = trk.class_label
            if label == "unknown" and is_stationary(trk.classification.features):
                label = STATIONARY
            row = table.setdefault(truth, {})
            row[label] = row.get(label, 0) + 1
            if label.startswith("balloon") != (truth == "balloon"):
                wrong.append(f"{group}/{name} {trk.id}: {label} ({'; '.join(trk.classification.reasons)})")
    return table, wrong


def markdown(table: dict[str, dict[str, int]]) -> str:
    cols = [c for c in (*CLASSES, STATIONARY) if any(c in row for row in table.values())]
    lines = [
        "| truth \\ class | " + " | ".join(cols) + " | tracks | source |",
        "|---|" + "---|" * (len(cols) + 2),
    ]
    for truth in ("balloon", "aircraft", "glider", "rotorcraft"):
        row = table.get(truth, {})
        cells = [str(row.get(c, 0)) for c in cols]
        lines.append(f"| {truth} | " + " | ".join(cells) + f" | {sum(row.values())} | {TRUTH_NOTE[truth]} |")
    is_b = [c for c in cols if c.startswith("balloon")]
    tp = sum(table.get("balloon", {}).get(c, 0) for c in is_b)
    fp = sum(n for t, row in table.items() if t != "balloon" for c, n in row.items() if c in is_b)
    fn = sum(n for c, n in table.get("balloon", {}).items() if c not in is_b)
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    lines.append("")
    lines.append(
        f"Balloon precision **{prec:.3f}** ({tp} of {tp + fp}), recall **{rec:.3f}** ({tp} of {tp + fn}) "
        f"on tracks of ≥ {MIN_REPORTS} reports (goal ≥ 0.99 / ≥ 0.95)."
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    t0 = time.perf_counter()
    table, wrong = confusion()
    pieces, wrong_p = confusion(piece_h=1.0)
    text = (
        "Whole recordings:\n\n"
        + markdown(table)
        + "\n\nEvery recording cut into 1-hour pieces, each tracked on its own:\n\n"
        + markdown(pieces)
    )
    print(text)
    for w in [*wrong, *wrong_p]:
        print("balloon confusion:", w)
    print(f"({time.perf_counter() - t0:.1f} s)")
    if "--write" in argv:
        readme = HERE / "README.md"
        body = readme.read_text(encoding="utf-8")
        start, end = "<!-- air-confusion:start -->", "<!-- air-confusion:end -->"
        if start not in body or end not in body:
            raise SystemExit(f"markers {start} … {end} not found in {readme}")
        head, rest = body.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")
        print(f"wrote the table into {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
