"""Hera objects and their to_dict()/to_yaml(), built with plain Hera (no backend)."""

from __future__ import annotations

import json

from graph_specs import IMAGE
from hera.workflows import DAG, Artifact, Container, Parameter, Steps, Workflow
from hera.workflows import models as m

from dhhera_jupyter.graph import from_workflow


def dh_container(name: str, function: str, action: str = "job", outputs: tuple[str, ...] = ()) -> Container:
    """A Hera container shaped like the ones ``dsl.step`` builds, without asking a backend for the key."""
    outs: list = []
    for o in outputs:
        outs += [
            Artifact(name=o, path=f"/tmp/entity_{o}"),
            Parameter(name=o, value_from=m.ValueFrom(path=f"/tmp/entity_{o}"), output=True),
        ]
    return Container(
        name=name,
        image=IMAGE,
        command=["python"],
        args=[
            "step.py",
            "--entity",
            f"store://demo/function/python/{function}:v1",
            "--kwargs",
            json.dumps({"action": action, "parameters": {"x": "{{inputs.parameters.x}}"}}),
        ],
        inputs=[Parameter(name="x")],
        outputs=outs,
    )


def hera_pipeline() -> Workflow:
    with Workflow(generate_name="hera-", entrypoint="main", arguments=[Parameter(name="url")]) as w:
        load = dh_container("container-load", "load", outputs=("data",))
        train = dh_container("container-train", "train", action="build")
        with Steps(name="evaluate") as evaluate:
            train(name="score", arguments={"x": "1"})
            with evaluate.parallel():
                train(name="report", arguments={"x": "1"})
                train(name="publish", arguments={"x": "1"}, when="{{workflow.parameters.url}} != ''")
        with DAG(name="main"):
            a = load(name="load", arguments={"x": "{{workflow.parameters.url}}"})
            b = train(name="train", arguments={"x": a.get_parameter("data")}, with_items=["s", "m", "l"])
            c = evaluate(name="evaluate")
            a >> b >> c
    return w


def test_hera_workflow_object_dict_and_yaml_give_the_same_graph():
    w = hera_pipeline()
    graphs = [from_workflow(w), from_workflow(w.to_dict()), from_workflow(w.to_yaml())]

    for graph in graphs:
        assert [n.id for n in graph.nodes] == ["load", "train", "evaluate", "score", "report", "publish"]
        assert graph.edges == [
            ("load", "train"),
            ("train", "evaluate"),
            ("score", "report"),
            ("score", "publish"),
        ]
    graph = graphs[1]
    assert graph.name == "hera-"
    assert graph.parameters == {"url": None}
    assert [(c.id, c.kind, c.nodes) for c in graph.clusters] == [("evaluate", "steps", ["score", "report", "publish"])]
    train = graph.node("train")
    assert (train.function, train.function_id, train.action) == ("train", "v1", "build")
    assert train.loop == {"kind": "withItems", "count": 3, "expr": '["s", "m", "l"]'}
    assert train.inputs == {"x": "{{tasks.load.outputs.parameters.data}}"}
    assert graph.node("load").outputs == ["data"]
    assert graph.node("publish").when == "{{workflow.parameters.url}} != ''"
    assert graph.node("publish").parent == "evaluate"
