"""Specs the interpreter refuses before running anything, with messages naming what is wrong."""

from __future__ import annotations

import threading

import pytest
from test_argo_support import Runner, check_nodes, container, dag_spec, task

from dhhera_jupyter.errors import PipelineError
from dhhera_jupyter.executor.argo import ArgoSpecError, execute, validate


def _without_entrypoint() -> dict:
    spec = dag_spec([task("A")])
    del spec["entrypoint"]
    return spec


def _cycle() -> dict:
    return dag_spec([task("a", depends="c"), task("b", depends="a"), task("c", depends="b"), task("d")])


def _template_bomb() -> dict:
    calls = [{"name": f"t{i}", "dag": {"tasks": [task("a", f"t{i + 1}"), task("b", f"t{i + 1}")]}} for i in range(20)]
    return {"entrypoint": "t0", "templates": [*calls, container("t20")]}


CASES = {
    "no entrypoint": (_without_entrypoint(), None, "has no entrypoint"),
    "entrypoint names no template": (
        {**dag_spec([task("A")]), "entrypoint": "nope"},
        None,
        "'nope', which is its entrypoint",
    ),
    "task references missing template": (
        dag_spec([task("A", "ghost")]),
        None,
        "task 'A' of template 'main' references missing template 'ghost'",
    ),
    "step references missing template": (
        {"entrypoint": "s", "templates": [{"name": "s", "steps": [[task("st", "ghost")]]}]},
        None,
        "step 'st' of template 's' references missing template 'ghost'",
    ),
    "depends names unknown task": (
        dag_spec([task("A"), task("B", depends="A && Z.Succeeded")]),
        None,
        "task 'B' of template 'main' depends on unknown task 'Z'",
    ),
    "dependencies names unknown task": (
        dag_spec([task("A"), task("B", dependencies=["Y"])]),
        None,
        "task 'B' of template 'main' depends on unknown task 'Y'",
    ),
    "cycle": (_cycle(), None, "dependency cycle: a -> c -> b -> a"),
    "workflow parameter without value": (
        dag_spec([task("A")], params={"url": None, "ok": "1"}),
        {"ok": "2"},
        "workflow parameter 'url' has no value",
    ),
    "invalid depends result": (
        dag_spec([task("A"), task("B", depends="A.Completed")]),
        None,
        "task result 'Completed' for task 'A' is invalid",
    ),
    "depends syntax": (dag_spec([task("A"), task("B", depends="A &&")]), None, "invalid depends"),
    "both depends and dependencies": (
        dag_spec([task("A"), task("B", depends="A", dependencies=["A"])]),
        None,
        "uses both 'depends' and 'dependencies'",
    ),
    "duplicate task": (dag_spec([task("A"), task("A")]), None, "two tasks named 'A'"),
    "template bomb": (_template_bomb(), None, "expands to more than 50000 steps"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_rejects_with_a_message_naming_the_culprit(case):
    spec, parameters, message = CASES[case]

    with pytest.raises(ArgoSpecError, match=None) as info:
        validate(spec, parameters)

    assert message in str(info.value)
    assert isinstance(info.value, PipelineError)


@pytest.mark.parametrize("case", ["cycle", "workflow parameter without value"])
def test_execute_reports_an_invalid_spec_as_an_errored_root_node(case):
    spec, parameters, message = CASES[case]
    updates: list = []
    runner = Runner()

    outcome = execute(
        spec,
        workflow_name="run-1",
        parameters=parameters or {},
        run_container=runner,
        on_update=updates.append,
        stop_event=threading.Event(),
    )

    assert outcome.phase == "Error" and message in outcome.message
    check_nodes(outcome.nodes, "run-1")
    assert [(n["id"], n["state"]) for n in outcome.nodes] == [("run-1", "Error")]
    assert updates == [outcome.nodes] and runner.calls == []


def test_a_run_parameter_supplies_a_declared_parameter_without_default():
    validate(dag_spec([task("A")], container("c"), params={"url": None}), {"url": "http://x"})
