"""The source, Sheets, snapshot, set-up, template and indicator modules import at module top and
without cycles: no import hidden inside a function to dodge one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parent.parent / "lib"
OURS = ("raw", "source", "sheets", "snapshot", "sheet_setup", "template", "indicators")


def _tree(module: str) -> ast.Module:
    return ast.parse((LIB / f"{module}.py").read_text(encoding="utf-8"))


def _lib_imports(module: str) -> set[str]:
    """The lib modules a module imports at its top level."""
    found = set()
    for node in _tree(module).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lib."):
            found.add(node.module.removeprefix("lib."))
    return {name.split(".")[0] for name in found}


@pytest.mark.parametrize("module", OURS)
def test_no_import_inside_a_function(module):
    hidden = [
        f"{module}.py:{inner.lineno}"
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    ]
    assert not hidden, hidden


def test_no_import_cycle_through_these_modules():
    def walk(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            pytest.fail("import cycle: " + " → ".join([*path[path.index(module) :], module]))
        if (LIB / f"{module}.py").is_file():
            for imported in _lib_imports(module):
                walk(imported, (*path, module))

    for module in OURS:
        walk(module, ())
