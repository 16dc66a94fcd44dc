"""What the sidebar routes of one Jupyter server share: the project summaries and the graph cache."""

from __future__ import annotations

from dataclasses import dataclass, field

from dhhera_jupyter.errors import NotFound
from dhhera_jupyter.server import reads
from dhhera_jupyter.server.blocking import run_blocking
from dhhera_jupyter.server.graphs import GraphCache
from dhhera_jupyter.server.project_cache import ProjectCache
from dhhera_jupyter.server.summary import BUILD_KIND, PIPELINE_KIND, summarize

#: Runs read per refresh (newest first); older runs do not show in the sidebar.
BUILD_LIMIT = 500
PIPELINE_LIMIT = 1000


def load_summary(project: str) -> dict:
    """Read a project's workflows, builds and pipeline runs and summarise them (blocking).

    The backend's default project may not exist yet (nothing was registered): it reads as empty.

    Raises
    ------
    NotFound
        For any other project that does not exist.
    """
    from dhhera_jupyter import platform

    try:
        reads.require_project(project)
    except NotFound:
        if project != platform.backend().project:
            raise
        return {**summarize(project, [], [], []), "missing": True}
    workflows = reads.list_docs(project, "workflow", {"kind": "hera"})
    builds = reads.list_docs(project, "run", {"kind": BUILD_KIND}, limit=BUILD_LIMIT)
    pipelines = reads.list_docs(project, "run", {"kind": PIPELINE_KIND}, limit=PIPELINE_LIMIT)
    return summarize(project, workflows, builds, pipelines)


@dataclass
class SidebarContext:
    """Caches of one server (kept in ``web_app.settings["dhhera_sidebar"]``)."""

    projects: ProjectCache = field(default_factory=lambda: ProjectCache(load_summary, run_blocking))
    graphs: GraphCache = field(default_factory=lambda: GraphCache(reads.workflow_doc))
    #: The background warm-up (SDK import, Graphviz) was started.
    warmed: bool = False
