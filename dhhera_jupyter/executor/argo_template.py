"""``{{...}}`` substitution in Argo templates, and the string forms Argo gives to values and items."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dhhera_jupyter.documents.argo import param_string

as_param_string = param_string  # the executor's name for it

_TAG = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.DOTALL)


class UnresolvedVariable(ValueError):
    """A ``{{variable}}`` has no value in the scope where it must be resolved."""

    def __init__(self, variable: str, message: str | None = None) -> None:
        super().__init__(message or f"cannot resolve '{{{{{variable}}}}}'")
        self.variable = variable


def item_label(item: Any) -> str:
    """The label Argo puts in an expanded node name ``task(<index>:<label>)``; maps give ``k1:v1,k2:v2``."""
    if isinstance(item, Mapping):
        return ",".join(f"{key}:{as_param_string(item[key])}" for key in sorted(item))
    return as_param_string(item)


def item_values(item: Any) -> dict[str, str]:
    """The ``{{item}}`` / ``{{item.key}}`` variables of one ``withItems``/``withParam`` element."""
    values = {"item": as_param_string(item)}
    if isinstance(item, Mapping):
        values.update({f"item.{key}": as_param_string(value) for key, value in item.items()})
    return values


def substitute(text: str, values: Mapping[str, str], strict: Iterable[str] | bool = True) -> str:
    """Replace every ``{{name}}`` found in ``values``.

    Parameters
    ----------
    text
        A string that may hold ``{{...}}`` tags.
    values
        Variable name (``inputs.parameters.x``) to value.
    strict
        ``True``: any unknown variable raises. ``False``: unknown tags stay as they are. A list of
        prefixes: unknown variables starting with one of them raise, the others stay (used for
        DAG and Steps templates, whose ``tasks.*``/``steps.*``/``item`` tags resolve later).

    Raises
    ------
    UnresolvedVariable
        For an unknown variable that must resolve, and for Argo expression tags (``{{=...}}``).
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("="):
            raise UnresolvedVariable(
                name,
                f"Argo feature 'expression template {{{{{name}}}}}' is not supported by the local core; "
                "run this pipeline on the platform",
            )
        if name in values:
            return values[name]
        must = strict if isinstance(strict, bool) else any(name.startswith(p) for p in strict)
        if must:
            raise UnresolvedVariable(name)
        return match.group(0)

    return _TAG.sub(replace, text)


def substitute_all(obj: Any, values: Mapping[str, str], strict: Iterable[str] | bool = True) -> Any:
    """:func:`substitute` applied to every string inside nested dicts and lists (keys are left alone)."""
    if isinstance(obj, str):
        return substitute(obj, values, strict)
    if isinstance(obj, Mapping):
        return {key: substitute_all(value, values, strict) for key, value in obj.items()}
    if isinstance(obj, list):
        return [substitute_all(value, values, strict) for value in obj]
    return obj


def tags_in(obj: Any) -> list[str]:
    """Every ``{{...}}`` variable name found in the strings of ``obj``."""
    if isinstance(obj, str):
        return [m.group(1) for m in _TAG.finditer(obj)]
    if isinstance(obj, Mapping):
        return [tag for value in obj.values() for tag in tags_in(value)]
    if isinstance(obj, list):
        return [tag for value in obj for tag in tags_in(value)]
    return []
