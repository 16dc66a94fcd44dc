"""RunPanel: a view over pipeline runs (:class:`~dhhera_jupyter.runs.WatchedRun`), with the live DAG, truthful
progress, the step table, the selected step's data and log, Stop and Re-run.

Composed of standard ipywidgets, the DagWidget and the LogView. Updates arrive from the kernel's poller thread as
diffs, and only the widgets whose content changed send anything to the browser; clocks tick in the browser.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import ipywidgets as w

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.graph.model import PipelineGraph
from dhhera_jupyter.runs import WatchedRun, render_text
from dhhera_jupyter.runs.progress import Progress, progress_of
from dhhera_jupyter.runs.text import failure_line
from dhhera_jupyter.status import RunDiff, RunSnapshot, StepStatus, diff, step_label
from dhhera_jupyter.status.phases import NODE_STATES, STOPPABLE_RUN_STATES
from dhhera_jupyter.status.timefmt import format_clock, format_duration
from dhhera_jupyter.widgets._assets import read_static
from dhhera_jupyter.widgets.retry_action import RetryAction
from dhhera_jupyter.widgets.run_details import StepDetails
from dhhera_jupyter.widgets.run_form import ParametersForm, ParametersSection
from dhhera_jupyter.widgets.run_progress import ProgressView
from dhhera_jupyter.widgets.run_services import ServicesBox
from dhhera_jupyter.widgets.run_table import StepTable, short_key, state_dot, state_pill

Submit = Callable[[dict[str, Any]], WatchedRun]


def legend_html() -> str:
    """The legend of node states, in the palette the DAG, the table and the sidebar use."""
    items = "".join(f"<span>{state_dot(s)}</span>" for s in NODE_STATES)
    return f"<div class='dhhera-RunPanel-legend'>{items}</div>"


def _box(text: str, kind: str) -> str:
    """A banner: ``kind`` is ``error`` or ``warn``; ``text`` must be escaped already."""
    return f"<div class='dhhera-RunPanel-box dhhera-{kind}'>{text}</div>"


def _say(slot: w.HTML, html: str) -> None:
    """Show ``html`` in a message slot; an empty slot is hidden so it leaves no gap."""
    slot.value = html
    slot.layout.display = "" if html else "none"


def _action(description: str, tooltip: str, icon: str = "") -> w.Button:
    button = w.Button(description=description, tooltip=tooltip, icon=icon)
    button.add_class("dhhera-RunPanel-action")
    return button


def close_tree(widget: Any) -> None:
    """Close ``widget`` and every widget under it."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


