"""Run and material state machines, as DHCore applies them (contract §3.4 and §4.1).

A request for a target state takes the transition that leads there ("go to state"); a request
with no such transition is ignored, exactly as DHCore silently ignores it.
"""

from __future__ import annotations

from dhhera_jupyter.documents.states import (
    BUILT,
    COMPLETED,
    CREATED,
    DELETED,
    DELETING,
    ERROR,
    PENDING,
    READY,
    RUNNING,
    STOP,
    STOPPED,
)
from dhhera_jupyter.documents.states import TERMINAL_RUN_STATES as TERMINAL

__all__ = ["TERMINAL", "IN_FLIGHT", "material_can_go", "run_can_go"]

#: Run states of a run that the core is (or should be) executing.
IN_FLIGHT = frozenset({BUILT, READY, PENDING, RUNNING, STOP})

_RUN_NEXT: dict[str, frozenset[str]] = {
    CREATED: frozenset({BUILT}),
    BUILT: frozenset({READY}),
    READY: frozenset({PENDING, RUNNING}),
    PENDING: frozenset({PENDING, RUNNING, COMPLETED}),
    RUNNING: frozenset({RUNNING, COMPLETED, STOP}),
    STOP: frozenset({STOPPED}),
    STOPPED: frozenset(),
    COMPLETED: frozenset(),
    ERROR: frozenset(),
    DELETING: frozenset({DELETED}),
    DELETED: frozenset(),
}
_ERROR_ALLOWED = frozenset({CREATED, BUILT, READY, PENDING, RUNNING, STOP, STOPPED, DELETING})

#: Local extension: the local core queues runs in READY/PENDING, and lets a user stop them there.
_LOCAL_STOP_FROM = frozenset({READY, PENDING})

_MATERIAL_NEXT: dict[str, frozenset[str]] = {
    CREATED: frozenset({"UPLOADING", "READY", ERROR, DELETED}),
    "UPLOADING": frozenset({"READY", ERROR, DELETED}),
    "READY": frozenset({"READY", ERROR, DELETED}),
    ERROR: frozenset({"UPLOADING", "READY", ERROR, DELETED}),
}


def run_can_go(current: str, target: str, *, local_extension: bool = False) -> bool:
    """Whether a run in ``current`` may move to ``target``.

    Parameters
    ----------
    current, target : str
        Run states.
    local_extension : bool
        Also allow STOP from READY/PENDING (runs waiting for a worker slot on the local core).
    """
    if target == DELETING:
        return current not in (DELETING, DELETED)
    if target == ERROR:
        return current in _ERROR_ALLOWED
    if local_extension and target == STOP and current in _LOCAL_STOP_FROM:
        return True
    return target in _RUN_NEXT.get(current, frozenset())


def material_can_go(current: str, target: str) -> bool:
    """Whether an artifact, dataitem or model in ``current`` may move to ``target``."""
    if current == target:
        return True
    return target in _MATERIAL_NEXT.get(current, frozenset())
