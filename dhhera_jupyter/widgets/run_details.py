"""The run panel's step pane: a selected step's data (inputs, outputs, timing), then its log, following it live."""

from __future__ import annotations

import threading
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as w

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.status import StepStatus, step_label
from dhhera_jupyter.status.names import label_names
from dhhera_jupyter.status.timefmt import format_clock
from dhhera_jupyter.widgets.debug_action import DebugAction
from dhhera_jupyter.widgets.log_view import LOG_TAIL, LogView
from dhhera_jupyter.widgets.output_preview import OutputPreviews
from dhhera_jupyter.widgets.run_table import clock_html, short_key, state_pill

if TYPE_CHECKING:
    from dhhera_jupyter.platform.logs import LogTail
    from dhhera_jupyter.runs.watched import WatchedRun

#: Seconds between two reads of a running step's log while it is selected.
FOLLOW_INTERVAL = 1.0


def _pairs(pairs: tuple[tuple[str, str], ...], keys: bool = False) -> str:
    if not pairs:
        return "<i>none</i>"
    return "<br>".join(
        f"<code>{escape(k)}</code> = <code title='{escape(v, quote=True)}'>{escape(short_key(v) if keys else v)}</code>"
        for k, v in pairs
    )


def step_heading(step: StepStatus) -> str:
    """The step pane's title: the name the user gave the step (its Argo task id in the tooltip), escaped."""
    task = escape(step.id, quote=True)
    return f"<h4 class='dhhera-RunPanel-stepTitle' title='{task}'>{escape(step_label(step.step))}</h4>"


def _fact(label: str, value: str) -> str:
    return f"<tr><th class='dhhera-Label'>{label}</th><td>{value}</td></tr>"


def _ids(ids: list[str] | tuple[str, ...]) -> str:
    """Run ids whole in the text (a click selects one for copying), cut with an ellipsis on screen."""
    if not ids:
        return "-"
    return "".join(f"<code class='dhhera-Id' title='{escape(i, quote=True)}'>{escape(i)}</code>" for i in ids)


def step_html(step: StepStatus) -> str:
    """Data first (state, function, inputs, outputs, timing, message), Argo internals folded; all escaped."""
    items = f" {step.items_done}/{step.items} items" if step.items else ""
    rows = [
        ("state", state_pill(step.state, step.state + items)),
        ("function", escape(f"{step.function or '-'}" + (f" · {step.action}" if step.action else ""))),
        ("inputs", _pairs(step.inputs, keys=True)),
        ("outputs", _pairs(tuple((k, v) for k, v in step.outputs if k != "run_id"), keys=True)),
        ("started", escape(format_clock(step.start) or "-")),
        ("duration", clock_html(step.start, step.end, step.duration) or "-"),
    ]
    if step.message:
        rows.append(("message", f"<span class='dhhera-RunPanel-message'>{escape(label_names(step.message))}</span>"))
    argo = [("task", escape(step.id)), ("child runs", _ids(step.run_ids))]
    if step.phase:
        argo.append(("phase", escape(step.phase)))
    if step.exit_code:
        argo.append(("exit code", escape(step.exit_code)))
    body = "".join(_fact(k, v) for k, v in rows)
    folded = "".join(_fact(k, v) for k, v in argo)
    return (
        f"<table class='dhhera-RunPanel-facts'>{body}</table>"
        f"<details class='dhhera-RunPanel-argo'><summary class='dhhera-Label'>Argo</summary>"
        f"<table class='dhhera-RunPanel-facts'>{folded}</table></details>"
    )


