"""Run lifecycle of the local core: what DHCore and its Kubernetes/Argo frameworks do to a run.

A non-local run is built (task and executable specs merged into the run spec) and dispatched inside the POST
request, as DHCore does (contract §4.2), to the executor its entry of the run-kind table
(:mod:`dhhera_jupyter.core.run_kinds`) names. Exits, stops and restarts move the state through the FSM of
:mod:`dhhera_jupyter.core.fsm`.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dhhera_jupyter.core import fsm, profile, retry, run_kinds, runlogs
from dhhera_jupyter.core.entities import ApiError, Entities, now_iso, parse_exec
from dhhera_jupyter.core.names import inside
from dhhera_jupyter.core.run_kinds import EnvironmentProvider, Executor, RunKind
from dhhera_jupyter.documents.build import result_spec
from dhhera_jupyter.documents.yaml_text import dump_yaml

log = logging.getLogger(__name__)

#: Seconds a stop request of a service waits for the service to end before answering (it answers STOP after).
SERVICE_STOP_WAIT = 7.0


class RunManager:
    """Creates, moves, stops, deletes and executes runs.

    Parameters
    ----------
    entities : Entities
        Entity service over the store.
    runs_dir : Path
        Per-run folders (working directory and ``run.log``).
    run_env : callable
        Returns extra environment for a run process (S3 settings...); may block until ready.
    environments : EnvironmentProvider, optional
        Prepares per-function environments (runs whose kind needs one fail clearly without it).

    Executors are plugged in by name with :meth:`register`, in the order the daemon builds them; a run whose
    executor is not registered ends ERROR with a sentence saying so.
    """

    def __init__(
        self,
        entities: Entities,
        runs_dir: Path,
        run_env: Callable[[], dict[str, str]],
        environments: EnvironmentProvider | None = None,
    ) -> None:
        self.entities = entities
        self.runs_dir = runs_dir
        self.run_env = run_env
        self.environments = environments
        self.executors: dict[str, Executor] = {}
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.listeners: list[Callable[[dict], None]] = []

    def register(self, name: str, executor: Executor) -> None:
        """Plug in the executor of the run kinds whose table entry names ``name``."""
        self.executors[name] = executor

    def shutdown(self) -> None:
        """Stop every executor (pipelines first: they stop their child runs through the others)."""
        for name in sorted(self.executors, key=lambda n: n != run_kinds.PIPELINE):
            try:
                self.executors[name].shutdown()
            except Exception:  # noqa: BLE001 - shut the others down anyway
                log.exception("executor %s failed to shut down", name)

    # -- state -------------------------------------------------------------------------------

    def transition(self, run: dict, target: str, message: str | None = None, *, local_ext: bool = False) -> bool:
        """Move ``run`` (in place) to ``target`` if the FSM allows it; record the transition."""
        status = run.setdefault("status", {})
        current = status.get("state", fsm.CREATED)
        if current == target and target not in (fsm.RUNNING, fsm.PENDING):
            return False
        if not fsm.run_can_go(current, target, local_extension=local_ext):
            return False
        status["state"] = target
        entry: dict[str, Any] = {"status": target, "time": now_iso()}
        if message:
            entry["message"] = message
            status["message"] = message
        if current != target:
            status["transitions"] = [entry, *(status.get("transitions") or [])]
        return True

    def save(self, run: dict) -> dict:
        with self._lock:
            self.entities.replace("run", run)
            self._changed.notify_all()
        for listener in list(self.listeners):
            try:
                listener(run)
            except Exception:  # a listener must never break the core
                log.exception("run listener failed")
        return run

    def mutate(self, project: str, run_id: str, fn: Callable[[dict], Any]) -> dict:
        """Read-modify-write a run under the lock."""
        with self._lock:
            run = self.entities.get(project, "run", run_id)
            fn(run)
            return self.save(run)

    def wait_for(self, project: str, run_id: str, predicate: Callable[[dict], bool], timeout: float) -> dict | None:
        """Block until ``predicate(run)`` holds (``None`` on timeout or when the run vanished)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                run = self.entities.store.get("run", run_id)
                if run is None:
                    return None
                if predicate(run):
                    return run
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(min(remaining, 1.0))

    # -- API operations ----------------------------------------------------------------------

    def create(self, project: str, body: dict) -> dict:
        if not isinstance(body, dict):
            raise ApiError(400, "The run must be a JSON object.")
        original = retry.check(self.entities, project, body)  # a retry: refused before anything is stored
        run = self.entities.create(project, "run", body, state=fsm.CREATED)
        requested = (body.get("status") or {}).get("state")
        spec = run.get("spec") or {}
        if spec.get("local_execution") is True or "local_execution" in spec and spec["local_execution"] is None:
            # Client-driven run (executed by the SDK in the caller's process): only the state moves.
            if requested and requested != fsm.CREATED:
                self.transition(run, requested)
                self.save(run)
            return run
        with self._lock:
            try:
                self._build(run)
                if original is not None:
                    retry.pin(run, original)
                self.transition(run, fsm.BUILT)
                self._check_runnable(run)
                self.transition(run, fsm.READY)
            except ApiError as exc:
                self.transition(run, fsm.ERROR, exc.message)
                self.save(run)
                self.append_log(run["id"], f"[dhhera] {exc.message}")
                return run
            self.save(run)
        self._dispatch(run)
        return self.entities.get(project, "run", run["id"])

    def update(self, project: str, run_id: str, body: dict) -> dict:
        if not isinstance(body, dict):
            raise ApiError(400, "The run must be a JSON object.")

        def apply(run: dict) -> None:
            old_state = run.get("status", {}).get("state", fsm.CREATED)
            incoming = dict(body.get("status") or {})
            target = incoming.pop("state", None)
            incoming.pop("transitions", None)
            run["status"] = {**(run.get("status") or {}), **incoming}
            if old_state == fsm.CREATED and "spec" in body:
                run["spec"] = body["spec"]
            meta = body.get("metadata") or {}
            if "relationships" in meta:
                run.setdefault("metadata", {})["relationships"] = meta["relationships"]
            if (
                target in (fsm.RUNNING, fsm.COMPLETED)
                and old_state in (fsm.READY, fsm.PENDING)
                and (run.get("spec") or {}).get("local_execution") is not True
            ):
                # The run's process reports before the pool's start callback landed: it is running.
                self.transition(run, fsm.RUNNING)
            if target and target != old_state:
                # An invalid transition is silently ignored, as DHCore does (contract §4.2).
                if target == fsm.COMPLETED and fsm.run_can_go(run["status"].get("state", old_state), target):
                    self._complete(run)
                else:
                    self.transition(run, target, incoming.get("message") if target == fsm.ERROR else None)

        self.mutate(project, run_id, apply)
        return self.entities.get(project, "run", run_id)

    def stop(self, project: str, run_id: str) -> dict:
        run = self.entities.get(project, "run", run_id)
        state = run["status"].get("state")
        if state not in profile.current().stoppable:
            return run  # DHCore answers 200 and changes nothing
        run = self.mutate(project, run_id, lambda r: self.transition(r, fsm.STOP, "stop requested", local_ext=True))
        if run["status"]["state"] != fsm.STOP:
            return run
        self.append_log(run_id, "[dhhera] stop requested")
        executor = self._executor_of(run)
        if executor is None or not executor.stop(run_id):
            self.mutate(project, run_id, lambda r: self.transition(r, fsm.STOPPED, "stopped"))
        entry = run_kinds.lookup(run["kind"])
        if entry is not None and entry.is_service:
            # A service ends in milliseconds: answer once it did, so that the caller sees STOPPED, not STOP.
            self.wait_for(project, run_id, lambda r: r["status"].get("state") in fsm.TERMINAL, SERVICE_STOP_WAIT)
        return self.entities.get(project, "run", run_id)

    def delete(self, project: str, run_id: str) -> dict:
        run = self.entities.get(project, "run", run_id)
        executor = self._executor_of(run)
        if executor is not None:
            executor.stop(run_id)
        self.transition(run, fsm.DELETING)
        with self._lock:
            self.entities.store.delete("run", run_id)
            self._changed.notify_all()
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
        return run

    # -- logs --------------------------------------------------------------------------------

    def run_dir(self, run_id: str) -> Path:
        # Checked to be a child of runs_dir: a run id such as ".." must never reach rmtree.
        return inside(self.runs_dir, run_id)

    def append_log(self, run_id: str, line: str) -> None:
        path = self.run_dir(run_id) / "run.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line.rstrip("\n") + "\n")

    def logs(self, project: str, run_id: str, query: dict[str, str] | None = None) -> list[dict]:
        """The run's logs in the shape SDK 0.15 parses (contract §3.5), bounded (see :mod:`.runlogs`)."""
        run = self.entities.get(project, "run", run_id)
        docs = runlogs.log_documents(project, run, self.run_dir(run_id) / "run.log", query or {})
        return profile.current().split_logs(run, docs)

    # -- build and dispatch ------------------------------------------------------------------

    def _executor_of(self, run: dict) -> Executor | None:
        entry = run_kinds.lookup(run.get("kind", ""))
        return self.executors.get(entry.executor) if entry is not None else None

    def _build(self, run: dict) -> None:
        """Merge task and executable specs into the run spec (DHCore's BUILD: function > run > task)."""
        spec = run.get("spec") or {}
        entry = run_kinds.lookup(run["kind"])
        if entry is None:
            raise ApiError(400, run_kinds.refusal(run["kind"]))
        if entry.executor not in self.executors:
            raise ApiError(400, f"The local core has no {entry.executor} executor for run kind '{run['kind']}'.")
        task_ref = parse_exec(spec.get("task", ""))
        task = self.entities.store.get("task", task_ref["name"]) if task_ref else None
        if task is None:
            raise ApiError(400, f"Task {spec.get('task')!r} of run {run['id']} does not exist.")
        exec_field = "function" if spec.get("function") else "workflow"
        exec_ref = parse_exec(spec.get(exec_field, ""))
        executable = self.entities.store.get(exec_field, exec_ref["id"]) if exec_ref and exec_ref["id"] else None
        if executable is None:
            raise ApiError(400, f"The {exec_field} {spec.get(exec_field)!r} of run {run['id']} does not exist.")
        merged: dict[str, Any] = {
            k: v for k, v in (task.get("spec") or {}).items() if k not in ("function", "workflow")
        }
        merged.update(spec)
        merged.update(executable.get("spec") or {})
        run["spec"] = merged

    def _check_runnable(self, run: dict) -> None:
        entry = run_kinds.lookup(run["kind"])
        assert entry is not None  # _build refused unknown kinds
        if run_kinds.NEEDS_WORKFLOW_BUILD in entry.needs and not ((run["spec"].get("build") or {}).get("base64")):
            raise ApiError(400, profile.current().not_built_message(self._never_built_message(run)))

    def _never_built_message(self, run: dict) -> str:
        """Why a pipeline cannot start without a build: the last build of its workflow failed, or none ran."""
        ref = parse_exec(run["spec"].get("workflow", "")) or {}
        builds = [
            r
            for r in self.entities.store.by_states("run", [fsm.ERROR, fsm.STOPPED])
            if r.get("project") == run.get("project")
            and r.get("kind", "").endswith("+build:run")
            and (parse_exec((r.get("spec") or {}).get("workflow", "")) or {}).get("name") == ref.get("name")
        ]
        builds.sort(key=lambda r: (r.get("metadata") or {}).get("created") or "")
        if builds:
            last = builds[-1]
            return (
                f"workflowSpec is null: the last build of workflow '{ref.get('name')}' (run {last['id']}) ended "
                f"{last['status'].get('state')}: {last['status'].get('message') or 'see its logs'}. Fix it and "
                'build again (workflow.run(action="build") or %hera build), then run the pipeline.'
            )
        return (
            "workflowSpec is null: this workflow has no build yet; run "
            'workflow.run(action="build") (or %hera build) first, then run the pipeline again.'
        )

    def _dispatch(self, run: dict) -> None:
        entry = run_kinds.lookup(run["kind"])
        assert entry is not None
        if entry.executor == run_kinds.PIPELINE:
            # The pipeline interpreter waits for the object store itself, step by step.
            self.executors[entry.executor].start(run, {}, self)
            return
        self.append_log(run["id"], f"[dhhera] {run['kind']} queued for a {entry.executor}")
        threading.Thread(target=self._submit, args=(run, entry), name=f"submit-{run['id'][:8]}", daemon=True).start()

    def _submit(self, run: dict, entry: RunKind) -> None:
        try:
            env = self.run_env()
        except Exception as exc:  # noqa: BLE001 - S3 did not come up: the run cannot produce outputs
            self._fail(run, f"The local object store is not available: {exc}")
            return
        if run_kinds.NEEDS_FUNCTION_ENV in entry.needs and self.environments is not None:
            try:
                env = {**env, **self.environments.prepare(run, lambda line: self.append_log(run["id"], line))}
            except Exception as exc:  # noqa: BLE001 - an install that fails ends the run with its reason
                self._fail(run, str(exc))
                return
        current = self.entities.store.get("run", run["id"])
        if current is None or current["status"].get("state") != fsm.READY:
            return
        try:
            self.executors[entry.executor].start(run, env, self)
        except Exception as exc:  # noqa: BLE001 - never leave a run READY forever
            self._fail(run, f"The local core could not start this run: {exc}")

    def _fail(self, run: dict, message: str) -> None:
        self.mutate(run["project"], run["id"], lambda r: self.transition(r, fsm.ERROR, message))
        self.append_log(run["id"], f"[dhhera] {message}")

    # -- RunCallbacks (what executors report) ---------------------------------------------------

    def on_start(self, run_id: str) -> None:
        """An executor took the run from its queue: what DHCore's monitor reports when the pod runs. A service
        becomes RUNNING later, when its process reports the service (:meth:`update`)."""
        run = self.entities.store.get("run", run_id)
        entry = run_kinds.lookup(run["kind"]) if run is not None else None
        if run is not None and entry is not None and entry.running_on == run_kinds.RUNNING_ON_START:
            self.mutate(run["project"], run_id, lambda r: self.transition(r, fsm.RUNNING))

    def on_exit(self, run_id: str, code: int) -> None:
        run = self.entities.store.get("run", run_id)
        if run is None:
            return
        project = run["project"]
        self.append_log(run_id, f"[dhhera] process exited with code {code}")

        cause = self._exception_in_log(run_id) if code != 0 else None
        cause = run_kinds.explain_missing_runtime(cause) if cause else None

        def finish(r: dict) -> None:
            state = r["status"].get("state")
            if (
                cause
                and state in (fsm.ERROR, fsm.RUNNING, fsm.READY)
                and cause not in (r["status"].get("message") or "")
            ):
                base = r["status"].get("message") or ""
                # The runtime's own message is its generic wrapper: the exception says more on its own.
                generic = not base or any(g in base for g in _GENERIC_WRAPPERS)
                r["status"]["message"] = cause if generic else f"{base.rstrip('.')}: {cause}"
            if state == fsm.STOP:
                self.transition(r, fsm.STOPPED, "stopped")
                return
            if state in fsm.TERMINAL:
                return
            entry = run_kinds.lookup(r.get("kind", ""))
            if entry is not None and entry.is_service:
                # A service ends only when stopped: any other end of its process is an error.
                self.transition(r, fsm.ERROR, r["status"].get("message") if cause else _service_ended(code))
                return
            if state in (fsm.READY, fsm.PENDING) and code >= 0:
                self.transition(r, fsm.RUNNING)
            if code == 0:
                self._complete(r)
            else:
                message = r["status"].get("message") or f"The run process exited with code {code}; see its logs."
                self.transition(r, fsm.ERROR, message)

        self.mutate(project, run_id, finish)

    def _exception_in_log(self, run_id: str) -> str | None:
        """What a user wants in ``status.message``: the last exception of the log's chained traceback that says
        something (``RuntimeError: Function or workflow not found.``, not the runtime's generic "Something got
        wrong during function execution" wrapped around it), followed by the root of the chain when it differs:
        ``told (caused by root)``."""
        path = self.run_dir(run_id) / "run.log"
        try:
            lines = path.read_text(errors="replace").splitlines()[-400:]
        except OSError:
            return None
        chain: list[str] = []  # last exception first, back to the root cause
        end = len(lines)
        while True:
            idx = next((i for i in range(end - 1, -1, -1) if _EXCEPTION_LINE.match(lines[i].strip())), None)
            if idx is None:
                break
            chain.append(lines[idx].strip()[:300])
            tb = next((i for i in range(idx - 1, -1, -1) if lines[i].startswith("Traceback")), None)
            before = next((i for i in range((tb or 0) - 1, -1, -1) if lines[i].strip()), None)
            if tb is None or before is None or not lines[before].startswith(_CHAIN_MARKERS):
                break
            end = before
        if not chain:
            return None
        # The last exception that is not a runtime's generic wrapper, then the root of the chain.
        told = next((e for e in chain if not any(g in e for g in _GENERIC_WRAPPERS)), chain[0])
        root = chain[-1]
        return told if root == told else f"{told} (caused by {root})"

    def _complete(self, run: dict) -> None:
        """Move ``run`` (in place, under the lock) to COMPLETED after its kind's completion hook: a hera build first
        stores its Argo spec in the workflow, as DHCore's HeraRuntime.onComplete does (contract §5.1), so nobody
        sees a COMPLETED build whose workflow has no ``spec.build`` yet; a python build records its environment
        as the function's image, as DHCore's PythonRuntime.onComplete records the built image."""
        entry = run_kinds.lookup(run.get("kind", ""))
        hook = entry.on_complete if entry is not None else None
        try:
            if hook == run_kinds.STORE_WORKFLOW_BUILD:
                self._store_workflow_build(run)
            elif hook == run_kinds.RECORD_FUNCTION_ENV:
                self._record_function_env(run)
        except Exception as exc:  # noqa: BLE001 - whatever the run produced, it must end
            self.transition(run, fsm.ERROR, f"The build produced no usable result: {exc}")
            return
        self.transition(run, fsm.COMPLETED)

    def _store_workflow_build(self, run: dict) -> None:
        manifest = result_spec((run["status"].get("results") or {}).get("workflow"))  # aliases refused
        if manifest is None:
            raise ValueError("the build finished without producing a workflow")
        spec = _drop_empty(manifest)
        if not isinstance(spec, dict) or not spec.get("templates"):
            raise ValueError("the workflow has no templates")
        text = dump_yaml(spec)
        ref = parse_exec(run["spec"].get("workflow", ""))
        workflow = self.entities.store.get("workflow", ref["id"]) if ref else None
        if workflow is None:
            raise ValueError("the workflow of this build no longer exists")
        workflow.setdefault("spec", {})["build"] = {"base64": base64.b64encode(text.encode()).decode(), "lang": "yaml"}
        self.entities.replace("workflow", workflow)
        self.append_log(run["id"], f"[dhhera] build stored in workflow {workflow['name']}:{workflow['id']}")

    def _record_function_env(self, run: dict) -> None:
        image = self.environments.image_of(run) if self.environments is not None else None
        ref = parse_exec(run["spec"].get("function", ""))
        function = self.entities.store.get("function", ref["id"]) if ref else None
        if function is None:
            raise ValueError("the function of this build no longer exists")
        if image and (function.get("spec") or {}).get("image") != image:
            function.setdefault("spec", {})["image"] = image
            self.entities.replace("function", function)
        run["status"].setdefault("outputs", {})["image"] = image
        self.append_log(run["id"], f"[dhhera] function {function['name']} now runs in {image}")

    # -- restart -----------------------------------------------------------------------------

    def recover(self) -> int:
        """Mark runs left in flight by a core that died as ERROR (never RUNNING forever)."""
        count = 0
        for run in self.entities.store.by_states("run", sorted(fsm.IN_FLIGHT)):
            if (run.get("spec") or {}).get("local_execution") is True:
                continue
            message = (
                "The local core stopped while this run was in flight, so it did not finish; "
                "finished steps keep their results. Run it again."
            )
            for node in run["status"].get("nodes") or []:
                if node.get("state") in ("Running", "Pending"):
                    node["state"] = "Error"
                    node["message"] = "interrupted: the local core stopped"
            entry = run_kinds.lookup(run.get("kind", ""))
            if entry is not None and entry.is_service and run["status"].get("state") in (fsm.RUNNING, fsm.STOP):
                # Services do not survive the core (their process was its grandchild): say so, never RUNNING.
                message = "stopped: the local core restarted and its services with it; run the service again."
                self.transition(run, fsm.STOP, local_ext=True)
                self.transition(run, fsm.STOPPED, message)
                run["status"].pop("service", None)
            elif run["status"].get("state") == fsm.STOP:
                self.transition(run, fsm.STOPPED, "stopped (the local core restarted)")
            else:
                self.transition(run, fsm.ERROR, message)
            self.save(run)
            self.append_log(run["id"], f"[dhhera] {message}")
            count += 1
        return count


#: Messages with which runtimes wrap the exception of a failed run (they say nothing of their own).
_GENERIC_WRAPPERS = ("Something got wrong during function execution",)
_CHAIN_MARKERS = ("During handling of the above exception", "The above exception was the direct cause")


def _service_ended(code: int) -> str:
    if code < 0:
        return f"The service process was killed (signal {-code}) while serving; see its logs, then run it again."
    return f"The service process exited with code {code} while serving; see its logs, then run it again."


_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt)\b: .+$")


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value
