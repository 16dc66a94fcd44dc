"""Which behaviour the local core shows where it differs from DHCore: the helpful default, or DHCore's own.

The local core extends DHCore where that helps a user (contract §5.3): it fills ``function``,
``function_id``, ``action``, ``run_id`` and ``message`` in ``status.nodes``, writes every node change
at once and on the ERROR path too, lets queued (READY) runs be stopped, and words its errors with
the next step to take. Most users run the extension against the real DHCore, which does none of
that, so ``DHHERA_CORE_PROFILE=dhcore`` makes the core behave as DHCore does (read from DHCore's
``K8sArgoWorkflowMonitor``, ``HeraRuntime``, ``NodeStatusMapper``, ``RunFsmFactory`` and
``SolrController``), to test the extension's platform paths end to end. It is a test tool, not a
user setting: the default stays ``local``.

Settings (read by the core process at start):

- ``DHHERA_CORE_PROFILE``: ``local`` (default) or ``dhcore``;
- ``DHHERA_CORE_REFRESH``: seconds between two passes of the Argo monitor under the ``dhcore``
  profile (DHCore's ``MONITORS_DELAY``, default 10);
- ``DHHERA_CORE_TEST_REJECT_WHILE``: test hook of the ``dhcore`` profile; while the file it names
  exists, every request is answered 401 as DHCore answers an expired token.
"""

from __future__ import annotations

import base64
import functools
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dhhera_jupyter.core import fsm
from dhhera_jupyter.documents.node_fields import NODE_FIELDS
from dhhera_jupyter.documents.states import PIPELINE_RUN_KIND

#: DHCore's ``monitors.delay`` default (``framework-k8s.yml``: ``${MONITORS_DELAY:10}``, minimum 10).
DHCORE_MONITOR_DELAY = 10.0

#: Argo's phases of a failed workflow.
_FAILED = ("Failed", "Error")

Nodes = list[dict[str, Any]]


