""" "Retry failed steps" clicked in a real JupyterLab (Playwright + Chromium), in the notebook's run panel and in
the sidebar's run view, at a laptop's 1366x768 in the light and the dark theme."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_harness import LabPage
from tests.retry import retry_code as code
from tests.retry.conftest import children, function_of, new_function

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]'


@pytest.fixture()
def laptop(browser: Any, lab_server: Any) -> Iterator[LabPage]:
    """A fresh 1366x768 browser context on the session's Lab (the theme is put back to light afterwards)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(30_000)
    lab = LabPage(page, lab_server)
    try:
        yield lab
    finally:
        try:
            if os.environ.get("DHHERA_SCREENSHOTS"):
                lab.set_theme(dark=False)  # the theme is a user setting of the session's Lab
        finally:
            context.close()


def _both_themes(lab: LabPage, name: str, locator: Any) -> None:
    """Screenshots of ``locator`` in the light and the dark theme, when ``DHHERA_SCREENSHOTS`` asks for them."""
    if not os.environ.get("DHHERA_SCREENSHOTS"):
        return  # switching themes costs seconds; the suite's layout tests check both themes
    for dark in (False, True):
        lab.set_theme(dark)
        locator.scroll_into_view_if_needed()
        lab.screenshot(f"{name}-{'dark' if dark else 'light'}", locator)
    lab.set_theme(False)


def test_panel_retry_button_reruns_only_the_failed_step_and_its_downstream(laptop: LabPage, failed_etl: Any) -> None:
    lab, original = laptop, failed_etl.failed["id"]
    new_function(failed_etl.project, "clean", code.CLEAN_FIXED)
    attach = f"import dhhera_jupyter\npanel = dhhera_jupyter.attach({original!r}, project={failed_etl.name!r})\npanel"
    lab.write_notebook("retry.ipynb", ["%load_ext dhhera_jupyter", attach, "print('RUN', panel.run_id)"])
    lab.open_notebook("retry.ipynb")
    lab.assert_no_errors(lab.run_cell(0))
    output = lab.run_cell(1, timeout=120)
    lab.assert_no_errors(output)
    panel = output.locator(".dhhera-RunPanel")
    button = panel.locator(".dhhera-RunPanel-retry")
    expect(button).to_be_visible(timeout=60_000)
    expect(button).to_have_text("Retry failed steps")
    _both_themes(lab, "panel-failed", panel)

    button.click()
    note = panel.locator(".dhhera-RunPanel-retryOf")
    expect(note).to_contain_text(f"retry of {original[:12]}", timeout=60_000)
    expect(panel.locator(".dhhera-RunPanel-progress")).to_contain_text("4 succeeded", timeout=120_000)
    expect(button).to_be_hidden()  # the retry succeeded: nothing to retry
    _both_themes(lab, "panel-retried", panel)
    text = lab.run_cell(2).inner_text()
    new_id = text.split("RUN", 1)[1].split()[0]
    assert new_id != original
    assert sorted(function_of(r) for r in children(failed_etl.name, new_id)) == ["clean", "report"]


def test_sidebar_retry_button_starts_the_retry_and_shows_it(laptop: LabPage, failed_etl: Any) -> None:
    lab, original = laptop, failed_etl.failed["id"]
    new_function(failed_etl.project, "clean", code.CLEAN_FIXED)
    lab.open_lab()
    lab.page.locator(TAB).click()
    sidebar = lab.page.locator("#dhhera-pipelines")
    select = sidebar.locator("select.dhhera-SidebarHeader-select")
    expect(select.locator(f'option[value="{failed_etl.name}"]')).to_have_count(1, timeout=60_000)
    select.select_option(failed_etl.name)
    sidebar.locator(f'[data-workflow="etl"] [data-run-id="{original}"] button').click()
    view = sidebar.locator(".dhhera-RunView")
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("failed", timeout=60_000)
    expect(view.locator("svg.dhhera-DagWidget-svg g.node")).to_have_count(4, timeout=60_000)
    button = view.locator(".dhhera-RunView-retry")
    expect(button).to_be_visible()
    _both_themes(lab, "sidebar-failed", sidebar)

    button.click()
    note = view.locator(".dhhera-RunView-retryOf")
    expect(note).to_have_text(f"retry of {original[:8]}", timeout=60_000)
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded", timeout=120_000)
    expect(button).to_be_hidden()
    _both_themes(lab, "sidebar-retried", sidebar)
    new_id = view.locator(".dhhera-RunView-id").get_attribute("title")
    assert new_id and new_id != original
    assert sorted(function_of(r) for r in children(failed_etl.name, new_id)) == ["clean", "report"]
