"""The pipelines panel at a laptop's size (1366x768) and JupyterLab's default sidebar width, in both themes.

Each screen is checked for what a user would see wrong (clipped durations or badges, content wider than the
panel, unreadable DAG text, colours that disagree between the list, the badge and the bar). With
``DHHERA_SHOTS=<folder>`` every screen is also saved there as a PNG, to be looked at.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from sidebar_pipelines import add_loud_workflow, add_serve_workflow, add_workflow, start_run, wait_for, wait_state

from tests.browser_harness import LabPage, LabServer

pytestmark = pytest.mark.browser

TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]'
SHOTS = os.environ.get("DHHERA_SHOTS", "")
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}

#: Elements whose text must never be cut (durations, times, states, titles).
WHOLE_TEXT = (
    ".dhhera-Run-duration, .dhhera-Run-start, .dhhera-badge, .dhhera-StepTable-duration, .dhhera-RunView-times,"
    " .dhhera-RunView-title, .dhhera-Workflow-name, .dhhera-RunView-progressLabel, .dhhera-RunView-stepList dt,"
    " .dhhera-StepTable-page, .dhhera-Button, .dhhera-Services-name"
)

LAYOUT_PROBLEMS = """([panel, whole]) => {
  const box = panel.getBoundingClientRect();
  const problems = [];
  for (const node of panel.querySelectorAll('*')) {
    if (node.closest('.dhhera-DagWidget-viewport') || node.closest('[hidden]')) continue;
    const r = node.getBoundingClientRect();
    if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
      problems.push(`wider than the panel: ${node.className} "${(node.textContent || '').slice(0, 40)}"`);
    }
  }
  for (const node of panel.querySelectorAll(whole)) {
    if (node.closest('[hidden]') || !node.getClientRects().length) continue;
    if (node.scrollWidth > node.clientWidth + 1) {
      problems.push(`cut: ${node.className} "${(node.textContent || '').slice(0, 40)}"`);
    }
  }
  return problems;
}"""


def _theme_file(server: LabServer) -> Path:
    settings = server.root_dir.parent / "user-settings" / "@jupyterlab" / "apputils-extension"
    return settings / "themes.jupyterlab-settings"


@pytest.fixture(params=list(THEMES))
def theme(request: pytest.FixtureRequest, lab_server: LabServer) -> Iterator[str]:
    """Each test runs in the light and the dark theme (user settings of the session's Lab, put back after)."""
    path = _theme_file(lab_server)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"theme": THEMES[request.param]}), encoding="utf-8")
    try:
        yield request.param
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(before, encoding="utf-8")


def open_panel(lab: LabPage, project: str | None, theme: str) -> Any:
    lab.open_lab()
    expect(lab.page.locator("body")).to_have_attribute("data-jp-theme-name", THEMES[theme], timeout=60_000)
    lab.page.locator(TAB).click()
    panel = lab.page.locator("#dhhera-pipelines")
    expect(panel).to_be_visible()
    if project is not None:
        select = panel.locator("select.dhhera-SidebarHeader-select")
        expect(select.locator(f'option[value="{project}"]')).to_have_count(1, timeout=60_000)
        select.select_option(project)
    return panel


