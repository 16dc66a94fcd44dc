"""Run kinds and run states of DigitalHub, and the states a pipeline step (graph node) is drawn in.

One definition of each set; the core's state machine, the poller, the sidebar and the magics read
them from here.
"""

from __future__ import annotations

# -- run kinds -------------------------------------------------------------------------------------

#: Kind of the workflows this package registers (``hera://project/name:id``).
WORKFLOW_KIND = "hera"

#: Run kinds: building a Hera pipeline into an Argo spec, running that spec, running a python job, serving a
#: python function over HTTP, building a python function's environment. The local core's table of how each
#: executes is :data:`dhhera_jupyter.core.run_kinds.KINDS`; every module names a kind through these constants.
BUILD_RUN_KIND = "hera+build:run"
PIPELINE_RUN_KIND = "hera+pipeline:run"
JOB_RUN_KIND = "python+job:run"
SERVE_RUN_KIND = "python+serve:run"
FUNCTION_BUILD_RUN_KIND = "python+build:run"

# -- run states (DigitalHub) -----------------------------------------------------------------------

CREATED, BUILT, READY, PENDING, RUNNING = "CREATED", "BUILT", "READY", "PENDING", "RUNNING"
COMPLETED, ERROR, STOP, STOPPED = "COMPLETED", "ERROR", "STOP", "STOPPED"
DELETING, DELETED = "DELETING", "DELETED"

#: Every run state, in the order a run goes through them.
RUN_STATES = (CREATED, BUILT, READY, PENDING, RUNNING, STOP, STOPPED, COMPLETED, ERROR, DELETING, DELETED)

#: Run states after which nothing moves (``run.wait()`` stops at the same ones).
TERMINAL_RUN_STATES = frozenset({COMPLETED, ERROR, STOPPED})

#: Run states of a run that is gone or going.
GONE_RUN_STATES = frozenset({DELETING, DELETED})

#: Run states of a run that will not run any more: terminal or gone. Stopping it is a conflict.
FINISHED_RUN_STATES = TERMINAL_RUN_STATES | GONE_RUN_STATES

#: Run states of a run that is queued, running or stopping.
ACTIVE_RUN_STATES = frozenset(RUN_STATES) - FINISHED_RUN_STATES

#: Run states that can still be stopped.
STOPPABLE_RUN_STATES = ACTIVE_RUN_STATES - {STOP}

# -- step (node) states shown by the widgets -------------------------------------------------------

NODE_PENDING, NODE_RUNNING, NODE_SUCCEEDED = "pending", "running", "succeeded"
NODE_FAILED, NODE_ERROR, NODE_SKIPPED, NODE_OMITTED, NODE_STOPPED = "failed", "error", "skipped", "omitted", "stopped"

#: Every state a graph node can be drawn in (the DagWidget's ``node_states`` values), in legend order.
NODE_STATES = (
    NODE_PENDING,
    NODE_RUNNING,
    NODE_SUCCEEDED,
    NODE_FAILED,
    NODE_ERROR,
    NODE_SKIPPED,
    NODE_OMITTED,
    NODE_STOPPED,
)

#: Node states after which a step changes no more.
FINAL_NODE_STATES = frozenset(NODE_STATES) - {NODE_PENDING, NODE_RUNNING}

#: Node states that mean the step went wrong.
BAD_NODE_STATES = frozenset({NODE_FAILED, NODE_ERROR})

# -- Argo node phases ------------------------------------------------------------------------------

#: Argo node phases (``status.nodes[].state`` in DHCore's NodeStatusDTO).
ARGO_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Error", "Skipped", "Omitted")

#: Phases of a node that went wrong, that ended (ran to an end), and that let a default ``depends`` pass
#: or end a task (fulfilled: Argo's ``Fulfilled()``).
FAILED_PHASES = ("Failed", "Error")
COMPLETED_PHASES = ("Succeeded", *FAILED_PHASES)
FULFILLED_PHASES = (*COMPLETED_PHASES, "Skipped", "Omitted")
