"""The quickstart notebook as a new user runs it, in real JupyterLab at laptop size, light and dark: step names,
the run panel, and the notebook reopened with a fresh kernel still showing its DAG and last run state.

Screenshots go to ``$DHHERA_SCREENSHOTS`` when it is set (look at them)."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_harness import LabPage, LabServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
GENERATED = re.compile(r"dag-op-|step-op-")


def _code_cells(path: Path) -> list[int]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]


def _shut_down_kernels(server: LabServer) -> None:
    with urllib.request.urlopen(server.url("api/sessions"), timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(server.url(f"api/sessions/{session['id']}"), method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def test_quickstart_shows_step_names_and_reopens_without_its_kernel(laptop: LabPage, core: Any) -> None:
    lab = laptop
    target = lab.server.root_dir / "quickstart.ipynb"
    shutil.copyfile(QUICKSTART, target)
    lab.open_notebook("quickstart.ipynb")
    page = lab.page

    outputs = {}
    for index in _code_cells(target):
        outputs[index] = output = lab.run_cell(index, timeout=180)
        lab.assert_no_errors(output)

    build_cell, run_cell = [i for i in outputs if outputs[i].locator(".dhhera-DagWidget").count()][:2]
    build_dag = outputs[build_cell].locator(".dhhera-DagWidget").first
    labels = build_dag.locator("g.node text").evaluate_all("els => els.map(e => e.textContent)")
    assert {"make", "square", "total"} <= set(labels), labels
    assert not [label for label in labels if GENERATED.search(label)], labels

    panel = outputs[run_cell].locator(".dhhera-RunPanel")
    expect(panel).to_be_visible()
    expect(panel.locator(".dhhera-RunPanel-progress")).to_contain_text("3 succeeded")
    assert not GENERATED.search(panel.inner_text()), panel.inner_text()
    # One view per output: the widget, and no text table printed under it.
    expect(outputs[run_cell].locator(".jp-OutputArea-output[data-mime-type='text/plain']")).to_have_count(0)

    # The details of a clicked node open beside the graph (not over it), titled with the step's name.
    build_dag.locator("g.node", has_text="make").first.click()
    details = build_dag.locator(".dhhera-DagDetails")
    expect(details.locator(".dhhera-DagDetails-title")).to_have_text("make")
    expect(details).to_contain_text("parameter n")
    canvas = build_dag.locator(".dhhera-DagWidget-viewport").bounding_box()
    pane = details.bounding_box()
    assert (
        canvas
        and pane
        and (pane["x"] >= canvas["x"] + canvas["width"] - 1 or pane["y"] >= canvas["y"] + canvas["height"] - 1)
    )
    for dark in (False, True):
        lab.set_theme(dark)
        theme = "dark" if dark else "light"
        build_dag.scroll_into_view_if_needed()
        lab.screenshot(f"quickstart-build-{theme}")
        panel.scroll_into_view_if_needed()
        lab.screenshot(f"quickstart-run-{theme}")
        panel.locator(".dhhera-DagWidget g.node", has_text="square").first.click()
        expect(panel.locator(".dhhera-RunPanel-details")).to_contain_text("squares:")
        if not dark:
            # The quickstart itself triggers no SDK deprecation or output-count warnings (runtime lines included).
            panel.locator(".dhhera-LogView-toggle input").check()
            whole_log = panel.locator(".dhhera-LogView-lines").inner_text()
            assert "Warning" not in whole_log and "Number of outputs" not in whole_log, whole_log
            panel.locator(".dhhera-LogView-toggle input").uncheck()
        lab.screenshot(f"quickstart-run-step-{theme}")
    lab.set_theme(False)

    page.keyboard.press("Control+s")
    lab.wait_for_kernel_idle()
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty")).to_have_count(0, timeout=30_000)

    # A kernel restart (after the save: ipywidgets forgets the models it held) marks the panel disconnected
    # once, not every widget inside it.
    # Not awaited: the command resolves only once its confirmation dialog closes.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-kernel'); }")
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    lab.wait_for_kernel_idle()
    marks = panel.evaluate(
        """p => Array.from(p.querySelectorAll('.jupyter-widgets-disconnected'))
              .filter(el => getComputedStyle(el, '::before').display !== 'none'
                            && getComputedStyle(el, '::before').content !== 'none').length"""
    )
    assert marks == 0, marks
    panel.scroll_into_view_if_needed()
    lab.screenshot("quickstart-after-restart-light")
    _shut_down_kernels(lab.server)

    lab.open_notebook("quickstart.ipynb")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    reopened = notebook.locator(".dhhera-DagWidget")
    expect(reopened.first).to_be_visible(timeout=30_000)
    assert reopened.count() >= 2
    expect(notebook).not_to_contain_text("Error displaying widget")
    reopened_panel = notebook.locator(".dhhera-RunPanel").first
    reopened_panel.scroll_into_view_if_needed()
    expect(reopened_panel.locator("g.node.dhhera-state-succeeded")).to_have_count(3)
    lab.screenshot("quickstart-reopened-light")
