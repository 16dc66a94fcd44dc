"""The run panel's "Retry failed steps" button, and the "retry of …" link of a run that is a retry.

The button shows for a finished run that can be retried (a pipeline run that ended failed or stopped, on the
local core) and starts its retry (:mod:`dhhera_jupyter.platform.retry`); the panel then follows the new run.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from dhhera_jupyter.documents.retry import retry_of
from dhhera_jupyter.runs import WatchedRun

if TYPE_CHECKING:
    from dhhera_jupyter.widgets.run_panel import RunPanel


class RetryAction:
    """The button and the link, for one panel (``widgets`` go in its toolbar; :meth:`render` on every change)."""

    def __init__(self, panel: RunPanel) -> None:
        self.panel = panel
        self.button = w.Button(
            description="Retry failed steps",
            tooltip="Start a new run that re-executes only the failed, stopped and omitted steps and what depends "
            "on them, reusing the outputs of the steps that succeeded",
            icon="redo",
            layout=w.Layout(display="none"),
        )
        self.button.add_class("dhhera-RunPanel-action")
        self.button.add_class("dhhera-RunPanel-retry")
        self.button.on_click(lambda _b: panel._guard(self.retry))
        self.link = w.HTML(layout=w.Layout(display="none"))
        self.link.add_class("dhhera-RunPanel-retryOf")
        self.widgets = (self.button, self.link)

    def render(self) -> None:
        """Show the button when the run on display can be retried, the link when it is a retry."""
        from dhhera_jupyter.platform.retry import retryable

        run = self.panel.run
        doc = run.doc if run is not None and run.gone is None else None
        can = doc is not None and retryable(dict(doc)) is None
        self.button.layout.display = "" if can else "none"
        original = retry_of(doc)
        html = (
            f"<span class='dhhera-RunPanel-meta'>retry of <code title='{escape(original, quote=True)}'>"
            f"{escape(original[:12])}</code></span>"
            if original
            else ""
        )
        if self.link.value != html:
            self.link.value = html
        self.link.layout.display = "" if html else "none"

    def retry(self) -> Any:
        """Start the retry of the run on display and follow it in the panel."""
        from dhhera_jupyter.platform.retry import retry

        run = self.panel._current()
        doc = retry(run.run_id, run.project)
        return self.panel.add_run(WatchedRun(str(doc["id"]), run.project, run.graph, doc=doc))
