"""``/dhhera/workflows``: the project's workflows with their runs, one workflow's parameters, build, run."""

from __future__ import annotations

from typing import Any

from tornado import web

from dhhera_jupyter.server import reads
from dhhera_jupyter.server.base import SidebarHandler
from dhhera_jupyter.server.http_errors import BadRequest


def workflow_details(name: str, project: str) -> dict[str, Any]:
    """Name, latest version id, whether it is built, and the parameters a run takes (blocking)."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform.pipeline_runs import declared_parameters

    reads.require_project(project)  # the facade would create a missing project
    workflow = platform.get_workflow(name, project)
    spec = platform.built_spec(workflow)
    return {
        "name": name,
        "id": str(workflow.id),
        "built": spec is not None,
        "parameters": declared_parameters(spec) if spec is not None else {},
    }


def start_build(name: str, project: str) -> dict[str, Any]:
    """Start a build of the latest version of ``name``; returns the build run (no waiting)."""
    from dhhera_jupyter import platform

    reads.require_project(project)
    workflow = platform.get_workflow(name, project)
    run = platform.build(workflow, wait=False)
    return {"run_id": str(run.id), "state": str(run.status.state), "kind": "build"}


def start_pipeline(name: str, project: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Start a pipeline run of the latest version of ``name`` (no waiting), through the one use case.

    Raises
    ------
    NotBuilt
        The workflow was never built.
    DhheraError
        A parameter is unknown, missing or not a scalar.
    """
    from dhhera_jupyter.platform import pipeline_runs

    reads.require_project(project)  # the facade would create a missing project
    return started_run(pipeline_runs.start_run(pipeline_runs.run_target(name, project), parameters))


def started_run(doc: dict[str, Any]) -> dict[str, Any]:
    """The body of a route that started a pipeline run."""
    return {"run_id": str(doc.get("id")), "state": str((doc.get("status") or {}).get("state")), "kind": "pipeline"}


class WorkflowsHandler(SidebarHandler):
    """``GET /dhhera/workflows?project=``: workflows with last build, last run and recent runs (ETag, 304)."""

    @web.authenticated
    async def get(self) -> None:
        project = await self.project()
        summary = await self.sidebar.projects.get(project)
        if summary.error is not None:
            self.send_error_of(summary.error)
        else:
            assert summary.body is not None and summary.etag is not None
            self.send_body(summary.body, summary.etag)


class WorkflowHandler(SidebarHandler):
    """``GET /dhhera/workflows/<name>?project=``: whether it is built and its parameters (for the run dialog)."""

    @web.authenticated
    async def get(self, name: str) -> None:
        project = await self.project()
        self.send_json(await self.blocking(workflow_details, self.checked(name, "workflow name"), project))


class WorkflowBuildHandler(SidebarHandler):
    """``POST /dhhera/workflows/<name>/build?project=``: start a build."""

    @web.authenticated
    async def post(self, name: str) -> None:
        project = await self.project()
        started = await self.blocking(start_build, self.checked(name, "workflow name"), project)
        await self.sidebar.projects.refresh(project)
        self.send_json(started, status=201)


class WorkflowRunHandler(SidebarHandler):
    """``POST /dhhera/workflows/<name>/run?project=`` with ``{"parameters": {...}}``: start a pipeline run."""

    @web.authenticated
    async def post(self, name: str) -> None:
        project = await self.project()
        parameters = self.body_json().get("parameters") or {}
        if not isinstance(parameters, dict):
            raise BadRequest('"parameters" must be a JSON object of name: value.')
        started = await self.blocking(start_pipeline, self.checked(name, "workflow name"), project, parameters)
        await self.sidebar.projects.refresh(project)
        self.send_json(started, status=201)
