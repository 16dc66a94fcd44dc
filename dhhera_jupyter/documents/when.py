"""Argo ``when`` conditions, evaluated after ``{{...}}`` substitution.

Bare words are strings (``heads == heads``), as Argo treats them. ``=~`` and ``!~`` run on RE2, a
linear-time engine (the syntax of Go's ``regexp``, which Argo itself uses): a pattern such as
``^(a+)+$`` cannot stall the local core.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import re2

from dhhera_jupyter.documents import expressions
from dhhera_jupyter.errors import ExpressionError

_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_ESCAPE = re.compile(r"\\(.)")

Literal = str | float | bool


def _literal(kind: str, value: str) -> Literal:
    if kind == "str":
        return _ESCAPE.sub(r"\1", value[1:-1])
    if value in ("true", "false"):
        return value == "true"
    if _NUMBER.fullmatch(value):
        return float(value)
    return value


def as_text(value: Literal) -> str:
    """A literal as Argo prints it (``true``, ``3``, ``2.5``, the string itself)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value


def regex_search(pattern: str, text: str) -> bool:
    """Whether RE2 ``pattern`` matches somewhere in ``text``.

    Raises
    ------
    ExpressionError
        When the pattern is not valid RE2 (backreferences and lookarounds are not).
    """
    try:
        return _compiled(pattern).search(text) is not None
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ExpressionError(f"{pattern!r} is not a regular expression RE2 accepts ({reason})") from None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False  # the error is raised with its reason; RE2 need not print it too
    return re2.compile(pattern, options)


def _compare(op: str, left: Literal, right: Literal) -> bool:
    if op in ("=~", "!~"):
        found = regex_search(as_text(right), as_text(left))
        return found if op == "=~" else not found
    if isinstance(left, float) and isinstance(right, float) and not isinstance(left, bool):
        if op in ("==", "!="):
            return (left == right) == (op == "==")
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
    if op in ("==", "!="):
        return (as_text(left) == as_text(right)) == (op == "==")
    raise ExpressionError(f"cannot order {as_text(left)!r} and {as_text(right)!r}: both must be numbers")


def _combine(op: str, values: list[Any]) -> Literal:
    if op in expressions.COMPARISONS:
        return _compare(op, values[0], values[1])
    for value in values:
        if not isinstance(value, bool):
            raise ExpressionError(f"{as_text(value)!r} is not a boolean")
    if op == "not":
        return not values[0]
    return all(values) if op == "and" else any(values)


def evaluate_when(text: str) -> bool:
    """Evaluate a substituted ``when`` condition.

    Raises
    ------
    ExpressionError
        On a syntax error, an invalid regular expression, or when the result is not a boolean.
    """
    try:
        value = expressions.evaluate(expressions.parse(text, _literal, comparisons=True), lambda v: v, _combine)
    except ExpressionError as exc:
        raise ExpressionError(f"when {text!r}: {exc}") from None
    if not isinstance(value, bool):
        raise ExpressionError(f"when {text!r} does not evaluate to true or false")
    return value
