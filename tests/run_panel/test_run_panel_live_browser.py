"""The run panel live in JupyterLab at laptop size: clocks tick in the browser, the selected running step's log
follows its tail, and progress counts by outcome (a failed run never shows a full bar). Light and dark."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from panel_pipelines import LIVE, add_serving_workflow, add_workflow
from playwright.sync_api import expect

from tests.browser_harness import LabPage, poll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _brightness(css: str) -> float:
    """Sum of the red, green and blue of a computed CSS colour (``rgb(...)`` or ``color(srgb ...)``), 0-765."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)[:3]]
    return sum(n * 255 for n in numbers) if css.startswith("color(") else sum(numbers)


def _start_cell(project: Any, parameters: dict[str, str]) -> str:
    return f"import dhhera_jupyter\npanel = dhhera_jupyter.run('live', {parameters!r}, project={project.name!r})\npanel"


def test_clocks_tick_and_the_selected_running_steps_log_follows(laptop: LabPage, project: Any, gate: Path) -> None:
    lab = laptop
    add_workflow(project, "live", LIVE)
    lab.write_notebook("live.ipynb", ["%load_ext dhhera_jupyter", _start_cell(project, {"gate": str(gate)})])
    lab.open_notebook("live.ipynb")
    lab.run_cell(0)
    output = lab.run_cell(1, timeout=120)
    lab.assert_no_errors(output)
    panel = output.locator(".dhhera-RunPanel")
    talker = panel.locator("g.node", has_text="talker")
    expect(talker).to_have_class(re.compile(r"\bdhhera-state-running\b"), timeout=120_000)

    # The elapsed clock and the running step's duration tick with no cell running and nothing sent.
    elapsed = panel.locator(".dhhera-RunPanel-header .dhhera-Clock")
    duration = panel.locator(".dhhera-RunPanel-tr", has_text="talker").locator(".dhhera-Clock")
    first = (elapsed.inner_text(), duration.inner_text())
    poll(lambda: elapsed.inner_text() != first[0] and duration.inner_text() != first[1], 10, "the clocks to tick")
    assert re.fullmatch(r"\d+\.\d s", duration.inner_text()), duration.inner_text()
    expect(panel.locator(".dhhera-RunPanel-progress")).to_contain_text("1 running")

    # Selecting the running step shows its log, which then grows by itself.
    panel.locator(".dhhera-RunPanel-step", has_text="talker").click()
    log = panel.locator(".dhhera-LogView")
    expect(log).to_contain_text("tick", timeout=30_000)
    expect(log.locator(".dhhera-LogView-note")).to_contain_text("following")
    ticks = log.locator(".dhhera-LogView-lines").inner_text().count("tick")
    poll(lambda: log.locator(".dhhera-LogView-lines").inner_text().count("tick") >= ticks + 3, 20, "more log lines")
    for dark in (False, True):
        lab.set_theme(dark)
        panel.scroll_into_view_if_needed()
        lab.screenshot(f"run-live-{'dark' if dark else 'light'}")
    lab.set_theme(False)

    gate.touch()
    expect(log).to_contain_text("talked", timeout=60_000)
    expect(panel.locator(".dhhera-RunPanel-progress")).to_contain_text("2 succeeded", timeout=60_000)
    expect(panel.locator(".dhhera-RunPanel-header .dhhera-StateBadge")).to_have_text("succeeded")


