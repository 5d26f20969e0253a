"""No skywarden module uses another module's private names (issue 14).

The rule, checked by parsing every ``src/skywarden/**/*.py`` with :mod:`ast` (no import is run):

* A *private name* is an identifier with one leading underscore and not a dunder
  (``_mean_path`` is private; ``__version__`` and ``_`` alone are not checked).
* A module may not take a private name defined in another skywarden module, neither by
  ``from skywarden.x import _name`` / ``from .x import _name`` nor by attribute access
  ``x._name`` on a skywarden module it imported (``from . import x`` / ``import skywarden.x``).
* The one exception is a *package-private module*: a file ``pkg/_mod.py`` (or folder ``pkg/_mod/``)
  may be imported by name (``from . import _mod``, ``from ._mod import public_name``) by modules of
  its own package ``pkg`` (the package ``__init__`` and its sibling modules, not sub- or outer
  packages). Private names *inside* ``_mod`` stay private to it.
* Renaming a public name to a private alias (``from .sites import X as _X``) is allowed: the
  imported name itself is public.
* Imports from outside skywarden (``astroz._astroz``) are not checked.

The second test proves the checker can fail, on a small fake package written to a temp folder.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = "skywarden"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


def _module_name(path: Path, src: Path) -> tuple[str, bool]:
    """Dotted module name of ``path`` and whether it is a package ``__init__``."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    is_init = parts[-1] == "__init__"
    if is_init:
        parts = parts[:-1]
    return ".".join(parts), is_init


def _resolve(module: str, is_init: bool, node: ast.ImportFrom) -> str:
    """Absolute dotted target of a ``from ... import`` statement."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_init else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_module(dotted: str, src: Path) -> bool:
    path = src.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private_module_ok(dotted: str, importer_package: str) -> bool:
    """``dotted`` names a module; every private component must be package-private to the importer."""
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if _is_private(part) and ".".join(parts[:i]) != importer_package:
            return False
    return True


def violations(src: Path, package: str = PACKAGE) -> list[str]:
    """Every use of another module's private name in ``src/<package>``, as ``path:line: text``."""
    found: list[str] = []
    for path in sorted((src / package).rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        module, is_init = _module_name(path, src)
        own_package = module if is_init else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module_aliases: set[str] = set()
        where = f"{path.relative_to(src.parent)}"
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, is_init, node)
                if target != package and not target.startswith(package + "."):
                    continue
                if not _private_module_ok(target, own_package):
                    found.append(f"{where}:{node.lineno}: imports from private module {target}")
                    continue
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if _is_module(full, src):
                        module_aliases.add(alias.asname or alias.name)
                        if not _private_module_ok(full, own_package):
                            found.append(f"{where}:{node.lineno}: imports private module {full}")
                    elif _is_private(alias.name):
                        found.append(f"{where}:{node.lineno}: imports private name {full}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        module_aliases.add(alias.asname or alias.name.split(".")[0])
                        if not _private_module_ok(alias.name, own_package):
                            found.append(f"{where}:{node.lineno}: imports private module {alias.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _is_private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases
            ):
                found.append(f"{where}:{node.lineno}: uses private name {node.value.id}.{node.attr}")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert (SRC / PACKAGE / "__init__.py").is_file()
    found = violations(SRC)
    assert found == [], "\n".join(found)


def test_the_check_finds_each_kind_of_private_use(tmp_path: Path) -> None:
    pkg = tmp_path / "src" / "fake"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from . import _impl\nfrom ._impl import helper\n",
        "_impl.py": "def helper(): ...\ndef _secret(): ...\n",
        "a.py": "from ._impl import _secret\nfrom .b import _hidden\nfrom . import b\nb._hidden()\n",
        "b.py": "from . import _impl\nfrom .sub.c import thing as _thing\ndef _hidden(): ...\n",
        "sub/__init__.py": "",
        "sub/c.py": "from .. import _impl\nfrom fake._impl import helper\nimport fake._impl\nthing = 1\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    found = violations(tmp_path / "src", "fake")
    assert found == [
        "src/fake/a.py:1: imports private name fake._impl._secret",
        "src/fake/a.py:2: imports private name fake.b._hidden",
        "src/fake/a.py:4: uses private name b._hidden",
        "src/fake/sub/c.py:1: imports private module fake._impl",
        "src/fake/sub/c.py:2: imports from private module fake._impl",
        "src/fake/sub/c.py:3: imports private module fake._impl",
    ], found
