"""Argo's enhanced ``depends``: task references (``A``, ``A.Succeeded``) joined by ``!``, ``&&``, ``||``.

The diagram reads which tasks a task waits for; the local runner also evaluates the expression
against the phases of those tasks. Both parse it here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from dhhera_jupyter.documents import expressions
from dhhera_jupyter.errors import ExpressionError, UnknownTask

#: Task results Argo accepts after a dot (workflow/common/ancestry.go).
TASK_RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")

# Task names may contain dots themselves ("fan.out"): a suffix is a result only when it names one.
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class TaskRef:
    """``task`` (result ``None``: the Argo default) or ``task.Result`` inside a ``depends`` expression."""

    task: str
    result: str | None


#: A parsed ``depends``: :class:`TaskRef` leaves under ``and``/``or``/``not`` nodes.
DependsTree = expressions.Tree


def _reader(known: Collection[str] | None) -> Callable[[str, str], TaskRef]:
    def operand(kind: str, text: str) -> TaskRef:
        if kind != "word" or _NAME.fullmatch(text) is None:
            raise ExpressionError(f"{text!r} is not a task reference")
        if known is not None and text in known:
            return TaskRef(text, None)
        base, dot, suffix = text.rpartition(".")
        if known is None and not dot:
            return TaskRef(text, None)
        if dot and (known is None or base in known) and suffix.isalpha():
            if suffix not in TASK_RESULTS:
                raise ExpressionError(f"task result '{suffix}' for task '{base}' is invalid")
            return TaskRef(base, suffix)
        if known is None:
            return TaskRef(text, None)
        raise UnknownTask(base if dot and suffix in TASK_RESULTS else text)

    return operand


def parse_depends(text: str, known: Collection[str] | None = None) -> DependsTree:
    """Parse a ``depends`` expression.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"A && (B.Succeeded || C.Failed)"``.
    known : collection of str, optional
        The task names of the DAG; with them, a task name containing dots is read whole and a name
        that is not among them raises :class:`UnknownTask`.

    Raises
    ------
    ExpressionError
        On a syntax error or an unknown task result (``A.Completed`` is not an Argo result).
    UnknownTask
        For the first task name that is not in ``known``.
    """
    return expressions.parse(text, _reader(known), comparisons=False)


def dependencies_tree(names: Iterable[object]) -> DependsTree | None:
    """The tree of the legacy ``dependencies: [A, B]`` field, which means ``A && B``."""
    refs = [TaskRef(str(name), None) for name in names]
    if not refs:
        return None
    return refs[0] if len(refs) == 1 else expressions.Op("and", list(refs))


def task_refs(tree: DependsTree | None) -> list[TaskRef]:
    """Every task reference of a tree, in reading order."""
    return [] if tree is None else [leaf for leaf in expressions.leaves(tree) if isinstance(leaf, TaskRef)]


def task_names(tree: DependsTree | None) -> list[str]:
    """The distinct task names of a tree, in order of first appearance."""
    return list(dict.fromkeys(ref.task for ref in task_refs(tree)))


def evaluate_depends(tree: DependsTree, result_of: Callable[[TaskRef], bool]) -> bool:
    """Evaluate a tree; ``result_of`` answers one task reference."""
    return bool(expressions.evaluate(tree, result_of, _combine))


def _combine(op: str, values: list[bool]) -> bool:
    if op == "not":
        return not values[0]
    return all(values) if op == "and" else any(values)
