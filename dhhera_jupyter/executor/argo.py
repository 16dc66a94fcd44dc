"""Run an Argo WorkflowSpec on one machine the way Argo does, reporting DHCore ``status.nodes``.

The local core hands over the decoded ``spec.build`` of a DigitalHub Hera workflow, the run
parameters and a blocking ``run_container`` callable; this module walks the DAG/Steps templates,
resolves ``{{...}}`` parameters, evaluates ``depends`` and ``when``, fans out ``withItems`` /
``withParam``, and keeps the node list (contract §5.3) current through ``on_update``.

Known limitations (each reported, never silently skipped, unless said otherwise):

- ``resource``, ``suspend``, ``http``, ``plugin``, ``data`` and ``containerSet`` templates,
  ``templateRef``, inline templates, ``onExit``/``hooks``, ``synchronization``, ``memoize``,
  daemons, sidecars, input artifacts and ``{{=expression}}`` tags fail their node with phase
  Error and a message naming the feature.
- ``retryStrategy``, timeouts (``activeDeadlineSeconds``, ``timeout``) and output artifacts are
  ignored: a step runs once. ``.Daemoned`` is always false.
- Fail-fast stops a DAG from dispatching new tasks (also those queued for a free worker); the
  items of a fan-out that already started still run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from dhhera_jupyter.executor.argo_composite import DagRun, StepsRun
from dhhera_jupyter.executor.argo_engine import (
    STOP_MESSAGE,
    STOP_NODE_MESSAGE,
    ContainerCall,
    ContainerResult,
    Engine,
    Runner,
)
from dhhera_jupyter.executor.argo_nodes import NodeStore
from dhhera_jupyter.executor.argo_spec import ArgoSpecError, analyse

__all__ = [
    "STOP_MESSAGE",
    "STOP_NODE_MESSAGE",
    "ArgoSpecError",
    "ContainerCall",
    "ContainerResult",
    "Outcome",
    "execute",
    "validate",
]


@dataclass
class Outcome:
    """The end of a run: ``Succeeded``, ``Failed``, ``Error`` or ``Stopped``, and the final node list."""

    phase: str
    message: str
    nodes: list[dict]
    outputs: dict[str, str] = field(default_factory=dict)


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate(spec: dict, parameters: Mapping[str, str] | None = None) -> None:
    """Check that ``spec`` can start with these run parameters.

    Raises
    ------
    ArgoSpecError
        Missing entrypoint, a task or step referencing a missing template, a ``depends`` naming an
        unknown task or an unknown result, a dependency cycle, a workflow parameter with no value.
    """
    analyse(spec, parameters)


def execute(
    spec: dict,
    *,
    workflow_name: str,
    parameters: Mapping[str, str],
    run_container: Callable[[ContainerCall], ContainerResult],
    on_update: Callable[[list[dict]], None],
    stop_event: threading.Event,
    max_parallel: int = 4,
    now: Callable[[], str] = _utc_now,
    node_messages: bool = False,
) -> Outcome:
    """Run ``spec`` to the end and return its :class:`Outcome`; blocks the calling thread.

    Parameters
    ----------
    spec
        The Argo WorkflowSpec (``entrypoint``, ``templates``, ``arguments``).
    workflow_name
        The workflow (pipeline run) name: the root node id and the prefix of every node name.
    parameters
        Run parameters; they override ``spec.arguments.parameters`` values, unknown names are added.
    run_container
        Runs one container/script node and blocks until it ends; called from worker threads, at
        most ``max_parallel`` at a time across the whole workflow.
    on_update
        Receives the full node list (``NodeStatusDTO`` dicts) after each change, never concurrently.
    stop_event
        When set, nothing new starts; unfinished nodes end Failed and the outcome is ``Stopped``.
    max_parallel
        Maximum number of concurrent ``run_container`` calls.
    now
        Clock returning ``YYYY-MM-DDTHH:MM:SSZ`` strings.
    node_messages
        Also put each node's message in a ``message`` field (an extension of ``NodeStatusDTO``).
    """
    if max_parallel < 1:
        raise ValueError("max_parallel must be at least 1")
    store = NodeStore(workflow_name, on_update, now, node_messages)
    try:
        analysis = analyse(spec, parameters)
    except ArgoSpecError as exc:
        store.create(workflow_name, workflow_name, "DAG", "Error", message=str(exc))
        store.emit()
        return Outcome("Error", str(exc), store.snapshot())
    runners: dict[str, type[Runner]] = {"dag": DagRun, "steps": StepsRun}
    engine = Engine(analysis, workflow_name, run_container, store, stop_event, max_parallel, runners)
    phase, message = engine.run_root(spec)
    with engine.lock:
        nodes = store.snapshot()
        root = store.nodes.get(workflow_name, {})
        outputs = {p["name"]: p["value"] for p in root.get("outputs") or []}
    return Outcome(phase, message, nodes, outputs)
