"""DagWidget on the Python side: traits, state normalisation, MIME bundle, assets, from_graph."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import traitlets

from dhhera_jupyter.errors import WidgetAssetsMissing
from dhhera_jupyter.widgets import NODE_STATES, DagWidget, _assets

SVG = (
    '<svg width="62pt" height="116pt" viewBox="0 0 62 116" xmlns="http://www.w3.org/2000/svg">'
    '<g id="graph0" class="graph">'
    '<g id="node-a" class="node"><title>a</title><polygon points="0,0 54,0 54,36 0,36"/></g>'
    '<g id="node-b" class="node"><title>b</title><polygon points="0,80 54,80 54,116 0,116"/></g>'
    '<g id="edge-a--b" class="edge"><title>a&#45;&gt;b</title><path d="M27,36L27,80"/></g>'
    "</g></svg>"
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_dag_widget_ships_its_built_front_end() -> None:
    widget = DagWidget(svg=SVG)
    state = widget.get_state()
    assert "dhhera-DagWidget" in state["_esm"]
    assert "export" in state["_esm"]
    assert ".dhhera-DagWidget" in state["_css"]
    assert len(state["_esm"]) < 50_000, "the ESM is saved in every notebook: keep it small"


def test_dag_widget_syncs_its_data_traits() -> None:
    widget = DagWidget(svg=SVG, nodes={"a": {"function": "f", "action": "job"}}, title="t", height="300px")
    state = widget.get_state()
    assert state["svg"] == SVG
    assert state["nodes"] == {"a": {"function": "f", "action": "job"}}
    assert (state["title"], state["height"], state["selected"], state["node_states"]) == ("t", "300px", "", {})


@pytest.mark.parametrize(
    ("phase", "state"),
    [("Pending", "pending"), ("Running", "running"), ("Succeeded", "succeeded"), ("Failed", "failed"),
     ("Error", "error"), ("Skipped", "skipped"), ("Omitted", "omitted"), ("stopped", "stopped")],
)  # fmt: skip
def test_node_states_normalise_argo_phases(phase: str, state: str) -> None:
    widget = DagWidget(svg=SVG)
    widget.node_states = {"a": phase}
    assert widget.node_states == {"a": state}
    assert state in NODE_STATES


def test_unknown_node_state_is_rejected_naming_the_accepted_ones() -> None:
    widget = DagWidget(svg=SVG)
    with pytest.raises(traitlets.TraitError, match=r"'Queued'.*pending, running"):
        widget.node_states = {"a": "Queued"}
    assert widget.node_states == {}


def test_mimebundle_carries_widget_view_static_svg_and_text_summary() -> None:
    widget = DagWidget(svg=SVG, title="etl", node_states={"a": "Succeeded", "b": "Running"})
    data, _metadata = widget._repr_mimebundle_()
    assert data[WIDGET_VIEW]["model_id"] == widget.model_id
    assert data["image/svg+xml"] == SVG
    assert data["text/plain"] == "DagWidget 'etl': 2 steps (1 running, 1 succeeded)"


def test_mimebundle_without_svg_has_no_image() -> None:
    data, _ = DagWidget()._repr_mimebundle_()
    assert "image/svg+xml" not in data
    assert data["text/plain"] == "DagWidget: 0 steps"


class _Graph:
    """The smallest object with the PipelineGraph drawing interface."""

    def to_svg(self) -> str:
        return SVG

    def to_dict(self) -> dict:
        return {
            "name": "etl-",
            "nodes": [
                {"id": "a", "name": "dag-op-a-1a2b3c4d", "function": "f", "template": "t", "inputs": {}},
                {"id": "b", "function": None, "kwargs": {"parameters": {"n": "{{workflow.parameters.n}}"}}},
            ],
        }


def test_from_graph_takes_svg_and_node_details() -> None:
    widget = DagWidget.from_graph(_Graph(), height="200px")
    assert widget.svg == SVG
    a, b = widget.nodes["a"], widget.nodes["b"]
    # Data first: the user's step name, the step's own parameters as inputs; Argo internals folded apart.
    assert (a["label"], a["function"], a["inputs"]) == ("a", "f", {})
    assert a["argo"] == {"task": "dag-op-a-1a2b3c4d", "template": "t"}
    assert b["inputs"] == {"n": "parameter n"} and "kwargs" not in b
    assert (widget.title, widget.height) == ("etl-", "200px")


def test_from_graph_draws_a_real_pipeline_graph() -> None:
    from dhhera_jupyter.graph import from_workflow

    spec = {
        "metadata": {"name": "etl"},
        "spec": {
            "entrypoint": "main",
            "templates": [
                {"name": "main", "dag": {"tasks": [
                    {"name": "extract", "template": "step"},
                    {"name": "train", "template": "step", "dependencies": ["extract"]},
                ]}},
                {"name": "step", "container": {"image": "python:3.11"}},
            ],
        },
    }  # fmt: skip
    widget = DagWidget.from_graph(from_workflow(spec))
    assert widget.svg.startswith("<svg")
    assert widget.svg.count("<title>extract</title>") == 1
    assert set(widget.nodes) == {"extract", "train"}
    assert widget.nodes["train"]["image"] == "python:3.11"


def test_missing_front_end_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_assets, "STATIC_DIR", tmp_path)
    _assets.read_static.cache_clear()
    try:
        with pytest.raises(WidgetAssetsMissing, match=r"dag_widget\.js.*reinstall dhhera-jupyter.*jlpm build"):
            DagWidget(svg=SVG)
    finally:
        monkeypatch.undo()
        _assets.read_static.cache_clear()


def test_saved_notebook_shows_the_diagram_without_a_widget_frontend() -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    source = f"from dhhera_jupyter.widgets import DagWidget\nDagWidget(svg={SVG!r}, title='etl')"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(notebook, timeout=60, kernel_name="python3", store_widget_state=True).execute()

    data = notebook.cells[0].outputs[0]["data"]
    assert {WIDGET_VIEW, "image/svg+xml", "text/plain"} <= set(data)
    # A frontend without the widget state (GitHub, nbconvert's classic template) falls back to the SVG.
    del notebook.metadata["widgets"]
    html, _ = HTMLExporter(template_name="classic").from_notebook_node(notebook)
    assert "data:image/svg+xml;base64," + base64.b64encode(SVG.encode()).decode() in html
