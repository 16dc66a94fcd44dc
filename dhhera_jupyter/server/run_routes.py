"""``/dhhera/runs/<id>``: a run's live state (ETag, 304), its DAG, its logs (or a step's), stop and re-run."""

from __future__ import annotations

from typing import Any

from tornado import web

from dhhera_jupyter.errors import NotFound, PipelineError
from dhhera_jupyter.server.base import SidebarHandler
from dhhera_jupyter.server.graphs import DrawnGraph, GraphCache
from dhhera_jupyter.server.http_errors import BadRequest
from dhhera_jupyter.server.project_cache import json_body
from dhhera_jupyter.server.run_view import run_view
from dhhera_jupyter.server.services import read_service
from dhhera_jupyter.server.summary import PIPELINE_KIND, section
from dhhera_jupyter.server.workflow_routes import started_run

#: Log bytes read at most (the end of the log); a log view does not need megabytes.
MAX_LOG_BYTES = 200_000


def _graph_of(doc: dict, project: str, graphs: GraphCache) -> DrawnGraph | None:
    if doc.get("kind") != PIPELINE_KIND:
        return None
    try:
        return graphs.for_run(doc, project)
    except PipelineError:
        return None  # the run is still shown, steps named by their task paths


def read_run(run_id: str, project: str, graphs: GraphCache) -> dict[str, Any]:
    """The run route's body (blocking: one GET of the run, plus the workflow once per build)."""
    from dhhera_jupyter import platform

    doc = platform.run_doc(run_id, project)
    return run_view(doc, _graph_of(doc, project, graphs))


def read_graph(run_id: str, project: str, graphs: GraphCache) -> DrawnGraph:
    """The drawn graph of a pipeline run.

    Raises
    ------
    NotFound
        No such run, or it has no pipeline graph (a build run, or a workflow that was never built).
    """
    from dhhera_jupyter import platform

    doc = platform.run_doc(run_id, project)
    if doc.get("kind") != PIPELINE_KIND:
        raise NotFound(f"Run {run_id} is a {doc.get('kind')} run; only pipeline runs have a DAG.")
    drawn = graphs.for_run(doc, project)
    if drawn is None:
        raise NotFound(f"The build of the workflow of run {run_id} cannot be found, so its DAG cannot be drawn.")
    return drawn


def read_logs(run_id: str, project: str, step: str | None, graphs: GraphCache) -> dict[str, Any]:
    """The log text of the run, or of the child run that executed ``step``."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform.logs import run_log_tail
    from dhhera_jupyter.platform.pipeline_runs import child_run_of
    from dhhera_jupyter.status import snapshot

    target = run_id
    if step:
        doc = platform.run_doc(run_id, project)
        drawn = _graph_of(doc, project, graphs)
        snap = snapshot(doc, drawn.graph if drawn else None, drawn.mapper if drawn else None)
        try:
            status = snap.step(step)
        except KeyError:
            raise NotFound(f"Run {run_id} has no step '{step}'.") from None
        child = status.run_id or child_run_of(run_id, project, status, snap.steps)
        if child is None:
            return {"run_id": None, "step": step, "text": "", "truncated": False,
                    "message": f"Step '{step}' has not started yet, so it has no logs."}  # fmt: skip
        target = child
    tail = run_log_tail(target, project, MAX_LOG_BYTES)  # one bounded read: only the end of the log travels
    return {
        "run_id": target,
        "step": step or None,
        "text": tail.text,
        "truncated": tail.truncated,
        "size": tail.size,
        "shown": len(tail.text.encode()),
        "message": None if tail.text else "No log lines yet.",
    }


def stop_run(run_id: str, project: str) -> dict[str, Any]:
    """Ask the backend to stop a run that has not finished (a finished one is a :class:`Conflict`)."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform import pipeline_runs

    pipeline_runs.stop_run(run_id, project)
    after = platform.run_doc(run_id, project)
    return {"run_id": run_id, "state": str((after.get("status") or {}).get("state") or "")}


def rerun(run_id: str, project: str) -> dict[str, Any]:
    """Run the workflow version of a pipeline run again with the same parameters (and the same build)."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform import pipeline_runs

    doc = platform.run_doc(run_id, project)
    if doc.get("kind") != PIPELINE_KIND:
        raise BadRequest(f"Run {run_id} is a {doc.get('kind')} run; only pipeline runs can be run again.")
    target = pipeline_runs.target_of_run(doc, project)
    return started_run(pipeline_runs.start_run(target, dict(section(section(doc, "spec"), "parameters"))))


class RunHandler(SidebarHandler):
    """``GET /dhhera/runs/<id>?project=``: state, progress, per-step states (ETag, 304)."""

    @web.authenticated
    async def get(self, run_id: str) -> None:
        project = await self.project()
        run_id = self.checked(run_id, "run id")
        view = await self.blocking(read_run, run_id, project, self.sidebar.graphs)
        if view["terminal"]:
            self.sidebar.projects.nudge(project)  # the list says so too on its next refresh
        self.send_json(view)


class RunGraphHandler(SidebarHandler):
    """``GET /dhhera/runs/<id>/graph?project=``: the Graphviz SVG and node details of the run's build."""

    @web.authenticated
    async def get(self, run_id: str) -> None:
        project = await self.project()
        run_id = self.checked(run_id, "run id")
        drawn = await self.blocking(read_graph, run_id, project, self.sidebar.graphs)
        etag = f'"g{drawn.digest[:32]}"'
        self.set_header("Etag", etag)
        self.set_header("Cache-Control", "no-cache")
        if self.check_etag_header():  # the layout of a build never changes: no drawing, no body
            self.set_status(304)
            self.finish()
            return
        data = await self.blocking(drawn.to_dict)
        self.send_body(json_body(data)[0], etag)


class RunLogsHandler(SidebarHandler):
    """``GET /dhhera/runs/<id>/logs?project=&step=``: log text of the run or of one step."""

    @web.authenticated
    async def get(self, run_id: str) -> None:
        project = await self.project()
        run_id = self.checked(run_id, "run id")
        step = self.get_query_argument("step", "").strip()[:500] or None
        self.send_json(await self.blocking(read_logs, run_id, project, step, self.sidebar.graphs))


class RunStopHandler(SidebarHandler):
    """``POST /dhhera/runs/<id>/stop?project=``."""

    @web.authenticated
    async def post(self, run_id: str) -> None:
        project = await self.project()
        result = await self.blocking(stop_run, self.checked(run_id, "run id"), project)
        await self.sidebar.projects.refresh(project)
        self.send_json(result)


class RunRerunHandler(SidebarHandler):
    """``POST /dhhera/runs/<id>/rerun?project=``: the same workflow version, the same parameters."""

    @web.authenticated
    async def post(self, run_id: str) -> None:
        project = await self.project()
        result = await self.blocking(rerun, self.checked(run_id, "run id"), project)
        await self.sidebar.projects.refresh(project)
        self.send_json(result, status=201)


class RunServiceHandler(SidebarHandler):
    """``GET /dhhera/runs/<id>/service?project=``: the state and URL of a serve run's service (ETag, 304)."""

    @web.authenticated
    async def get(self, run_id: str) -> None:
        project = await self.project()
        self.send_json(await self.blocking(read_service, self.checked(run_id, "run id"), project))
