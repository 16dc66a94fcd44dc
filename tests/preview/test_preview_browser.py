"""Output previews in a real JupyterLab (headless Chromium): the notebook run panel and the sidebar's step details.

Preview shows the table's schema and first rows (an ``<img onerror>`` cell and a ``<b>`` column name stay text),
the artifact's files and the model's metrics; "Insert code to load" puts the load call into a new cell below.
Screenshots (light and dark, 1366x768) go to ``$DHHERA_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]'


def _item(scope: Any, name: str) -> Any:
    """The output ``name`` in the list of a step's outputs."""
    return scope.locator(".dhhera-Preview-item").filter(has=scope.page.get_by_text(name, exact=True))


def _check_previews(scope: Any) -> None:
    """Open the three previews inside ``scope`` and check what they show."""
    expect(scope.locator(".dhhera-Preview-item")).to_have_count(3, timeout=30_000)
    for name in ("measures", "report", "regressor"):
        _item(scope, name).locator(".dhhera-Preview-show").click()
    table = _item(scope, "measures").locator("table.dhhera-Preview-table")
    expect(table).to_be_visible(timeout=60_000)
    expect(_item(scope, "measures").locator(".dhhera-Preview-caption")).to_contain_text(
        "first 10 of 25 rows, 3 columns"
    )
    expect(table.locator("th .dhhera-Preview-colName")).to_have_text(["city", "pm10", "<b>note</b>"])
    expect(table.locator("tbody tr").nth(1).locator("td").nth(2)).to_have_text(XSS)
    expect(_item(scope, "report").locator(".dhhera-Preview-files")).to_contain_text("report-2.txt150 B")
    expect(_item(scope, "regressor").locator(".dhhera-Preview-metrics")).to_contain_text("r20.8125 (last of 3)")
    assert scope.locator("img, b").count() == 0


def test_run_panel_previews_outputs_and_inserts_the_load_code(lab: Any, outputs: Any) -> None:
    lab.page.set_viewport_size({"width": 1366, "height": 768})
    lab.write_notebook(
        "preview.ipynb",
        ["%load_ext dhhera_jupyter", f"%hera attach {outputs.run_id} --project {outputs.project}"],
    )
    lab.open_notebook("preview.ipynb")
    lab.assert_no_errors(lab.run_cell(0))
    output = lab.run_cell(1, timeout=120)
    lab.assert_no_errors(output)
    panel = output.locator(".dhhera-RunPanel")
    panel.locator(".dhhera-DagWidget g.node", has_text="train").first.click()
    details = panel.locator(".dhhera-RunPanel-details")

    _check_previews(details)
    _item(details, "measures").locator(".dhhera-Preview-insert").click()

    # Below the panel's cell (running it left an empty cell at the end, which stays last).
    cells = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-editor")
    expect(cells).to_have_count(4)
    expect(cells.nth(2)).to_contain_text(f'dh.get_dataitem("{outputs.keys["measures"]}").as_df()')
    assert lab.page.evaluate("window.__xss") is None
    for dark in (False, True):
        lab.set_theme(dark)
        details.locator(".dhhera-Preview").scroll_into_view_if_needed()
        lab.screenshot(f"preview-panel-{'dark' if dark else 'light'}")
    lab.set_theme(False)


def test_sidebar_previews_outputs_and_inserts_the_load_code(lab: Any, outputs: Any) -> None:
    lab.page.set_viewport_size({"width": 1366, "height": 768})
    lab.write_notebook("sidebar-preview.ipynb", ["print('first cell')"])
    lab.open_notebook("sidebar-preview.ipynb")
    panel = lab.page.locator("#dhhera-pipelines")
    lab.page.locator(TAB).click()
    select = panel.locator("select.dhhera-SidebarHeader-select")
    expect(select.locator(f'option[value="{outputs.project}"]')).to_have_count(1, timeout=60_000)
    select.select_option(outputs.project)
    panel.locator(f'[data-run-id="{outputs.run_id}"] button').click()
    node = panel.locator(".dhhera-RunView g.node", has_text="train").first
    expect(node).to_be_visible(timeout=60_000)
    node.click()
    step = panel.locator(".dhhera-RunView-step")

    _check_previews(step)
    _item(step, "regressor").locator(".dhhera-Preview-insert").click()

    cells = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-editor")
    expect(cells).to_have_count(2)
    expect(cells.nth(1)).to_contain_text(f'dh.get_model("{outputs.keys["regressor"]}")')
    for dark in (False, True):
        lab.set_theme(dark)
        step.locator(".dhhera-Preview").scroll_into_view_if_needed()
        lab.screenshot(f"preview-sidebar-{'dark' if dark else 'light'}")
    lab.set_theme(False)
