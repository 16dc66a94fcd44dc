"""Reading fields of JSON/YAML documents whose shape is not guaranteed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def section(doc: object, name: str) -> Mapping[str, Any]:
    """``doc[name]`` when both are mappings, else an empty mapping (a missing or malformed section reads as empty)."""
    value = doc.get(name) if isinstance(doc, Mapping) else None
    return value if isinstance(value, Mapping) else {}
