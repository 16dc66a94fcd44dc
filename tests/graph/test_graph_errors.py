"""Invalid workflows raise PipelineError with one sentence naming the object."""

from __future__ import annotations

import time

import pytest
from graph_specs import dag_spec, workflow

from dhhera_jupyter.errors import PipelineError
from dhhera_jupyter.graph import from_workflow


def error_of(spec) -> str:
    with pytest.raises(PipelineError) as info:
        from_workflow(spec)
    message = str(info.value)
    assert message.endswith("."), message
    assert message.count(". ") == 0, f"more than one sentence: {message}"
    return message


def test_missing_entrypoint_is_named():
    spec = dag_spec([{"name": "a", "template": "t"}])
    del spec["entrypoint"]

    assert "has no entrypoint" in error_of(workflow(spec, name="demo"))
    assert "'demo'" in error_of(workflow(spec, name="demo"))


def test_entrypoint_without_template_is_named():
    spec = dag_spec([{"name": "a", "template": "t"}])
    spec["entrypoint"] = "nope"

    assert error_of(spec) == "The workflow has no template named 'nope', which is its entrypoint."


def test_task_using_a_missing_template_names_task_and_template():
    message = error_of(dag_spec([{"name": "a", "template": "ghost"}]))

    assert message == "The task 'a' of DAG template 'main' uses template 'ghost', which the workflow does not define."


def test_step_using_a_missing_template_names_the_step():
    spec = {"entrypoint": "main", "templates": [{"name": "main", "steps": [[{"name": "s", "template": "ghost"}]]}]}

    assert "step 's' of Steps template 'main'" in error_of(spec)


def test_unknown_dependency_is_named():
    message = error_of(
        dag_spec([{"name": "a", "template": "t"}, {"name": "b", "template": "t", "dependencies": ["zz"]}])
    )

    assert message == "Task 'b' of DAG template 'main' depends on 'zz', which is not a task of that DAG."


def test_unknown_task_in_depends_expression_is_named_without_its_result_suffix():
    message = error_of(
        dag_spec(
            [
                {"name": "a", "template": "t"},
                {"name": "b", "template": "t", "depends": "a && (zz.Succeeded || a.Failed)"},
            ]
        )
    )

    assert "depends on 'zz'" in message


def test_cycle_names_the_tasks_in_it():
    message = error_of(
        dag_spec(
            [
                {"name": "start", "template": "t"},
                {"name": "a", "template": "t", "dependencies": ["start", "c"]},
                {"name": "b", "template": "t", "depends": "a"},
                {"name": "c", "template": "t", "depends": "b.Succeeded"},
            ]
        )
    )

    assert message.startswith("DAG template 'main' has a dependency cycle: ")
    cycle = message.removeprefix("DAG template 'main' has a dependency cycle: ").rstrip(".").split(" -> ")
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["a", "b", "c"]


def test_task_depending_on_itself_is_a_cycle():
    assert "cycle: a -> a" in error_of(dag_spec([{"name": "a", "template": "t", "depends": "a"}]))


def test_cycle_inside_a_nested_template_names_that_template():
    spec = dag_spec(
        [{"name": "outer", "template": "inner"}],
        extra_templates=[
            {
                "name": "inner",
                "dag": {
                    "tasks": [
                        {"name": "p", "template": "t", "dependencies": ["q"]},
                        {"name": "q", "template": "t", "dependencies": ["p"]},
                    ]
                },
            },
        ],
    )

    assert error_of(spec).startswith("DAG template 'inner' has a dependency cycle")


def test_malformed_depends_expression_is_reported():
    message = error_of(
        dag_spec(
            [
                {"name": "a", "template": "t"},
                {"name": "b", "template": "t", "depends": "(a && "},
            ]
        )
    )

    assert message.startswith("Task 'b' of DAG template 'main' has an invalid depends expression '(a && '")


def test_both_depends_and_dependencies_is_refused():
    message = error_of(
        dag_spec(
            [
                {"name": "a", "template": "t"},
                {"name": "b", "template": "t", "depends": "a", "dependencies": ["a"]},
            ]
        )
    )

    assert "sets both depends and dependencies" in message


def test_duplicate_task_names_are_refused():
    assert "two tasks named 'a'" in error_of(dag_spec([{"name": "a", "template": "t"}, {"name": "a", "template": "t"}]))


def test_not_a_workflow_is_refused():
    assert "not an Argo workflow" in error_of({"hello": "world"})
    assert "must be a mapping" in error_of("- just\n- a list\n")


def test_invalid_yaml_is_refused_with_its_line():
    assert error_of("entrypoint: main\ntemplates: [\n  {name: a\n").startswith(
        "The workflow text is not valid YAML at line"
    )


def test_nested_templates_that_expand_without_bound_are_refused(monkeypatch):
    from dhhera_jupyter.graph import argo

    monkeypatch.setattr(argo, "MAX_EXPANDED_NODES", 100)
    templates = [{"name": "t", "container": {"image": "alpine"}}]
    for level in range(10):  # each level runs the one below twice: 2**10 leaves
        child = "t" if level == 0 else f"l{level - 1}"
        templates.append(
            {
                "name": f"l{level}",
                "dag": {"tasks": [{"name": "a", "template": child}, {"name": "b", "template": child}]},
            }
        )

    message = error_of({"entrypoint": "l9", "templates": templates})

    assert message.startswith("The workflow expands to more than 100 steps, too many to draw")


def test_a_template_bomb_is_refused_before_it_is_expanded():
    # Each template calls the next twice: 21 templates in a few hundred bytes stand for 2**21 steps.
    templates = [
        {
            "name": f"t{i}",
            "dag": {"tasks": [{"name": "a", "template": f"t{i + 1}"}, {"name": "b", "template": f"t{i + 1}"}]},
        }
        for i in range(20)
    ] + [{"name": "t20", "container": {"image": "x"}}]
    started = time.thread_time()  # CPU time of this thread: what another process's load cannot inflate

    message = error_of({"entrypoint": "t0", "templates": templates})

    assert "expands to more than 50000 steps" in message
    assert time.thread_time() - started < 1, "counted, not expanded"
