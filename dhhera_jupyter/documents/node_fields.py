"""The fields of a node of a workflow run's ``status.nodes``: DHCore's ``NodeStatusDTO`` (contract §5.3).

One list of them; the executor emits nodes in this key order, the platform profile keeps only these, the
tests check nodes against them.
"""

from __future__ import annotations

#: The ``NodeStatusDTO`` fields DHCore fills, in the order the executor emits them.
NODE_FIELDS = (
    "id",
    "name",
    "display_name",
    "type",
    "children",
    "state",
    "start_time",
    "end_time",
    "exit_code",
    "inputs",
    "outputs",
)

#: The ``NodeStatusDTO`` fields filled from a step's template labels: declared by DHCore but never set there
#: (no dsl sets those labels); the local executor sets them from the labels this package's dsl writes.
NODE_LABEL_FIELDS = ("function", "function_id", "action", "run_id")
