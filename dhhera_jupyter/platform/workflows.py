"""Projects and hera workflows through the SDK: get, register (a new version only on change), built spec."""

from __future__ import annotations

import base64
from typing import Any

from dhhera_jupyter.documents.build import build_spec, decode_text
from dhhera_jupyter.documents.states import WORKFLOW_KIND
from dhhera_jupyter.errors import NotFound
from dhhera_jupyter.platform.backend import backend, sdk
from dhhera_jupyter.platform.sdk_errors import sdk_errors

#: Workflow kind of the Hera runtime.
KIND = WORKFLOW_KIND


def _project_name(project: str | None) -> str:
    return project or backend().project


def get_project(name: str | None = None) -> Any:
    """The SDK project ``name`` (default: the backend's default project), created if missing."""
    dh = sdk()
    name = _project_name(name)
    with sdk_errors():
        return dh.get_or_create_project(name)


def _missing(name: str, project: str) -> str:
    return (
        f"Workflow '{name}' does not exist in project '{project}'; "
        f"register it with %%hera_pipeline {name} or %hera register."
    )


def get_workflow(name: str, project: str | None = None) -> Any:
    """The latest version of workflow ``name``.

    Raises
    ------
    NotFound
        When no workflow of that name exists in the project.
    """
    dh = sdk()
    project = _project_name(project)
    get_project(project)
    with sdk_errors(not_found=_missing(name, project)):
        return dh.get_workflow(name, project=project)


def workflow_versions(name: str, project: str | None = None) -> list[Any]:
    """Every version of workflow ``name``, newest first (empty when it does not exist)."""
    dh = sdk()
    project = _project_name(project)
    try:
        with sdk_errors(not_found=_missing(name, project)):
            return list(dh.get_workflow_versions(name, project=project))
    except NotFound:
        return []


def workflow_source(workflow: Any) -> str | None:
    """The registered source code of ``workflow`` (None when it is only referenced by URI)."""
    source = getattr(workflow.spec, "source", None) or {}
    return decode_text(source.get("base64"))


def _unchanged(
    latest: Any, code: str | None, code_src: str | None, handler: str, description: str | None, labels: list[str] | None
) -> bool:
    source = getattr(latest.spec, "source", None) or {}
    if source.get("handler") != handler:
        return False
    if code is not None and workflow_source(latest) != code:
        return False
    if code is None and source.get("base64"):
        return False
    if (code_src or None) != (source.get("source") or None):
        return False
    if description is not None and description != (getattr(latest.metadata, "description", None) or ""):
        return False
    return labels is None or sorted(labels) == sorted(getattr(latest.metadata, "labels", None) or [])


def register_workflow(
    name: str,
    *,
    source: str | None,
    handler: str,
    project: str | None = None,
    description: str | None = None,
    labels: list[str] | None = None,
    code_src: str | None = None,
) -> tuple[Any, bool]:
    """Create workflow ``name`` (kind ``hera``), or a new version of it when its source changed.

    Parameters
    ----------
    name : str
        Workflow name.
    source : str or None
        Python source code of the pipeline (stored base64 in ``spec.source``); None with ``code_src``
        pointing at a remote file or archive.
    handler : str
        Function of the source that returns the Hera ``Workflow``.
    project : str, optional
        Project name (default: the backend's default project).
    description, labels : optional
        Metadata; None keeps the latest version's.
    code_src : str, optional
        File name or URI the source comes from (``spec.source.source``).

    Returns
    -------
    (Workflow, bool)
        The latest version, and whether this call created it. No new version is created when the
        source, handler, description and labels equal the latest version's.
    """
    dh = sdk()
    project = _project_name(project)
    get_project(project)
    try:
        with sdk_errors(not_found=_missing(name, project)):
            latest = dh.get_workflow(name, project=project)
    except NotFound:
        latest = None
    if latest is not None:
        if _unchanged(latest, source, code_src, handler, description, labels):
            return latest, False
        if description is None:
            description = getattr(latest.metadata, "description", None)
        if labels is None:
            labels = getattr(latest.metadata, "labels", None)
    kwargs: dict[str, Any] = {"handler": handler}
    if source is not None:
        kwargs["base64"] = base64.b64encode(source.encode("utf-8")).decode("ascii")
    if code_src is not None:
        kwargs["code_src"] = code_src
    with sdk_errors():
        workflow = dh.new_workflow(
            project=project, name=name, kind=KIND, description=description, labels=labels, **kwargs
        )
    return workflow, True


def built_spec(workflow: Any) -> dict | None:
    """The Argo WorkflowSpec of the workflow's last build (``spec.build``, decoded), or None if never built."""
    return build_spec(workflow if isinstance(workflow, dict) else {"spec": workflow.spec.to_dict()})


def list_workflows(project: str | None = None) -> list[dict]:
    """The latest version of every workflow in the project, as entity dicts."""
    dh = sdk()
    project = _project_name(project)
    get_project(project)
    with sdk_errors():
        return [w.to_dict() for w in dh.list_workflows(project)]


__all__ = [
    "KIND",
    "built_spec",
    "get_project",
    "get_workflow",
    "list_workflows",
    "register_workflow",
    "workflow_source",
    "workflow_versions",
]
