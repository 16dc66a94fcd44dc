"""DigitalHub's rules for entity names and ids and for project names (DHCore's, which the local core applies).

The local core refuses a bad name on write; the Jupyter server refuses it before any backend call, with the
same sentence.
"""

from __future__ import annotations

import re

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
