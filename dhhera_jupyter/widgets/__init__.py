"""Notebook widgets: the pipeline diagram (DagWidget), the run panel (RunPanel, a view over
:class:`dhhera_jupyter.runs.WatchedRun`) and the step log (LogView). Importing this package loads anywidget;
the run handle and its text view live in :mod:`dhhera_jupyter.runs`, which does not."""

from __future__ import annotations

from dhhera_jupyter.widgets.dag import NODE_STATES, DagWidget

__all__ = ["NODE_STATES", "DagWidget"]
