"""The plan of a push: what the source holds (read through the SDK), and what the target already has.

Everything is read, downloaded and checked here, before anything is written (see :mod:`.write`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.documents.keys import parse_key
from dhhera_jupyter.documents.states import WORKFLOW_KIND
from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.errors import Conflict, DhheraError, NotBuilt, NotFound
from dhhera_jupyter.platform.promote.calls import EntityCalls, target_errors
from dhhera_jupyter.platform.promote.target import Target, s3_store
from dhhera_jupyter.platform.sdk_errors import sdk_errors

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
        done = {"copy": "copied", "new version": "copied as a new version"}.get(self.action, self.action)
        return f"{self.type:<9}{self.doc.get('name')}  {key}  {done}{'  (' + self.note + ')' if self.note else ''}"


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


def workflow(src: EntityCalls, name: str, project: str) -> dict:
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
        raise NotBuilt(name, project, consequence="the function versions it runs are not known")
    return doc


def function_keys(spec: dict) -> list[str]:
    keys: list[str] = []
    for template in spec.get("templates") or []:
        call = step_call(template) if isinstance(template, dict) else None
        if call is not None and call.key and call.key not in keys:
            keys.append(call.key)
    return keys


def data_keys(value: Any, found: list[str]) -> list[str]:
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


def functions(src: EntityCalls, name: str, project: str, spec: dict) -> list[Item]:
    items = []
    for text in function_keys(spec):
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


def dataitems(src: EntityCalls, name: str, spec: dict, with_data: bool, folder: Path) -> list[Item]:
    items = []
    for text in data_keys(spec, []):
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
        item.note = "entity only: its file stays at its http(s) address, not copied; the target reads it there"
        return
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


def build_parameters(src: EntityCalls, project: str, workflow: dict) -> dict:
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


def object_path(root_path: str, relative: str) -> str:
    """Where the file ``relative`` of a dataitem stored at ``root_path`` (a file, or a folder ending in /) lives."""
    return root_path + relative if root_path.endswith("/") else root_path


def files_differ(target: Target, path: str, files: list[tuple[Path, str]]) -> list[str]:
    """How the target's objects of a dataitem differ from the source's files (sizes read with HEAD requests)."""
    if not path.startswith("s3://"):
        return [f"path ({path or 'none'})"]
    store = s3_store(target)
    out = []
    for local, relative in files:
        where = object_path(path, relative)
        try:
            s3, bucket = store._check_factory(where)
            size = int(s3.head_object(Bucket=bucket, Key=urlparse(where).path.lstrip("/"))["ContentLength"])
        except Exception:  # noqa: BLE001 - a missing or unreadable object is a difference
            size = -1
        if size != local.stat().st_size:
            out.append(f"file {relative} ({'missing' if size < 0 else f'{size} bytes'} there)")
    return out


def check_target(dst: EntityCalls, plan: Plan, force: bool) -> None:
    """Fill each item's action from what the target holds; raise on a conflict (unless ``force``)."""
    project, target = plan.project, plan.target
    with target_errors(target, f"reading project '{project}'"):
        plan.project_missing = dst.project(project) is None
    for item in plan.functions:
        item.target_id = str(item.doc["id"])
        if plan.project_missing:
            continue
        with target_errors(target, f"reading function '{item.doc['name']}'"):
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
        with target_errors(target, f"reading dataitem '{item.doc['name']}'"):
            there = dst.by_id(project, "dataitem", item.target_id)
        if there is not None:
            differs = _differences(_spec(there, "path"), _spec(item.doc, "path"))
            if item.files:
                differs.extend(files_differ(target, str((there.get("spec") or {}).get("path") or ""), item.files))
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
    with target_errors(target, f"reading workflow '{plan.name}'"):
        latest = dst.latest(project, "workflow", plan.name)
    if latest is None:
        with target_errors(target, f"reading workflow '{plan.name}'"):
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
    with target_errors(target, f"reading workflow '{plan.name}'"):
        if dst.by_id(project, "workflow", wf.target_id) is not None:
            wf.target_id = uuid.uuid4().hex
