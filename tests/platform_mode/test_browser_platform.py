"""In a real JupyterLab (Playwright + Chromium), a kernel in platform mode watches a run on the DHCore-profile
core go green: the nodes arrive on the monitor's cadence, without function/run_id, and the DAG follows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from panel_pipelines import DIAMOND, add_workflow

from tests.platform_mode.conftest import Platform, new_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_run_goes_green_in_the_browser_on_the_dhcore_profile(
    lab: Any, on_dhcore: Platform, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from dhhera_jupyter.platform.backend import sdk

    project = new_project(sdk(), request)
    add_workflow(project, "diamond", DIAMOND)
    gate = tmp_path / "gate"
    # What a DigitalHub workspace puts in the kernel's environment, then the switch to it.
    workspace = {**on_dhcore.workspace_env(), "DH_CONFIG": str(tmp_path / "user.ini")}
    (tmp_path / "user.ini").write_text("[DEFAULT]\n")
    setup = f"import os\nos.environ.update({workspace!r})\n%load_ext dhhera_jupyter\n%hera use {on_dhcore.endpoint}"
    start = (
        f"import dhhera_jupyter\npanel = dhhera_jupyter.run('diamond', {{'gate': {str(gate)!r}}}, "
        f"project={project.name!r})\npanel"
    )
    lab.write_notebook("platform.ipynb", [setup, start, "print(panel.state, sorted(panel.nodes.values()))"])
    lab.open_notebook("platform.ipynb")
    first = lab.run_cell(0)
    lab.assert_no_errors(first)
    expect(first).to_contain_text(on_dhcore.endpoint)
    output = lab.run_cell(1, timeout=120)
    lab.assert_no_errors(output)

    dag = output.locator(".dhhera-DagWidget")
    nodes = {name: dag.locator(f'g.node[data-node-id^="dag-op-{name}-"]') for name in "abcd"}
    expect(nodes["b"]).to_have_class(re.compile(r"\bdhhera-state-running\b"), timeout=120_000)
    expect(nodes["a"]).to_have_class(re.compile(r"\bdhhera-state-succeeded\b"))
    gate.touch()
    for name in "abcd":
        expect(nodes[name]).to_have_class(re.compile(r"\bdhhera-state-succeeded\b"), timeout=120_000)
    expect(output.locator(".dhhera-RunPanel-progress")).to_contain_text("4 succeeded")
    expect(lab.run_cell(2)).to_contain_text("COMPLETED ['succeeded', 'succeeded', 'succeeded', 'succeeded']")