def _byte_size(size: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def cut_note(tail: LogTail, step: str) -> str:
    """Say when the view leaves out the beginning of a log, and how to read all of it (empty when it shows all).

    The panel reads the last bytes of a log (:data:`dhhera_jupyter.platform.logs.DEFAULT_TAIL`) and shows its last
    :data:`~dhhera_jupyter.widgets.log_view.LOG_TAIL` lines.
    """
    lines = tail.text.count("\n") + (0 if tail.text.endswith("\n") or not tail.text else 1)
    if not tail.truncated and lines <= LOG_TAIL:
        return ""
    shown = f"last {LOG_TAIL} lines" if lines > LOG_TAIL else f"last {_byte_size(len(tail.text.encode()))}"
    return f"showing the {shown} of {_byte_size(tail.size)}; all of it: panel.logs({step!r})"


class StepDetails(w.VBox):
    """Details of one step and its log; a running step's log follows its tail (only new text is sent)."""

    def __init__(self) -> None:
        self.heading = w.HTML()
        self.info = w.HTML()
        self.log_view = LogView()
        self.debug_action = DebugAction()
        self.previews = OutputPreviews()
        self.run: WatchedRun | None = None
        self.step_id: str | None = None
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._follower: threading.Thread | None = None
        self._closed = False
        # The action sits under the title, where the sidebar's step details have it too.
        super().__init__([self.heading, self.debug_action, self.info, self.previews, self.log_view])
        self.add_class("dhhera-RunPanel-details")
        self.layout.display = "none"

    def show(self, run: WatchedRun, step_id: str | None) -> None:
        """Show ``step_id`` of ``run`` (None hides the pane) and load its log."""
        self.debug_action.show(run, step_id)
        with self._lock:
            if step_id is None:
                self.layout.display = "none"
                self.run, self.step_id = run, None
                self.log_view.following = False
                return
            changed = (run, step_id) != (self.run, self.step_id)
            self.run, self.step_id = run, step_id
            self.layout.display = ""
            self.update_info()
            if changed:
                self.load_logs(fresh=True)
        self._follow_if_running()

    def update_info(self) -> None:
        """Re-render the step's facts (called when the step changes)."""
        step = self._step()
        if step is not None:
            self.heading.value = step_heading(step)
            self.info.value = step_html(step)
            self.previews.set_outputs(step.outputs)

    def _step(self) -> StepStatus | None:
        if self.run is None or self.step_id is None:
            return None
        try:
            return self.run.step(self.step_id)
        except DhheraError as exc:
            self.info.value = f"<i>{escape(str(exc))}</i>"
            return None

    def load_logs(self, fresh: bool = False) -> None:
        """Read the end of the step's log (one bounded read): show it when ``fresh``, else send what was appended
        since the last read."""
        with self._lock:
            run, step_id = self.run, self.step_id
        if run is None or step_id is None:
            return
        try:
            tail = run.log_tail(step_id)
        except Exception as exc:  # noqa: BLE001 - the pane says what went wrong, the panel lives on
            self.log_view.show("", "Log", f"not available: {exc}")
            return
        with self._lock:
            if (run, step_id) != (self.run, self.step_id):
                return  # another step was selected meanwhile
            if tail is None:
                self.log_view.show("", "Log", "no run yet")
                return
            note = cut_note(tail, step_id)
            if fresh:
                self.log_view.show(tail.text, "Log", note, tail.size)
            else:
                self.log_view.follow_tail(tail.text, tail.size, note)

    def step_changed(self) -> None:
        """The selected step changed in the run: redraw its facts; read its log one last time once it finished."""
        step = self._step()
        if step is None:
            return
        self.update_info()
        if step.finished:
            self.load_logs()
        self._follow_if_running()

    def _follow_if_running(self) -> None:
        step = self._step()
        running = step is not None and not step.finished and not self._closed
        self.log_view.following = running
        if running and (self._follower is None or not self._follower.is_alive()):
            self._follower = threading.Thread(target=self._follow, name="dhhera-log-follow", daemon=True)
            self._follower.start()
        self._wake.set()

    def _follow(self) -> None:
        """Read the selected running step's log every :data:`FOLLOW_INTERVAL` seconds until it finishes."""
        while not self._closed:
            self._wake.wait(FOLLOW_INTERVAL)
            self._wake.clear()
            step = self._step() if not self._closed else None
            if step is None or step.finished:
                self.log_view.following = False
                return
            self.load_logs()

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        for widget in (self.heading, self.info, self.debug_action, self.previews, self.log_view):
            widget.close()
        super().close()
