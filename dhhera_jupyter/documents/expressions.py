"""The boolean expressions Argo shares between DAG ``depends`` and ``when``: ``!``, ``&&``, ``||``, parentheses
and, in ``when``, the comparisons ``== != < > <= >= =~ !~``.

Parsing and evaluation use explicit stacks, never recursion, so an expression of any width
(Hera writes a 1000-task join as ``m0 && m1 && ...``) or nesting depth costs linear time. A chain
of one operator is kept as one n-ary node.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.errors import ExpressionError

#: Comparison operators of ``when``.
COMPARISONS = frozenset({"==", "!=", "<=", ">=", "<", ">", "=~", "!~"})

_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|<=|>=|=~|!~|[()!<>])"
    r"|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<word>[^\s()!&|=<>'\"]+))"
)
# Binding strength: a comparison binds tightest, then '!', then '&&', then '||' (Argo's govaluate/expr order).
_PRECEDENCE = {"||": 1, "&&": 2, "!": 3, **{op: 4 for op in COMPARISONS}}


@dataclass
class Op:
    """An operator node: ``op`` is ``and``, ``or``, ``not`` or a comparison; ``args`` its operands."""

    op: str
    args: list[Any] = field(default_factory=list)


#: A parsed expression: an :class:`Op` or an operand (whatever the operand reader returned).
Tree = Any

#: Reads one operand token: ``(kind, text) -> leaf``; kind is ``word`` or ``str``.
OperandReader = Callable[[str, str], Any]

_NAMES = {"&&": "and", "||": "or", "!": "not"}


def tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, text)`` pairs: kind ``op``, ``str`` (quoted) or ``word``.

    Raises
    ------
    ExpressionError
        On a character that starts no token, or an empty expression.
    """
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].lstrip()[:1]!r} at position {pos}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    if not out:
        raise ExpressionError("the expression is empty")
    return out


def parse(text: str, operand: OperandReader, comparisons: bool) -> Tree:
    """Parse an expression (shunting-yard: one pass, two stacks).

    Parameters
    ----------
    text : str
        The expression.
    operand : callable
        Turns an operand token into a leaf; may raise :class:`ExpressionError`.
    comparisons : bool
        Whether comparison operators are allowed (``when``) or not (``depends``).

    Raises
    ------
    ExpressionError
        On a syntax error; the message says what stands where.
    """
    output: list[Any] = []
    ops: list[str] = []
    expect_operand = True
    after_comparison = False
    for kind, value in tokens(text):
        if expect_operand:
            if kind != "op":
                output.append(operand(kind, value))
                expect_operand, after_comparison = False, False
            elif value == "(":
                ops.append(value)
            elif value == "!" and not after_comparison:
                ops.append(value)
            else:
                raise ExpressionError(f"{value!r} stands where an operand was expected")
            continue
        if kind != "op" or value in ("(", "!"):
            raise ExpressionError(f"{value!r} stands where an operator was expected")
        if value == ")":
            while ops and ops[-1] != "(":
                _reduce(output, ops.pop())
            if not ops:
                raise ExpressionError("a ')' closes no '('")
            ops.pop()
            continue
        if value in COMPARISONS:
            if not comparisons:
                raise ExpressionError(f"comparison {value!r} is not allowed here")
            if ops and ops[-1] in COMPARISONS:
                raise ExpressionError(f"comparisons cannot be chained ({ops[-1]!r} then {value!r})")
        strength = _PRECEDENCE[value]
        while ops and ops[-1] != "(" and _PRECEDENCE[ops[-1]] >= strength:
            _reduce(output, ops.pop())
        ops.append(value)
        expect_operand, after_comparison = True, value in COMPARISONS
    if expect_operand:
        raise ExpressionError("it ends where an operand was expected")
    while ops:
        op = ops.pop()
        if op == "(":
            raise ExpressionError("a '(' is not closed")
        _reduce(output, op)
    return output[0]


def _reduce(output: list[Any], token: str) -> None:
    if token == "!":
        output.append(Op("not", [output.pop()]))
        return
    right, left = output.pop(), output.pop()
    name = _NAMES.get(token, token)
    if name in ("and", "or"):
        # Flatten a chain of one operator into one node: '&&' and '||' are associative.
        args = left.args if isinstance(left, Op) and left.op == name else [left]
        args.extend(right.args if isinstance(right, Op) and right.op == name else [right])
        output.append(Op(name, args))
    else:
        output.append(Op(name, [left, right]))


def leaves(tree: Tree) -> Iterator[Any]:
    """The operands of a tree, in reading order."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Op):
            stack.extend(reversed(node.args))
        else:
            yield node


def evaluate(tree: Tree, leaf: Callable[[Any], Any], combine: Callable[[str, list[Any]], Any]) -> Any:
    """Evaluate a tree bottom-up with an explicit stack.

    Parameters
    ----------
    leaf : callable
        The value of one operand.
    combine : callable
        ``(op, values) -> value`` for one operator node, its operands already evaluated.
    """
    if not isinstance(tree, Op):
        return leaf(tree)
    stack: list[tuple[Op, list[Any]]] = [(tree, [])]
    while True:
        node, values = stack[-1]
        if len(values) < len(node.args):
            child = node.args[len(values)]
            if isinstance(child, Op):
                stack.append((child, []))
            else:
                values.append(leaf(child))
            continue
        stack.pop()
        result = combine(node.op, values)
        if not stack:
            return result
        stack[-1][1].append(result)
