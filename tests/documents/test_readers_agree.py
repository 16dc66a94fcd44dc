"""The diagram (graph/) and the local runner (executor/) read the same specs the same way.

For every spec: the tasks each DAG task waits for, and which templates are DigitalHub steps the
runner will execute (an entity key in a step.py container), are the same in both readers.
"""

from __future__ import annotations

import json

import pytest
import yaml

from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.executor.argo_spec import analyse
from dhhera_jupyter.graph import from_workflow
from tests.graph.graph_specs import RECORDED_BUILD, dag_spec, dh_template, diamond, nested_spec, plain_template

KEY = "store://demo/function/python/f:0123abcd"
KWARGS = json.dumps({"action": "job"})

# The container forms a step may take, and ones that are no DigitalHub step.
FORMS = {
    "dsl": {"command": ["python"], "args": ["step.py", "--entity", KEY, "--kwargs", KWARGS]},
    "all-in-command": {"command": ["python", "step.py", "--entity", KEY, "--kwargs", KWARGS]},
    "flag=value": {"command": ["python3"], "args": ["/app/step.py", f"--entity={KEY}", f"--kwargs={KWARGS}"]},
    "entrypoint": {"args": ["step.py", "--entity", KEY]},
    "shell": {"command": ["sh", "-c"], "args": ["python step.py --entity " + KEY]},
    "no entity": {"command": ["python"], "args": ["step.py", "--kwargs", KWARGS]},
    "other script": {"command": ["python"], "args": ["train.py", "--entity", KEY]},
}


def _forms_spec() -> dict:
    templates = [{"name": name, "container": {"image": "img", **c}} for name, c in FORMS.items()]
    tasks = [{"name": f"task-{i}", "template": t["name"]} for i, t in enumerate(templates)]
    tasks.append({"name": "join", "template": "dsl", "depends": " && ".join(t["name"] for t in tasks)})
    return {"entrypoint": "main", "templates": [{"name": "main", "dag": {"tasks": tasks}}, *templates]}


SPECS = {
    "recorded build": lambda: yaml.safe_load(RECORDED_BUILD),
    "diamond": diamond,
    "nested": nested_spec,
    "container forms": _forms_spec,
    "results and negation": lambda: dag_spec(
        [
            {"name": "a", "template": "t"},
            {"name": "b", "template": "s", "depends": "a.Failed || !a.Succeeded"},
            {"name": "c", "template": "t", "dependencies": ["a", "b"]},
        ],
        [dh_template("s", "train")],
    ),
}


@pytest.mark.parametrize("name", list(SPECS))
def test_both_readers_see_the_same_dependencies(name):
    spec = SPECS[name]()
    graph, analysis = from_workflow(spec), analyse(spec, {"url": "x"})
    node_template = {node.id: node.template for node in graph.nodes}

    for template_name, dag in analysis.dags.items():
        top = template_name == spec["entrypoint"]
        for task, deps in dag.deps.items():
            if not top:
                continue  # nested DAG node ids carry a prefix only where names repeat; the top level is 1:1
            drawn = [src for src, dst in graph.edges if dst == task]
            assert drawn == deps, (task, drawn, deps)
            assert node_template[task] == dag.tasks[task]["template"]


@pytest.mark.parametrize("name", list(SPECS))
def test_a_node_is_drawn_as_a_digitalhub_step_exactly_when_the_runner_runs_it(name):
    spec = SPECS[name]()
    graph = from_workflow(spec)
    templates = {t["name"]: t for t in spec["templates"]}

    for node in graph.nodes:
        template = templates.get(node.template or "")
        if template is None or "container" not in template:
            continue
        call = step_call(template)  # what executor/pipeline.py runs, or refuses
        runs = call is not None and call.key is not None and call.problem is None
        assert (node.function_key is not None) == runs, (node.id, node.function_key, call)


def test_the_container_forms_are_the_documented_set():
    runs = {name for name, c in FORMS.items() if (call := step_call({"container": c})) and call.key}
    assert runs == {"dsl", "all-in-command", "flag=value", "entrypoint"}
    assert step_call(plain_template("t")) is None
