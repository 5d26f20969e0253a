"""The public surface is ``skywarden.__all__``: complete, without duplicates or missing names."""

from __future__ import annotations

import ast
import inspect

import skywarden


def test_all_is_a_literal_list_of_existing_names() -> None:
    source = inspect.getsource(skywarden)
    tree = ast.parse(source)
    literal = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets)
    ]
    assert len(literal) == 1 and isinstance(literal[0], ast.List), "__all__ must be one literal list"
    for name in skywarden.__all__:
        assert hasattr(skywarden, name), name


def test_all_covers_every_public_name_imported() -> None:
    public = {
        name
        for name, value in vars(skywarden).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public <= set(skywarden.__all__), sorted(public - set(skywarden.__all__))
    assert len(set(skywarden.__all__)) == len(skywarden.__all__), "duplicate names in __all__"
    # The order is kept by ruff (RUF022, isort-style sorting), not by this test.


def test_every_error_has_a_status_code() -> None:
    for name in skywarden.__all__:
        obj = getattr(skywarden, name)
        if inspect.isclass(obj) and issubclass(obj, skywarden.SkywardenError):
            assert 400 <= obj.status_code < 600, name
