"""Parse the 26,140-object Space-Track 3LE catalog (issue 3 goal: ≤ 0.5 s).

Peer: python-sgp4's ``Satrec.twoline2rv`` in a loop over the same lines (its C++ parser, which
also initialises SGP4 — the usual way a Python user reads a TLE file), measured in the same run.
Also timed: ``load_catalog`` (file read, format detection, de-duplication), and the OMM JSON /
CSV readers on the same catalog. Best of ``REPEATS`` runs each. The shared data folder is found
through ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from sgp4.api import Satrec  # noqa: E402

from conftest import find_shared_data  # noqa: E402
from skywarden.space.catalog import load_catalog  # noqa: E402
from skywarden.space.catalog.omm import read_omm_text, to_omm_csv, to_omm_json  # noqa: E402
from skywarden.space.catalog.tle import read_tle_text  # noqa: E402

REPEATS = 5
GOAL_S = 0.5


def best_of(function, repeats: int = REPEATS) -> float:  # type: ignore[no-untyped-def]
    """Smallest wall-clock time of ``repeats`` runs, s."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def best_cpu_of(function, repeats: int = REPEATS) -> float:  # type: ignore[no-untyped-def]
    """Smallest CPU time of this process over ``repeats`` runs, s (less sensitive to a busy machine)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    data = find_shared_data()
    if data is None:
        raise SystemExit("shared/data not found (set SKYWARDEN_SHARED_DATA)")
    path = data / "catalogs" / "spacetrack-full-3le-2023-10.txt"
    text = path.read_text()
    lines = [line for line in text.splitlines() if line[:2] in ("1 ", "2 ")]
    pairs = list(zip(lines[0::2], lines[1::2], strict=True))
    n = len(pairs)

    ours = best_of(lambda: read_tle_text(text))
    loaded = best_of(lambda: load_catalog(path))
    peer = best_of(lambda: [Satrec.twoline2rv(a, b) for a, b in pairs])
    elements, _ = read_tle_text(text)
    as_json, as_csv = to_omm_json(elements), to_omm_csv(elements)
    omm_json = best_of(lambda: read_omm_text(as_json, "omm-json"), 3)
    omm_csv = best_of(lambda: read_omm_text(as_csv, "omm-csv"), 3)

    ours_cpu = best_cpu_of(lambda: read_tle_text(text))
    peer_cpu = best_cpu_of(lambda: [Satrec.twoline2rv(a, b) for a, b in pairs])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    print(f"catalog: {path.name}, {n:,} objects; best of {REPEATS}; load average {load:.1f}")
    print(f"{'':34}{'wall s':>8}{'CPU s':>8}{'records/s (CPU)':>18}")
    print(f"  skywarden read_tle_text         {ours:8.3f}{ours_cpu:8.3f}{n / ours_cpu:18,.0f}")
    print(f"  peer Satrec.twoline2rv loop     {peer:8.3f}{peer_cpu:8.3f}{n / peer_cpu:18,.0f}")
    print(f"  ratio peer / skywarden          {peer / ours:8.2f}{peer_cpu / ours_cpu:8.2f}")
    print(f"  skywarden load_catalog (file)   {loaded:8.3f}")
    print(f"  skywarden OMM JSON read         {omm_json:8.3f}")
    print(f"  skywarden OMM CSV read          {omm_csv:8.3f}")
    verdict = "met" if min(ours, ours_cpu) <= GOAL_S else "NOT met"
    print(
        f"goal (issue 3): parse ≤ {GOAL_S} s — {verdict} (wall {ours:.3f} s, CPU {ours_cpu:.3f} s; on a busy"
    )
    print("machine the CPU time is the figure that matches an idle run)")


if __name__ == "__main__":
    main()
