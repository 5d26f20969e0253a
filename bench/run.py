"""Run every benchmark script in this folder (``bench_*.py``) and print their output.

Each script measures skywarden against a named peer in the same run and prints the ratio;
results are recorded by hand in ``bench/README.md`` with the machine and date.
Usage: ``python bench/run.py [NAME…]`` (e.g. ``propagate catalog``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    failed = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        failed += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
