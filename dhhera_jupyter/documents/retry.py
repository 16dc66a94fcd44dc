"""Retrying a pipeline run, as ``argo retry`` does: which runs can be retried, and which steps a retry reuses.

A retry is a new ``hera+pipeline:run`` whose ``spec.retry_of`` names the original run. It interprets the
original's build with the original's parameters; every step that succeeded in the original, and does not
depend on a step that went wrong, keeps its outputs and its child run; the failed, stopped, errored and
omitted steps and everything downstream of them run again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from dhhera_jupyter.documents.build import is_built
from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.states import ACTIVE_RUN_STATES, COMPLETED, GONE_RUN_STATES, PIPELINE_RUN_KIND

#: The field of a retry's ``spec`` (and of the node a retry reuses, as ``reused_from``) naming the original run.
RETRY_OF = "retry_of"
REUSED_FROM = "reused_from"

#: Node types holding other nodes (their ``children`` are their contents, not their dependents).
_CONTAINERS = frozenset({"DAG", "Steps", "StepGroup", "TaskGroup"})
#: Phases of a node whose step must run again.
_REDO_PHASES = frozenset({"Failed", "Error", "Omitted", "Pending", "Running"})


def retry_of(doc: object) -> str | None:
    """The original run a run retries (its ``spec.retry_of``), or None for a run that is no retry."""
    value = section(doc, "spec").get(RETRY_OF)
    return str(value) if value else None


def refusal(run: Mapping[str, Any]) -> str | None:
    """Why ``run`` cannot be retried, as one sentence naming it and the next step; None when it can.

    A run can be retried when it is a pipeline run that ended ERROR or STOPPED and carries its build.
    """
    run_id = str(run.get("id") or "?")
    kind = str(run.get("kind") or "?")
    if kind != PIPELINE_RUN_KIND:
        return (
            f"Run {run_id} is a {kind} run, not a pipeline run: only pipeline runs ({PIPELINE_RUN_KIND}) can be "
            "retried; start it again instead."
        )
    state = str(section(run, "status").get("state") or "CREATED")
    if state == COMPLETED:
        return f"Run {run_id} succeeded: there is nothing to retry (start a new run with `%hera run`)."
    if state in GONE_RUN_STATES:
        return f"Run {run_id} is being deleted ({state}); it cannot be retried."
    if state in ACTIVE_RUN_STATES:
        return (
            f"Run {run_id} is still {state}: wait until it ends, or stop it (the run panel's Stop button), "
            "then retry it."
        )
    if not is_built(run):
        return f"Run {run_id} never started (it has no build): run its workflow again with `%hera run`."
    return None


def relative_name(node_name: str, workflow_name: str) -> str:
    """A node's name without its workflow's name: the same for one step in the original run and in its retry."""
    return node_name[len(workflow_name) :] if node_name.startswith(workflow_name) else node_name


def parameters_of(values: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """A node's ``inputs`` or ``outputs`` list (``[{"name", "value"}]``) as a dict."""
    return {str(p.get("name")): str(p.get("value")) for p in values or () if isinstance(p, Mapping) and p.get("name")}


def reusable_steps(nodes: Iterable[Mapping[str, Any]], workflow_name: str) -> dict[str, Mapping[str, Any]]:
    """The steps of a finished run that a retry reuses: relative node name -> node.

    A step (Pod node) is reused when it succeeded and is not downstream of a step that must run again
    (a Failed, Error or Omitted one, or one that never finished). In the node list a step's ``children``
    are the steps that depend on it (Argo's node graph), so the steps to run again are those reachable
    from the bad ones.
    """
    by_id = {str(n.get("id")): n for n in nodes if isinstance(n, Mapping)}
    redo = deque(nid for nid, n in by_id.items() if n.get("type") not in _CONTAINERS and n.get("state") in _REDO_PHASES)
    downstream: set[str] = set(redo)
    while redo:  # iterative: a 1000-step chain must not recurse 1000 deep
        for child in by_id.get(redo.popleft(), {}).get("children") or ():
            if child not in downstream:
                downstream.add(child)
                redo.append(child)
    return {
        relative_name(str(n.get("name") or ""), workflow_name): n
        for nid, n in by_id.items()
        if n.get("type") == "Pod" and n.get("state") == "Succeeded" and nid not in downstream
    }


def retry_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What a run view says about retries: ``retry_of`` (the original, or None) and ``retryable`` (by the
    document alone; the platform refuses every retry, which the caller knows from the backend)."""
    return {"retry_of": retry_of(doc), "retryable": refusal(doc) is None}
