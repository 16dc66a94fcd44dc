"""Promote a hera workflow to another DigitalHub: the workflow, the exact function versions its build runs and,
optionally, the dataitems it reads, copied through the SDK from the backend in use, then built there.

A push plans first and writes second, so that bad input never leaves anything half-copied:

1. *read* the source (the backend in use, through the SDK's global client): the workflow's latest version (it
   must be a built hera workflow), every function version its build names (``--entity`` keys), the dataitems
   its build names, and their files (downloaded into a temporary folder);
2. *check* the target (its own SDK client, :mod:`~dhhera_jupyter.platform.target_backend`): it answers, it
   accepts the credentials, and what it already holds — each entity is then *unchanged* (same spec),
   *to copy*, or a *conflict* (a workflow of that name with another spec: refused unless ``force``);
3. *write*, in dependency order: the project when missing, functions, dataitems (files first, through the SDK's
   S3 store), the workflow, then build it there (a ``hera+build`` task and run, as ``workflow.run("build")``
   posts them) and wait for the build. If any write fails, everything this push created is deleted again,
   newest first, and the error says so.

Ids are kept (a copy is the same version, with the same key) unless the target already uses one; a function
is copied only when the target's latest version of that name has another spec, because a build binds each
step to the latest version of its function by name.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dhhera_jupyter import settings
from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.documents.keys import parse_key
from dhhera_jupyter.documents.states import FINISHED_RUN_STATES, WORKFLOW_KIND
from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.errors import BackendUnreachable, Conflict, DhheraError, NotBuilt, NotFound
from dhhera_jupyter.platform.backend import backend, probe, sdk
from dhhera_jupyter.platform.sdk_errors import credentials_rejected, is_not_found, sdk_errors
from dhhera_jupyter.platform.target_backend import Target, client, s3_store

Echo = Callable[[str], None]

#: Metadata the server stamps (and the target stamps again).
_STAMPS = ("created", "updated", "created_by", "updated_by", "version", "ref", "embedded")

#: Entity types a name given to push may belong to, for "is not a workflow" messages.
_OTHER_TYPES = ("function", "dataitem", "artifact", "model")

#: Key-like words in a built spec.
_STORE_KEYS = re.compile(r"store://[A-Za-z0-9._+:/-]+")

#: Friendly names of the spec fields a difference is reported by.
_FIELD_NAMES = {"source.base64": "code", "source.handler": "handler", "source.source": "code source"}


@dataclass
class Item:
    """One entity of a push: where it comes from, and what the push does with it.

    Attributes
    ----------
    type : str
        ``function``, ``dataitem`` or ``workflow``.
    doc : dict
        The source entity, as the backend stores it.
    action : str
        ``copy``, ``unchanged``, ``new version`` (a workflow replaced with ``force``), or ``not copied``.
    note : str
        Said after the action (what differs, the files...).
    files : list of (local path, target path)
        Files a dataitem copy uploads.
    """

    type: str
    doc: dict
    action: str = "copy"
    note: str = ""
    target_id: str | None = None
    files: list[tuple[Path, str]] = field(default_factory=list)
    target_path: str | None = None

    @property
    def label(self) -> str:
        return f"{self.type} {self.doc.get('name')}"

    def line(self, project: str) -> str:
        key = f"store://{project}/{self.type}/{self.doc.get('kind')}/{self.doc.get('name')}:{self.target_id}"
        return (
            f"{self.type:<9}{self.doc.get('name')}  {key}  {self.action}{'  (' + self.note + ')' if self.note else ''}"
        )


@dataclass
class Plan:
    """What a push will do, fully known before anything is written."""

    name: str
    project: str
    target: Target
    workflow: Item
    functions: list[Item]
    dataitems: list[Item]
    build_parameters: dict
    project_missing: bool = False
    target_built: bool = False

    @property
    def items(self) -> list[Item]:
        return [*self.functions, *self.dataitems, self.workflow]

    @property
    def needs_build(self) -> bool:
        return not self.target_built or any(i.action in ("copy", "new version") for i in self.items)


# -- the SDK client, for either side ---------------------------------------------------------------------------


class _Side:
    """Entity reads and writes on one backend through an SDK ``Client`` (the same calls the SDK's CRUD makes)."""

    def __init__(self, sdk_client: Any) -> None:
        self.client = sdk_client

    def _api(self, operation: str, project: str, type_: str, **kwargs: Any) -> str:
        return str(self.client.build_api("context", operation, project=project, entity_type=type_, **kwargs))

    def by_id(self, project: str, type_: str, id_: str) -> dict | None:
        try:
            return dict(self.client.read_object(self._api("read", project, type_, entity_id=id_)))
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise

    def latest(self, project: str, type_: str, name: str) -> dict | None:
        try:
            found = self.client.list_objects(self._api("list", project, type_), params={"name": name})
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        return dict(found[0]) if found else None

    def find(self, project: str, type_: str, **params: Any) -> list[dict]:
        return [dict(d) for d in self.client.list_objects(self._api("list", project, type_), params=params)]

    def create(self, project: str, type_: str, body: dict) -> dict:
        return dict(self.client.create_object(self._api("create", project, type_), body))

    def delete(self, project: str, type_: str, id_: str) -> None:
        self.client.delete_object(self._api("delete", project, type_, entity_id=id_))

    def project(self, name: str) -> dict | None:
        api = self.client.build_api("base", "read", entity_type="project", entity_name=name)
        try:
            return dict(self.client.read_object(api))
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise

    def create_project(self, body: dict) -> None:
        self.client.create_object(self.client.build_api("base", "create", entity_type="project"), body)

    def delete_project(self, name: str) -> None:
        api = self.client.build_api("base", "delete", entity_type="project", entity_name=name)
        self.client.delete_object(api, params={"cascade": "true"})


def _source() -> _Side:
    sdk()
    from digitalhub.stores.client.base.factory import get_client

    return _Side(get_client())


@contextmanager
def _target_errors(target: Target, doing: str) -> Iterator[None]:
    """SDK exceptions of a call to the target, as one sentence naming the target and what was being done."""
    try:
        yield
    except DhheraError:
        raise
    except Exception as exc:
        chain: list[BaseException] = []
        item: BaseException | None = exc
        while item is not None and len(chain) < 10:
            chain.append(item)
            item = item.__cause__ or item.__context__
        if any(isinstance(e, (ConnectionError, TimeoutError)) for e in chain):
            raise BackendUnreachable(
                f"The DigitalHub at {target.endpoint} stopped answering while {doing}; check it, then push again."
            ) from exc
        if credentials_rejected(exc):
            raise DhheraError(
                f"The DigitalHub at {target.endpoint} rejected the credentials of {target.origin}; "
                "give a valid --token or fix that profile, then push again."
            ) from exc
        raise DhheraError(f"The DigitalHub at {target.endpoint} refused {doing}: {exc}") from exc


# -- plan ------------------------------------------------------------------------------------------------------


def _normal(value: Any) -> Any:
    """A spec without the empty fields DHCore drops (so that a round trip compares equal)."""
    if isinstance(value, dict):
        out = {k: _normal(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _spec(doc: dict, *drop: str) -> dict:
    return _normal({k: v for k, v in (doc.get("spec") or {}).items() if k not in drop})


def _differences(a: dict, b: dict, prefix: str = "") -> list[str]:
    """Dotted names of the fields where ``a`` and ``b`` differ (two levels deep)."""
    out = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if left == right:
            continue
        name = f"{prefix}{key}"
        if isinstance(left, dict) and isinstance(right, dict) and not prefix:
            out.extend(_differences(left, right, name + "."))
        else:
            out.append(_FIELD_NAMES.get(name, name))
    return out


def _workflow(src: _Side, name: str, project: str) -> dict:
    with sdk_errors():
        doc = src.latest(project, "workflow", name)
        if doc is None:
            for type_ in _OTHER_TYPES:
                other = src.latest(project, type_, name)
                if other is not None:
                    raise DhheraError(
                        f"'{name}' is a {type_} of project '{project}', not a workflow; push takes the name of a "
                        "hera workflow (see %hera runs or the sidebar)."
                    )
            raise NotFound(f"Workflow '{name}' does not exist in project '{project}'; nothing to push.")
    if doc.get("kind") != WORKFLOW_KIND:
        raise DhheraError(
            f"'{name}' is a workflow of kind '{doc.get('kind')}', not a hera workflow; push copies hera workflows."
        )
    if build_spec(doc) is None:
        raise NotBuilt(
            f"Workflow '{name}' has never been built, so the function versions it runs are not known; "
            f"build it with `%hera build {name}`, then push."
        )
    return doc


def _function_keys(spec: dict) -> list[str]:
    keys: list[str] = []
    for template in spec.get("templates") or []:
        call = step_call(template) if isinstance(template, dict) else None
        if call is not None and call.key and call.key not in keys:
            keys.append(call.key)
    return keys


def _data_keys(value: Any, found: list[str]) -> list[str]:
    """Every ``store://.../dataitem/...:id`` key in the strings of ``value``, in order, once each."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, str) and "store://" in item:
            for text in _STORE_KEYS.findall(item):
                key = parse_key(text)
                if key is not None and key.type == "dataitem" and key.id and text not in found:
                    found.append(text)
    return found


def _functions(src: _Side, name: str, project: str, spec: dict) -> list[Item]:
    items = []
    for text in _function_keys(spec):
        key = parse_key(text)
        if key is None or not key.id:
            raise DhheraError(
                f"The build of workflow '{name}' names function '{text}' without a version; rebuild it "
                f"(`%hera build {name}`), then push."
            )
        with sdk_errors():
            doc = src.by_id(key.project, "function", key.id)
        if doc is None:
            raise NotFound(
                f"The build of workflow '{name}' runs function '{key.name}' version {key.id}, which no longer "
                f"exists in project '{key.project}'; rebuild it (`%hera build {name}`) so that it binds "
                "existing versions, then push."
            )
        code_source = str(((doc.get("spec") or {}).get("source") or {}).get("source") or "")
        if "s3://" in code_source and not ((doc.get("spec") or {}).get("source") or {}).get("base64"):
            raise DhheraError(
                f"Function '{key.name}' keeps its code in the source's object store ({code_source}), which the "
                "target cannot read; register it with its code inline (code= or a .py code_src), then push."
            )
        items.append(Item("function", doc))
    return items


def _dataitems(src: _Side, name: str, spec: dict, with_data: bool, folder: Path) -> list[Item]:
    items = []
    for text in _data_keys(spec, []):
        key = parse_key(text)
        assert key is not None and key.id
        with sdk_errors():
            doc = src.by_id(key.project, "dataitem", key.id)
        if doc is None:
            raise NotFound(
                f"The build of workflow '{name}' reads dataitem '{text}', which no longer exists in the source; "
                "log it again or change the pipeline, then push."
            )
        item = Item("dataitem", doc)
        if not with_data:
            item.action, item.note = "not copied", "read by the pipeline; --with-data copies it"
        items.append(item)
    if with_data:
        for item in items:
            _download(item, folder)
    return items


def _download(item: Item, folder: Path) -> None:
    """Read the dataitem's files from the source's store into ``folder`` (the SDK's store of the source)."""
    path = str((item.doc.get("spec") or {}).get("path") or "")
    if path.startswith(("http://", "https://")):
        return  # the target reads it where it is
    if not path.startswith("s3://"):
        raise DhheraError(
            f"Dataitem '{item.doc.get('name')}' lives at {path or 'no path'}, which push cannot copy (only s3:// "
            "objects are copied); push without --with-data and make it available on the target."
        )
    from digitalhub.stores.data.api import get_store

    local = folder / str(item.doc.get("id"))
    local.mkdir(parents=True)
    with sdk_errors():
        downloaded = Path(get_store(path).download(path, local if path.endswith("/") else local / Path(path).name))
    files = [downloaded] if downloaded.is_file() else sorted(p for p in downloaded.rglob("*") if p.is_file())
    item.files = [(f, f.relative_to(local).as_posix()) for f in files]
    size = sum(f.stat().st_size for f, _ in item.files)
    item.note = f"{len(item.files)} file{'s' if len(item.files) != 1 else ''}, {size} bytes"


def _build_parameters(src: _Side, project: str, workflow: dict) -> dict:
    """The parameters of the source's last completed build of this workflow version (empty when none)."""
    exec_ = f"{WORKFLOW_KIND}://{project}/{workflow['name']}:{workflow['id']}"
    try:
        with sdk_errors():
            runs = src.find(project, "run", kind="hera+build:run", workflow=exec_)
    except DhheraError:
        return {}
    for run in runs:
        spec = run.get("spec") or {}
        if spec.get("workflow") == exec_ and (run.get("status") or {}).get("state") == "COMPLETED":
            return dict(spec.get("parameters") or {})
    return {}


def _object_path(root_path: str, relative: str) -> str:
    """Where the file ``relative`` of a dataitem stored at ``root_path`` (a file, or a folder ending in /) lives."""
    return root_path + relative if root_path.endswith("/") else root_path


def _files_differ(target: Target, path: str, files: list[tuple[Path, str]]) -> list[str]:
    """How the target's objects of a dataitem differ from the source's files (sizes read with HEAD requests)."""
    if not path.startswith("s3://"):
        return [f"path ({path or 'none'})"]
    store = s3_store(target)
    out = []
    for local, relative in files:
        where = _object_path(path, relative)
        try:
            s3, bucket = store._check_factory(where)
            size = int(s3.head_object(Bucket=bucket, Key=urlparse(where).path.lstrip("/"))["ContentLength"])
        except Exception:  # noqa: BLE001 - a missing or unreadable object is a difference
            size = -1
        if size != local.stat().st_size:
            out.append(f"file {relative} ({'missing' if size < 0 else f'{size} bytes'} there)")
    return out


def _check_target(dst: _Side, plan: Plan, force: bool) -> None:
    """Fill each item's action from what the target holds; raise on a conflict (unless ``force``)."""
    project, target = plan.project, plan.target
    with _target_errors(target, f"reading project '{project}'"):
        plan.project_missing = dst.project(project) is None
    for item in plan.functions:
        item.target_id = str(item.doc["id"])
        if plan.project_missing:
            continue
        with _target_errors(target, f"reading function '{item.doc['name']}'"):
            latest = dst.latest(project, "function", str(item.doc["name"]))
            if latest is not None and _spec(latest) == _spec(item.doc):
                item.action, item.target_id = "unchanged", str(latest["id"])
            elif dst.by_id(project, "function", item.target_id) is not None:
                item.target_id = uuid.uuid4().hex  # that version is there but not the latest: copy it as the latest
                item.note = "as the latest version"
    for item in plan.dataitems:
        item.target_id = str(item.doc["id"])
        if item.action == "not copied" or plan.project_missing:
            continue
        with _target_errors(target, f"reading dataitem '{item.doc['name']}'"):
            there = dst.by_id(project, "dataitem", item.target_id)
        if there is not None:
            differs = _differences(_spec(there, "path"), _spec(item.doc, "path"))
            if item.files:
                differs.extend(_files_differ(target, str((there.get("spec") or {}).get("path") or ""), item.files))
            if differs:
                raise Conflict(
                    f"Dataitem '{item.doc['name']}' version {item.target_id} exists on {target.endpoint} with "
                    f"other content (it differs in {', '.join(differs)}); delete it there, or push without "
                    "--with-data. Nothing was copied."
                )
            item.action, item.note, item.files = "unchanged", "", []
    wf = plan.workflow
    wf.target_id = str(wf.doc["id"])
    if plan.project_missing:
        return
    with _target_errors(target, f"reading workflow '{plan.name}'"):
        latest = dst.latest(project, "workflow", plan.name)
    if latest is None:
        with _target_errors(target, f"reading workflow '{plan.name}'"):
            if dst.by_id(project, "workflow", wf.target_id) is not None:
                wf.target_id = uuid.uuid4().hex
        return
    differs = _differences(_spec(latest, "build"), _spec(wf.doc, "build"))
    if latest.get("kind") != wf.doc.get("kind"):
        differs.insert(0, f"kind ({latest.get('kind')})")
    if not differs:
        wf.action, wf.target_id = "unchanged", str(latest["id"])
        plan.target_built = build_spec(latest) is not None
        return
    if not force:
        raise Conflict(
            f"Project '{project}' on {target.endpoint} already has a workflow '{plan.name}' with another spec "
            f"(it differs in {', '.join(differs)}); push with --force to add this one as its new version. "
            "Nothing was copied."
        )
    wf.action, wf.note = "new version", "--force; differed in " + ", ".join(differs)
    with _target_errors(target, f"reading workflow '{plan.name}'"):
        if dst.by_id(project, "workflow", wf.target_id) is not None:
            wf.target_id = uuid.uuid4().hex


# -- write -----------------------------------------------------------------------------------------------------


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


class _Writer:
    """Writes a plan to the target, remembering what it created so that a failure can remove it."""

    def __init__(self, plan: Plan, dst: _Side, echo: Echo) -> None:
        self.plan, self.dst, self.echo = plan, dst, echo
        self.created: list[tuple[str, str, str]] = []  # (type, id, label), oldest first
        self.uploaded: list[str] = []  # target object paths
        self.store: Any = None

    def write(self) -> str | None:
        """Write everything; returns the build run id (None when nothing needed a build)."""
        plan, project = self.plan, self.plan.project
        if plan.project_missing:
            with _target_errors(plan.target, f"creating project '{project}'"):
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
        with _target_errors(plan.target, f"creating {item.label}"):
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
            dst = _object_path(item.target_path, relative)
            with _target_errors(self.plan.target, f"uploading {relative} of {item.label}"):
                self.store.upload(str(local), dst)
            self.uploaded.append(dst)
        status = {k: v for k, v in (item.doc.get("status") or {}).items() if k in ("state", "files")}
        return status or {"state": "READY"}

    def _build(self) -> str:
        plan, project, target = self.plan, self.plan.project, self.plan.target
        wf = plan.workflow
        exec_ = f"{WORKFLOW_KIND}://{project}/{plan.name}:{wf.target_id}"
        with _target_errors(target, f"building workflow '{plan.name}'"):
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
            with _target_errors(target, f"following the build of '{plan.name}'"):
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
        self.echo(
            f"build    {plan.name}  completed on {target.endpoint} in {time.monotonic() - started:.1f} s (run {run_id})"
        )
        return run_id

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


# -- the push --------------------------------------------------------------------------------------------------


@dataclass
class PushResult:
    """What a push did.

    Attributes
    ----------
    lines : list of str
        One line per entity (and the build), as printed.
    copied, unchanged : int
        How many entities were written, and how many the target already had.
    build_run : str or None
        Id of the build run on the target (None when the target's build was already current).
    """

    lines: list[str]
    copied: int
    unchanged: int
    build_run: str | None
    summary: str = ""


def push(
    name: str,
    target: Target,
    *,
    project: str | None = None,
    with_data: bool = False,
    force: bool = False,
    echo: Echo | None = None,
) -> PushResult:
    """Copy workflow ``name`` (kind hera) and the function versions its build runs, and with ``with_data`` the
    dataitems it reads, from the backend in use to ``target``, then build it there.

    Parameters
    ----------
    name : str
        The workflow (its latest version, which must have been built).
    target : Target
        Where to, with which credentials (:func:`~dhhera_jupyter.platform.target_backend.target`).
    project : str, optional
        Project, the same on both sides (default: the backend's default project).
    with_data : bool
        Also copy the dataitems the build names (entity and files).
    force : bool
        Add the workflow as a new version when the target has one of that name with another spec.
    echo : callable, optional
        Called with each line as it is done.

    Raises
    ------
    DhheraError
        Bad input, an unreachable target, refused credentials, a conflict, or a failed write (after removing
        what the push had created).
    """
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if echo is not None:
            echo(line)

    current = backend()
    project = project or current.project
    if target.endpoint.rstrip("/") == current.endpoint.rstrip("/"):
        raise DhheraError(
            f"{target.endpoint} is the backend in use; push copies to another DigitalHub (give its endpoint or "
            "profile with --to)."
        )
    src = _source()
    folder = Path(tempfile.mkdtemp(prefix="dhhera-push-"))
    try:
        doc = _workflow(src, name, project)
        spec = build_spec(doc) or {}
        plan = Plan(
            name,
            project,
            target,
            Item("workflow", doc),
            _functions(src, name, project, spec),
            [],
            _build_parameters(src, project, doc),
        )
        if with_data and (missing := target.missing_store_settings()) and _data_keys(spec, []):
            raise DhheraError(
                f"--with-data needs the object store of {target.endpoint}, and {target.origin} lacks "
                f"{', '.join(missing)}; push with an ini profile that has them. Nothing was copied."
            )
        plan.dataitems = _dataitems(src, name, spec, with_data, folder)
        try:
            probe(target.endpoint)
        except BackendUnreachable as exc:
            reason = str(exc).split("(", 1)[-1].split(")", 1)[0]
            raise BackendUnreachable(
                f"The DigitalHub at {target.endpoint} does not answer ({reason}); check the address. "
                "Nothing was copied."
            ) from None
        with _target_errors(target, "connecting"):
            dst = _Side(client(target))
        _check_target(dst, plan, force)
        writer = _Writer(plan, dst, say)
        try:
            build_run = writer.write()
        except Exception as exc:
            what = writer.undo()
            reason = str(exc) if isinstance(exc, DhheraError) else f"{type(exc).__name__}: {exc}"
            raise DhheraError(f"Pushing '{name}' failed: {reason.rstrip('.')}; {what}.") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    copied = sum(i.action in ("copy", "new version") for i in plan.items)
    unchanged = sum(i.action == "unchanged" for i in plan.items)
    state = f"built (run {build_run})" if build_run else "already built there"
    summary = (
        f"Pushed '{name}' to {target.endpoint}, project '{project}': {copied} copied, {unchanged} unchanged, {state}. "
        f"See it there: %hera use {target.given or target.endpoint} then %hera show {name} --project {project}."
        if copied
        else f"Nothing to copy: '{name}' and what it uses are unchanged on {target.endpoint} "
        f"(project '{project}', {state})."
    )
    say(summary)
    return PushResult(lines, copied, unchanged, build_run, summary)


__all__ = ["Item", "Plan", "PushResult", "push"]
