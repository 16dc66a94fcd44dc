"""``depends`` and ``when`` at any width and depth: parsed and evaluated without recursion."""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from dhhera_jupyter.documents.argo import find_cycle
from dhhera_jupyter.documents.depends import TaskRef, evaluate_depends, parse_depends, task_names
from dhhera_jupyter.documents.when import evaluate_when
from dhhera_jupyter.errors import ExpressionError, UnknownTask

N = 10_000


@contextmanager
def shallow_stack(frames: int = 60) -> Iterator[None]:
    """Allow only ``frames`` more Python frames: any recursion per operand or per level fails at once."""
    depth = len(inspect.stack(0))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_a_10000_operand_join_parses_and_evaluates():
    names = [f"m{i}" for i in range(N)]
    text = " && ".join(names)
    with shallow_stack():
        tree = parse_depends(text, set(names))
        assert evaluate_depends(tree, lambda ref: True) is True
        assert evaluate_depends(tree, lambda ref: ref.task != "m9999") is False

    assert task_names(tree) == names


def test_mixed_operators_keep_precedence_at_width():
    # a0 || a1 && b1 || a2 && b2 ...: '&&' binds tighter, so one true pair makes the whole true.
    pairs = [f"a{i} && b{i}" for i in range(N // 2)]
    tree = parse_depends(" || ".join(pairs))
    only = {"a4321", "b4321"}

    assert evaluate_depends(tree, lambda ref: ref.task in only) is True
    assert evaluate_depends(tree, lambda ref: ref.task in {"a1", "b2"}) is False


def test_10000_deep_nesting_and_negation_need_no_recursion():
    nested = "(" * N + "A" + ")" * N
    negated = "!" * N + "A.Failed"  # an even count: the negations cancel
    with shallow_stack():
        assert task_names(parse_depends(nested)) == ["A"]
        assert evaluate_depends(parse_depends(negated), lambda ref: ref == TaskRef("A", "Failed")) is True


def test_a_10000_comparison_when_evaluates():
    text = " && ".join(f"{i} == {i}.0" for i in range(N)) + " && x =~ '^x$'"
    with shallow_stack():
        assert evaluate_when(text) is True
        assert evaluate_when(text.replace("17 == 17.0", "17 == 18")) is False


def test_a_10000_deep_dependency_chain_has_its_cycle_found_without_recursion():
    deps = {f"t{i}": [f"t{i + 1}"] for i in range(N)}
    deps[f"t{N}"] = []
    with shallow_stack():
        assert find_cycle(deps) is None
        deps[f"t{N}"] = ["t5000"]
        cycle = find_cycle(deps)
    assert cycle is not None and cycle[0] == cycle[-1] == "t5000" and len(cycle) == N - 5000 + 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A &&", "it ends where an operand was expected"),
        ("(A", "'(' is not closed"),
        ("A)", "')' closes no '('"),
        ("A B", "stands where an operator was expected"),
        ("A == B", "comparison '==' is not allowed"),
        ("A.Completed", "task result 'Completed' for task 'A' is invalid"),
        ("'A'", "is not a task reference"),
    ],
)
def test_malformed_depends_says_what_is_wrong(text, message):
    with pytest.raises(ExpressionError, match=None) as info:
        parse_depends(text)
    assert message in str(info.value)


def test_known_names_may_contain_dots_and_unknown_ones_are_named_without_their_result():
    tree = parse_depends("fan.out && b.Failed", {"fan.out", "b"})
    assert [(r.task, r.result) for r in [*_refs(tree)]] == [("fan.out", None), ("b", "Failed")]
    with pytest.raises(UnknownTask) as info:
        parse_depends("b && zz.Succeeded", {"b"})
    assert info.value.task == "zz"


def test_when_refuses_chained_comparisons_and_negated_right_operands():
    for text in ("1 == 1 == 1", "a == !b"):
        with pytest.raises(ExpressionError):
            evaluate_when(text)


def test_a_catastrophic_regex_runs_in_linear_time():
    # '^(a+)+$' on 'aaa...a!' takes exponential time in a backtracking engine (Python's re: ~10 s at 28 chars).
    started = time.thread_time()  # CPU time of this thread: what another process's load cannot inflate
    assert evaluate_when("'" + "a" * 40 + "!' =~ '^(a+)+$'") is False
    assert evaluate_when("'" + "a" * 100_000 + "' =~ '^(a+)+$'") is True
    assert time.thread_time() - started < 5, "RE2 answers at once; a backtracking engine would not return"


def test_a_regex_re2_cannot_run_is_a_clear_error():
    with pytest.raises(ExpressionError, match="not a regular expression RE2 accepts"):
        evaluate_when("aa =~ 'a(?=a)'")  # lookarounds need backtracking


def _refs(tree):
    from dhhera_jupyter.documents.depends import task_refs

    return task_refs(tree)
