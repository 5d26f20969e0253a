"""The layer contract (``[tool.importlinter]`` in pyproject.toml) holds: surfaces (cli, service,
store, web, scale, report, scenario) > composites (flight | hazard | zones) > domains (space | air
| weather, independent of each other) > foundation (errors, timeutil, geo, constants, sites,
windows, export, batch). Runs import-linter's own command, so `make test` fails on an upward
import; the second test proves the contract can fail (a reversed copy must be broken)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _run(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(config), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_layer_contract_is_kept() -> None:
    result = _run(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_reversed_contract_is_broken(tmp_path: Path) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = config["contracts"][0]["layers"]
    reversed_layers = [layers[0], layers[2], layers[1], layers[3]]  # domains above composites
    lines = ['[tool.importlinter]', 'root_package = "skywarden"', "", "[[tool.importlinter.contracts]]",
             'name = "reversed"', 'type = "layers"', 'containers = ["skywarden"]',
             "layers = [" + ", ".join(f'"{layer}"' for layer in reversed_layers) + "]"]  # fmt: skip
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    result = _run(tmp_path / "pyproject.toml", tmp_path)
    assert result.returncode != 0 and "BROKEN" in result.stdout
    assert "is not allowed to import skywarden." in result.stdout