class RunPanel(w.VBox):
    """A pipeline's runs: parameters form, live DAG, progress, step table, step data and logs, Stop and Re-run.

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
    The panel shows runs; :attr:`run` is the handle of the one on display. For scripts the panel also answers
    ``.wait()``, ``.state``, ``.nodes``, ``.outputs``, ``.logs(step)`` and ``.stop()`` by asking that handle.
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
        self._text_only_once = False

        self.style = w.HTML(f"<style>{read_static('run_panel.css')}</style>", layout=w.Layout(display="none"))
        self.title = w.HTML()
        # Message slots take no room while empty (see _say).
        self.alert = w.HTML(layout=w.Layout(display="none"))
        self.banner = w.HTML(layout=w.Layout(display="none"))
        self.notice = w.HTML(layout=w.Layout(display="none"))
        self.progress = ProgressView()
        self._syncing_history = False
        self.history = w.Dropdown(options=[], tooltip="The runs of this panel")
        self.history.add_class("dhhera-RunPanel-history")
        self.history.add_class("dhhera-hidden")
        self.history.observe(self._on_history, names="value")
        self.stop_button = _action("Stop", "Stop the run on display", "stop")
        self.stop_button.add_class("dhhera-RunPanel-stop")
        self.stop_button.disabled = True
        self.rerun_button = _action("Re-run", "Start a new run with the same parameters", "repeat")
        self.rerun_button.disabled = True
        self.confirm_yes = _action("Stop the run", "Interrupt the running steps")
        self.confirm_yes.add_class("dhhera-RunPanel-stop")
        self.confirm_no = _action("Cancel", "Keep the run going")
        self.confirm = w.HBox(
            [w.HTML("Stop this run? Running steps are interrupted."), self.confirm_yes, self.confirm_no]
        )
        self.confirm.add_class("dhhera-RunPanel-toolbar")
        self.confirm.layout.display = "none"
        self.stop_button.on_click(lambda _b: self._ask_stop())
        self.confirm_yes.on_click(lambda _b: self._do_stop())
        self.confirm_no.on_click(lambda _b: self._hide_confirm())
        self.rerun_button.on_click(lambda _b: self._guard(self.rerun))
        self.form = ParametersForm(declared or {}, lambda values: self._guard(lambda: self.submit(values)))
        self.form.run_button.add_class("dhhera-RunPanel-action")
        self.form.run_button.add_class("dhhera-RunPanel-primary")
        self.form.add_class("dhhera-RunPanel-form")
        self.form_box = ParametersSection(self.form, can_submit=submit is not None)
        if submit is None:
            self.rerun_button.layout.display = "none"
        self.retry_action = RetryAction(self)
        self.toolbar = w.HBox([self.stop_button, self.rerun_button, *self.retry_action.widgets, self.history])
        self.toolbar.add_class("dhhera-RunPanel-toolbar")
        self.dag = self._make_dag(graph)
        self.legend = w.HTML(legend_html())
        self.table = StepTable(self._select)
        self.details = StepDetails()
        self.results_pane = w.HTML()
        self.services = ServicesBox()
        self._graph_box = w.VBox([self.dag, self.legend] if self.dag is not None else [self.legend])
        self._graph_box.add_class("dhhera-RunPanel-graph")
        self._main = w.HBox([self._graph_box, self.details])
        self._main.add_class("dhhera-RunPanel-main")
        super().__init__(
            [
                self.style,
                self.title,
                self.toolbar,
                self.confirm,
                self.progress,
                self.alert,
                self.notice,
                self.banner,
                self.services,
                self.form_box,
                self._main,
                self.table,
                self.results_pane,
            ]
        )
        self.add_class("dhhera-RunPanel")
        self._render_title()

    # -- building blocks -----------------------------------------------------------------------

    def _make_dag(self, graph: PipelineGraph | None) -> Any:
        if graph is None:
            return None
        from dhhera_jupyter.widgets.dag import DagWidget

        dag = DagWidget.from_graph(graph, node_states={n.id: "pending" for n in graph.nodes}, details="none")
        dag.observe(self._on_dag_selected, names="selected")
        return dag

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a button's action; its error is shown in the panel (button callbacks have nowhere to raise)."""
        _say(self.alert, "")
        try:
            action()
        except DhheraError as exc:
            _say(self.alert, _box(escape(str(exc)), "error"))

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
        self._graph_box.children = [self.dag, self.legend]

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
        # Hidden, never removed: the toolbar keeps its place when a second run arrives.
        if len(self.runs) > 1:
            self.history.remove_class("dhhera-hidden")
        else:
            self.history.add_class("dhhera-hidden")

    @staticmethod
    def _run_label(run: WatchedRun) -> str:
        snap = run.snapshot
        started = format_clock(snap.started) if snap else ""
        return f"{run.run_id[:8]} · {snap.label if snap else 'starting'}" + (f" · {started}" if started else "")

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
            _say(self.notice, "")
            self.form_box.show(run.snapshot.parameters if run.snapshot is not None else {})
            if run.snapshot is not None:
                self.form.set_values(run.snapshot.parameters)
                self._apply(diff(None, run.snapshot), run.snapshot)
            else:
                self._reset_view()
            self.connection_changed(run)

    def _reset_view(self) -> None:
        graph = self.graph
        if self.dag is not None and graph is not None:
            self.dag.node_states = {n.id: "pending" for n in graph.nodes}
        steps = [
            StepStatus(id=n.id, step=n.name, function=n.function, action=n.action)
            for n in (graph.nodes if graph else [])
            if n.kind not in ("dag", "steps")
        ]
        self.table.set_steps(steps)
        self.services.show((self.run.project if self.run else None) or "", ())
        self.progress.show(Progress((("pending", len(steps)),) if steps else (), len(steps)))
        _say(self.banner, "")
        self.results_pane.value = ""
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
                _say(self.notice, _box(f"This run no longer exists: {escape(run.gone)}", "warn"))
            elif run.connection:
                retry = f" (retrying in {run.retry_in:.0f} s)" if run.retry_in else ""
                _say(self.notice, _box(f"Reconnecting…{escape(retry)} {escape(run.connection)}", "warn"))
            else:
                _say(self.notice, "")
            self._render_buttons()

    # -- drawing ---------------------------------------------------------------------------------

    def _apply(self, change: RunDiff, snap: RunSnapshot) -> None:
        """Send what ``change`` says changed, and nothing else."""
        self._shown = snap
        self.form_box.show(snap.parameters)  # traitlets send nothing when the text is the same
        if change.node_states and self.dag is not None:
            self.dag.patch_node_states(change.node_states)
        if change.steps or change.removed:
            if change.removed or set(change.steps) - set(self.table.step_ids):
                self.table.set_steps(snap.steps)
            else:
                self.table.update(change.steps.values())
            if self.run is not None:
                self.services.show(self.run.project or "", snap.steps)  # serve steps: their services outlive the run
        if change.progress is not None or change.state is not None or change.steps:
            self.progress.show(progress_of(snap))
        if change.failed_step is not None or change.message is not None or change.state is not None:
            failure = failure_line(snap)
            _say(self.banner, _box(escape(failure), "error") if failure else "")
        if change.state is not None:
            self._render_buttons()
        if change.state is not None or change.results is not None or (snap.terminal and change.steps):
            self.results_pane.value = self._results_html(snap) if snap.terminal else ""
        self._render_title()
        if self.selected_step is not None and self.selected_step in change.steps:
            self.details.step_changed()

    def _render_title(self) -> None:
        snap = self._shown
        workflow = self.workflow or (snap.workflow if snap else None) or "pipeline"
        name = f"<span class='dhhera-RunPanel-name'>{escape(workflow)}</span>"
        if snap is None:
            run = (
                f"<span class='dhhera-RunPanel-meta'>run <code>{escape(self.run.run_id)}</code></span>"
                if self.run
                else ""
            )
            self.title.value = f"<div class='dhhera-RunPanel-header'>{name}{run}</div>"
            return
        meta = [f"run <code title='{escape(snap.run_id, quote=True)}'>{escape(snap.run_id[:12])}</code>"]
        if snap.started:
            meta.append(f"started {escape(format_clock(snap.started))}")
            if snap.terminal:
                meta.append(f"took {escape(format_duration(snap.elapsed()))}")
            else:
                # The browser ticks this clock (common/clock.ts): no kernel message per second.
                since = escape(snap.started, quote=True)
                # Its text does not depend on the time of the poll, so an unchanged run re-sends nothing.
                meta.append(f"elapsed <span class='dhhera-Clock' data-since='{since}'>…</span>")
        badge = state_pill(snap.label)
        self.title.value = (
            f"<div class='dhhera-RunPanel-header'>{name}{badge}"
            f"<span class='dhhera-RunPanel-meta'>{' · '.join(meta)}</span></div>"
        )

    def _render_buttons(self) -> None:
        run = self.run
        live = (
            run is not None
            and run.gone is None
            and (run.snapshot is None or run.snapshot.state in STOPPABLE_RUN_STATES)
        )
        self.stop_button.disabled = not live
        self.rerun_button.disabled = run is None or self._submit is None
        self.retry_action.render()
        if not live:
            self.confirm.layout.display = "none"

    @staticmethod
    def _results_html(snap: RunSnapshot) -> str:
        rows = [(step_label(s.step), k, v) for s in snap.steps for k, v in s.outputs if k != "run_id"]
        rows += [("(run)", k, str(v)) for k, v in snap.results.items()]
        if not rows:
            return (
                f"<div class='dhhera-RunPanel-results'><b>Results</b>: the run {escape(snap.label)}; "
                "its steps produced no outputs.</div>"
            )
        body = "".join(
            f"<tr><td>{escape(a)}</td><td><code>{escape(b)}</code></td>"
            f"<td><code title='{escape(c, quote=True)}'>{escape(short_key(c))}</code></td></tr>"
            for a, b, c in rows
        )
        return (
            "<div class='dhhera-RunPanel-results'><b>Results</b><table><tr><th>step</th><th>output</th>"
            f"<th>value</th></tr>{body}</table></div>"
        )

    # -- selection and stop ------------------------------------------------------------------------

    def _select(self, step_id: str | None) -> None:
        with self._lock:
            if self.run is None:
                return
            self.selected_step = step_id
            self.table.select(step_id)
            if self.dag is not None and (step_id or "") != self.dag.selected:
                self.dag.selected = step_id or ""
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

    # -- the handle of the run on display ----------------------------------------------------------

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
        """Step name -> node state of the run on display."""
        return self._current().nodes

    @property
    def outputs(self) -> dict[str, dict[str, str]]:
        """Step name -> outputs of the run on display."""
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
        """Stop following every run and close every widget of the panel."""
        for run in self.runs:
            run.remove_view(self)
            run.close()
        for child in self.children:
            close_tree(child)
        for widget in (self.dag, self.confirm):
            if widget is not None:
                close_tree(widget)
        super().close()

    # -- display -------------------------------------------------------------------------------------

    def suppress_next_display(self) -> None:
        """Show nothing the next time the panel is displayed (it is on display already, e.g. before ``--wait``,
        and returning it from the cell must not draw it again, nor print its text under it)."""
        self._text_only_once = True

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self._text_only_once:
            self._text_only_once = False
            return
        data, metadata = self._repr_mimebundle_()
        display(data, metadata=metadata, raw=True)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        text = render_text(self.run) if self.run is not None else f"RunPanel ({self.workflow or 'pipeline'})"
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return {"text/plain": text}, {}
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/plain": text}, metadata
