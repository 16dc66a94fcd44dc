"""Boolean expressions of Argo Workflows: DAG ``depends`` logic and ``when`` conditions.

Both share the operators ``!``, ``&&``, ``||`` and parentheses. A ``depends`` operand is a task
reference (``A`` or ``A.Succeeded``); a ``when`` operand is a literal compared with ``==``, ``!=``,
``<``, ``>``, ``<=``, ``>=``, ``=~`` or ``!~``. ``when`` is evaluated after ``{{...}}`` substitution,
so bare words (``heads == heads``) are strings, as Argo treats them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Task results Argo accepts after a dot in ``depends`` (workflow/common/ancestry.go).
TASK_RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">", "=~", "!~")
_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|<=|>=|=~|!~|[()!<>])"
    r"|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<word>[^\s()!&|=<>'\"]+))"
)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_TASK_REF = re.compile(r"([A-Za-z0-9_][-A-Za-z0-9_]*)(?:\.([A-Za-z]+))?")


class ExpressionError(ValueError):
    """An expression cannot be parsed or evaluated; the message says where."""


@dataclass(frozen=True)
class TaskRef:
    """``task`` (result ``None``: the Argo default) or ``task.Result`` inside a ``depends`` expression."""

    task: str
    result: str | None


Literal = str | float | bool
Node = tuple | TaskRef | Literal


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"cannot read {text!r} at position {pos}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    """Recursive descent: or := and ('||' and)*; and := not ('&&' not)*; not := '!' not | cmp."""

    def __init__(self, text: str, operand: Callable[[str, str], Node], comparisons: bool) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.pos = 0
        self.operand = operand
        self.comparisons = comparisons

    def parse(self) -> Node:
        if not self.toks:
            raise ExpressionError("empty expression")
        node = self._or()
        if self.pos != len(self.toks):
            raise ExpressionError(f"unexpected {self.toks[self.pos][1]!r} in {self.text!r}")
        return node

    def _peek(self) -> str | None:
        return self.toks[self.pos][1] if self.pos < len(self.toks) and self.toks[self.pos][0] == "op" else None

    def _or(self) -> Node:
        node = self._and()
        while self._peek() == "||":
            self.pos += 1
            node = ("or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._peek() == "&&":
            self.pos += 1
            node = ("and", node, self._not())
        return node

    def _not(self) -> Node:
        if self._peek() == "!":
            self.pos += 1
            return ("not", self._not())
        node = self._atom()
        op = self._peek()
        if op in _COMPARISONS:
            if not self.comparisons:
                raise ExpressionError(f"comparison {op!r} is not allowed in {self.text!r}")
            self.pos += 1
            node = ("cmp", op, node, self._atom())
        return node

    def _atom(self) -> Node:
        if self.pos >= len(self.toks):
            raise ExpressionError(f"unexpected end of {self.text!r}")
        kind, value = self.toks[self.pos]
        self.pos += 1
        if value == "(" and kind == "op":
            node = self._or()
            if self._peek() != ")":
                raise ExpressionError(f"missing ')' in {self.text!r}")
            self.pos += 1
            return node
        if kind == "op":
            raise ExpressionError(f"unexpected {value!r} in {self.text!r}")
        return self.operand(kind, value)


# --- depends -------------------------------------------------------------------------------------


def _task_operand(kind: str, value: str) -> Node:
    match = _TASK_REF.fullmatch(value) if kind == "word" else None
    if match is None:
        raise ExpressionError(f"{value!r} is not a task reference")
    task, result = match.group(1), match.group(2)
    if result is not None and result not in TASK_RESULTS:
        raise ExpressionError(f"task result '{result}' for task '{task}' is invalid")
    return TaskRef(task, result)


def parse_depends(text: str) -> Node:
    """Parse a ``depends`` expression into a tree whose leaves are :class:`TaskRef`.

    Raises
    ------
    ExpressionError
        On a syntax error or an unknown task result (``A.Completed`` is not an Argo result).
    """
    return _Parser(text, _task_operand, comparisons=False).parse()


def dependencies_tree(names: list[str]) -> Node | None:
    """The tree of the legacy ``dependencies: [A, B]`` field, which means ``A && B``."""
    node: Node | None = None
    for name in names:
        ref = TaskRef(str(name), None)
        node = ref if node is None else ("and", node, ref)
    return node


def task_refs(node: Node | None) -> list[TaskRef]:
    """Every task reference of a ``depends`` tree, in reading order."""
    if node is None:
        return []
    if isinstance(node, TaskRef):
        return [node]
    if isinstance(node, tuple):
        return [ref for child in node[1:] for ref in task_refs(child)]
    return []


def evaluate_depends(node: Node, result_of: Callable[[TaskRef], bool]) -> bool:
    """Evaluate a ``depends`` tree; ``result_of`` answers one task reference."""
    if isinstance(node, TaskRef):
        return result_of(node)
    if not isinstance(node, tuple):
        raise ExpressionError(f"{node!r} is not a task reference")
    op = node[0]
    if op == "not":
        return not evaluate_depends(node[1], result_of)
    if op == "and":
        return evaluate_depends(node[1], result_of) and evaluate_depends(node[2], result_of)
    return evaluate_depends(node[1], result_of) or evaluate_depends(node[2], result_of)


# --- when ----------------------------------------------------------------------------------------


def _literal_operand(kind: str, value: str) -> Node:
    if kind == "str":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if value in ("true", "false"):
        return value == "true"
    if _NUMBER.fullmatch(value):
        return float(value)
    return value


def _as_text(value: Literal) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value


def _compare(op: str, left: Literal, right: Literal) -> bool:
    if op in ("=~", "!~"):
        found = re.search(_as_text(right), _as_text(left)) is not None
        return found if op == "=~" else not found
    both_numbers = isinstance(left, float) and isinstance(right, float)
    if op in ("==", "!="):
        equal = left == right if both_numbers else _as_text(left) == _as_text(right)
        return equal if op == "==" else not equal
    if not both_numbers:
        raise ExpressionError(f"cannot order {_as_text(left)!r} and {_as_text(right)!r}: both must be numbers")
    assert isinstance(left, float) and isinstance(right, float)
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


def _eval_when(node: Node) -> Literal:
    if not isinstance(node, tuple):
        assert not isinstance(node, TaskRef)
        return node
    op = node[0]
    if op == "cmp":
        return _compare(node[1], _eval_when(node[2]), _eval_when(node[3]))
    values = [_eval_when(child) for child in node[1:]]
    for value in values:
        if not isinstance(value, bool):
            raise ExpressionError(f"{_as_text(value)!r} is not a boolean")
    if op == "not":
        return not values[0]
    return (values[0] and values[1]) if op == "and" else (values[0] or values[1])


def evaluate_when(text: str) -> bool:
    """Evaluate a substituted ``when`` condition.

    Raises
    ------
    ExpressionError
        On a syntax error or when the result is not a boolean.
    """
    value = _eval_when(_Parser(text, _literal_operand, comparisons=True).parse())
    if not isinstance(value, bool):
        raise ExpressionError(f"when {text!r} does not evaluate to true or false")
    return value
