"""Read-only reads of a project and its entities, as the backend's JSON (no SDK objects, nothing created).

The facade's :func:`~dhhera_jupyter.platform.get_project` creates a missing project (what a notebook wants);
a sidebar that only looks must never do that. These reads go through the SDK's own client (pointed at the
backend by :mod:`dhhera_jupyter.platform.backend`, imported lazily), read lists in big pages, and return dicts:
building SDK objects for hundreds of runs costs more than the read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dhhera_jupyter.errors import NotFound
from dhhera_jupyter.platform.backend import sdk
from dhhera_jupyter.platform.sdk_errors import sdk_errors

#: Page size asked of the backend for lists (DHCore's default is 25; it accepts larger pages).
PAGE_SIZE = 500

#: Projects looked at to find the most recently active one (one small read each).
RECENT_SCAN_LIMIT = 50


def _client() -> Any:
    sdk()
    from digitalhub.stores.client.base.factory import get_client

    return get_client()


def _no_project(name: str) -> str:
    return f"Project '{name}' does not exist on the backend; choose another project in the sidebar."


def _pages(client: Any, api: str, params: dict[str, Any], limit: int) -> list[dict]:
    """Every entity of a list route, newest first, at most ``limit``, in pages of :data:`PAGE_SIZE`."""
    out: list[dict] = []
    page = 0
    while len(out) < limit:
        resp = client.read_object(api, params={**params, "page": page, "size": min(PAGE_SIZE, limit)})
        content = resp.get("content") or []
        out.extend(c for c in content if isinstance(c, dict))
        if not content or page >= int(resp.get("totalPages") or 1) - 1:
            break
        page += 1
    return out[:limit]


def project_doc(name: str) -> dict:
    """The project entity ``name``.

    Raises
    ------
    NotFound
        When the project does not exist (it is not created).
    """
    client = _client()
    with sdk_errors(not_found=_no_project(name)):
        api = client.build_api("base", "read", entity_type="project", entity_name=name)
        return client.read_object(api)


def project_exists(name: str) -> bool:
    """Whether project ``name`` exists on the backend (never creates it)."""
    try:
        project_doc(name)
    except NotFound:
        return False
    return True


def _project_docs() -> list[dict]:
    client = _client()
    with sdk_errors():
        api = client.build_api("base", "list", entity_type="project")
        return _pages(client, api, {}, limit=100_000)


def project_names_by_recency() -> list[str]:
    """Names of every project, the most recently updated (else created) first: the order to scan for activity."""

    def stamp(doc: dict) -> str:
        meta = doc.get("metadata") or {}
        return str(meta.get("updated") or meta.get("created") or "")

    return [str(p["name"]) for p in sorted(_project_docs(), key=stamp, reverse=True) if p.get("name")]


def entity_docs(project: str, entity_type: str, params: dict[str, Any] | None = None, limit: int = 1000) -> list[dict]:
    """Entities of one type in ``project`` (``workflow``, ``run``, …), newest first, at most ``limit``.

    Raises
    ------
    NotFound
        When the project does not exist.
    """
    client = _client()
    with sdk_errors(not_found=_no_project(project)):
        api = client.build_api("context", "list", project=project, entity_type=entity_type)
        return _pages(client, api, dict(params or {}), limit)


def entity_doc(project: str, entity_type: str, entity_id: str, not_found: str) -> dict:
    """One entity of ``project`` by id; :class:`NotFound` with the sentence ``not_found`` when it is gone."""
    client = _client()
    with sdk_errors(not_found=not_found):
        api = client.build_api("context", "read", project=project, entity_type=entity_type, entity_id=entity_id)
        return client.read_object(api)


@dataclass(frozen=True)
class Activity:
    """The most recent activity seen in a project: its newest run (or entity) and when it was created."""

    project: str
    at: str


def _created(doc: dict) -> str:
    metadata = doc.get("metadata")
    return str(metadata.get("created") or "") if isinstance(metadata, dict) else ""


def recent_activity(names: list[str]) -> Activity | None:
    """The project among ``names`` whose newest run is the newest of all (None when none has a run).

    Reads one run per project (the newest), for the first :data:`RECENT_SCAN_LIMIT` of ``names`` (give them most
    recently updated first, :func:`project_names_by_recency`): on the local core
    these are the runs this user's notebooks started; on a shared platform, the runs of anyone.
    """
    best: Activity | None = None
    for name in names[:RECENT_SCAN_LIMIT]:
        try:
            docs = entity_docs(name, "run", limit=1)
        except NotFound:
            continue  # deleted meanwhile
        at = _created(docs[0]) if docs else ""
        if at and (best is None or at > best.at):
            best = Activity(name, at)
    return best
