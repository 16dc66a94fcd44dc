"""ProgressView: the run panel's progress line, sent as counts by outcome and drawn in the browser.

A one-step change in a 1000-step run changes two counts: the kernel sends those few dozen bytes, never markup
(``labextension/src/widgets/progress.ts`` draws the bar and the counts, with the run panel's stylesheet).
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from dhhera_jupyter.runs.progress import FILLING, NOT_RUN, OUTCOMES, Progress
from dhhera_jupyter.widgets._assets import read_static


class ProgressView(anywidget.AnyWidget):
    """Counts of a run's steps by outcome and a bar that fills only with work that ran.

    :attr:`value` is the same line as text (``2 succeeded · 1 failed of 4 steps``), for scripts and tests.
    """

    _esm = traitlets.Unicode().tag(sync=True)

    counts = traitlets.List(traitlets.List()).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    # Sent once with the widget: which outcomes fill the bar, and the name of steps a finished run never ran.
    filling = traitlets.List(traitlets.Unicode(), default_value=[s for s in OUTCOMES if s in FILLING]).tag(sync=True)
    not_run = traitlets.Unicode(NOT_RUN).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_esm=read_static("run_progress.js"), **kwargs)
        self.add_class("dhhera-RunPanel-progressView")

    def show(self, progress: Progress) -> None:
        """Show ``progress`` (nothing is sent when it is unchanged)."""
        counts = [[state, n] for state, n in progress.counts]
        with self.hold_sync():
            if counts != self.counts:
                self.counts = counts
            self.total = progress.total

    @property
    def value(self) -> str:
        """The progress as one line of text."""
        noun = "step" if self.total == 1 else "steps"
        parts = " · ".join(f"{n} {state}" for state, n in self.counts)
        return f"{parts} of {self.total} {noun}".strip()