def check_screen(lab: LabPage, panel: Any, name: str, theme: str) -> None:
    """Fail on clipped text or content wider than the panel; save a screenshot when asked to."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        lab.page.screenshot(path=str(Path(SHOTS) / f"sidebar-{name}-{theme}.png"))
    problems = lab.page.evaluate(f"({LAYOUT_PROBLEMS})", [panel.element_handle(), WHOLE_TEXT])
    assert problems == [], f"{name} ({theme}): {problems}"


def background(locator: Any) -> str:
    return locator.evaluate("node => getComputedStyle(node).backgroundColor")


def test_every_sidebar_screen_fits_the_default_width_in_both_themes(laptop, project, dh, theme, tmp_path) -> None:
    lab = laptop
    workflow = add_workflow(project, "chain")
    done = start_run(workflow, text="hello")
    failed = start_run(workflow, text="fail")
    gate = tmp_path / "gate"
    stopped = start_run(workflow, gate=str(gate))
    wait_state(done, ("COMPLETED",))
    wait_state(failed, ("ERROR",))
    wait_for(lambda: stopped.refresh().status.state == "RUNNING", 60, "the run to hold")
    dh.get_run(stopped.id, project=project.name).stop()
    wait_state(stopped, ("STOPPED",))
    running = start_run(workflow, gate=str(gate))

    panel = open_panel(lab, project.name, theme)
    width = panel.evaluate("node => node.getBoundingClientRect().width")
    assert 200 <= width <= 320, f"the panel is {width} px wide, not JupyterLab's default sidebar width"
    row = panel.locator(f'[data-run-id="{running.id}"] button')
    expect(row).to_contain_text("running", timeout=60_000)
    check_screen(lab, panel, "list", theme)

    row.click()
    view = panel.locator(".dhhera-RunView")
    expect(view.locator("g.node.dhhera-state-running")).to_have_count(1, timeout=60_000)
    check_screen(lab, panel, "run-running", theme)

    panel.locator(f'[data-run-id="{done.id}"] button').click()
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded", timeout=30_000)
    expect(view.locator(".dhhera-StepTable-row")).to_have_count(3)
    text_height = view.locator("svg g.node text").first.evaluate("node => node.getBoundingClientRect().height")
    assert text_height >= 9, f"DAG labels are {text_height:.1f} px tall at the default zoom"
    view.locator(".dhhera-StepTable-row", has_text="middle").locator("button").click()
    expect(view.locator(".dhhera-RunView-stepTitle")).to_have_text("middle")
    expect(view.locator(".dhhera-RunView-logText")).to_contain_text("step says hello", timeout=30_000)
    segments = view.locator(".dhhera-RunView-segment")
    expect(segments).to_have_count(1)
    assert background(segments.first) == background(view.locator(".dhhera-RunView-header .dhhera-badge"))
    check_screen(lab, panel, "run-succeeded-step", theme)

    panel.locator(f'[data-run-id="{failed.id}"] button').click()
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("failed", timeout=30_000)
    expect(view.locator(".dhhera-RunView-progressLabel")).to_contain_text("1 failed")
    check_screen(lab, panel, "run-failed", theme)

    panel.locator(f'[data-run-id="{stopped.id}"] button').click()
    badge = view.locator(".dhhera-RunView-header .dhhera-badge")
    expect(badge).to_have_text("stopped", timeout=30_000)
    message = view.locator(".dhhera-RunView-message")
    if message.is_visible():  # "stopped" is said in the panel's text colour beside the badge, never in red
        colour = "node => getComputedStyle(node).color"
        assert message.evaluate(colour) == view.locator(".dhhera-RunView-title").evaluate(colour)
    check_screen(lab, panel, "run-stopped", theme)

    view.locator(".dhhera-RunView-open").click()
    main = lab.page.locator("#dhhera-dag-main")
    expect(main.locator("svg g.node")).to_have_count(3)
    if SHOTS:
        lab.page.screenshot(path=str(Path(SHOTS) / f"sidebar-dag-main-{theme}.png"))
    gate.touch()


def test_list_agrees_with_the_run_view_right_after_a_dialog_run_ends(lab, project) -> None:
    add_workflow(project, "chain")
    lab.open_lab()
    lab.page.locator(TAB).click()
    panel = lab.page.locator("#dhhera-pipelines")
    select = panel.locator("select.dhhera-SidebarHeader-select")
    expect(select.locator(f'option[value="{project.name}"]')).to_have_count(1, timeout=60_000)
    select.select_option(project.name)

    panel.locator('[data-workflow="chain"] .dhhera-Workflow-run').click()
    lab.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    status = panel.locator(".dhhera-PipelinesPanel-status")
    expect(status).to_contain_text("Run of chain started", timeout=30_000)
    view = panel.locator(".dhhera-RunView")
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).not_to_have_text("loading…", timeout=30_000)
    run_id = view.locator(".dhhera-RunView-id").get_attribute("title")
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded", timeout=90_000)

    # No wait: the moment the run view says "succeeded", so do the list and the last-run badge.
    assert panel.locator(f'[data-run-id="{run_id}"] .dhhera-badge').inner_text() == "succeeded"
    assert "last run succeeded" in panel.locator('[data-workflow="chain"] .dhhera-Workflow-states').inner_text()
    expect(status).to_have_text("")
    assert re.fullmatch(r"3 / 3 succeeded", view.locator(".dhhera-RunView-progressLabel").inner_text())


def saved_choice(server: LabServer) -> str | None:
    """The sidebar's project as saved in the Lab's default workspace on the server."""
    with urllib.request.urlopen(server.url("lab/api/workspaces/default"), timeout=5) as response:
        data = json.loads(response.read()).get("data") or {}
    return (data.get("dhhera-jupyter:sidebar") or {}).get("project")


def test_opens_on_the_most_recently_active_project_and_remembers_the_choice_across_reloads(lab, dh, project) -> None:
    other = dh.get_or_create_project(f"{project.name}-b")
    add_workflow(project, "chain")  # its build run is the newest run of every project

    lab.open_lab()
    lab.page.locator(TAB).click()
    panel = lab.page.locator("#dhhera-pipelines")
    select = panel.locator("select.dhhera-SidebarHeader-select")
    expect(select).to_have_value(project.name, timeout=60_000)
    expect(panel.locator('[data-workflow="chain"]')).to_be_visible(timeout=30_000)

    select.select_option(other.name)
    expect(panel.locator(".dhhera-Notice")).to_contain_text(f"No workflows in project {other.name} yet.")
    # JupyterLab saves its state database with the workspace (debounced): reload once it is saved.
    wait_for(lambda: saved_choice(lab.server) == other.name, 30, "the workspace to hold the choice")
    lab.page.reload()  # the same workspace: the choice comes back from JupyterLab's state database
    lab.page.locator(TAB).wait_for()
    panel = lab.page.locator("#dhhera-pipelines")
    if not panel.is_visible():
        lab.page.locator(TAB).click()
    expect(panel.locator("select.dhhera-SidebarHeader-select")).to_have_value(other.name, timeout=60_000)


def test_a_run_wider_than_the_sidebar_draws_folds_its_fan_out_and_pages_its_steps(lab, project, tmp_path) -> None:
    from sidebar_pipelines import WIDE

    from dhhera_jupyter.server.graphs import SIDEBAR_MAX_NODES

    width = SIDEBAR_MAX_NODES + 10
    gate = tmp_path / "gate"
    run = start_run(add_workflow(project, "wide", WIDE.format(width=width)), gate=str(gate))
    lab.open_lab()
    lab.page.locator(TAB).click()
    panel = lab.page.locator("#dhhera-pipelines")
    panel.locator("select.dhhera-SidebarHeader-select").select_option(project.name, timeout=60_000)
    panel.locator(f'[data-run-id="{run.id}"] button').click(timeout=60_000)

    view = panel.locator(".dhhera-RunView")
    expect(view.locator("svg g.node")).to_have_count(1, timeout=60_000)  # the fan-out, folded
    expect(view.locator("svg g.node.dhhera-state-running")).to_have_count(1, timeout=60_000)
    expect(view.locator(".dhhera-StepTable-page")).to_have_text(f"1–25 of {width}")
    expect(view.locator(".dhhera-StepTable-row")).to_have_count(25)
    view.locator(".dhhera-StepTable-filter").select_option("running")
    expect(view.locator(".dhhera-StepTable-row .dhhera-badge").first).to_have_text("running")
    view.locator(".dhhera-StepTable-filter").select_option("all")
    view.locator(".dhhera-StepTable-next").click()
    expect(view.locator(".dhhera-StepTable-page")).to_have_text(f"26–50 of {width}")

    gate.touch()
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded", timeout=240_000)
    expect(view.locator("svg g.node.dhhera-state-succeeded")).to_have_count(1)
    expect(view.locator(".dhhera-RunView-progressLabel")).to_have_text(f"{width} / {width} succeeded")
    expect(view.locator(".dhhera-StepTable-row")).to_have_count(25)


def test_a_serve_step_shows_its_service_live_after_the_pipeline_and_stop_service_stops_it(
    laptop, project, dh, theme
) -> None:
    import requests

    lab = laptop
    run = start_run(add_serve_workflow(project))
    assert wait_state(run, ("COMPLETED", "ERROR")) == "COMPLETED", run.status.to_dict()
    node = next(n for n in run.status.to_dict()["nodes"] if n.get("service_url"))

    panel = open_panel(lab, project.name, theme)
    panel.locator(f'[data-run-id="{run.id}"] button').click()
    view = panel.locator(".dhhera-RunView")
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded", timeout=30_000)
    service = view.locator(f'.dhhera-Services-row[data-run="{node["run_id"]}"]')
    expect(service.locator(".dhhera-badge")).to_have_text("running", timeout=30_000)
    link = service.locator("a.dhhera-Services-url")
    expect(link).to_have_text(node["service_url"])
    expect(link).to_have_attribute("href", node["service_url"] + "/")
    expect(link).to_have_attribute("target", "_blank")
    assert requests.get(link.get_attribute("href"), timeout=10).json()["greeting"] == "from-sidebar"
    expect(view.locator("svg g.node")).to_have_count(2)
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    service.scroll_into_view_if_needed()
    check_screen(lab, panel, "service-running", theme)

    service.locator(".dhhera-Services-stop").click()
    confirm = service.locator(".dhhera-Services-confirm")
    expect(confirm).to_contain_text("Stop service serve?")
    check_screen(lab, panel, "service-confirm", theme)
    service.locator(".dhhera-Services-confirmStop").click()

    expect(service.locator(".dhhera-badge")).to_have_text("stopped", timeout=60_000)
    assert dh.get_run(node["run_id"], project=project.name).status.state == "STOPPED"
    expect(service.locator(".dhhera-Services-stop")).to_be_disabled()
    expect(view.locator(".dhhera-RunView-header .dhhera-badge")).to_have_text("succeeded")  # the pipeline's own
    check_screen(lab, panel, "service-stopped", theme)


def test_a_long_step_log_shows_its_last_part_and_says_so(laptop, project, theme) -> None:
    lab = laptop
    run = start_run(add_loud_workflow(project))
    assert wait_state(run, ("COMPLETED", "ERROR")) == "COMPLETED", run.status.to_dict()

    panel = open_panel(lab, project.name, theme)
    panel.locator(f'[data-run-id="{run.id}"] button').click()
    view = panel.locator(".dhhera-RunView")
    view.locator(".dhhera-StepTable-row", has_text="loud").locator("button").click()

    expect(view.locator(".dhhera-RunView-logText")).to_contain_text("last line", timeout=30_000)
    note = view.locator(".dhhera-RunView-logNote")
    expect(note).to_have_text(re.compile(r"^Showing the last 19\d KB of [34]\d\d KB; the beginning is left out\.$"))
    assert "line 000000 " not in view.locator(".dhhera-RunView-logText").inner_text()
    view.locator("div.dhhera-RunView-logs").evaluate("node => node.scrollIntoView({block: 'end'})")
    check_screen(lab, panel, "log-truncated", theme)
