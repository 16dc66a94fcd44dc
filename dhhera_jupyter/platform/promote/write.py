"""The writes of a push, in dependency order, remembering what was created so that a failure removes it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from dhhera_jupyter import settings
from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.documents.states import FINISHED_RUN_STATES, WORKFLOW_KIND
from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.platform.promote.calls import EntityCalls, target_errors
from dhhera_jupyter.platform.promote.plan import Item, Plan, function_keys, object_path
from dhhera_jupyter.platform.promote.target import s3_store

Echo = Callable[[str], None]

#: Metadata the server stamps (and the target stamps again).
_STAMPS = ("created", "updated", "created_by", "updated_by", "version", "ref", "embedded")


def _body(doc: dict, project: str, id_: str, type_: str, status: dict | None = None) -> dict:
    metadata = {k: v for k, v in (doc.get("metadata") or {}).items() if k not in _STAMPS and k != "relationships"}
    metadata.update({"project": project, "name": doc["name"]})
    return {
        "id": id_,
        "name": doc["name"],
        "kind": doc["kind"],
        "project": project,
        "key": f"store://{project}/{type_}/{doc['kind']}/{doc['name']}:{id_}",
        "metadata": metadata,
        "spec": {k: v for k, v in (doc.get("spec") or {}).items() if k != "build"},
        "status": status or {"state": "CREATED"},
    }


class Writer:
    """Writes a plan to the target, remembering what it created so that a failure can remove it."""

    def __init__(self, plan: Plan, dst: EntityCalls, echo: Echo) -> None:
        self.plan, self.dst, self.echo = plan, dst, echo
        self.created: list[tuple[str, str, str]] = []  # (type, id, label), oldest first
        self.uploaded: list[str] = []  # target object paths
        self.store: Any = None

    def write(self) -> str | None:
        """Write everything; returns the build run id (None when nothing needed a build)."""
        plan, project = self.plan, self.plan.project
        if plan.project_missing:
            with target_errors(plan.target, f"creating project '{project}'"):
                self.dst.create_project(
                    {
                        "id": project,
                        "name": project,
                        "kind": "project",
                        "key": f"store://{project}",
                        "metadata": {"project": project, "name": project},
                        "spec": {"source": "./", "config": {}},
                        "status": {"state": "CREATED"},
                    }
                )
            self.created.append(("project", project, f"project {project}"))
            self.echo(f"project  {project}  created on {plan.target.endpoint}")
        for item in plan.items:
            if item.action in ("copy", "new version"):
                self._copy(item)
            self.echo(item.line(project))
        if not plan.needs_build:
            return None
        return self._build()

    def _copy(self, item: Item) -> None:
        plan, project = self.plan, self.plan.project
        assert item.target_id is not None
        status = None
        if item.type == "dataitem" and item.files:
            status = self._upload(item)
        elif item.type == "dataitem":
            status = {k: v for k, v in (item.doc.get("status") or {}).items() if k in ("state", "files")}
        body = _body(item.doc, project, item.target_id, item.type, status)
        if item.target_path:
            body["spec"]["path"] = item.target_path
        with target_errors(plan.target, f"creating {item.label}"):
            self.dst.create(project, item.type, body)
        self.created.append((item.type, item.target_id, item.label))

    def _upload(self, item: Item) -> dict:
        """Upload a dataitem's files under the target's store, at the same key below the bucket."""
        source_path = str(item.doc["spec"]["path"])
        root = self.plan.target.files_store
        assert root is not None
        item.target_path = root + urlparse(source_path).path
        if self.store is None:
            self.store = s3_store(self.plan.target)
        for local, relative in item.files:
            dst = object_path(item.target_path, relative)
            with target_errors(self.plan.target, f"uploading {relative} of {item.label}"):
                self.store.upload(str(local), dst)
            self.uploaded.append(dst)
        status = {k: v for k, v in (item.doc.get("status") or {}).items() if k in ("state", "files")}
        return status or {"state": "READY"}

    def _build(self) -> str:
        plan, project, target = self.plan, self.plan.project, self.plan.target
        wf = plan.workflow
        exec_ = f"{WORKFLOW_KIND}://{project}/{plan.name}:{wf.target_id}"
        with target_errors(target, f"building workflow '{plan.name}'"):
            tasks = [t for t in self.dst.find(project, "task", kind="hera+build", workflow=exec_)]
            tasks = [t for t in tasks if (t.get("spec") or {}).get("workflow") == exec_]
            if tasks:
                task_id = str(tasks[0]["id"])
            else:
                task_id = uuid.uuid4().hex
                self.dst.create(
                    project,
                    "task",
                    {
                        "id": task_id,
                        "name": task_id,
                        "kind": "hera+build",
                        "project": project,
                        "key": f"store://{project}/task/hera+build/{task_id}",
                        "metadata": {"project": project, "name": task_id},
                        "spec": {"workflow": exec_},
                        "status": {"state": "CREATED"},
                    },
                )
                self.created.append(("task", task_id, "its build task"))
            run_id = uuid.uuid4().hex
            self.dst.create(
                project,
                "run",
                {
                    "id": run_id,
                    "name": run_id,
                    "kind": "hera+build:run",
                    "project": project,
                    "key": f"store://{project}/run/hera+build:run/{run_id}",
                    "metadata": {
                        "project": project,
                        "name": run_id,
                        "relationships": [
                            {
                                "type": "run_of",
                                "dest": f"store://{project}/workflow/{WORKFLOW_KIND}/{plan.name}:{wf.target_id}",
                            }
                        ],
                    },
                    "spec": {
                        "task": f"hera+build://{project}/{task_id}",
                        "workflow": exec_,
                        "parameters": plan.build_parameters,
                    },
                    "status": {"state": "CREATED"},
                    "extensions": [],
                },
            )
            self.created.append(("run", run_id, "its build run"))
        started = time.monotonic()
        interval, longest = settings.BUILD_POLL_INTERVAL
        timeout = settings.BUILD_TIMEOUT
        while True:
            with target_errors(target, f"following the build of '{plan.name}'"):
                run = self.dst.by_id(project, "run", run_id) or {}
            status = run.get("status") or {}
            state = str(status.get("state"))
            if state in FINISHED_RUN_STATES:
                break
            if time.monotonic() - started > timeout:
                raise DhheraError(
                    f"The build of '{plan.name}' on {target.endpoint} did not end within {timeout:.0f} s."
                )
            time.sleep(interval)
            interval = min(longest, interval * 1.5)
        if state != "COMPLETED":
            message = str(status.get("message") or "no message").strip()
            raise DhheraError(f"The build of workflow '{plan.name}' on {target.endpoint} ended {state}: {message}.")
        self._check_binding()
        self.echo(
            f"build    {plan.name}  completed on {target.endpoint} in {time.monotonic() - started:.1f} s (run {run_id})"
        )
        return run_id

    def _check_binding(self) -> None:
        """The target's build must run exactly the function versions pushed (it binds the latest by name)."""
        plan, project = self.plan, self.plan.project
        with target_errors(plan.target, f"reading the build of '{plan.name}'"):
            built = self.dst.by_id(project, "workflow", str(plan.workflow.target_id)) or {}
        expected = {f"store://{project}/function/{i.doc['kind']}/{i.doc['name']}:{i.target_id}" for i in plan.functions}
        bound = set(function_keys(build_spec(built) or {}))
        if bound != expected:
            extra = ", ".join(sorted(bound - expected)) or "none"
            raise DhheraError(
                f"The build of '{plan.name}' on {plan.target.endpoint} runs other function versions ({extra}) than "
                "the ones pushed (a newer version was added there meanwhile?); push again"
            )

    def undo(self) -> str:
        """Delete what this push created, newest first; returns what the error message says about it."""
        removed, left = [], []
        if self.uploaded:
            client_bucket = None
            for path in reversed(self.uploaded):
                try:
                    if client_bucket is None:
                        client_bucket = self.store._check_factory(path)
                    client_, bucket = client_bucket
                    client_.delete_object(Bucket=bucket, Key=urlparse(path).path.lstrip("/"))
                except Exception:  # noqa: BLE001 - reported below, the rest is still removed
                    left.append(path)
            if len(left) < len(self.uploaded):
                removed.append(f"{len(self.uploaded) - len(left)} uploaded file(s)")
        for type_, id_, label in reversed(self.created):
            try:
                if type_ == "project":
                    self.dst.delete_project(id_)
                else:
                    self.dst.delete(self.plan.project, type_, id_)
                removed.append(label)
            except Exception:  # noqa: BLE001
                left.append(label)
        if not removed and not left:
            return "nothing had been written there"
        out = "removed what this push had created (" + ", ".join(removed or ["nothing"]) + ")"
        if left:
            out += "; could not remove " + ", ".join(left) + ": delete them there by hand"
        return out
