"""The vocabulary of run and step states: Argo phases, DigitalHub run states, what the widgets show."""

from __future__ import annotations

from collections.abc import Iterable

from dhhera_jupyter.documents.states import (
    BAD_NODE_STATES,
    FINAL_NODE_STATES,
    GONE_RUN_STATES,
    NODE_STATES,
    STOPPABLE_RUN_STATES,
    TERMINAL_RUN_STATES,
)
from dhhera_jupyter.documents.states import NODE_ERROR as ERROR
from dhhera_jupyter.documents.states import NODE_FAILED as FAILED
from dhhera_jupyter.documents.states import NODE_OMITTED as OMITTED
from dhhera_jupyter.documents.states import NODE_PENDING as PENDING
from dhhera_jupyter.documents.states import NODE_RUNNING as RUNNING
from dhhera_jupyter.documents.states import NODE_SKIPPED as SKIPPED
from dhhera_jupyter.documents.states import NODE_STOPPED as STOPPED
from dhhera_jupyter.documents.states import NODE_SUCCEEDED as SUCCEEDED

# The sets live in documents.states (one definition); re-exported here for the status readers.
__all__ = [
    "BAD_NODE_STATES",
    "FINAL_NODE_STATES",
    "GONE_RUN_STATES",
    "NODE_STATES",
    "STOPPABLE_RUN_STATES",
    "TERMINAL_RUN_STATES",
    "aggregate",
    "node_state",
    "run_is_terminal",
    "run_label",
]

_PHASES = {
    "pending": PENDING,
    "running": RUNNING,
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "error": ERROR,
    "skipped": SKIPPED,
    "omitted": OMITTED,
}

#: Node types that only group other nodes (they are no step of their own).
GROUP_TYPES = frozenset({"StepGroup", "TaskGroup", "Retry"})

#: Node types of nested DAG/Steps templates.
TEMPLATE_TYPES = frozenset({"DAG", "Steps"})


def node_state(phase: object, message: object = None) -> str:
    """Map an Argo node phase (``Running``, ``Failed``...) to a widget state.

    A node that failed because the run was stopped (its message says so) is ``stopped``; an
    unknown or missing phase is ``pending``.
    """
    state = _PHASES.get(str(phase or "").strip().lower(), PENDING)
    if state in BAD_NODE_STATES and message and "stopped" in str(message).lower():
        return STOPPED
    return state


def run_is_terminal(state: object) -> bool:
    """Whether a DigitalHub run state is final (COMPLETED, ERROR, STOPPED)."""
    return str(state or "").upper() in TERMINAL_RUN_STATES


def run_label(state: object) -> str:
    """A short lower-case word for a DigitalHub run state, as the panel shows it."""
    state = str(state or "").upper()
    return {
        "CREATED": "queued",
        "BUILT": "queued",
        "READY": "queued",
        "PENDING": "queued",
        "RUNNING": "running",
        "STOP": "stopping",
        "STOPPED": "stopped",
        "COMPLETED": "succeeded",
        "ERROR": "failed",
        "DELETING": "deleted",
        "DELETED": "deleted",
    }.get(state, state.lower() or "unknown")


def aggregate(states: Iterable[str]) -> str:
    """One state for several instances of a step (fan-out items, retries without a group node).

    Anything still moving wins (some instances done and others pending counts as running), then
    failures, then stops; finished instances with at least one success are ``succeeded``.
    """
    seen = set(states)
    if not seen:
        return PENDING
    if RUNNING in seen or (PENDING in seen and len(seen) > 1):
        return RUNNING
    for state in (PENDING, ERROR, FAILED, STOPPED, SUCCEEDED, SKIPPED, OMITTED):
        if state in seen:
            return state
    return PENDING
