"""Ids and names of the local core's entities, and the folders built from them.

An id or a name ends up in file paths (``runs/<id>/``), so the rule is stricter than a pattern: a value made
only of dots (``.``, ``..``) or holding a path separator is refused, and every path built from one is resolved
and checked to stay inside its folder.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^[a-zA-Z0-9._+-]+$")
_PROJECT = re.compile(r"^[a-z0-9-]{2,}$")
_MAX = 255


def name_problem(value: object) -> str | None:
    """Why ``value`` cannot be an entity id or name (``None`` when it can)."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value or len(value) > _MAX:
        return f"must have 1 to {_MAX} characters"
    if set(value) == {"."}:
        return "cannot be made of dots only"
    if not _NAME.match(value):
        return "may hold only letters, digits and . _ + -"
    return None


def project_problem(value: object) -> str | None:
    """Why ``value`` cannot be a project name (``None`` when it can)."""
    if not isinstance(value, str) or not _PROJECT.match(value) or len(value) > _MAX:
        return "use at least 2 characters among a-z, 0-9 and '-'"
    return None


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
