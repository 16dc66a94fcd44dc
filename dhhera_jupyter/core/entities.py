"""Entity service of the local core: DHCore's create/read/update/delete semantics (contract §2, §3, §7).

Runs are created and updated here too, but what happens to them afterwards (build, dispatch,
execution) belongs to :mod:`dhhera_jupyter.core.runs`.
"""

from __future__ import annotations

import builtins
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from dhhera_jupyter.core import fsm
from dhhera_jupyter.core.names import name_problem, project_problem
from dhhera_jupyter.core.store import Query, Store
from dhhera_jupyter.documents import keys

#: Entity types with versions: listing shows the newest version per name unless ``versions=all``.
VERSIONED = frozenset({"function", "workflow", "artifact", "dataitem", "model"})
#: Entity types whose state follows the material FSM.
MATERIALS = frozenset({"artifact", "dataitem", "model"})
#: Entity types the local core serves under ``/api/v1/-/{project}/{type}s``.
CONTEXT_TYPES = frozenset({"function", "workflow", "task", "run", "artifact", "dataitem", "model", "secret"})

USER = "local"
_KIND = re.compile(r"^[a-zA-Z0-9._+\-:]+$")


class ApiError(Exception):
    """An error answered to the client as ``{"status", "message", "errorCode"}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(type_: str, ident: str) -> ApiError:
    # "No such EntityName" makes the SDK raise EntityNotExistsError (contract §7.1).
    return ApiError(404, f"No such EntityName: {type_} '{ident}' does not exist.")


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_exec(ref: str) -> dict[str, Any] | None:
    """Split an exec string ``kind://project/name:id`` into its parts (``None`` when malformed).

    The grammar is :func:`dhhera_jupyter.documents.keys.parse_exec`'s; the core reads the parts as a dict.
    """
    parsed = keys.parse_exec(ref)
    return (
        None
        if parsed is None
        else {"kind": parsed.kind, "project": parsed.project, "name": parsed.name, "id": parsed.id}
    )


def entity_key(type_: str, doc: dict) -> str:
    p, kind = doc["project"], doc.get("kind", type_)
    if type_ in VERSIONED:
        return f"store://{p}/{type_}/{kind}/{doc['name']}:{doc['id']}"
    if type_ == "run":
        return f"store://{p}/run/{kind}/{doc['id']}"
    return f"store://{p}/{type_}/{kind}/{doc['id']}"


class Entities:
    """DHCore-like operations on the store.

    Parameters
    ----------
    store : Store
        Persistence.
    endpoint : str
        Public endpoint of this core (used in embedded ``ref`` links).
    """

    def __init__(self, store: Store, endpoint: str = "") -> None:
        self.store = store
        self.endpoint = endpoint

    # -- projects ---------------------------------------------------------------------------

    def get_project(self, name: str) -> dict:
        doc = self.store.get("project", name)
        if doc is None:
            raise not_found("project", name)
        spec = doc.get("spec")
        if not isinstance(spec, dict):  # a document stored before writes were validated
            spec = doc["spec"] = {}
        for type_ in ("function", "workflow", "artifact", "dataitem", "model"):
            # Only the identity of each entity is embedded: read just that, never the (big) bodies.
            spec[f"{type_}s"] = [self._embedded(type_, d) for d in self.store.heads(self.query(name, type_, {}))]
        return doc

    def create_project(self, body: dict) -> dict:
        name = body.get("name") or body.get("id")
        problem = project_problem(name)
        if problem or not isinstance(name, str):
            raise ApiError(400, f"Invalid project name {name!r}: {problem or 'it must be a string'}.")
        if self.store.exists("project", name):
            raise ApiError(400, f"Duplicated entity: project '{name}' already exists.")
        ts = now_iso()
        doc = {**body, "id": name, "name": name, "kind": body.get("kind") or "project", "user": USER}
        doc["key"] = body.get("key") or f"store://{name}"
        doc["metadata"] = {**(body.get("metadata") or {}), "project": name, "name": name}
        self._stamp(doc["metadata"], ts, created=True)
        doc["status"] = {**(body.get("status") or {}), "state": (body.get("status") or {}).get("state") or "CREATED"}
        doc.setdefault("spec", {})
        self.store.put("project", doc)
        return self.get_project(name)

    def update_project(self, name: str, body: dict) -> dict:
        old = self.store.get("project", name)
        if old is None:
            raise not_found("project", name)
        doc = {**old, **{k: v for k, v in body.items() if k in ("spec", "metadata", "status", "description")}}
        doc["metadata"] = {**(old.get("metadata") or {}), **(body.get("metadata") or {})}
        doc["metadata"]["created"] = old["metadata"].get("created")
        self._stamp(doc["metadata"], now_iso())
        self.store.put("project", doc)
        return self.get_project(name)

    def delete_project(self, name: str) -> None:
        if not self.store.exists("project", name):
            raise not_found("project", name)
        with self.store.transaction():
            self.store.delete_where(name)
            self.store.delete("project", name)

    def list_projects(self) -> list[dict]:
        return self.store.list(Query(project=None, type="project"))

    # -- context entities --------------------------------------------------------------------

    def require_project(self, project: str) -> None:
        if not self.store.exists("project", project):
            raise not_found("project", project)

    def get(self, project: str, type_: str, id_: str) -> dict:
        doc = self.store.get(type_, id_)
        if doc is None or doc.get("project") != project:
            raise not_found(type_, id_)
        return doc

    def create(self, project: str, type_: str, body: dict, *, state: str | None = None) -> dict:
        """Validate and store a new entity; ids come from the client (uuid4 hex) when given."""
        self.require_project(project)
        if not isinstance(body, dict):
            raise ApiError(400, f"The {type_} must be a JSON object.")
        id_ = body.get("id") or uuid.uuid4().hex
        problem = name_problem(id_)
        if problem:
            raise ApiError(400, f"Invalid {type_} id {id_!r}: it {problem}.")
        name = body.get("name") or id_
        problem = name_problem(name)
        if problem:
            raise ApiError(400, f"Invalid {type_} name {name!r}: it {problem}.")
        kind = body.get("kind")
        if not isinstance(kind, str) or not _KIND.match(kind):
            raise ApiError(400, f"Invalid or missing kind for {type_} '{name}'.")
        if self.store.exists(type_, id_):
            raise ApiError(400, f"Duplicated entity: {type_} with id '{id_}' already exists.")
        if type_ == "task":
            self._check_task_executable(project, body)
        if type_ == "run":
            self.check_run_references(project, body)
        ts = now_iso()
        doc = dict(body)
        doc.update(id=id_, name=name, kind=kind, project=project, user=USER)
        doc["key"] = entity_key(type_, doc)
        meta = dict(body.get("metadata") or {})
        meta.update(project=project, name=name)
        if type_ in VERSIONED:
            meta["version"] = id_
        self._stamp(meta, ts, created=True)
        doc["metadata"] = meta
        doc.setdefault("spec", {})
        status = dict(body.get("status") or {})
        status["state"] = state or status.get("state") or fsm.CREATED
        doc["status"] = status
        self.store.put(type_, doc)
        return doc

    def update(self, project: str, type_: str, id_: str, body: dict) -> dict:
        """PUT semantics for everything but runs (see :meth:`RunManager.update`)."""
        old = self.get(project, type_, id_)
        if not isinstance(body, dict):
            raise ApiError(400, f"The {type_} must be a JSON object.")
        doc = dict(old)
        doc["metadata"] = self._merged_metadata(old, body)
        if type_ not in ("function", "workflow"):
            # A new function/workflow spec means a new version: the stored spec is kept.
            doc["spec"] = body.get("spec", old.get("spec", {}))
        status = {**(old.get("status") or {}), **(body.get("status") or {})}
        current, target = (old.get("status") or {}).get("state"), status.get("state")
        if type_ in MATERIALS and target != current and not fsm.material_can_go(current or fsm.CREATED, target or ""):
            status["state"] = current
        doc["status"] = status
        for key in ("description", "labels", "extensions"):
            if key in body:
                doc[key] = body[key]
        self.store.put(type_, doc)
        return doc

    def replace(self, type_: str, doc: dict) -> dict:
        """Store ``doc`` as it is (server-side updates such as a workflow's ``spec.build``)."""
        self._stamp(doc.setdefault("metadata", {}), now_iso())
        return self.store.put(type_, doc)

    def delete(self, project: str, type_: str, id_: str, *, cascade: bool = False) -> dict:
        doc = self.get(project, type_, id_)
        with self.store.transaction():
            if cascade and type_ in ("function", "workflow"):
                self._delete_dependants(project, type_, doc)
            self.store.delete(type_, id_)
        return doc

    def delete_by_name(self, project: str, type_: str, name: str, *, cascade: bool = False) -> int:
        self.require_project(project)
        docs = self.store.list(Query(project=project, type=type_, exact={"name": name}))
        with self.store.transaction():
            for doc in docs:
                if cascade and type_ in ("function", "workflow"):
                    self._delete_dependants(project, type_, doc)
                self.store.delete(type_, doc["id"])
        return len(docs)

    def query(self, project: str | None, type_: str, params: dict[str, str]) -> Query:
        """Filters of contract §2 row 7, as SQL: exact name/kind/state/user/task, substring q/action,
        exec-string function/workflow, ``versions=all`` for every version."""
        exact = {k: params[k] for k in ("name", "kind", "state") if params.get(k)}
        latest = type_ in VERSIONED and params.get("versions", "latest") != "all"
        equal: dict[str, str] = {}
        contains: dict[str, str] = {}
        if params.get("user"):
            equal["$.user"] = params["user"]
        if params.get("task"):
            equal["$.spec.task"] = params["task"]
        if params.get("action"):
            contains["$.spec.task"] = params["action"]
        for field_ in ("function", "workflow"):
            value = params.get(field_)
            if value:
                (equal if parse_exec(value) else contains)[f"$.spec.{field_}"] = value
        any_contains = None
        if params.get("q"):
            any_contains = (("$.id", "$.name", "$.spec.function", "$.spec.workflow"), params["q"])
        return Query(
            project=project,
            type=type_,
            exact=exact,
            latest_only=latest,
            json_equal=equal,
            json_contains=contains,
            any_contains=any_contains,
        )

    def list(self, project: str, type_: str, params: dict[str, str]) -> list[dict]:
        """Every document matching the filters of ``params`` (see :meth:`query`), newest first."""
        return self.store.list(self.query(project, type_, params))

    def page(
        self, project: str | None, type_: str, params: dict[str, str], number: int, size: int
    ) -> tuple[builtins.list, int]:
        """Page ``number`` (of ``size`` documents) of the matching documents, and how many match in all."""
        return self.store.page(self.query(project, type_, params), number * size, size)

    def check_run_references(self, project: str, body: dict) -> None:
        """Refuse a run whose task, function or workflow is named in, or stored under, another project."""
        spec = body.get("spec") or {}
        for field_ in ("task", "function", "workflow"):
            ref = spec.get(field_)
            if not ref:
                continue
            parts = parse_exec(ref)
            if parts is None:
                raise ApiError(400, f"Invalid run: spec.{field_} {ref!r} is not of the form kind://project/name:id.")
            if parts["project"] != project:
                raise ApiError(
                    400, f"Invalid run: spec.{field_} {ref!r} belongs to project '{parts['project']}', not '{project}'."
                )
            # A task key is kind://project/<task id>; a function or workflow key ends in name:id.
            id_ = parts["name"] if field_ == "task" else parts["id"]
            if id_:
                other = self.store.get(field_, id_)
                if other is not None and other.get("project") != project:
                    raise ApiError(
                        400, f"Invalid run: the {field_} of {ref!r} is stored in project '{other.get('project')}'."
                    )

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _stamp(meta: dict, ts: str, created: bool = False) -> None:
        if created:
            meta["created"] = ts
            meta["created_by"] = USER
        meta["updated"] = ts
        meta["updated_by"] = USER

    def _merged_metadata(self, old: dict, body: dict) -> dict:
        meta = {**(old.get("metadata") or {}), **(body.get("metadata") or {})}
        for fixed in ("created", "created_by", "project", "name", "version"):
            if fixed in (old.get("metadata") or {}):
                meta[fixed] = old["metadata"][fixed]
        self._stamp(meta, now_iso())
        return meta

    def _embedded(self, type_: str, head: dict) -> dict:
        """The embedded form of an entity, from its :meth:`Store.heads` item."""
        return {
            "id": head["id"],
            "name": head["name"],
            "kind": head["kind"],
            "project": head["project"],
            "key": head.get("key") or entity_key(type_, head),
            "user": head.get("user") or USER,
            "metadata": {
                "name": head["name"],
                "project": head["project"],
                "created": head.get("created") or None,
                "updated": head.get("updated") or None,
                "embedded": False,
                "ref": f"{self.endpoint}/api/v1/-/{head['project']}/{type_}s/{head['id']}",
            },
        }

    def _check_task_executable(self, project: str, body: dict) -> None:
        spec = body.get("spec") or {}
        ref = spec.get("function") or spec.get("workflow")
        parts = parse_exec(ref or "")
        type_ = "function" if spec.get("function") else "workflow"
        if not parts or parts["project"] != project:
            raise ApiError(400, f"invalid executable entity: task needs spec.function or spec.workflow, got {ref!r}.")
        if parts["id"]:
            found = self.store.get(type_, parts["id"])
            ok = found is not None and found.get("project") == project
        else:
            ok = bool(self.store.list(Query(project=project, type=type_, exact={"name": parts["name"]})))
        if not ok:
            raise ApiError(400, f"invalid executable entity: {type_} {ref!r} does not exist.")

    def _delete_dependants(self, project: str, type_: str, doc: dict) -> None:
        ref = f"{doc['kind']}://{project}/{doc['name']}:{doc['id']}"
        for dep_type in ("task", "run"):
            for dep in self.store.list(Query(project=project, type=dep_type, json_equal={f"$.spec.{type_}": ref})):
                self.store.delete(dep_type, dep["id"])
