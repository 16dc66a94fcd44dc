"""Notebook widgets: the pipeline diagram (and, later, the run panel and its poller)."""

from __future__ import annotations

from dhhera_jupyter.widgets.dag import NODE_STATES, DagWidget

__all__ = ["NODE_STATES", "DagWidget"]
