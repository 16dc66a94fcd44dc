"""Pipeline runs on the local core: the built Argo spec interpreted, DigitalHub steps run as child runs.

This is what DHCore + Argo Workflows + the platform's ``step.py`` container do on a cluster
(contract §5.2): each step creates a child run ``<kind>+<action>:run`` of its function (with
``step_of`` and ``run_of`` relationships), waits for it, fails when it fails, and exposes
``run_id`` and each declared output (an entity key) as output parameters. Progress is written to
``run.status.nodes`` in DHCore's NodeStatusDTO shape, plus the ``function``, ``function_id``,
``action`` and ``run_id`` fields the platform leaves empty.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.core import fsm, profile, run_kinds
from dhhera_jupyter.core.entities import ApiError
from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.runs import RunManager
from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.documents.keys import EntityKey, parse_key
from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.executor import retry_seed
from dhhera_jupyter.executor.argo import ContainerCall, ContainerResult, execute

log = logging.getLogger(__name__)


def java_str(value: Any) -> str:
    """Stringify a run parameter the way DHCore does (Java ``toString()``, contract §5.2)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    return str(value)


class PipelineRunner:
    """Runs ``hera+pipeline:run`` runs in threads of the core process (no worker slot of their own).

    Parameters
    ----------
    manager : RunManager
        The core's run manager (child runs are created and executed through it).
    pool : object
        The worker pool (only used to know the concurrency).
    run_env : callable
        Blocks until the object store is ready (steps usually exchange dataitems).
    nodes : RunNodes, optional
        Where node lists go while a pipeline runs (kept apart from the run document, which gets the final
        list when the pipeline ends); default: in memory only.
    """

    def __init__(
        self, manager: RunManager, pool: Any, run_env: Callable[[], dict[str, str]], nodes: RunNodes | None = None
    ) -> None:
        self.manager = manager
        self.run_env = run_env
        self.nodes = nodes if nodes is not None else RunNodes(None)
        self._stops: dict[str, threading.Event] = {}
        self._children: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    # -- RunManager's PipelineRunner protocol ------------------------------------------------

    def start(self, run: dict) -> None:
        stop = threading.Event()
        with self._lock:
            self._stops[run["id"]] = stop
            self._children[run["id"]] = set()
        threading.Thread(target=self._run, args=(run, stop), name=f"pipeline-{run['id'][:8]}", daemon=True).start()

    def stop(self, run_id: str) -> bool:
        with self._lock:
            stop = self._stops.get(run_id)
            children = list(self._children.get(run_id, ()))
        if stop is None:
            return False
        stop.set()
        for child in children:
            run = self.manager.entities.store.get("run", child)
            if run is not None:
                try:
                    self.manager.stop(run["project"], child)
                except ApiError:
                    pass
        return True

    def shutdown(self) -> None:
        for run_id in list(self._stops):
            self.stop(run_id)

    # -- one pipeline ------------------------------------------------------------------------

    def _log(self, run_id: str, line: str) -> None:
        self.manager.append_log(run_id, f"[pipeline] {line}")

    def _run(self, run: dict, stop: threading.Event) -> None:
        run_id, project = run["id"], run["project"]
        try:
            self.manager.mutate(project, run_id, lambda r: self.manager.transition(r, fsm.RUNNING))
            spec = build_spec(run)
            if spec is None:
                raise ValueError("the run carries no built workflow (spec.build)")
            params = {str(k): java_str(v) for k, v in ((run["spec"].get("parameters") or {}).items())}
            self._log(run_id, f"started with parameters {json.dumps(params)}")

            prof = profile.current()

            def on_update(nodes: list[dict]) -> None:
                # O(1): kept apart from the run document, which gets the list when the pipeline ends
                self.nodes.update(run_id, prof.nodes(nodes))

            # DHCore profile: nodes are seen on the Argo monitor's passes only (core/profile.py).
            monitor = profile.ArgoMonitor(prof.node_refresh, run_id, on_update) if prof.node_refresh else None
            try:
                outcome = execute(
                    spec,
                    workflow_name=run_id,
                    parameters=params,
                    # A retry (spec.retry_of) answers the steps it reuses from the original run.
                    run_container=retry_seed.for_run(run, self.manager, lambda call: self._step(run, call, stop)),
                    on_update=monitor.offer if monitor else on_update,
                    stop_event=stop,
                    max_parallel=settings.workers(),
                    node_messages=prof.node_extensions,
                )
            finally:
                if monitor is not None:
                    monitor.close(wait=not stop.is_set())
            self._finish(run, outcome.phase, outcome.message, outcome.nodes)
        except Exception as exc:  # never leave a pipeline RUNNING forever
            log.exception("pipeline %s failed", run_id)
            self._finish(run, "Error", f"The local pipeline runner failed: {exc}", None)
        finally:
            self.nodes.close(run_id)
            with self._lock:
                self._stops.pop(run_id, None)
                self._children.pop(run_id, None)

    def _finish(self, run: dict, phase: str, message: str, nodes: list[dict] | None) -> None:
        prof = profile.current()
        # What clients saw last (under the dhcore profile: the Argo monitor's last pass), kept apart while running.
        shown = self.nodes.current(run["id"])
        if nodes is None and shown is not None:  # the runner failed: keep the last list it reported
            nodes = list(shown[1])

        def apply(r: dict) -> None:
            if nodes is not None and (phase == "Succeeded" or prof.nodes_on_error):
                r["status"]["nodes"] = prof.nodes(nodes)
            elif shown is not None:
                r["status"]["nodes"] = list(shown[1])  # DHCore keeps the last refresh; it lived in RunNodes
            state = r["status"].get("state")
            if state == fsm.STOP or phase == "Stopped":
                if state == fsm.RUNNING:
                    self.manager.transition(r, fsm.STOP, "stop requested")
                self.manager.transition(r, fsm.STOPPED, "stopped")
            elif phase == "Succeeded":
                self.manager.transition(r, fsm.COMPLETED)
            else:
                self.manager.transition(r, fsm.ERROR, prof.failure_message(phase, message, nodes, run["id"]))

        done = self.manager.mutate(run["project"], run["id"], apply)
        self._log(run["id"], f"finished: {done['status'].get('state')}" + (f" ({message})" if message else ""))

    def _step(self, pipeline: dict, call: ContainerCall, stop: threading.Event) -> ContainerResult:
        """What the platform's ``step.py`` container does, against the core directly."""
        step = step_call(call.template)
        if step is None or step.key is None:
            image = (call.template.get("container") or call.template.get("script") or {}).get("image") or "?"
            return ContainerResult(
                ok=False,
                phase="Error",
                message=(
                    f"step '{call.display_name}' runs container image '{image}', which the local core cannot run "
                    "(it only runs DigitalHub steps); run this pipeline on the DigitalHub platform."
                ),
            )
        if step.problem is not None or step.kwargs is None:
            return ContainerResult(ok=False, message=f"step '{call.display_name}': {step.problem}")
        key, kwargs = step.key, step.kwargs
        if stop.is_set():
            return ContainerResult(ok=False, message="Stopped")
        project = pipeline["project"]
        try:
            child = self._create_child(pipeline, key, kwargs)
        except ApiError as exc:
            self._log(pipeline["id"], f"step {call.display_name} failed: {exc.message}")
            return ContainerResult(ok=False, message=exc.message)
        extra = {
            "function": step.function,
            "function_id": step.function_id,
            "action": kwargs.get("action"),
            "run_id": child["id"],
        }
        with self._lock:
            self._children.setdefault(pipeline["id"], set()).add(child["id"])
        call.annotate(extra)
        self._log(pipeline["id"], f"step {call.display_name} started: {child['kind']} {child['id']}")
        done = None
        while done is None:
            done = self.manager.wait_for(project, child["id"], run_kinds.step_settled, 1.0)
            if done is None and self.manager.entities.store.get("run", child["id"]) is None:
                return ContainerResult(ok=False, message=f"child run {child['id']} was deleted", extra=extra)
            if done is None and stop.is_set():
                self.manager.stop(project, child["id"])
        state = done["status"]["state"]
        if run_kinds.service_url(done):
            extra["service_url"] = run_kinds.service_url(done)  # the run panel and sidebar link and stop it
        if run_kinds.step_succeeded(done):
            declared = step.outputs
            produced = {
                k: (v.get("key") if isinstance(v, dict) else v)
                for k, v in (done["status"].get("outputs") or {}).items()
            }
            outputs = {"run_id": done["id"]} if "run_id" in declared else {}
            outputs.update({name: produced[name] for name in declared if name in produced})
            self._log(pipeline["id"], f"step {call.display_name} succeeded")
            return ContainerResult(ok=True, outputs=outputs, extra={**extra, "exit_code": "0"})
        message = done["status"].get("message") or state.lower()
        if state == fsm.STOPPED:
            message = "Stopped"
        self._log(pipeline["id"], f"step {call.display_name} {state.lower()}: {message}")
        return ContainerResult(ok=False, message=message, extra={**extra, "exit_code": "1"})

    @staticmethod
    def _entity(key: str) -> EntityKey:
        ref = parse_key(key)
        if ref is None or ref.id is None:
            raise ApiError(400, f"'{key}' is not a DigitalHub entity key (store://project/type/kind/name:id)")
        return ref

    def _create_child(self, pipeline: dict, key: str, kwargs: dict) -> dict:
        ref = self._entity(key)
        project, entities = pipeline["project"], self.manager.entities
        kwargs = dict(kwargs)
        action = kwargs.pop("action", None)
        if not action:
            raise ApiError(400, 'the step has no \'action\' in its template (e.g. {"action": "job"})')
        type_ = ref.type
        fn = entities.store.get(type_, str(ref.id))  # _entity refused keys without an id
        if fn is None or fn.get("project") != project:
            raise ApiError(404, f"{type_} '{ref.name}' ({key}) does not exist in project '{project}'")
        exec_str = f"{fn['kind']}://{project}/{fn['name']}:{fn['id']}"
        task_kind = f"{fn['kind']}+{action}"
        tasks = entities.list(project, "task", {"kind": task_kind, type_: exec_str})
        task = tasks[0] if tasks else entities.create(project, "task", {"kind": task_kind, "spec": {type_: exec_str}})
        body = {
            "kind": f"{task_kind}:run",
            "metadata": {
                "relationships": [
                    {"type": "run_of", "dest": fn["key"]},
                    {
                        "type": "step_of",
                        "dest": f"store://{project}/run/{pipeline['kind']}/{pipeline['id']}:{pipeline['id']}",
                    },
                ]
            },
            "spec": {
                **kwargs,
                "task": f"{task_kind}://{project}/{task['id']}",
                type_: exec_str,
                "local_execution": False,
            },
            "status": {"state": "CREATED"},
        }
        child = self.manager.create(project, body)
        if child["status"].get("state") == fsm.ERROR:
            raise ApiError(400, child["status"].get("message") or "the step's run could not start")
        return child
