"""The run panel in a real JupyterLab (Playwright + Chromium): a run goes from running to succeeded and the
DAG's node colours follow, pushed by the kernel's poller while no cell runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# lab / browser / lab_server come from tests/browser_harness.py (a plugin of tests/conftest.py).


def test_panel_turns_nodes_from_running_to_succeeded_live(lab: Any, project: Any, diamond: Any, gate: Path) -> None:
    from playwright.sync_api import expect

    start = (
        f"import dhhera_jupyter\npanel = dhhera_jupyter.run('diamond', {{'gate': {str(gate)!r}}}, "
        f"project={project.name!r})\npanel"
    )
    lab.write_notebook(
        "run.ipynb", ["%load_ext dhhera_jupyter", start, "print(panel.state, sorted(panel.nodes.values()))"]
    )
    lab.open_notebook("run.ipynb")
    lab.assert_no_errors(lab.run_cell(0))
    output = lab.run_cell(1, timeout=120)
    lab.assert_no_errors(output)

    dag = output.locator(".dhhera-DagWidget")
    nodes = {name: dag.locator(f'g.node[data-node-id^="dag-op-{name}-"]') for name in "abcd"}
    running = re.compile(r"\bdhhera-state-running\b")
    succeeded = re.compile(r"\bdhhera-state-succeeded\b")
    # The cell has finished; the poller thread keeps the page current.
    expect(nodes["b"]).to_have_class(running, timeout=120_000)
    expect(nodes["a"]).to_have_class(succeeded)
    expect(nodes["d"]).to_have_class(re.compile(r"\bdhhera-state-pending\b"))
    fill_running = nodes["b"].locator("polygon, path, ellipse").first.evaluate("el => getComputedStyle(el).fill")
    table_dot = output.locator(".dhhera-RunPanel-row .dhhera-StateDot.dhhera-state-running").first
    expect(table_dot).to_be_visible()
    assert table_dot.evaluate("el => getComputedStyle(el).backgroundColor") not in ("", "rgba(0, 0, 0, 0)")

    gate.touch()
    for name in "abcd":
        expect(nodes[name]).to_have_class(succeeded, timeout=120_000)
    assert nodes["b"].locator("polygon, path, ellipse").first.evaluate("el => getComputedStyle(el).fill") != (
        fill_running
    )
    expect(output.locator(".dhhera-RunPanel-progress")).to_contain_text("4 succeeded")
    expect(output).to_contain_text("Results")
    expect(lab.run_cell(2)).to_contain_text("COMPLETED ['succeeded', 'succeeded', 'succeeded', 'succeeded']")
