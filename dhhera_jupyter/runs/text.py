"""A pipeline run as a text table, for terminal IPython and plain scripts (refreshed in place on a TTY)."""

from __future__ import annotations

import sys
import threading
from typing import Any, Protocol, TextIO

from dhhera_jupyter.runs.progress import counts_line
from dhhera_jupyter.status import RunDiff, RunSnapshot, step_label
from dhhera_jupyter.status.names import label_names
from dhhera_jupyter.status.timefmt import format_clock, format_duration


class ShownRun(Protocol):
    """What the text view reads of a run (a :class:`~dhhera_jupyter.runs.watched.WatchedRun`)."""

    run_id: str
    project: str | None
    snapshot: RunSnapshot | None
    gone: str | None
    connection: str | None

    def add_view(self, view: Any) -> None: ...

    def remove_view(self, view: Any) -> None: ...


_MARKS = {
    "pending": "·",
    "running": "▶",
    "succeeded": "✔",
    "failed": "✘",
    "error": "✘",
    "skipped": "-",
    "omitted": "-",
    "stopped": "■",
}

_COLUMNS = ("STEP", "FUNCTION", "ACTION", "STATE", "START", "DURATION", "OUTPUTS", "CHILD RUN")


def summary_line(snap: RunSnapshot, workflow: str | None = None) -> str:
    """``Pipeline run <id> (workflow w): running · 2 succeeded · 1 running · 1 pending of 4 steps · 12.0 s``."""
    name = workflow or snap.workflow
    parts = [snap.label, counts_line(snap)]
    elapsed = snap.elapsed()
    if elapsed is not None:
        parts.append(format_duration(elapsed))
    head = f"Pipeline run {snap.run_id}" + (f" (workflow {name})" if name else "")
    return f"{head}: {' · '.join(parts)}"


def failure_line(snap: RunSnapshot) -> str | None:
    """The error banner text: names the failed step and says why; None when nothing failed."""
    if snap.failed_step is not None:
        step = snap.step(snap.failed_step)
        why = label_names(step.message or snap.message or "see its logs")
        return f"Step '{step_label(step.step)}' failed: {why}"
    if snap.state == "ERROR":
        return f"The run failed: {label_names(snap.message or 'no message')}"
    return None


def _row(step: Any) -> tuple[str, ...]:
    outputs = ", ".join(f"{k}={v}" for k, v in step.outputs if k != "run_id")
    state = f"{_MARKS.get(step.state, '?')} {step.state}"
    if step.items:
        state += f" {step.items_done}/{step.items}"
    return (
        step_label(step.step),
        step.function or "",
        step.action or "",
        state,
        format_clock(step.start),
        format_duration(step.duration),
        outputs,
        step.run_id or "",
    )


def render_text(run: ShownRun, width: int = 160) -> str:
    """The whole run as text: summary line, step table, failure and connection notes."""
    snap = run.snapshot
    if snap is None:
        return f"Pipeline run {run.run_id}: {run.gone or 'waiting for the first status'}"
    rows = [_COLUMNS, *(_row(s) for s in snap.steps)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = [summary_line(snap)]
    for row in rows:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    failure = failure_line(snap)
    if failure:
        lines.append(f"! {failure}")
    if run.gone:
        lines.append(f"! {run.gone}")
    elif run.connection:
        lines.append(f"… reconnecting ({run.connection})")
    if snap.terminal and snap.results:
        lines.append("results: " + ", ".join(f"{k}={v}" for k, v in snap.results.items()))
    return "\n".join(lines)


class TextRunView:
    """Prints a run and reprints it on every change: in place on a terminal, appended otherwise.

    Parameters
    ----------
    run : ShownRun
        The run to show (a :class:`~dhhera_jupyter.runs.watched.WatchedRun`).
    stream : file, optional
        Where to write (default ``sys.stdout``).
    """

    def __init__(self, run: ShownRun, stream: TextIO | None = None, read_service: Any = None) -> None:
        self.run = run
        self.stream = stream or sys.stdout
        self._lines = 0
        self._lock = threading.Lock()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._read_service = read_service
        self._services: list[str] | None = None  # read once, when the run has ended
        self._services_lock = threading.Lock()
        run.add_view(self)

    def show(self) -> None:
        """Print the current table (replacing the previous one on a terminal); once the run has ended, with the
        services its serve steps started (they keep running after it)."""
        text = render_text(self.run)
        snap = self.run.snapshot
        if snap is not None and snap.terminal:
            with self._services_lock:  # the poller's thread and the caller's may both get here first
                if self._services is None:
                    self._services = self._service_lines(snap)
        if self._services:
            text += "\n" + "\n".join(self._services)
        with self._lock:
            if self._tty and self._lines:
                self.stream.write(f"\x1b[{self._lines}F\x1b[J")
            self.stream.write(text + "\n")
            self.stream.flush()
            self._lines = text.count("\n") + 1

    def _service_lines(self, snap: RunSnapshot) -> list[str]:
        from dhhera_jupyter.errors import DhheraError
        from dhhera_jupyter.platform import services

        read = self._read_service or services.read_service
        lines = []
        for step in snap.steps:
            if not services.is_serve_step(step):
                continue
            try:
                lines.append(services.service_line(step_label(step.step), read(str(step.run_id), self.run.project)))
            except DhheraError as exc:
                lines.append(f"service {step_label(step.step)}: {exc}")
        return lines

    def run_changed(self, run: ShownRun, change: RunDiff) -> None:
        self.show()

    def connection_changed(self, run: ShownRun) -> None:
        self.show()

    def detach(self, clear: bool = False) -> None:
        """Stop reprinting; with ``clear``, erase the table from a terminal (the caller prints the final one)."""
        self.run.remove_view(self)
        with self._lock:
            if clear and self._tty and self._lines:
                self.stream.write(f"\x1b[{self._lines}F\x1b[J")
                self.stream.flush()
                self._lines = 0
