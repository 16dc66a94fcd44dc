"""from_workflow on every workflow shape: nodes, edges, clusters, fields."""

from __future__ import annotations

import json

import yaml
from graph_specs import RECORDED_BUILD, dag_spec, diamond, nested_spec, steps_spec, to_yaml, workflow

from dhhera_jupyter.graph import from_workflow


def ids(graph):
    return [n.id for n in graph.nodes]


def test_recorded_build_spec_gives_two_digitalhub_steps():
    graph = from_workflow(RECORDED_BUILD)

    assert ids(graph) == ["dag-op-first-e53f5f25", "dag-op-second-f0bbfcb9"]
    assert graph.edges == [("dag-op-first-e53f5f25", "dag-op-second-f0bbfcb9")]
    first = graph.nodes[0]
    assert first.function == "f"
    assert first.function_key == "store://demo/function/python/f:4f96aa10"
    assert first.function_id == "4f96aa10"
    assert first.action == "job"
    assert first.kwargs == {"action": "job", "parameters": {"x": "{{workflow.parameters.url}}"}}
    assert first.kind == "container"
    assert first.template == "container-first-f-47297c95"
    assert first.image.startswith("ghcr.io/scc-digitalhub/")
    assert graph.parameters == {"url": None}
    assert graph.entrypoint == "dag"


def test_diamond_has_four_edges_and_one_root():
    graph = from_workflow(diamond())

    assert ids(graph) == ["a", "b", "c", "d"]
    assert graph.edges == [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    assert graph.roots() == ["a"]
    assert graph.parameters == {"url": None, "n": "3"}
    a, b = graph.node("a"), graph.node("b")
    assert a.outputs == ["dataset"]
    assert a.inputs == {"url": "{{workflow.parameters.url}}"}
    assert (a.function, a.action) == ("download-data", "job")
    assert b.inputs == {"di": "{{tasks.a.outputs.parameters.dataset}}"}
    assert graph.node("d").action == "build"
    assert graph.node("d").depends == "b && c"


def test_multiple_roots_are_all_reported():
    graph = from_workflow(
        dag_spec(
            [
                {"name": "r1", "template": "t"},
                {"name": "r2", "template": "t"},
                {"name": "r3", "template": "t"},
                {"name": "join", "template": "t", "dependencies": ["r1", "r3"]},
            ]
        )
    )

    assert graph.roots() == ["r1", "r2", "r3"]
    assert graph.edges == [("r1", "join"), ("r3", "join")]
    assert graph.node("r1").function is None
    assert graph.node("r1").kind == "container"


def test_enhanced_depends_expression_gives_one_edge_per_named_task():
    graph = from_workflow(
        dag_spec(
            [
                {"name": "A", "template": "t"},
                {"name": "B", "template": "t"},
                {"name": "C", "template": "t"},
                {"name": "D", "template": "t", "depends": "A && (B.Succeeded || C.Failed) && !A.Skipped"},
                {"name": "E", "template": "t", "depends": "D.AnySucceeded"},
            ]
        )
    )

    assert graph.edges == [("A", "D"), ("B", "D"), ("C", "D"), ("D", "E")]
    assert graph.node("D").depends == "A && (B.Succeeded || C.Failed) && !A.Skipped"


def test_task_names_with_dots_resolve_before_result_suffixes():
    graph = from_workflow(
        dag_spec(
            [
                {"name": "load.v2", "template": "t"},
                {"name": "next", "template": "t", "depends": "load.v2.Succeeded || load.v2"},
            ]
        )
    )

    assert graph.edges == [("load.v2", "next")]


def test_steps_groups_link_every_step_to_every_step_of_the_next_group():
    graph = from_workflow(steps_spec())

    assert ids(graph) == ["s1", "s2", "s3", "s4"]
    assert graph.edges == [("s1", "s2"), ("s1", "s3"), ("s2", "s4"), ("s3", "s4")]
    assert graph.clusters == []
    assert all(n.parent is None for n in graph.nodes)


def test_nested_templates_become_clusters_with_prefixed_repeated_names():
    graph = from_workflow(nested_spec())

    assert ids(graph) == [
        "prep",
        "left",
        "left/x",
        "left/y",
        "right",
        "right/x",
        "right/y",
        "deep",
        "s1",
        "sub",
        "z",
        "x",
    ]
    assert graph.edges == [
        ("prep", "left"),
        ("prep", "right"),
        ("left", "deep"),
        ("right", "deep"),
        ("deep", "x"),
        ("left/x", "left/y"),
        ("right/x", "right/y"),
        ("s1", "sub"),
    ]
    assert [(c.id, c.template, c.kind, c.parent, c.nodes) for c in graph.clusters] == [
        ("left", "inner-dag", "dag", None, ["left/x", "left/y"]),
        ("right", "inner-dag", "dag", None, ["right/x", "right/y"]),
        ("deep", "inner-steps", "steps", None, ["s1", "sub"]),
        ("sub", "leaf-dag", "dag", "deep", ["z"]),
    ]
    assert {n.id: n.parent for n in graph.nodes if n.parent} == {
        "left/x": "left",
        "left/y": "left",
        "right/x": "right",
        "right/y": "right",
        "s1": "deep",
        "sub": "deep",
        "z": "sub",
    }
    assert graph.node("left/x").name == "x"
    assert graph.node("deep").kind == "steps"
    assert graph.roots() == ["prep"]


def test_conditions_and_loops_are_kept_on_one_node_each():
    graph = from_workflow(
        dag_spec(
            [
                {"name": "flip", "template": "t"},
                {"name": "heads", "template": "t", "depends": "flip", "when": "{{tasks.flip.outputs.result}} == heads"},
                {"name": "fan", "template": "t", "depends": "flip", "withItems": ["a", "b", "c"]},
                {"name": "dyn", "template": "t", "depends": "flip", "withParam": "{{tasks.flip.outputs.result}}"},
                {"name": "seq", "template": "t", "withSequence": {"start": "1", "end": "5"}},
            ]
        )
    )

    assert ids(graph) == ["flip", "heads", "fan", "dyn", "seq"]
    assert graph.node("heads").when == "{{tasks.flip.outputs.result}} == heads"
    assert graph.node("heads").loop is None
    assert graph.node("fan").loop == {"kind": "withItems", "count": 3, "expr": '["a", "b", "c"]'}
    assert graph.node("dyn").loop == {"kind": "withParam", "count": None, "expr": "{{tasks.flip.outputs.result}}"}
    assert graph.node("seq").loop["count"] == 5
    assert graph.node("flip").when is None


def test_single_template_workflow_is_one_node():
    graph = from_workflow(
        {
            "entrypoint": "hello",
            "templates": [{"name": "hello", "script": {"image": "python:3.11", "source": "print(1)"}}],
        }
    )

    assert ids(graph) == ["hello"]
    assert graph.nodes[0].kind == "script"
    assert graph.nodes[0].image == "python:3.11"
    assert graph.edges == []


def test_recursive_template_is_drawn_once_and_marked():
    spec = {
        "entrypoint": "coinflip",
        "templates": [
            {
                "name": "coinflip",
                "steps": [
                    [{"name": "flip", "template": "t"}],
                    [{"name": "again", "template": "coinflip", "when": "{{steps.flip.outputs.result}} == tails"}],
                ],
            },
            {"name": "t", "container": {"image": "alpine"}},
        ],
    }
    graph = from_workflow(spec)

    assert ids(graph) == ["flip", "again"]
    assert graph.node("again").recursive is True
    assert graph.clusters == []


def test_exit_handler_and_template_refs_do_not_break_the_graph():
    spec = dag_spec(
        [
            {"name": "a", "template": "t"},
            {"name": "ext", "templateRef": {"name": "lib", "template": "tool"}, "depends": "a"},
            {"name": "inl", "inline": {"suspend": {}}, "depends": "ext"},
        ]
    )
    spec["onExit"] = "t"
    graph = from_workflow(spec)

    assert [(n.id, n.kind, n.template) for n in graph.nodes] == [
        ("a", "container", "t"),
        ("ext", "templateRef", "lib/tool"),
        ("inl", "suspend", None),
    ]


def test_yaml_whole_object_and_spec_only_give_the_same_graph():
    whole = workflow(diamond(), name="demo")
    graphs = [
        from_workflow(whole),
        from_workflow(whole["spec"]),
        from_workflow(to_yaml(whole)),
        from_workflow(to_yaml(whole["spec"])),
        from_workflow(json.dumps(whole)),
    ]

    for graph in graphs:
        assert ids(graph) == ["a", "b", "c", "d"]
        assert graph.edges == graphs[0].edges
    assert graphs[0].name == "demo"
    assert graphs[2].name == "demo"
    assert graphs[1].name is None


def test_cron_workflow_spec_is_read_from_workflow_spec():
    cron = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "metadata": {"name": "nightly"},
        "spec": {"schedule": "0 1 * * *", "workflowSpec": steps_spec()},
    }

    assert ids(from_workflow(cron)) == ["s1", "s2", "s3", "s4"]


