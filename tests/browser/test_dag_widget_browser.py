"""DagWidget in a real JupyterLab page: drawing, selection, state colours, sanitising."""

from __future__ import annotations

import re
from html import escape
from itertools import pairwise

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XSS_NODE = "<script>window.__dhheraPwned = 1</script>"
NODES = {
    "train": {
        "function": "train-model",
        "function_key": "store://demo/function/python+job/train-model:abc",
        "action": "job",
        "inputs": {"di": "{{tasks.extract.outputs.parameters.di}}"},
    },
    "extract": {"function": "extract-data", "action": "job"},
}


def graphviz_svg(ids: list[str]) -> str:
    """A Graphviz-shaped SVG: a column of boxes joined by edges; every node also has an
    ``onclick`` handler the widget must strip."""
    nodes = "".join(
        f'<g id="node-{escape(i)}" class="node" onclick="window.__dhheraPwned = 2"><title>{escape(i)}</title>'
        f'<polygon fill="none" stroke="black" points="0,{k * 70} 160,{k * 70} 160,{k * 70 + 36} 0,{k * 70 + 36}"/>'
        f'<text x="80" y="{k * 70 + 22}" text-anchor="middle">{escape(i)}</text></g>'
        for k, i in enumerate(ids)
    )
    edges = "".join(
        f'<g id="edge-{escape(a)}--{escape(b)}" class="edge"><title>{escape(a)}&#45;&gt;{escape(b)}</title>'
        f'<path fill="none" stroke="black" d="M80,{k * 70 + 36}L80,{k * 70 + 70}"/></g>'
        for k, (a, b) in enumerate(pairwise(ids))
    )
    height = len(ids) * 70
    return (
        f'<svg width="168pt" height="{height}pt" viewBox="0 0 168 {height}" xmlns="http://www.w3.org/2000/svg">'
        f'<g id="graph0" class="graph"><polygon fill="white" stroke="none" points="0,0 168,0 168,{height} 0,{height}"/>'
        f"{nodes}{edges}</g></svg>"
    )


# The real path: an Argo spec through dhhera_jupyter.graph (Graphviz) into the widget.
GRAPH_CELL = """from dhhera_jupyter.graph import from_workflow
spec = {"metadata": {"name": "etl"}, "spec": {"entrypoint": "main", "templates": [
    {"name": "main", "dag": {"tasks": [
        {"name": "extract", "template": "step"},
        {"name": "train-model", "template": "step", "dependencies": ["extract"]}]}},
    {"name": "step", "container": {"image": "python:3.11"}}]}}
DagWidget.from_graph(from_workflow(spec))"""

SETUP_CELL = f"""from dhhera_jupyter.widgets import DagWidget
w = DagWidget(
    svg={graphviz_svg(["extract", "train", XSS_NODE])!r},
    nodes={NODES!r},
    title="demo pipeline",
    height="360px",
)
w"""


def test_dag_widget_draws_selects_and_recolours_nodes(lab) -> None:
    lab.write_notebook(
        "dag.ipynb",
        [
            SETUP_CELL,
            "print('selected:', w.selected)",
            'w.node_states = {"train": "Running", "extract": "Succeeded"}',
            GRAPH_CELL,
            'w.patch_node_states({"train": "Failed"})',
            "print(sorted(w.node_states.items()))",
        ],
    )
    lab.open_notebook("dag.ipynb")
    page = lab.page

    output = lab.run_cell(0)
    lab.assert_no_errors(output)
    widget = output.locator(".dhhera-DagWidget")
    expect(widget.locator("svg g.node")).to_have_count(3)
    expect(widget.locator(".dhhera-DagWidget-title")).to_have_text("demo pipeline")

    # A node named like a tag is text, and nothing in the SVG ran.
    xss = widget.locator("g.node").nth(2)
    expect(xss.locator("text")).to_have_text(XSS_NODE)
    assert page.evaluate("window.__dhheraPwned") is None
    assert widget.locator("script").count() == 0

    # Click → details pane, and `selected` is synced back to the kernel.
    train = widget.locator('g.node[data-node-id="train"]')
    train.click()
    details = widget.locator(".dhhera-DagDetails")
    expect(details).to_be_visible()
    expect(details.locator("h3")).to_have_text("train")
    expect(details).to_contain_text("train-model")
    expect(details).to_contain_text("store://demo/function/python+job/train-model:abc")
    expect(details).to_contain_text("job")
    assert page.evaluate("window.__dhheraPwned") is None, "an on* attribute of the SVG ran"
    expect(lab.run_cell(1)).to_contain_text("selected: train")

    # Keyboard: Escape closes, Enter on a focused node opens.
    train.focus()
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    extract = widget.locator('g.node[data-node-id="extract"]')
    extract.focus()
    page.keyboard.press("Enter")
    expect(details.locator("h3")).to_have_text("extract")

    # A state change from Python only toggles classes: same SVG element, new colours.
    svg = widget.locator("svg")
    svg.evaluate("el => { el.__dhheraMarker = true; }")
    fill_before = train.locator("polygon").evaluate("el => getComputedStyle(el).fill")
    lab.assert_no_errors(lab.run_cell(2))
    expect(train).to_have_class(re.compile(r"\bdhhera-state-running\b"))
    expect(extract).to_have_class(re.compile(r"\bdhhera-state-succeeded\b"))
    assert svg.evaluate("el => el.__dhheraMarker") is True
    assert train.locator("polygon").evaluate("el => getComputedStyle(el).fill") != fill_before

    # Zoom buttons change the transform of the drawing.
    transform_before = svg.evaluate("el => el.style.transform")
    widget.get_by_role("button", name="Zoom in").click()
    assert svg.evaluate("el => el.style.transform") != transform_before

    # A drag that starts on a node pans the drawing and does not select that node.
    transform_before = svg.evaluate("el => el.style.transform")
    box = train.bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 70, box["y"] + 50, steps=5)
    page.mouse.up()
    assert svg.evaluate("el => el.style.transform") != transform_before
    expect(details.locator("h3")).to_have_text("extract")

    # A diagram drawn by Graphviz from an Argo spec: every node found by its id, details from the graph.
    output = lab.run_cell(3)
    lab.assert_no_errors(output)
    real = output.locator(".dhhera-DagWidget")
    expect(real.locator("svg g.node")).to_have_count(2)
    real.locator('g.node[data-node-id="train-model"]').click()
    expect(real.locator(".dhhera-DagDetails")).to_contain_text("python:3.11")

    # A delta from Python (what the run panel sends per poll) recolours only that node.
    lab.assert_no_errors(lab.run_cell(4))
    expect(train).to_have_class(re.compile(r"\bdhhera-state-failed\b"))
    expect(extract).to_have_class(re.compile(r"\bdhhera-state-succeeded\b"))
    expect(lab.run_cell(5)).to_contain_text("[('extract', 'succeeded'), ('train', 'failed')]")
