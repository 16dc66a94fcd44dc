"""The DigitalHub pipelines panel in a real JupyterLab (headless Chromium) on the session's local core."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from server_process import private_server
from sidebar_pipelines import add_workflow, start_run, wait_state

from dhhera_jupyter.core import control

pytestmark = pytest.mark.browser

TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]'


def open_panel(lab: Any, project: str | None = None) -> Any:
    """Show the pipelines panel (opening Lab unless a page is loaded) and choose ``project``."""
    if not lab.page.url.startswith(lab.server.base_url):
        lab.open_lab()
    panel = lab.page.locator("#dhhera-pipelines")
    if not panel.is_visible():
        lab.page.locator(TAB).click()
    expect(panel).to_be_visible()
    if project is not None:
        select = panel.locator("select.dhhera-SidebarHeader-select")
        expect(select.locator(f'option[value="{project}"]')).to_have_count(1, timeout=60_000)
        select.select_option(project)
    return panel


def test_sidebar_icon_opens_the_panel_with_the_backend_and_its_health(lab, core) -> None:
    lab.open_lab()
    expect(lab.page.locator(TAB)).to_have_attribute("title", "DigitalHub pipelines")

    panel = open_panel(lab)

    expect(panel.locator(".dhhera-PipelinesPanel-header")).to_have_text("DigitalHub pipelines")
    expect(panel.locator(".dhhera-SidebarHeader-where")).to_have_text(
        "Local core · " + core.endpoint.removeprefix("http://"), timeout=60_000
    )
    expect(panel.locator(".dhhera-Health-up")).to_have_count(1)


def test_selected_run_shows_its_dag_with_every_step_and_turns_green_live(lab, project, tmp_path: Path) -> None:
    workflow = add_workflow(project, "chain")
    gate = tmp_path / "gate"
    run = start_run(workflow, gate=str(gate))

    panel = open_panel(lab, project.name)
    item = panel.locator('[data-workflow="chain"]')
    expect(item.locator(".dhhera-Workflow-states")).to_contain_text("built", timeout=30_000)
    run_button = item.locator(f'[data-run-id="{run.id}"] button')
    expect(run_button).to_contain_text("running", timeout=60_000)
    run_button.focus()
    lab.page.keyboard.press("Enter")  # keyboard only: every run is a button

    dag = panel.locator(".dhhera-RunView svg.dhhera-DagWidget-svg")
    expect(dag.locator("g.node")).to_have_count(3)
    expect(dag.locator("g.node.dhhera-state-running")).to_have_count(1, timeout=60_000)
    gate.touch()
    expect(dag.locator("g.node.dhhera-state-succeeded")).to_have_count(3, timeout=90_000)
    expect(panel.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded")
    expect(panel.locator(".dhhera-RunView-progressLabel")).to_have_text("3 / 3 succeeded")
    expect(run_button).to_contain_text("succeeded", timeout=30_000)


def test_run_with_the_parameters_dialog_then_stop_it_from_the_panel(lab, project, dh, tmp_path: Path) -> None:
    add_workflow(project, "chain")
    gate = tmp_path / "gate"

    panel = open_panel(lab, project.name)
    panel.locator('[data-workflow="chain"] .dhhera-Workflow-run').click()
    dialog = lab.page.locator(".jp-Dialog")
    dialog.locator('input[name="gate"]').fill(str(gate))
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()

    view = panel.locator(".dhhera-RunView")
    expect(view.locator(".dhhera-RunView-parameters")).to_have_text(f"Parameters: gate={gate}", timeout=30_000)
    expect(view.locator("g.node.dhhera-state-running")).to_have_count(1, timeout=60_000)
    run_id = view.locator(".dhhera-RunView-id").get_attribute("title")
    view.locator(".dhhera-RunView-stop").click()
    expect(view.locator(".dhhera-RunView-confirm")).to_contain_text("Stop this run?")
    view.locator(".dhhera-RunView-confirmStop").click()

    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("stopped", timeout=60_000)
    assert dh.get_run(run_id, project=project.name).status.state == "STOPPED"
    gate.touch()


def test_markup_in_run_data_is_text_and_attach_goes_into_the_current_notebook(lab, project) -> None:
    workflow = add_workflow(project, "chain")
    markup = "<img src=x onerror=window.__dhheraPwned=1>"  # no quotes: Argo pastes parameters into the step's JSON
    shown = start_run(workflow, text=markup)
    failed = start_run(workflow, text="fail")
    assert wait_state(shown, ("COMPLETED", "ERROR")) == "COMPLETED"
    assert wait_state(failed, ("COMPLETED", "ERROR")) == "ERROR"
    lab.write_notebook("attach.ipynb", ["print('first cell')"])
    lab.open_notebook("attach.ipynb")

    panel = open_panel(lab, project.name)
    panel.locator(f'[data-run-id="{shown.id}"] button').click()
    expect(panel.locator(".dhhera-RunView-parameters")).to_have_text(f"Parameters: text={markup}")
    panel.locator(".dhhera-RunView-attach").click()
    panel.locator(f'[data-run-id="{failed.id}"] button').click()
    bad = panel.locator("g.node.dhhera-state-failed, g.node.dhhera-state-error").first
    expect(bad).to_be_visible(timeout=30_000)
    bad.click()

    expect(panel.locator(".dhhera-RunView-stepList")).to_contain_text("<script>alert('step')</script>")
    assert panel.locator("script, img").count() == 0
    assert lab.page.evaluate("window.__dhheraPwned") is None
    cells = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-editor")
    expect(cells.nth(1)).to_have_text(f"%hera attach {shown.id} --project {project.name}")


def test_backend_down_shows_what_to_do_and_the_panel_recovers(browser, tmp_path: Path) -> None:
    with private_server(tmp_path, lab=True) as server:  # its own local core: this test stops it
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(f"{server.base_url}lab?token={server.token}")
            page.locator(TAB).click()
            panel = page.locator("#dhhera-pipelines")
            notice = panel.locator(".dhhera-Notice")
            expect(notice).to_contain_text("No workflows in project dhhera yet.", timeout=60_000)
            expect(panel.locator(".dhhera-Health-up")).to_have_count(1)

            control.stop(server.core_home)

            expect(notice).to_contain_text("The local core is not running.", timeout=30_000)
            expect(panel.locator(".dhhera-Health-down")).to_have_count(1, timeout=30_000)
            notice.locator(".dhhera-Notice-start-core").click()
            expect(notice).to_contain_text("No workflows in project dhhera yet.", timeout=60_000)
            expect(panel.locator(".dhhera-Health-up")).to_have_count(1)
        finally:
            context.close()
