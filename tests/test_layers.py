"""The package's layering, read from the source: the front ends reach the backend only through ``platform/``.

``magics/``, ``widgets/`` and ``server/`` import neither ``core`` (the local core) nor ``executor`` (its
runners), not even lazily inside a function: every import statement of every module is read, including
``from dhhera_jupyter import core``, relative imports and ``importlib.import_module("...")`` with a literal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dhhera_jupyter"

#: The front-end folders, and the packages they must not import.
FRONT_ENDS = ("magics", "widgets", "server")
FORBIDDEN = ("dhhera_jupyter.core", "dhhera_jupyter.executor")


def imported_modules(source: str, module: str) -> list[str]:
    """Every module ``source`` (the text of module ``module``) imports, as absolute dotted names.

    ``from a import b`` yields ``a`` and ``a.b`` (``b`` may be a module), relative imports are resolved against
    ``module``, and ``importlib.import_module`` / ``__import__`` calls with a literal name count too.
    """
    package = module.rsplit(".", 1)[0]
    out: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            out.append(base)
            out += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                out.append(node.args[0].value)
    return out


def _forbidden(names: list[str]) -> list[str]:
    return [n for n in names if n in FORBIDDEN or n.startswith(tuple(f"{f}." for f in FORBIDDEN))]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def f():\n    from dhhera_jupyter.core import control\n", ["dhhera_jupyter.core"]),
        ("from dhhera_jupyter import executor\n", ["dhhera_jupyter.executor"]),
        ("from ..core.control import find\n", ["dhhera_jupyter.core.control"]),
        ("import importlib\nimportlib.import_module('dhhera_jupyter.core.control')\n", ["dhhera_jupyter.core.control"]),
        ("from dhhera_jupyter import platform, documents\nimport dhhera_jupyter.coreish\n", []),
    ],
)
def test_the_scan_sees_every_form_of_import(source: str, found: list[str]) -> None:
    forbidden = _forbidden(imported_modules(source, "dhhera_jupyter.magics.x"))
    assert all(name in forbidden for name in found) and bool(forbidden) == bool(found)


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_import_neither_core_nor_executor(front_end: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / front_end).rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        offenders += [
            f"{path.relative_to(PACKAGE)}: {n}" for n in _forbidden(imported_modules(path.read_text(), module))
        ]
    assert offenders == [], "go through dhhera_jupyter.platform instead"
