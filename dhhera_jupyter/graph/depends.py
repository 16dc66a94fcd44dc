"""Argo's enhanced ``depends`` expressions: which tasks does a task wait for."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

#: Task results Argo accepts after a task name (``A.Succeeded``).
TASK_RESULTS = frozenset(
    {"Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"}
)

_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\|)|(?P<punct>[!()])|(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*))")


class DependsSyntaxError(ValueError):
    """A ``depends`` expression is not well formed; the message says where."""


def depends_names(expression: str, known: Collection[str], unknown: Callable[[str], Exception]) -> list[str]:
    """Return the task names a ``depends`` expression refers to, in order of first appearance.

    Parameters
    ----------
    expression : str
        The expression, e.g. ``"A && (B.Succeeded || C.Failed)"``.
    known : Collection[str]
        Names of the tasks of the same DAG; a token may be a task name, or a task name followed by
        ``.<result>`` (task names may themselves contain dots).
    unknown : Callable[[str], Exception]
        Builds the exception raised for a name that is not in ``known``.

    Returns
    -------
    list[str]
        Distinct task names.

    Raises
    ------
    DependsSyntaxError
        If the expression is not a well-formed boolean expression of task names.
    Exception
        Whatever ``unknown`` returns, for the first unknown task name.
    """
    tokens = _tokenize(expression)
    _check_grammar(tokens)
    names: list[str] = []
    for kind, text in tokens:
        if kind != "name":
            continue
        name = _task_name(text, known)
        if name is None:
            base, dot, suffix = text.rpartition(".")
            raise unknown(base if dot and suffix in TASK_RESULTS else text)
        if name not in names:
            names.append(name)
    return names


def _task_name(token: str, known: Collection[str]) -> str | None:
    if token in known:
        return token
    base, dot, suffix = token.rpartition(".")
    if dot and suffix in TASK_RESULTS and base in known:
        return base
    return None


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = expression.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise DependsSyntaxError(f"unexpected character {text[pos:].lstrip()[:1]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    if not tokens:
        raise DependsSyntaxError("the expression is empty")
    return tokens


def _check_grammar(tokens: list[tuple[str, str]]) -> None:
    """Recursive descent over ``expr := unary (('&&'|'||') unary)*``, ``unary := '!' unary | '(' expr ')' | name``."""
    pos = 0

    def unary() -> None:
        nonlocal pos
        if pos >= len(tokens):
            raise DependsSyntaxError("it ends where a task name was expected")
        kind, text = tokens[pos]
        if text == "!":
            pos += 1
            unary()
        elif text == "(":
            pos += 1
            expr()
            if pos >= len(tokens) or tokens[pos][1] != ")":
                raise DependsSyntaxError("a parenthesis is not closed")
            pos += 1
        elif kind == "name":
            pos += 1
        else:
            raise DependsSyntaxError(f"{text!r} stands where a task name was expected")

    def expr() -> None:
        nonlocal pos
        unary()
        while pos < len(tokens) and tokens[pos][0] == "op":
            pos += 1
            unary()

    expr()
    if pos != len(tokens):
        raise DependsSyntaxError(f"{tokens[pos][1]!r} is unexpected")
