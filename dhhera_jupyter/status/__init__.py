"""Pipeline run status -> per-step states, progress and diffs. Pure: no SDK, no Jupyter.

>>> snap = snapshot(run_json, graph)        # doctest: +SKIP
>>> changes = diff(previous, snap)          # doctest: +SKIP
"""

from __future__ import annotations

from dhhera_jupyter.status.diff import RunDiff, diff
from dhhera_jupyter.status.mapping import NodeMapper, NodeMatch
from dhhera_jupyter.status.names import NodeName, parse_node_name, step_label
from dhhera_jupyter.status.phases import NODE_STATES, node_state, run_is_terminal, run_label
from dhhera_jupyter.status.snapshot import RunSnapshot, StepStatus, parse_time, snapshot

__all__ = [
    "NODE_STATES",
    "NodeMapper",
    "NodeMatch",
    "NodeName",
    "RunDiff",
    "RunSnapshot",
    "StepStatus",
    "diff",
    "node_state",
    "parse_node_name",
    "parse_time",
    "run_is_terminal",
    "run_label",
    "snapshot",
    "step_label",
]