@dataclass(frozen=True)
class Profile:
    """The behaviours of the local core that depend on the profile.

    Attributes
    ----------
    name : str
        ``local`` or ``dhcore``.
    node_extensions : bool
        Fill ``function``, ``function_id``, ``action``, ``run_id`` and ``message`` in ``status.nodes``.
    node_refresh : float or None
        None: every node change is written at once. Seconds: nodes, and the end of the run, are seen
        only on the passes of an Argo monitor that many seconds apart.
    nodes_on_error : bool
        Write the final node list when the run ends ERROR (DHCore keeps the last RUNNING refresh).
    stoppable : frozenset of str
        Run states a stop request acts on (DHCore: RUNNING only; READY has no STOP transition).
    helpful_messages : bool
        Word errors with the next step to take; DHCore's own words otherwise (``workflowSpec is
        null``, ``Job failed: <Argo message>``).
    error_bodies : bool
        Answer 501 (search without Solr) and 401 with a JSON body naming why; DHCore's are empty.
    logs_per_pod : bool
        A pipeline run's logs are one log object per step pod (``status.pod``/``container``), as
        DHCore collects them from Kubernetes, instead of one log of the whole run.
    reject_while : Path or None
        Test hook: every request is answered 401 while this file exists.
    """

    name: str
    node_extensions: bool = True
    node_refresh: float | None = None
    nodes_on_error: bool = True
    stoppable: frozenset[str] = frozenset({fsm.RUNNING, fsm.READY, fsm.PENDING})
    helpful_messages: bool = True
    error_bodies: bool = True
    logs_per_pod: bool = False
    reject_while: Path | None = None

    # -- what the hooks ask ----------------------------------------------------------------------

    def rejects_now(self) -> bool:
        """Whether the test hook currently rejects every token."""
        return self.reject_while is not None and self.reject_while.exists()

    def nodes(self, nodes: Nodes) -> Nodes:
        """The node list as this profile stores it (DHCore: only the DTO fields it fills); the same list when
        nothing is dropped (the engine's node dicts are read-only, so they are never copied for nothing)."""
        if self.node_extensions:
            return nodes
        return [{k: n[k] for k in NODE_FIELDS if k in n} for n in nodes]

    def failure_message(self, phase: str, message: str, nodes: Nodes | None, workflow_name: str) -> str:
        """``status.message`` of a pipeline run that ended ``phase`` (Failed or Error)."""
        if self.helpful_messages:
            return message or f"The pipeline ended {phase}."
        return "Job failed: " + argo_workflow_message(nodes or [], workflow_name, message)

    def split_logs(self, run: Mapping[str, Any], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The run's log objects as this profile serves them: as given, or one per pod (see :func:`pod_logs`)."""
        if not self.logs_per_pod:
            return docs
        out = []
        for doc in docs:
            text = base64.b64decode(doc.get("content") or "").decode("utf-8", errors="replace")
            for status, part in pod_logs(run, text):
                log_id = uuid.uuid5(uuid.NAMESPACE_URL, f"dhhera-log:{run.get('id')}:{status['pod']}").hex
                meta = {**(doc.get("metadata") or {}), "name": log_id}
                out.append(
                    {
                        **doc,
                        "id": log_id,
                        "name": log_id,
                        "key": f"store://{doc.get('project')}/log/log/{log_id}",
                        "metadata": meta,
                        "status": status,
                        "content": base64.b64encode(part.encode()).decode(),
                    }
                )
        return out

    def not_built_message(self, helpful: str) -> str:
        """``status.message`` of a pipeline run whose workflow has no build."""
        return helpful if self.helpful_messages else "workflowSpec is null"


LOCAL = Profile("local")


def dhcore(refresh: float = DHCORE_MONITOR_DELAY, reject_while: Path | None = None) -> Profile:
    """DHCore's behaviour, with the Argo monitor passing every ``refresh`` seconds."""
    return Profile(
        "dhcore",
        node_extensions=False,
        node_refresh=refresh,
        nodes_on_error=False,
        stoppable=frozenset({fsm.RUNNING}),
        helpful_messages=False,
        error_bodies=False,
        logs_per_pod=True,
        reject_while=reject_while,
    )


def from_env(env: Mapping[str, str] | None = None) -> Profile:
    """The profile the settings choose.

    Raises
    ------
    ValueError
        For an unknown profile name or a refresh that is not a positive number of seconds.
    """
    env = os.environ if env is None else env
    name = (env.get("DHHERA_CORE_PROFILE") or "local").strip().lower()
    if name == "local":
        return LOCAL
    if name != "dhcore":
        raise ValueError(f"DHHERA_CORE_PROFILE is '{name}'; use 'local' (the default) or 'dhcore'.")
    text = (env.get("DHHERA_CORE_REFRESH") or "").strip()
    try:
        refresh = float(text) if text else DHCORE_MONITOR_DELAY
    except ValueError:
        refresh = -1.0
    if not refresh > 0:
        raise ValueError(f"DHHERA_CORE_REFRESH is '{text}'; give the Argo monitor's period in seconds, e.g. 10.")
    reject = (env.get("DHHERA_CORE_TEST_REJECT_WHILE") or "").strip()
    return dhcore(refresh, Path(reject) if reject else None)


@functools.lru_cache(maxsize=1)
def current() -> Profile:
    """The profile of this process (read once: the core reads its settings at start)."""
    return from_env()


def argo_workflow_message(nodes: Nodes, workflow_name: str, fallback: str = "") -> str:
    """What Argo puts in ``status.message`` of a failed DAG workflow: ``child '<node id>' failed``.

    Argo gives a failed DAG node the message ``child '<id>' failed`` naming the failed task, and the
    workflow takes its root node's message. DAG nodes chain tasks through ``children`` (a task's
    children are its dependents), so the first failed node down from the root is the one named.
    """
    by_id = {str(n.get("id")): n for n in nodes}
    queue, seen = list((by_id.get(workflow_name) or {}).get("children") or []), set()
    while queue:
        child = str(queue.pop(0))
        node = by_id.get(child)
        if node is None or child in seen:
            continue
        seen.add(child)
        if node.get("state") in _FAILED:
            return f"child '{child}' failed"
        queue.extend(node.get("children") or [])
    return fallback or "workflow failed"


class ArgoMonitor:
    """DHCore's view of a running Argo workflow: what the engine reports, seen once per monitor pass.

    The engine offers every node change; a thread writes the latest list on each pass (when it
    changed and the workflow still runs), as DHCore's ``K8sArgoWorkflowMonitor`` refreshes
    ``status.nodes`` on each RUNNING loop. A list whose workflow has ended is never written here:
    DHCore sees the end on its next pass and then writes the nodes only on success
    (``HeraRuntime.onComplete``). :meth:`close` waits for that pass.

    Parameters
    ----------
    period : float
        Seconds between two passes.
    workflow_name : str
        The Argo workflow name (the root node's id).
    write : callable
        Stores a node list in the run (called from the monitor thread).
    """

    def __init__(self, period: float, workflow_name: str, write: Callable[[Nodes], None]) -> None:
        self.period = period
        self.workflow_name = workflow_name
        self._write = write
        self._cond = threading.Condition()
        self._latest: Nodes | None = None
        self._written: Nodes | None = None
        self._closed = False
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="argo-monitor", daemon=True)
        self._thread.start()

    def offer(self, nodes: Nodes) -> None:
        """The engine's newest node list (written on the next pass)."""
        with self._cond:
            self._latest = nodes

    def _next_pass(self) -> float:
        elapsed = time.monotonic() - self._started
        return self._started + (int(elapsed / self.period) + 1) * self.period

    def _loop(self) -> None:
        while True:
            with self._cond:
                due = self._next_pass()
                while not self._closed:
                    remaining = due - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                if self._closed:
                    return
                latest = self._latest
            if latest is not None and latest is not self._written and self._running(latest):
                self._written = latest
                try:
                    self._write(latest)
                except Exception:  # noqa: BLE001 - a failed write is retried on the next pass
                    self._written = None

    def _running(self, nodes: Nodes) -> bool:
        root = next((n for n in nodes if n.get("id") == self.workflow_name), None)
        return root is None or root.get("state") not in ("Succeeded", *_FAILED)

    def close(self, wait: bool = True) -> None:
        """Stop the passes, after waiting for the next one when ``wait`` (DHCore sees a workflow's end on its
        next pass; a stop is synchronous in DHCore, so a stopped run does not wait)."""
        remaining = self._next_pass() - time.monotonic()
        if wait and remaining > 0:
            time.sleep(remaining)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)


def pod_logs(run: Mapping[str, Any], text: str) -> list[tuple[dict[str, str], str]]:
    """A run's log split as DHCore collects it from Kubernetes: ``(status, text)`` per pod container.

    A pipeline run has one log per step pod (the Argo node id names the pod), holding what that
    step's container printed; lines of the whole workflow belong to no pod and are not kept. Any
    other run has the one log of its job pod.
    """
    kind = str(run.get("kind") or "")
    if kind != PIPELINE_RUN_KIND:
        pod = "j-" + kind.split(":", 1)[0].replace("+", "-") + "-" + str(run.get("id"))
        return [({"pod": pod, "container": "main"}, text)] if text else []
    lines = text.splitlines(keepends=True)
    out = []
    for node in (run.get("status") or {}).get("nodes") or []:
        if node.get("type") != "Pod":
            continue
        marker = f" step {node.get('display_name')} "
        own = "".join(line for line in lines if marker in line)
        if own:
            out.append(({"pod": str(node.get("id")), "container": "main"}, own))
    return out
