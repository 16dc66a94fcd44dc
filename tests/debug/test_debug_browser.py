"""'Debug in notebook' in a real JupyterLab (Chromium): ``%hera debug``, the run panel's button and the sidebar's
action insert the step's cells into the notebook, and the inserted cells reproduce the failure in the kernel."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]'
SHOTS = os.environ.get("DHHERA_SCREENSHOTS")


def sources(lab: Any) -> list[str]:
    """The source of every cell of the current notebook, read from its model (the page draws only visible cells)."""
    return lab.page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells.map(c => c.getSource())"
    )


def wait_cells(lab: Any, count: int) -> list[str]:
    """Wait until the current notebook has ``count`` cells; return their sources."""
    from tests.browser_harness import poll

    def ready() -> list[str] | None:
        text = sources(lab)
        return text if len(text) == count else None

    return poll(ready, 30, f"{count} cells")


def step_row(lab: Any, panel: Any, name: str) -> Any:
    """The sidebar step table's button of step ``name`` (exact name)."""
    exact = lab.page.locator(".dhhera-StepTable-name", has_text=re.compile(f"^{name}$"))
    return panel.locator(".dhhera-StepTable-button").filter(has=exact).first


def shoot(lab: Any, name: str, locator: Any) -> None:
    """Light and dark screenshots at 1366x768 (only when DHHERA_SCREENSHOTS names a folder)."""
    if not SHOTS:
        return
    lab.page.set_viewport_size({"width": 1366, "height": 768})
    locator.scroll_into_view_if_needed()
    for dark in (False, True):
        lab.set_theme(dark)
        lab.screenshot(f"{name}-{'dark' if dark else 'light'}")
    lab.set_theme(False)


def test_magic_and_run_panel_insert_cells_that_reproduce_the_failure(lab: Any, failed_diamond: Any) -> None:
    run, project = failed_diamond.id, failed_diamond.project
    lab.write_notebook(
        "debug.ipynb",
        ["%load_ext dhhera_jupyter", f"%hera debug {run} b --project {project}", "print('after')"],
    )
    lab.open_notebook("debug.ipynb")
    lab.assert_no_errors(lab.run_cell(0))
    output = lab.run_cell(1, timeout=120)
    expect(output).to_contain_text(f"Inserted 3 cells below to debug step 'b' of run {run}.")
    text = wait_cells(lab, 6)
    assert "step_function = dh.get_function('store://" in text[2]
    assert "'fail': 'yes'" in text[3] and "dh.get_dataitem('store://" in text[3]
    assert "step_result = step_call(**step_kwargs)" in text[4] and text[5] == "print('after')"
    lab.assert_no_errors(lab.run_cell(2, timeout=120))
    lab.assert_no_errors(lab.run_cell(3, timeout=120))
    failure = lab.run_cell(4, timeout=120)
    expect(failure).to_contain_text("RuntimeError: use was told to fail")

    # The run panel of the same run: select the failed step, "Debug in notebook" puts the cells below the panel.
    lab.page.evaluate(
        "code => window.jupyterapp.shell.currentWidget.content.model.sharedModel.insertCell(6, "
        "{cell_type: 'code', source: code})",
        f"import dhhera_jupyter\ndhhera_jupyter.attach({run!r}, project={project!r})",
    )
    panel_output = lab.run_cell(6, timeout=120)
    step_button = panel_output.locator(".dhhera-RunPanel-step", has_text="b").first
    expect(step_button).to_be_visible(timeout=60_000)
    step_button.click()
    action = panel_output.locator(".dhhera-DebugAction-button")
    expect(action).to_be_visible()
    shoot(lab, "run-panel-debug", action)
    action.click()
    expect(panel_output).to_contain_text(f"Inserted 3 cells below to debug step 'b' of run {run}.", timeout=30_000)
    # Below the panel's cell (index 6); Shift+Enter on the last cell had added an empty one after it.
    after = wait_cells(lab, 11)
    assert after[7:10] == text[2:5] and after[6].startswith("import dhhera_jupyter") and after[10] == ""


def test_sidebar_action_inserts_the_cells_into_the_current_notebook(lab: Any, failed_diamond: Any) -> None:
    run, project = failed_diamond.id, failed_diamond.project
    lab.write_notebook("sidebar-debug.ipynb", ["print('first cell')"])
    lab.open_notebook("sidebar-debug.ipynb")
    panel = lab.page.locator("#dhhera-pipelines")
    lab.page.locator(TAB).click()
    expect(panel).to_be_visible()
    select = panel.locator("select.dhhera-SidebarHeader-select")
    expect(select.locator(f'option[value="{project}"]')).to_have_count(1, timeout=60_000)
    select.select_option(project)
    panel.locator(f'[data-run-id="{run}"] button').click()
    step_row(lab, panel, "b").click()
    action = panel.locator(".dhhera-DebugAction-button")
    expect(action).to_be_enabled(timeout=30_000)
    action.click()
    expect(panel.locator(".dhhera-DebugAction-note")).to_have_text(
        f"Inserted 3 cells into the notebook to debug step 'b' of run {run}.", timeout=30_000
    )
    text = wait_cells(lab, 4)
    assert text[0] == "print('first cell')"
    assert "step_function = dh.get_function('store://" in text[1] and "step_call(**step_kwargs)" in text[3]
    expect(panel.locator(".dhhera-RunView-dag svg g.node")).to_have_count(4, timeout=30_000)  # the run's DAG drawn
    shoot(lab, "sidebar-debug", action)

    # A step that never ran: the server's sentence, nothing inserted.
    step_row(lab, panel, "d").click()
    action.click()
    expect(panel.locator(".dhhera-DebugAction-note")).to_contain_text("has no run yet (omitted)", timeout=30_000)
    assert len(sources(lab)) == 4
