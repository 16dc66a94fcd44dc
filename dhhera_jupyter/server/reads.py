"""What the sidebar reads and the facade's notebook calls do not offer: projects, entity lists, a workflow version.

Every read goes through :mod:`dhhera_jupyter.platform.projects` (read-only: an unknown project is
:class:`~dhhera_jupyter.errors.NotFound`, never a new project) and returns the backend's JSON as dicts.
"""

from __future__ import annotations

from typing import Any

from dhhera_jupyter.documents.keys import parse_exec
from dhhera_jupyter.errors import NotFound
from dhhera_jupyter.platform import projects


def require_project(name: str) -> dict:
    """The project entity, or :class:`NotFound` naming it."""
    return projects.project_doc(name)


def list_docs(project: str, entity_type: str, params: dict[str, Any] | None = None, limit: int = 1000) -> list[dict]:
    """Entities of one type in the project, newest first, at most ``limit``."""
    return projects.entity_docs(project, entity_type, params, limit)


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
    name, version = parsed.name, parsed.id
    gone = f"Workflow '{name}' of this run no longer exists in project '{project}'."
    if version:
        return projects.entity_doc(project, "workflow", version, gone)
    docs = list_docs(project, "workflow", {"name": name}, limit=1)
    if not docs:
        raise NotFound(gone)
    return docs[0]
