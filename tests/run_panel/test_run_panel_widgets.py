"""The panel's widgets fed with run documents in DHCore's shape (no backend needed): escaping, per-row updates,
the terminal table."""

from __future__ import annotations

import io
from typing import Any

import ipywidgets
import pytest
from panel_pipelines import wait_for
from status_samples import diamond_spec, node, run_doc

from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.runs.poller import Poller
from dhhera_jupyter.runs.text import TextRunView
from dhhera_jupyter.runs.watched import WatchedRun
from dhhera_jupyter.widgets.run_panel import RunPanel

EVIL = "<script>alert(1)</script>"


class Backend:
    """Serves run documents from a dict (what GET /runs/{id} would answer)."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}

    def __call__(self, run_id: str, project: str | None) -> dict:
        return self.docs[run_id]


def nodes(b_state: str, **b_extra: Any) -> list[dict]:
    return [
        node("r", "r", "r", "DAG", "Running"),
        node("r", "r.a", "a", "Pod", "Succeeded", outputs=[{"name": "dataset", "value": "store://p/x:1"}]),
        node("r", "r.b", "b", "Pod", b_state, **b_extra),
        node("r", "r.c", "c", "Pod", "Running"),
    ]


@pytest.fixture()
def backend() -> Backend:
    return Backend()


@pytest.fixture()
def panel_on(backend: Backend):
    made: list[RunPanel] = []

    def make(doc: dict) -> tuple[RunPanel, WatchedRun]:
        backend.docs[doc["id"]] = doc
        panel = RunPanel(from_workflow(diamond_spec()), {"url": {"default": None, "enum": None}}, workflow="wf")
        run = WatchedRun(doc["id"], "demo", poll=Poller(fetch=backend, interval=(0.02, 0.05)))
        panel.add_run(run)
        wait_for(lambda: run.snapshot is not None, 10)
        made.append(panel)
        return panel, run

    yield make
    for panel in made:
        panel.close()


def html_values(widget: Any) -> list[str]:
    values = [widget.value] if isinstance(widget, ipywidgets.HTML) else []
    for child in getattr(widget, "children", ()):
        values.extend(html_values(child))
    return values


def test_every_text_shown_in_html_widgets_is_escaped(panel_on: Any) -> None:
    doc = run_doc("r", "ERROR", nodes("Failed", message=EVIL, outputs=[{"name": EVIL, "value": EVIL}]), message=EVIL)
    doc["spec"]["workflow"] = "hera://demo/<b>wf:1"
    panel, _ = panel_on(doc)
    panel._select("b")
    shown = "".join(html_values(panel))
    assert "&lt;script&gt;" in shown and EVIL not in shown
    assert "Step &#x27;b&#x27; failed" in panel.banner.value


def test_a_step_change_resends_only_that_row(panel_on: Any, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    panel, run = panel_on(run_doc("r", "RUNNING", nodes("Running")))
    sent: list[Any] = []
    original = ipywidgets.Widget._send

    def counted(self: Any, msg: dict, buffers: Any = None) -> None:
        sent.append(self)
        original(self, msg, buffers)

    monkeypatch.setattr(ipywidgets.Widget, "_send", counted)
    backend.docs["r"] = run_doc("r", "RUNNING", nodes("Succeeded"))
    wait_for(lambda: run.nodes["b"] == "succeeded", 10)
    wait_for(lambda: panel.dag in sent, 5)
    rows = [w for w in sent if isinstance(w, ipywidgets.HTML) and "dhhera-RunPanel-row" in w.value]
    assert len(rows) == 1 and "succeeded" in rows[0].value
    assert panel.table._cells["b"] in rows
    assert set(map(type, sent)) <= {type(panel.dag), ipywidgets.HTML, type(panel.progress)}
    assert "2 succeeded" in panel.progress.value
    assert panel.progress.counts[0] == ["succeeded", 2]  # counts travel, the browser draws them


def test_terminal_view_prints_a_table_and_the_failed_step(backend: Backend) -> None:
    backend.docs["r"] = run_doc("r", "ERROR", nodes("Failed", message="boom"), message="step b failed")
    run = WatchedRun("r", "demo", graph=from_workflow(diamond_spec()), poll=Poller(fetch=backend))
    stream = io.StringIO()
    view = TextRunView(run, stream)
    run.start()
    run.wait(10)
    view.show()
    text = stream.getvalue()
    assert "STEP" in text and "✘ failed" in text and "Step 'b' failed: boom" in text
    assert "dataset=store://p/x:1" in text
    assert repr(run).splitlines()[0].startswith("Pipeline run r (workflow wf): failed")


def test_parameters_are_one_quiet_line_and_the_form_opens_on_demand(backend: Backend) -> None:
    doc = run_doc("r", "SUCCEEDED", nodes("Succeeded"))
    doc["spec"]["parameters"] = {"url": EVIL, "n": 3}
    backend.docs["r"] = doc
    panel = RunPanel(from_workflow(diamond_spec()), {"url": {"default": None}}, submit=lambda _p: None)
    try:
        run = WatchedRun("r", "demo", poll=Poller(fetch=backend, interval=(0.02, 0.05)))
        panel.add_run(run)
        wait_for(lambda: "Parameters:" in panel.form_box.summary.value, 10)
        said = "Parameters: url=&lt;script&gt;alert(1)&lt;/script&gt;, n=3</span>"
        assert panel.form_box.summary.value.endswith(said)
        assert panel.form.layout.display == "none" and panel.form_box.toggle.layout.display == ""
        panel.form_box.toggle.click()
        assert panel.form.layout.display == "" and panel.form_box.toggle.description == "Hide parameters"
    finally:
        panel.close()


def test_a_pipeline_without_parameters_shows_no_parameters_section() -> None:
    panel = RunPanel(from_workflow(diamond_spec()), {}, submit=lambda _p: None)
    try:
        assert panel.form_box.layout.display == "none"  # Re-run starts a new run; no empty bar
    finally:
        panel.close()


def test_step_pane_has_its_action_under_the_title_and_the_state_as_the_shared_badge(panel_on: Any) -> None:
    panel, _ = panel_on(run_doc("r", "ERROR", nodes("Failed", message="boom")))
    panel._select("b")
    details = panel.details
    assert details.children[:3] == (details.heading, details.debug_action, details.info)
    assert ">b</h4>" in details.heading.value
    assert '<span class="dhhera-StateBadge dhhera-state-failed">failed</span>' in details.info.value
    assert "dhhera-RunPanel-action" in details.debug_action.button._dom_classes  # the toolbar buttons' look
