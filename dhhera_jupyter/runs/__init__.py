"""Pipeline runs followed from a kernel: the handle scripts use (:class:`WatchedRun`), the poller that keeps it
current, and its text view for terminal IPython. Nothing here imports a widget library."""

from __future__ import annotations

from dhhera_jupyter.runs.text import TextRunView, render_text
from dhhera_jupyter.runs.watched import RunView, WatchedRun, graph_of_run

__all__ = ["RunView", "TextRunView", "WatchedRun", "graph_of_run", "render_text"]
