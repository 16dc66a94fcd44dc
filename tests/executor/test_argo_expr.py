"""``when`` conditions, ``depends`` expressions and ``{{...}}`` substitution on their own."""

from __future__ import annotations

import pytest

from dhhera_jupyter.documents.depends import TaskRef, evaluate_depends, parse_depends, task_refs
from dhhera_jupyter.documents.when import evaluate_when
from dhhera_jupyter.errors import ExpressionError
from dhhera_jupyter.executor.argo_template import UnresolvedVariable, item_label, substitute, substitute_all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heads == heads", True),
        ("heads == tails", False),
        ("'a b' != 'a c'", True),
        ('"x" == x', True),
        ("5 > 10", False),
        ("10 >= 10.0", True),
        ("-1 < 0", True),
        ("2 <= 1 || 3 < 4", True),
        ("true && !false", True),
        ("!(1 == 1) || (2 == 3)", False),
        ("Succeeded == Succeeded && 7 != 8", True),
        ("release-1.2 =~ '^release-'", True),
        ("abc !~ b", False),
        ("1 == 1.0", True),
    ],
)
def test_when_conditions_evaluate_like_argo(text, expected):
    assert evaluate_when(text) is expected


@pytest.mark.parametrize("text", ["", "a ==", "(1 == 1", "heads", "a < b", "1 == 1 2", "true && x"])
def test_malformed_or_non_boolean_when_is_an_error(text):
    with pytest.raises(ExpressionError):
        evaluate_when(text)


def test_depends_keeps_task_results_and_bare_names():
    tree = parse_depends("(A.Succeeded || B) && !C.Failed")

    assert task_refs(tree) == [TaskRef("A", "Succeeded"), TaskRef("B", None), TaskRef("C", "Failed")]
    phases = {"A": "Failed", "B": "Succeeded", "C": "Succeeded"}
    result = evaluate_depends(tree, lambda ref: phases[ref.task] == (ref.result or "Succeeded"))
    assert result is True


@pytest.mark.parametrize("text", ["A.Completed", "A &&", "A == B", "(A"])
def test_bad_depends_is_an_error(text):
    with pytest.raises(ExpressionError):
        parse_depends(text)


def test_substitution_is_strict_or_keeps_tags_by_prefix():
    values = {"inputs.parameters.x": "1", "workflow.name": "wf"}

    assert substitute("{{ inputs.parameters.x }}-{{workflow.name}}", values) == "1-wf"
    assert substitute("{{tasks.a.status}}", values, ("inputs.",)) == "{{tasks.a.status}}"
    with pytest.raises(UnresolvedVariable, match=r"\{\{inputs.parameters.y\}\}"):
        substitute("{{inputs.parameters.y}}", values, ("inputs.",))
    with pytest.raises(UnresolvedVariable, match="expression template"):
        substitute("{{=sprig.upper('a')}}", values, False)
    nested = substitute_all({"args": ['{"p": "{{inputs.parameters.x}}"}'], "n": 3}, values)
    assert nested == {"args": ['{"p": "1"}'], "n": 3}


def test_item_labels_follow_argo_node_names():
    assert [item_label(i) for i in ("a", 2, True, {"y": "q", "x": 1})] == ["a", "2", "true", "x:1,y:q"]