def test_to_dict_is_json_and_round_trips_the_structure():
    graph = from_workflow(workflow(nested_spec(), name="n"))
    data = json.loads(json.dumps(graph.to_dict()))

    assert [n["id"] for n in data["nodes"]] == ids(graph)
    assert data["edges"] == [list(e) for e in graph.edges]
    assert [c["id"] for c in data["clusters"]] == ["left", "right", "deep", "sub"]
    assert data["roots"] == ["prep"]
    assert data["name"] == "n"
    assert data["nodes"][0]["loop"] is None


def test_topological_order_puts_every_edge_forward_and_children_after_their_head():
    graph = from_workflow(nested_spec())
    order = graph.topological_order()

    assert sorted(order) == sorted(ids(graph))
    position = {node_id: i for i, node_id in enumerate(order)}
    assert all(position[s] < position[d] for s, d in graph.edges)
    assert all(position[n.parent] < position[n.id] for n in graph.nodes if n.parent)


def test_to_text_lists_nodes_in_order_with_deps_function_and_action():
    text = from_workflow(workflow(diamond(), name="demo")).to_text()
    lines = text.splitlines()

    assert lines[0] == "Pipeline 'demo': entrypoint main, 4 steps"
    assert lines[1] == "parameters: url, n=3"
    assert [line.split()[0] for line in lines[2:]] == ["a", "b", "c", "d"]
    assert "download-data · job" in lines[2]
    assert "after b, c" in lines[5] and "report · build" in lines[5]


def test_to_text_marks_loops_conditions_and_nesting():
    graph = from_workflow(
        dag_spec(
            [
                {"name": "fan", "template": "t", "withParam": "{{workflow.parameters.items}}"},
                {"name": "maybe", "template": "t", "when": "1 == 1", "depends": "fan"},
            ]
        )
    )
    lines = graph.to_text().splitlines()

    assert "×N" in lines[1]
    assert "when 1 == 1" in lines[2] and "after fan" in lines[2]
    nested = from_workflow(nested_spec()).to_text().splitlines()
    assert any(line.startswith("    left/x") for line in nested)


def test_yaml_that_is_json_text_with_unicode_names_is_read():
    spec = dag_spec([{"name": "ünïcode", "template": "t"}])

    assert ids(from_workflow(yaml.safe_dump(spec, allow_unicode=True))) == ["ünïcode"]
