"""Ids and names of the local core's entities, and the folders built from them (the naming rules themselves are
DigitalHub's, in :mod:`dhhera_jupyter.documents.names`).

An id or a name ends up in file paths (``runs/<id>/``), so the rule is stricter than a pattern: a value made
only of dots (``.``, ``..``) or holding a path separator is refused, and every path built from one is resolved
and checked to stay inside its folder.
"""

from __future__ import annotations

from pathlib import Path

from dhhera_jupyter.documents.names import name_problem, project_problem

__all__ = ["inside", "name_problem", "path_param_problem", "project_problem"]


def path_param_problem(value: str) -> str | None:
    """Why a value taken from a request path cannot name an entity (dots only, separators, NUL)."""
    if not value or set(value) == {"."} or any(c in value for c in "/\\\0"):
        return "cannot be made of dots only nor hold '/', '\\' or NUL"
    return None


def inside(base: Path, name: str) -> Path:
    """``base / name``, refused unless it resolves to a direct child of ``base``.

    Raises
    ------
    ValueError
        If ``name`` would leave ``base`` (``..``, ``.``, an absolute path, a separator, a symlink out).
    """
    if name_problem(name) is not None:
        raise ValueError(f"{name!r} cannot name a folder inside {base}")
    root = base.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        raise ValueError(f"{name!r} leads outside {base}")
    return path
