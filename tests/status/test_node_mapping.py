"""Status nodes assigned to graph nodes: by name path, by display name, by function."""

from __future__ import annotations

from status_samples import nested_spec, node, run_doc, steps_spec

from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.status.mapping import NodeMapper, NodeMatch, workflow_name_of
from dhhera_jupyter.status.snapshot import snapshot


def test_contract_example_maps_pod_to_its_task_and_root_to_nothing() -> None:
    spec = {
        "entrypoint": "dag",
        "templates": [
            {
                "name": "dag",
                "dag": {
                    "tasks": [
                        {"name": "dag-op-first-e53f5f25", "template": "c1"},
                        {"name": "dag-op-second-f0bbfcb9", "template": "c2", "depends": "dag-op-first-e53f5f25"},
                    ]
                },
            },
            {"name": "c1", "container": {"image": "x"}},
            {"name": "c2", "container": {"image": "x"}},
        ],
    }
    mapper = NodeMapper(from_workflow(spec))
    root = {"id": "880e...", "name": "880e...", "display_name": "880e...", "type": "DAG", "state": "Running"}
    pod = {
        "id": "880e...-2849932048",
        "name": "880e....dag-op-first-e53f5f25",
        "display_name": "dag-op-first-e53f5f25",
        "type": "Pod",
        "state": "Succeeded",
    }
    assert mapper.match(root, "880e...") is None
    assert mapper.match(pod, "880e...") == NodeMatch("dag-op-first-e53f5f25", primary=True)


def test_repeated_names_in_nested_templates_map_to_their_own_graph_node() -> None:
    graph = from_workflow(nested_spec())
    mapper = NodeMapper(graph)
    ids = {n.id for n in graph.nodes}
    outer_a = mapper.match(node("r", "r.a", "a", "Pod", "Succeeded"), "r")
    inner_a = mapper.match(node("r", "r.inner.a", "a", "Pod", "Running"), "r")
    assert outer_a is not None and inner_a is not None
    assert outer_a.step != inner_a.step
    assert {outer_a.step, inner_a.step} <= ids
    assert graph.node(inner_a.step).parent == "inner"
    assert mapper.match(node("r", "r.inner", "inner", "DAG", "Running"), "r") == NodeMatch("inner", True)


def test_steps_nodes_map_by_step_name_and_groups_map_to_nothing() -> None:
    mapper = NodeMapper(from_workflow(steps_spec()))
    assert mapper.match(node("r", "r[1].right", "right", "Pod", "Running"), "r") == NodeMatch("right", True)
    assert mapper.match(node("r", "r[1]", "[1]", "StepGroup", "Running"), "r") is None


def test_nodes_without_a_readable_name_fall_back_to_display_name_then_function() -> None:
    graph = from_workflow(nested_spec())
    mapper = NodeMapper(graph)
    by_display = mapper.match({"display_name": "z(0:1)", "state": "Running"}, "r")
    assert by_display == NodeMatch("z", primary=False)
    # Two tasks are named "a": the function (filled by the local core) picks the right one.
    inner = next(n for n in graph.nodes if n.name == "a" and n.parent == "inner")
    picked = mapper.match({"display_name": "a", "function": "process", "state": "Running"}, "r")
    assert picked == NodeMatch(inner.id, primary=True)


def test_without_a_graph_steps_are_named_by_their_task_path() -> None:
    mapper = NodeMapper(None)
    assert mapper.match(node("r", "r.inner.a", "a", "Pod", "Running"), "r") == NodeMatch("inner/a", True)
    assert mapper.match(node("r", "r.work(0:x)", "work(0:x)", "Pod", "Running"), "r") == NodeMatch("work", False)


def test_workflow_name_is_the_run_id_or_the_root_node() -> None:
    assert workflow_name_of("abc", [{"id": "abc", "name": "abc"}]) == "abc"
    assert workflow_name_of("abc", [{"id": "wf-1", "name": "wf.a"}, {"id": "wf", "name": "wf"}]) == "wf"
    assert workflow_name_of("abc", []) == "abc"


def test_a_one_task_dag_keeps_its_step_outputs_and_a_single_container_root_is_the_step() -> None:
    spec = {
        "entrypoint": "dag",
        "templates": [
            {"name": "dag", "dag": {"tasks": [{"name": "only", "template": "c"}]}},
            {"name": "c", "container": {"image": "x"}},
        ],
    }
    wf = "5a1e"
    root = node(wf, wf, wf, "DAG", "Succeeded")
    pod = node(
        wf,
        f"{wf}.only",
        "only",
        "Pod",
        "Succeeded",
        outputs=[{"name": "table", "value": "store://p/dataitem/table/t:1"}],
    )
    run = run_doc(wf, "COMPLETED", [root, pod])
    snap = snapshot(run, from_workflow(spec))
    assert [s.id for s in snap.steps] == ["only"]
    assert dict(snap.steps[0].outputs) == {"table": "store://p/dataitem/table/t:1"}

    single = {"entrypoint": "c", "templates": [{"name": "c", "container": {"image": "x"}}]}
    mapper = NodeMapper(from_workflow(single))
    assert mapper.match(node(wf, wf, wf, "Pod", "Succeeded"), wf) == NodeMatch("c", primary=True)
