"""Raw reads the sidebar needs and the facade does not offer: projects, entity lists in big pages, a workflow version.

They go through the SDK's own client (the one :mod:`dhhera_jupyter.platform` points at the backend), return
the backend's JSON as dicts (no SDK objects: building them for hundreds of runs costs more than the read), and
raise our errors (:func:`dhhera_jupyter.platform.sdk_errors`). Reading never creates anything: an unknown
project is :class:`~dhhera_jupyter.errors.NotFound`, not a new project.
"""

from __future__ import annotations

import re
from typing import Any

from dhhera_jupyter import platform
from dhhera_jupyter.errors import NotFound

#: Page size asked of the backend for lists (DHCore's default is 25; it accepts larger pages).
PAGE_SIZE = 500

#: ``hera://<project>/<name>:<id>``
_EXEC = re.compile(r"^[a-z+]+://(?P<project>[^/]+)/(?P<name>[^:]+)(?::(?P<id>.+))?$")


def _client() -> Any:
    platform.sdk()
    from digitalhub.stores.client.base.factory import get_client  # type: ignore[import-untyped]

    return get_client()


def _no_project(name: str) -> str:
    return f"Project '{name}' does not exist on the backend; choose another project in the sidebar."


def require_project(name: str) -> dict:
    """The project entity, or :class:`NotFound` naming it."""
    client = _client()
    with platform.sdk_errors(not_found=_no_project(name)):
        api = client.build_api("base", "read", entity_type="project", entity_name=name)
        return client.read_object(api)


def project_names() -> list[str]:
    """Names of every project on the backend, sorted."""
    client = _client()
    names: list[str] = []
    with platform.sdk_errors():
        api = client.build_api("base", "list", entity_type="project")
        page = 0
        while True:
            resp = client.read_object(api, params={"page": page, "size": PAGE_SIZE})
            content = resp.get("content") or []
            names.extend(str(p.get("name")) for p in content if p.get("name"))
            if not content or page >= int(resp.get("totalPages") or 1) - 1:
                break
            page += 1
    return sorted(set(names))


def list_docs(project: str, entity_type: str, params: dict[str, Any] | None = None, limit: int = 1000) -> list[dict]:
    """Entities of one type in the project, newest first, at most ``limit``, read in pages of :data:`PAGE_SIZE`."""
    client = _client()
    out: list[dict] = []
    with platform.sdk_errors(not_found=_no_project(project)):
        api = client.build_api("context", "list", project=project, entity_type=entity_type)
        page = 0
        while len(out) < limit:
            resp = client.read_object(api, params={**(params or {}), "page": page, "size": min(PAGE_SIZE, limit)})
            content = resp.get("content") or []
            out.extend(c for c in content if isinstance(c, dict))
            if not content or page >= int(resp.get("totalPages") or 1) - 1:
                break
            page += 1
    return out[:limit]


def parse_exec(exec_string: object) -> tuple[str, str, str | None] | None:
    """``hera://demo/etl:ID`` -> ``("demo", "etl", "ID")``; None when it is not an exec string."""
    match = _EXEC.match(str(exec_string or ""))
    if match is None:
        return None
    return match["project"], match["name"], match["id"]


def workflow_doc(project: str, exec_string: str) -> dict:
    """The workflow version a run ran (by its ``spec.workflow`` exec string), else the latest of that name.

    Raises
    ------
    NotFound
        When that workflow (version) no longer exists.
    """
    parsed = parse_exec(exec_string)
    if parsed is None:
        raise NotFound(f"The run names no workflow ('{exec_string}').")
    _, name, version = parsed
    client = _client()
    gone = f"Workflow '{name}' of this run no longer exists in project '{project}'."
    with platform.sdk_errors(not_found=gone):
        if version:
            api = client.build_api("context", "read", project=project, entity_type="workflow", entity_id=version)
            return client.read_object(api)
    docs = list_docs(project, "workflow", {"name": name}, limit=1)
    if not docs:
        raise NotFound(gone)
    return docs[0]


def workflow_entity(project: str, exec_string: str) -> Any:
    """The SDK workflow entity of the version a run names (to run it again).

    Raises
    ------
    NotFound
        When that version no longer exists.
    """
    parsed = parse_exec(exec_string)
    if parsed is None or not parsed[2]:
        raise NotFound(f"The run names no workflow version ('{exec_string}').")
    _, name, version = parsed
    dh = platform.sdk()
    with platform.sdk_errors(not_found=f"Workflow '{name}' of this run no longer exists in project '{project}'."):
        return dh.get_workflow(f"store://{project}/workflow/hera/{name}:{version}")
