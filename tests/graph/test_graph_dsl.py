"""A pipeline built with the real ``digitalhub_runtime_hera.dsl.step``, functions resolved by the local core."""

from __future__ import annotations

import pytest
from graph_specs import IMAGE
from hera.workflows import DAG, Workflow

from dhhera_jupyter.graph import from_workflow

DOUBLE = """
def double(x: int):
    return x * 2
"""


@pytest.mark.slow
def test_real_dsl_steps_carry_function_key_id_and_action(project, monkeypatch):
    """Built exactly as a user's pipeline is, with the function resolved by the (local) backend."""
    fn = project.new_function(name="double", kind="python", code=DOUBLE, handler="double", python_version="PYTHON3_11")
    monkeypatch.setenv("PROJECT_NAME", project.name)
    monkeypatch.setenv("DHCORE_WORKFLOW_IMAGE", IMAGE)
    from digitalhub_runtime_hera.dsl import step

    with Workflow(entrypoint="dag", arguments={"x": "3"}) as w, DAG(name="dag"):
        a = step(
            template={"action": "job", "parameters": {"x": "{{workflow.parameters.x}}"}},
            function="double",
            outputs=["out"],
        )
        b = step(
            template={"action": "job", "parameters": {"x": "{{inputs.parameters.x}}"}},
            function="double",
            name="again",
            inputs={"x": a.get_parameter("out")},
        )
        a >> b
    graph = from_workflow(w.to_yaml())

    first, second = graph.nodes
    assert first.id.startswith("dag-op-double-") and second.id.startswith("dag-op-again-")
    assert graph.edges == [(first.id, second.id)]
    for node in graph.nodes:
        assert (node.function, node.function_key, node.function_id, node.action) == ("double", fn.key, fn.id, "job")
    assert first.outputs == ["out"]
    assert second.inputs == {"x": f"{{{{tasks.{first.id}.outputs.parameters.out}}}}"}
    assert graph.parameters == {"x": "3"}