def test_a_failed_run_counts_by_outcome_and_never_fills_the_bar(laptop: LabPage, project: Any) -> None:
    lab = laptop
    add_workflow(project, "live", LIVE)
    lab.write_notebook("failed.ipynb", ["%load_ext dhhera_jupyter", _start_cell(project, {"fail": "yes"})])
    lab.open_notebook("failed.ipynb")
    lab.run_cell(0)
    output = lab.run_cell(1, timeout=120)
    panel = output.locator(".dhhera-RunPanel")
    progress = panel.locator(".dhhera-RunPanel-progress")
    expect(progress).to_contain_text("1 failed", timeout=120_000)
    expect(progress).to_contain_text("1 omitted")
    expect(progress).to_contain_text("of 2 steps")
    filled = panel.locator(".dhhera-RunPanel-seg").evaluate_all(
        "segs => segs.reduce((sum, s) => sum + s.getBoundingClientRect().width, 0)"
    )
    track = panel.locator(".dhhera-RunPanel-bar").evaluate("bar => bar.getBoundingClientRect().width")
    assert 0 < filled < track * 0.75, (filled, track)
    expect(panel.locator(".dhhera-RunPanel-seg.dhhera-state-succeeded")).to_have_count(0)
    banner = panel.locator(".dhhera-RunPanel-box.dhhera-error")
    expect(banner).to_contain_text("Step 'talker' failed")
    assert "dag-op-" not in banner.inner_text()
    for dark in (False, True):
        lab.set_theme(dark)
        panel.scroll_into_view_if_needed()
        lab.screenshot(f"run-failed-{'dark' if dark else 'light'}")
        if dark:
            # The banner reads in the dark theme: its text is light on a dark background.
            colours = banner.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
            text, back = (_brightness(c) for c in colours)
            assert text > back + 200, colours
    lab.set_theme(False)


def test_a_serve_steps_service_is_shown_running_after_the_run_and_stopped_from_the_panel(
    laptop: LabPage, project: Any
) -> None:
    lab = laptop
    add_serving_workflow(project)
    start = f"import dhhera_jupyter\npanel = dhhera_jupyter.run('serving', project={project.name!r})\npanel"
    lab.write_notebook("serving.ipynb", ["%load_ext dhhera_jupyter", start])
    lab.open_notebook("serving.ipynb")
    lab.run_cell(0)
    output = lab.run_cell(1, timeout=120)
    panel = output.locator(".dhhera-RunPanel")
    expect(panel.locator(".dhhera-RunPanel-header .dhhera-StateBadge")).to_have_text("succeeded", timeout=120_000)
    service = panel.locator(".dhhera-RunPanel-serviceRow")
    expect(service.locator(".dhhera-StateBadge")).to_have_text("running", timeout=30_000)  # the run is COMPLETED
    link = service.locator("a.dhhera-RunPanel-serviceUrl")
    expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+$"))
    assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")

    # The step table: long outputs and child run ids are cut with an ellipsis and whole in their tooltip.
    row = panel.locator(".dhhera-RunPanel-tr", has_text="make")
    outputs, child = row.locator(".dhhera-RunPanel-outputs"), row.locator(".dhhera-RunPanel-child")
    assert "store://" in (outputs.get_attribute("title") or "") and "dataset" in outputs.inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", child.get_attribute("title") or ""), child.get_attribute("title")
    for cell in (outputs, child):
        style = cell.evaluate("el => [getComputedStyle(el).textOverflow, el.getBoundingClientRect().width]")
        assert style[0] == "ellipsis" and style[1] >= 60, style
    for dark in (False, True):
        lab.set_theme(dark)
        panel.scroll_into_view_if_needed()
        lab.screenshot(f"run-serving-{'dark' if dark else 'light'}")
    lab.set_theme(False)
    header = panel.locator(".dhhera-RunPanel-head .dhhera-RunPanel-row > div")
    cut = header.evaluate_all("hs => hs.filter(h => h.scrollWidth > h.clientWidth).map(h => h.textContent)")
    assert cut == [], f"column titles cut: {cut}"

    service.locator(".dhhera-RunPanel-stopService").click()
    confirm = service.locator(".dhhera-RunPanel-serviceConfirm")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Stop the service").click()
    expect(service.locator(".dhhera-StateBadge")).to_have_text("stopped", timeout=30_000)
    expect(service.locator(".dhhera-RunPanel-stopService")).to_be_disabled()
    expect(panel.locator(".dhhera-RunPanel-header .dhhera-StateBadge")).to_have_text("succeeded")
    lab.screenshot("run-serving-stopped-light", panel)
