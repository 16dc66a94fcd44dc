"""DOT and SVG: one SVG element per node, edge and cluster; ids, classes, labels; both engines."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import pytest
from graph_specs import dag_spec, diamond, nested_spec, steps_spec, workflow

from dhhera_jupyter.errors import GraphRenderError, PipelineError
from dhhera_jupyter.graph import from_workflow, render_svg
from dhhera_jupyter.graph.render import engine_in_use

SVG = "{http://www.w3.org/2000/svg}"


def groups(svg: str, kind: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(SVG + "g") if g.get("class", "").split()[:1] == [kind]]


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(SVG + "text")]


def by_id(svg: str, kind: str) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in groups(svg, kind)}


@pytest.fixture()
def wasm(monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "wasm")


SHAPES = {
    "diamond": diamond(),
    "steps": steps_spec(),
    "nested": nested_spec(),
    "roots": dag_spec([{"name": f"r{i}", "template": "t"} for i in range(4)]),
    "depends": dag_spec(
        [
            {"name": "A", "template": "t"},
            {"name": "B", "template": "t"},
            {"name": "C", "template": "t"},
            {"name": "D", "template": "t", "depends": "A && (B.Succeeded || C.Failed)"},
        ]
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_svg_has_one_element_per_node_edge_and_cluster(wasm, shape):
    graph = from_workflow(SHAPES[shape])
    svg = graph.to_svg()

    nodes = by_id(svg, "node")
    assert len(groups(svg, "node")) == len(graph.nodes)
    assert set(nodes) == {f"node-{n.id}" for n in graph.nodes}
    assert all(nodes[f"node-{n.id}"].find(SVG + "title").text == n.id for n in graph.nodes)
    assert all("dhhera-node" in g.get("class").split() for g in nodes.values())
    edges = by_id(svg, "edge")
    assert len(groups(svg, "edge")) == len(graph.edges)
    assert set(edges) == {f"edge-{s}--{d}" for s, d in graph.edges}
    clusters = groups(svg, "cluster")
    assert sorted(g.get("id") for g in clusters) == sorted(f"cluster-{c.id}" for c in graph.clusters)
    assert all(g.find(SVG + "title").text == f"cluster_{g.get('id')[len('cluster-') :]}" for g in clusters)


def test_svg_is_inline_ready_without_prolog_or_doctype(wasm):
    svg = from_workflow(diamond()).to_svg()

    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert svg.endswith("</svg>")


def test_label_shows_step_then_function_and_action(wasm):
    svg = from_workflow(diamond()).to_svg()
    node = by_id(svg, "node")["node-a"]

    assert texts(node) == ["a", "download-data · job"]


def test_conditional_node_is_dashed_and_shows_its_condition(wasm):
    graph = from_workflow(
        dag_spec(
            [
                {"name": "flip", "template": "t"},
                {"name": "heads", "template": "t", "depends": "flip", "when": "{{tasks.flip.outputs.result}} == heads"},
            ]
        )
    )
    nodes = by_id(graph.to_svg(), "node")
    heads, flip = nodes["node-heads"], nodes["node-flip"]

    assert "dhhera-conditional" in heads.get("class").split()
    assert any(p.get("stroke-dasharray") for p in heads.iter(SVG + "path"))
    assert not any(p.get("stroke-dasharray") for p in flip.iter(SVG + "path"))
    assert "when {{tasks.flip.outputs.result}} == heads" in texts(heads)


def test_loops_are_one_fan_out_node_with_their_count(wasm):
    graph = from_workflow(
        dag_spec(
            [
                {"name": "fan", "template": "t", "withItems": [1, 2, 3]},
                {"name": "dyn", "template": "t", "withParam": "{{workflow.parameters.list}}"},
            ]
        )
    )
    nodes = by_id(graph.to_svg(), "node")

    assert len(nodes) == 2
    assert texts(nodes["node-fan"])[0] == "fan ×3"
    assert texts(nodes["node-dyn"])[0] == "dyn ×N"
    assert "dhhera-loop" in nodes["node-fan"].get("class").split()


def test_malicious_names_appear_as_text_and_never_as_markup(wasm):
    evil = '<script>alert("x")</script>'
    tricky = ['a"b', "x&amp;y", "back\\slash", "brace{}];", "port:colon", "<b>bold</b>"]
    spec = dag_spec(
        [{"name": evil, "template": "t"}] + [{"name": n, "template": "t", "dependencies": [evil]} for n in tricky],
        extra_templates=[],
    )
    spec["templates"][1]["name"] = "t"
    graph = from_workflow(workflow(spec, name="<img src=x onerror=alert(1)>"))
    svg = graph.to_svg()

    assert "<script" not in svg and "<b>" not in svg and "<img" not in svg
    root = ET.fromstring(svg)
    assert not list(root.iter(SVG + "script"))
    nodes = by_id(svg, "node")
    assert len(nodes) == 1 + len(tricky)
    assert texts(nodes["node-" + evil])[0] == evil
    for name in tricky:
        assert texts(nodes["node-" + name])[0] == name
        assert nodes["node-" + name].find(SVG + "title").text in (name, name.replace("\\", "\\\\"))
    assert {g.get("id") for g in groups(svg, "edge")} == {f"edge-{evil}--{n}" for n in tricky}


def test_escape_sequences_in_names_are_not_expanded(wasm):
    graph = from_workflow(dag_spec([{"name": r"lit\N\G\n", "template": "t"}]))
    node = groups(graph.to_svg(), "node")[0]

    assert texts(node)[0] == r"lit\N\G\n"
    assert node.get("id") == r"node-lit\N\G\n"


def test_dot_names_nodes_by_id_and_draws_clusters(wasm):
    dot = from_workflow(nested_spec()).to_dot()

    assert "rankdir=TB" in dot
    assert "subgraph cluster_left {" in dot
    assert '"left/x" [' in dot
    assert 'id="edge-prep--left"' in dot


def test_unknown_engine_setting_is_refused(monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "fast")

    with pytest.raises(GraphRenderError, match="DHHERA_GRAPHVIZ is 'fast'"):
        render_svg("digraph { a }")


def test_system_engine_without_dot_says_so(monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "system")
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(GraphRenderError, match="no `dot` on PATH"):
        render_svg("digraph { a }")


def test_auto_engine_uses_wasm_when_dot_is_missing(monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "auto")
    monkeypatch.setenv("PATH", "/nonexistent")

    assert engine_in_use() == "wasm"
    assert render_svg("digraph { a -> b }").startswith("<svg")


def test_invalid_dot_raises_graph_render_error(wasm):
    with pytest.raises(GraphRenderError, match="could not draw"):
        render_svg("digraph { a -> }")
    assert render_svg("digraph { ok }").startswith("<svg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="the system Graphviz `dot` is not installed (wasm is tested)")
def test_system_dot_engine_gives_the_same_elements(monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "system")
    graph = from_workflow(nested_spec())
    svg = graph.to_svg()

    assert svg.startswith("<svg")
    assert len(groups(svg, "node")) == len(graph.nodes)
    assert len(groups(svg, "edge")) == len(graph.edges)
    assert len(groups(svg, "cluster")) == len(graph.clusters)


def test_graph_above_the_cap_folds_nested_templates_then_fan_outs(wasm):
    tasks = [{"name": "start", "template": "t"}]
    tasks += [{"name": f"w{i}", "template": "t", "depends": "start"} for i in range(30)]
    tasks += [
        {"name": "sub", "template": "inner", "depends": "start"},
        {"name": "end", "template": "t", "depends": " && ".join(f"w{i}" for i in range(30))},
    ]
    inner = {"name": "inner", "dag": {"tasks": [{"name": f"i{i}", "template": "t"} for i in range(5)]}}
    graph = from_workflow(dag_spec(tasks, extra_templates=[inner]))
    assert len(graph.nodes) == 38

    small = graph.collapsed(max_nodes=10)

    assert [n.id for n in small.nodes] == ["start", "w0", "sub", "end"]
    assert small.node("w0").members == [f"w{i}" for i in range(30)]
    assert small.node("sub").members == ["sub"] + [f"i{i}" for i in range(5)]
    assert small.edges == [("start", "w0"), ("start", "sub"), ("w0", "end")]
    assert small.clusters == []
    svg = graph.to_svg(max_nodes=10)
    assert len(groups(svg, "node")) == 4
    assert "⋯ 30 steps folded" in texts(by_id(svg, "node")["node-w0"])
    assert graph.collapsed() is graph


def test_chain_above_the_cap_is_refused_with_a_message():
    tasks = [{"name": "s0", "template": "t"}] + [
        {"name": f"s{i}", "template": "t", "depends": f"s{i - 1}"} for i in range(1, 30)
    ]
    graph = from_workflow(workflow(dag_spec(tasks), name="long"))

    with pytest.raises(PipelineError, match="Pipeline 'long' has 30 steps .* more than the 10 a diagram can draw"):
        graph.to_dot(max_nodes=10)


def test_wasm_engine_serves_concurrent_renders_after_a_background_warm_up(wasm):
    from concurrent.futures import ThreadPoolExecutor

    from dhhera_jupyter.graph.render import warm_up

    thread = warm_up(background=True)
    assert thread is not None
    thread.join(timeout=60)
    assert not thread.is_alive()
    graphs = [from_workflow(dag_spec([{"name": f"n{i}-{j}", "template": "t"} for j in range(i + 1)])) for i in range(6)]

    with ThreadPoolExecutor(max_workers=3) as pool:
        svgs = list(pool.map(lambda g: g.to_svg(), graphs))

    assert [len(groups(svg, "node")) for svg in svgs] == [1, 2, 3, 4, 5, 6]


def fake_dot(tmp_path, monkeypatch, script: str) -> None:
    """Put a stand-in `dot` first on PATH (the real one is not installed here) to drive the subprocess path."""
    exe = tmp_path / "dot"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")


def test_auto_engine_prefers_dot_on_path_and_strips_its_prolog(tmp_path, monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "auto")
    fake_dot(
        tmp_path, monkeypatch, 'cat >/dev/null; printf \'<?xml version="1.0"?>\\n<!-- x -->\\n<svg id="s"></svg>\\n\''
    )

    assert engine_in_use() == "system"
    assert render_svg("digraph { a }") == '<svg id="s"></svg>'


def test_system_dot_failure_is_reported_with_its_first_error_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "system")
    fake_dot(tmp_path, monkeypatch, "cat >/dev/null; echo 'Error: <stdin>: syntax error in line 1' >&2; exit 1")

    with pytest.raises(GraphRenderError, match="Graphviz `dot` failed: Error: <stdin>: syntax error in line 1"):
        render_svg("digraph { a -> }")


def test_system_dot_that_hangs_is_stopped_at_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("DHHERA_GRAPHVIZ", "system")
    fake_dot(tmp_path, monkeypatch, "exec sleep 30")

    with pytest.raises(GraphRenderError, match="did not finish within 0.5 s"):
        render_svg("digraph { a }", timeout=0.5)
