"""The URL table of the sidebar routes (all under ``<base_url>/dhhera/``)."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from dhhera_jupyter.server.backend_routes import BackendHandler, BackendStartHandler, ProjectsHandler
from dhhera_jupyter.server.context import SidebarContext
from dhhera_jupyter.server.debug_routes import RunDebugHandler
from dhhera_jupyter.server.preview_routes import LoadCodeHandler, PreviewHandler
from dhhera_jupyter.server.retry_routes import RunRetryHandler
from dhhera_jupyter.server.run_routes import (
    RunGraphHandler,
    RunHandler,
    RunLogsHandler,
    RunRerunHandler,
    RunServiceHandler,
    RunStopHandler,
)
from dhhera_jupyter.server.workflow_routes import (
    WorkflowBuildHandler,
    WorkflowHandler,
    WorkflowRunHandler,
    WorkflowsHandler,
)

_ID = r"([^/]+)"

#: Path under ``/dhhera/`` -> handler. Every handler authenticates every method.
ROUTES: list[tuple[str, type]] = [
    ("backend", BackendHandler),
    ("backend/start", BackendStartHandler),
    ("projects", ProjectsHandler),
    ("workflows", WorkflowsHandler),
    (f"workflows/{_ID}", WorkflowHandler),
    (f"workflows/{_ID}/build", WorkflowBuildHandler),
    (f"workflows/{_ID}/run", WorkflowRunHandler),
    (f"runs/{_ID}", RunHandler),
    (f"runs/{_ID}/graph", RunGraphHandler),
    (f"runs/{_ID}/logs", RunLogsHandler),
    (f"runs/{_ID}/stop", RunStopHandler),
    (f"runs/{_ID}/rerun", RunRerunHandler),
    (f"runs/{_ID}/retry", RunRetryHandler),
    (f"runs/{_ID}/service", RunServiceHandler),
    (f"runs/{_ID}/debug", RunDebugHandler),
    ("preview", PreviewHandler),
    ("preview/code", LoadCodeHandler),
]


def setup_routes(web_app: Any) -> None:
    """Add the sidebar routes and their shared state to a Jupyter server's tornado application."""
    web_app.settings["dhhera_sidebar"] = SidebarContext()
    base_url = web_app.settings["base_url"]
    handlers = [(url_path_join(base_url, "dhhera", path), handler) for path, handler in ROUTES]
    web_app.add_handlers(".*$", handlers)
