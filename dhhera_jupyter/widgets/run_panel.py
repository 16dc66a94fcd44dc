"""RunPanel: submit a pipeline and watch every step live, with results, logs and stop.

Composed of standard ipywidgets and the DagWidget. Updates arrive from the kernel's poller thread
as diffs, and only the widgets whose content changed send anything to the browser.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import ipywidgets as w

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.graph.model import PipelineGraph
from dhhera_jupyter.status import RunDiff, RunSnapshot, StepStatus, diff
from dhhera_jupyter.status.phases import NODE_STATES, STOPPABLE_RUN_STATES
from dhhera_jupyter.widgets.run_details import StepDetails
from dhhera_jupyter.widgets.run_form import ParametersForm
from dhhera_jupyter.widgets.run_style import STYLE
from dhhera_jupyter.widgets.run_table import StepTable, state_badge
from dhhera_jupyter.widgets.run_text import failure_line, format_duration, render_text
from dhhera_jupyter.widgets.watched_run import WatchedRun

Submit = Callable[[dict[str, Any]], WatchedRun]

_BAR_STYLES = {"COMPLETED": "success", "ERROR": "danger", "STOPPED": "warning", "STOP": "warning"}


def legend_html() -> str:
    """The colour legend of node states (same colours as the DagWidget)."""
    items = "".join(f"<span>{state_badge(s)}</span>" for s in NODE_STATES)
    return f"<div class='dhhera-RunPanel-legend'>{items}</div>"


def _box(text: str, kind: str) -> str:
    """A banner: ``kind`` is ``error`` or ``warn``; ``text`` must be escaped already."""
    return f"<div class='dhhera-RunPanel-box dhhera-{kind}'>{text}</div>"


class RunPanel(w.VBox):
    """A pipeline's runs: parameters form, live DAG, progress, step table, step logs, stop and re-run.

    Parameters
    ----------
    graph : PipelineGraph, optional
        The built pipeline (drawn once; runs only recolour it).
    declared : mapping, optional
        The workflow's arguments for the form (name -> ``{"default", "enum"}``).
    submit : callable, optional
        ``submit(parameters) -> WatchedRun`` starts a new run; without it the Run/Re-run buttons are hidden.
    workflow : str, optional
        Workflow name shown in the title.

    Notes
    -----
    The panel is also the handle a cell gets back: ``.wait()``, ``.state``, ``.nodes``, ``.outputs``,
    ``.logs(step)``, ``.stop()`` act on the run on display (the latest one submitted).
    """

    def __init__(
        self,
        graph: PipelineGraph | None = None,
        declared: Mapping[str, Mapping[str, Any]] | None = None,
        submit: Submit | None = None,
        workflow: str | None = None,
    ) -> None:
        self.graph = graph
        self.workflow = workflow
        self._submit = submit
        self._lock = threading.RLock()
        self.runs: list[WatchedRun] = []
        self.run: WatchedRun | None = None
        self._shown: RunSnapshot | None = None
        self.selected_step: str | None = None

        self.style = w.HTML(STYLE, layout=w.Layout(display="none"))
        self.title = w.HTML()
        self.alert = w.HTML()
        self.banner = w.HTML()
        self.notice = w.HTML()
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="60%"))
        self.progress_label = w.HTML()
        self._syncing_history = False
        self.history = w.Dropdown(options=[], description="run", layout=w.Layout(width="32em"))
        self.history.observe(self._on_history, names="value")
        self.stop_button = w.Button(description="Stop", icon="stop", button_style="danger", disabled=True)
        self.rerun_button = w.Button(
            description="Re-run", icon="repeat", disabled=True, tooltip="Start a new run with the same parameters"
        )
        self.confirm_yes = w.Button(description="Stop the run", button_style="danger")
        self.confirm_no = w.Button(description="Cancel")
        self.confirm = w.HBox(
            [w.HTML("Stop this run? Running steps are interrupted."), self.confirm_yes, self.confirm_no]
        )
        self.confirm.layout.display = "none"
        self.stop_button.on_click(lambda _b: self._ask_stop())
        self.confirm_yes.on_click(lambda _b: self._do_stop())
        self.confirm_no.on_click(lambda _b: self._hide_confirm())
        self.rerun_button.on_click(lambda _b: self._guard(self.rerun))
        self.form = ParametersForm(declared or {}, lambda values: self._guard(lambda: self.submit(values)))
        self.form_box = w.Accordion(children=[self.form], titles=("Parameters",), selected_index=None)
        if submit is None:
            self.form_box.layout.display = "none"
            self.rerun_button.layout.display = "none"
        self.dag = self._make_dag(graph)
        self.legend = w.HTML(legend_html())
        self.table = StepTable(self._select)
        self.details = StepDetails()
        self.results_pane = w.HTML()
        self._dag_box = w.VBox([self.dag, self.legend] if self.dag is not None else [self.legend])
        super().__init__(
            [
                self.style,
                self.title,
                self.alert,
                self.notice,
                self.banner,
                w.HBox([self.progress, self.progress_label]),
                w.HBox([self.history, self.stop_button, self.rerun_button]),
                self.confirm,
                self.form_box,
                self._dag_box,
                self.table,
                self.details,
                self.results_pane,
            ]
        )
        self.add_class("dhhera-RunPanel")
        self.history.layout.display = "none"
        self._render_title()

    # -- building blocks -----------------------------------------------------------------------

    def _make_dag(self, graph: PipelineGraph | None) -> Any:
        if graph is None:
            return None
        from dhhera_jupyter.widgets.dag import DagWidget

        dag = DagWidget.from_graph(graph, node_states={n.id: "pending" for n in graph.nodes})
        dag.observe(self._on_dag_selected, names="selected")
        return dag

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a button's action; its error is shown in the panel (button callbacks have nowhere to raise)."""
        self.alert.value = ""
        try:
            action()
        except DhheraError as exc:
            self.alert.value = _box(escape(str(exc)), "error")

    # -- runs ------------------------------------------------------------------------------------

    def add_run(self, run: WatchedRun) -> WatchedRun:
        """Show ``run`` (it joins the history) and start following it."""
        with self._lock:
            if self.graph is None and run.graph is not None:
                self._adopt_graph(run.graph)
            elif run.graph is None and self.graph is not None:
                run.graph = self.graph
            self.runs.append(run)
            run.add_view(self)
            self._show(run)
        run.start()
        return run

    def submit(self, parameters: Mapping[str, Any] | None = None) -> WatchedRun:
        """Start a new run with ``parameters`` and show it.

        Raises
        ------
        DhheraError
            Without a way to submit (a panel attached to a run), or when the backend refuses.
        """
        if self._submit is None:
            raise DhheraError("This panel shows a run started elsewhere; start a new one with %hera run.")
        run = self._submit(dict(parameters or {}))
        return self.add_run(run)

    def rerun(self) -> WatchedRun:
        """Start a new run with the parameters of the run on display."""
        params = dict(self.run.snapshot.parameters) if self.run and self.run.snapshot else self.form.values()
        return self.submit(params)

    def _adopt_graph(self, graph: PipelineGraph) -> None:
        self.graph = graph
        self.dag = self._make_dag(graph)
        self._dag_box.children = [self.dag, self.legend]

    def _refresh_history(self) -> None:
        options = [(self._run_label(r), i) for i, r in enumerate(self.runs)]
        current = self.runs.index(self.run) if self.run in self.runs else None
        self._syncing_history = True
        try:
            if list(self.history.options) != options:
                self.history.options = options
            if self.history.value != current:
                self.history.value = current
        finally:
            self._syncing_history = False
        self.history.layout.display = "" if len(self.runs) > 1 else "none"

    @staticmethod
    def _run_label(run: WatchedRun) -> str:
        snap = run.snapshot
        return f"{run.run_id[:8]} · {snap.label if snap else 'starting'}"

    def _on_history(self, change: dict) -> None:
        index = change.get("new")
        if self._syncing_history or index is None or not (0 <= index < len(self.runs)) or self.runs[index] is self.run:
            return
        self._show(self.runs[index])

    def _show(self, run: WatchedRun) -> None:
        """Switch the panel to ``run`` and draw all of it."""
        with self._lock:
            self.run, self._shown = run, None
            self._refresh_history()
            self.selected_step = None
            self.details.show(run, None)
            self.table.select(None)
            self.notice.value = ""
            if run.snapshot is not None:
                self.form.set_values(run.snapshot.parameters)
                self._apply(diff(None, run.snapshot), run.snapshot)
            else:
                self._reset_view()
            self.connection_changed(run)

    def _reset_view(self) -> None:
        if self.dag is not None and self.graph is not None:
            self.dag.node_states = {n.id: "pending" for n in self.graph.nodes}
        steps = [
            StepStatus(id=n.id, step=n.name, function=n.function, action=n.action)
            for n in (self.graph.nodes if self.graph else [])
            if n.kind not in ("dag", "steps")
        ]
        self.table.set_steps(steps)
        self.progress.value, self.progress.max = 0, max(1, len(steps))
        self.progress_label.value = f"0/{len(steps)} steps"
        self.banner.value = self.results_pane.value = ""
        self._render_title()
        self._render_buttons()

    # -- RunView (called from the poller thread) -----------------------------------------------

    def run_changed(self, run: WatchedRun, change: RunDiff) -> None:
        with self._lock:
            if change.state is not None:
                self._refresh_history()
            if run is not self.run or run.snapshot is None:
                return
            if self.graph is None and run.graph is not None:
                self._adopt_graph(run.graph)
                change = diff(None, run.snapshot)
            self._apply(change, run.snapshot)

    def connection_changed(self, run: WatchedRun) -> None:
        with self._lock:
            if run is not self.run:
                return
            if run.gone:
                self.notice.value = _box(f"This run no longer exists: {escape(run.gone)}", "warn")
            elif run.connection:
                retry = f" (retrying in {run.retry_in:.0f} s)" if run.retry_in else ""
                self.notice.value = _box(f"Reconnecting…{escape(retry)} {escape(run.connection)}", "warn")
            else:
                self.notice.value = ""
            self._render_buttons()

    # -- drawing ---------------------------------------------------------------------------------

    def _apply(self, change: RunDiff, snap: RunSnapshot) -> None:
        """Send what ``change`` says changed, and nothing else."""
        self._shown = snap
        if change.node_states and self.dag is not None:
            patch = getattr(self.dag, "patch_node_states", None)
            if callable(patch):  # a DagWidget that takes deltas sends only the changed nodes
                patch(change.node_states)
            else:
                self.dag.node_states = {**self.dag.node_states, **change.node_states}
        if change.steps or change.removed:
            if change.removed or set(change.steps) - set(self.table.step_ids):
                self.table.set_steps(snap.steps)
            else:
                self.table.update(change.steps.values())
        if change.progress is not None:
            with self.progress.hold_sync():
                self.progress.max = max(1, snap.total)
                self.progress.value = snap.done
        if change.progress is not None or change.state is not None:
            self.progress_label.value = f"{snap.done}/{snap.total} steps"
            style = _BAR_STYLES.get(snap.state, "info" if snap.state == "RUNNING" else "")
            self.progress.bar_style = style
        if change.failed_step is not None or change.message is not None or change.state is not None:
            failure = failure_line(snap)
            self.banner.value = _box(escape(failure), "error") if failure else ""
        if change.state is not None:
            self._render_buttons()
        if change.state is not None or change.results is not None or (snap.terminal and change.steps):
            self.results_pane.value = self._results_html(snap) if snap.terminal else ""
        self._render_title()
        if self.selected_step is not None and self.selected_step in change.steps:
            self.details.update_info()
            if change.steps[self.selected_step].finished:
                self.details.load_logs(force=True)

    def _render_title(self) -> None:
        snap = self._shown
        name = escape(self.workflow or (snap.workflow if snap else None) or "pipeline")
        if snap is None:
            run = f" · run <code>{escape(self.run.run_id)}</code>" if self.run else ""
            self.title.value = f"<b>{name}</b>{run}"
            return
        elapsed = snap.elapsed()
        parts = [f"<b>{name}</b>", f"run <code>{escape(snap.run_id)}</code>", state_badge(snap.label)]
        if elapsed is not None:
            verb = "took" if snap.terminal else "elapsed"
            parts.append(f"{verb} {escape(format_duration(elapsed))}")
        self.title.value = " · ".join(parts)

    def _render_buttons(self) -> None:
        run = self.run
        live = (
            run is not None
            and run.gone is None
            and (run.snapshot is None or run.snapshot.state in STOPPABLE_RUN_STATES)
        )
        self.stop_button.disabled = not live
        self.rerun_button.disabled = run is None or self._submit is None
        if not live:
            self.confirm.layout.display = "none"

    @staticmethod
    def _results_html(snap: RunSnapshot) -> str:
        rows = [(s.id, k, v) for s in snap.steps for k, v in s.outputs if k != "run_id"]
        rows += [("(run)", k, str(v)) for k, v in snap.results.items()]
        if not rows:
            return f"<div><b>Results</b>: the run {escape(snap.label)}; its steps produced no outputs.</div>"
        body = "".join(
            f"<tr><td>{escape(a)}</td><td><code>{escape(b)}</code></td><td><code>{escape(c)}</code></td></tr>"
            for a, b, c in rows
        )
        return (
            "<div><b>Results</b><table><tr><th style='text-align:left'>step</th><th style='text-align:left'>"
            f"output</th><th style='text-align:left'>value</th></tr>{body}</table></div>"
        )

    # -- selection and stop ------------------------------------------------------------------------

    def _select(self, step_id: str | None) -> None:
        with self._lock:
            if self.run is None:
                return
            self.selected_step = step_id
            self.table.select(step_id)
            if self.dag is not None and step_id is not None and self.dag.selected != step_id:
                self.dag.selected = step_id
            self.details.show(self.run, step_id)

    def _on_dag_selected(self, change: dict) -> None:
        step_id = change.get("new") or None
        if step_id != self.selected_step:
            self._select(step_id)

    def _ask_stop(self) -> None:
        self.confirm.layout.display = ""

    def _hide_confirm(self) -> None:
        self.confirm.layout.display = "none"

    def _do_stop(self) -> None:
        self._hide_confirm()
        if self.run is not None:
            self._guard(self.run.stop)

    # -- the handle --------------------------------------------------------------------------------

    def _current(self) -> WatchedRun:
        if self.run is None:
            raise DhheraError("This panel has no run yet; click Run or call .submit(parameters).")
        return self.run

    @property
    def run_id(self) -> str:
        """Id of the run on display."""
        return self._current().run_id

    @property
    def state(self) -> str:
        """DigitalHub state of the run on display."""
        return self._current().state

    @property
    def nodes(self) -> dict[str, str]:
        """Step id -> node state of the run on display."""
        return self._current().nodes

    @property
    def outputs(self) -> dict[str, dict[str, str]]:
        """Step id -> outputs of the run on display."""
        return self._current().outputs

    @property
    def results(self) -> dict[str, Any]:
        """``status.results`` of the run on display."""
        return self._current().results

    def wait(self, timeout: float | None = None) -> RunPanel:
        """Block until the run on display ends (Ctrl-C stops waiting, not the run); returns the panel."""
        self._current().wait(timeout)
        return self

    def logs(self, step: str | None = None, tail: int | None = None) -> str:
        """Logs of a step's child run (or of the pipeline run when ``step`` is None)."""
        return self._current().logs(step, tail)

    def stop(self) -> None:
        """Stop the run on display (no confirmation: this is the script API)."""
        self._current().stop()

    def close(self) -> None:
        """Stop following every run and close all widgets of the panel."""
        for run in self.runs:
            run.remove_view(self)
            run.close()
        widgets = [
            self.style,
            self.title,
            self.alert,
            self.banner,
            self.notice,
            self.progress,
            self.progress_label,
            self.history,
            self.stop_button,
            self.rerun_button,
            self.confirm_yes,
            self.confirm_no,
            self.form,
            self.form_box,
            self.legend,
            self.table,
            self.details,
            self.results_pane,
            self._dag_box,
            *self.confirm.children,
            self.confirm,
        ]
        if self.dag is not None:
            widgets.append(self.dag)
        for child in self.children:
            widgets.extend(getattr(child, "children", ()))
            widgets.append(child)
        for widget in widgets:
            widget.close()
        super().close()

    def suppress_next_display(self) -> None:
        """Show only the text table the next time the panel is displayed (it was displayed already, e.g. before
        ``--wait``, and returning it from the cell must not draw it twice)."""
        self._text_only_once = True

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        text = render_text(self.run) if self.run is not None else f"RunPanel ({self.workflow or 'pipeline'})"
        if getattr(self, "_text_only_once", False):
            self._text_only_once = False
            return {"text/plain": text}
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return {"text/plain": text}
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/plain": text}, metadata
