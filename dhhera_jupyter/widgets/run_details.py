"""The run panel's step pane: a selected step's inputs, outputs, message and the tail of its logs."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as w

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.status import StepStatus, step_label
from dhhera_jupyter.widgets.run_table import state_badge
from dhhera_jupyter.widgets.run_text import format_clock, format_duration

if TYPE_CHECKING:
    from dhhera_jupyter.widgets.watched_run import WatchedRun

#: Log lines shown at first, and added by each "load more".
LOG_TAIL = 40
LOG_MORE = 200


def _pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return "<i>none</i>"
    return "<br>".join(f"<code>{escape(k)}</code> = <code>{escape(v)}</code>" for k, v in pairs)


def step_html(step: StepStatus) -> str:
    """Inputs, outputs, timing, child run and message of a step, escaped."""
    rows = [
        ("state", state_badge(step.state, f" {step.items_done}/{step.items} items" if step.items else "")),
        ("function", escape(f"{step.function or '-'} ({step.action or '-'})")),
        ("started", escape(format_clock(step.start) or "-")),
        ("duration", escape(format_duration(step.duration) or "-")),
        ("child run", escape(", ".join(step.run_ids) or "-")),
        ("inputs", _pairs(step.inputs)),
        ("outputs", _pairs(step.outputs)),
    ]
    if step.exit_code:
        rows.append(("exit code", escape(step.exit_code)))
    if step.message:
        rows.append(("message", f"<span style='color:var(--jp-error-color1)'>{escape(step.message)}</span>"))
    body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    title = escape(step_label(step.step)) + (
        f" <code>{escape(step.id)}</code>" if step_label(step.step) != step.id else ""
    )
    return f"<h4 style='margin:0.4em 0'>Step {title}</h4><table>{body}</table>"


class StepDetails(w.VBox):
    """Details of one step and the tail of its logs, with "load more" and "refresh"."""

    def __init__(self) -> None:
        self.info = w.HTML()
        self.log_view = w.HTML()
        self.more = w.Button(description="Load more", icon="angle-double-up", tooltip="Show older log lines")
        self.refresh = w.Button(description="Refresh logs", icon="refresh")
        self.more.on_click(lambda _b: self._load_more())
        self.refresh.on_click(lambda _b: self.load_logs(force=True))
        self.run: WatchedRun | None = None
        self.step_id: str | None = None
        self._lines = LOG_TAIL
        self._text: str | None = None
        super().__init__([self.info, w.HBox([self.more, self.refresh]), self.log_view])
        self.add_class("dhhera-RunPanel-details")
        self.layout.display = "none"

    def show(self, run: WatchedRun, step_id: str | None) -> None:
        """Show ``step_id`` of ``run`` (None hides the pane) and load its log tail."""
        if step_id is None:
            self.layout.display = "none"
            self.run, self.step_id = run, None
            return
        changed = (run, step_id) != (self.run, self.step_id)
        self.run, self.step_id = run, step_id
        if changed:
            self._lines, self._text = LOG_TAIL, None
        self.layout.display = ""
        self.update_info()
        self.load_logs(force=changed)

    def update_info(self) -> None:
        """Re-render the step's facts (called when the step changes)."""
        if self.run is None or self.step_id is None:
            return
        try:
            self.info.value = step_html(self.run.step(self.step_id))
        except DhheraError as exc:
            self.info.value = f"<i>{escape(str(exc))}</i>"

    def load_logs(self, force: bool = False) -> None:
        """Fetch the step's logs (once, or again when ``force``) and show the tail."""
        if self.run is None or self.step_id is None:
            return
        if self._text is None or force:
            try:
                self._text = self.run.logs(self.step_id)
            except Exception as exc:  # noqa: BLE001 - the pane says what went wrong, the panel lives on
                self._text = None
                self.log_view.value = f"<i>Logs not available: {escape(str(exc))}</i>"
                return
        self._render_log()

    def _load_more(self) -> None:
        self._lines += LOG_MORE
        self._render_log()

    def _render_log(self) -> None:
        lines = (self._text or "").splitlines()
        shown = lines[-self._lines :]
        self.more.disabled = len(shown) >= len(lines)
        head = f"{len(shown)} of {len(lines)} log lines" if lines else "no log lines yet"
        self.log_view.value = (
            f"<div style='color:var(--jp-ui-font-color2)'>{escape(head)}</div>"
            f"<pre style='max-height:20em;overflow:auto;margin:0'>{escape(chr(10).join(shown))}</pre>"
        )

    def close(self) -> None:
        for widget in (self.info, self.log_view, self.more, self.refresh, *self.children):
            widget.close()
        super().close()
