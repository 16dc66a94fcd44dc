"""``/dhhera/backend``, ``/dhhera/projects``, authentication of every route, and a backend that goes down."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest
from server_process import private_server
from sidebar_pipelines import add_workflow, wait_for

from dhhera_jupyter.core import control
from dhhera_jupyter.server.routes import ROUTES


def test_backend_reports_the_local_core_its_health_and_versions(api, core) -> None:
    reply = api.get("backend")

    assert reply.status == 200
    assert reply.data["mode"] == "local" and reply.data["endpoint"] == core.endpoint
    assert reply.data["healthy"] is True and reply.data["message"] is None
    assert reply.data["project"] == "dhhera" and reply.data["can_start"] is True
    assert reply.data["versions"]["digitalhub"].startswith("0.15")


def test_projects_lists_existing_projects_and_the_default_one(api, project) -> None:
    reply = api.get("projects")

    assert reply.status == 200
    assert project.name in reply.data["projects"] and "dhhera" in reply.data["projects"]
    assert reply.data["default"] == "dhhera"


def test_projects_name_the_project_with_the_newest_run_as_recent(api, project, dh) -> None:
    add_workflow(project, "chain")  # its build run is the newest run of every project

    reply = api.get("projects")

    newest = max(str(r.metadata.created) for r in dh.list_runs(project=project.name))
    assert reply.data["recent"] == {"project": project.name, "at": newest}


def test_reading_an_unknown_project_does_not_create_it(api, dh) -> None:
    from dhhera_jupyter.errors import NotFound
    from dhhera_jupyter.platform import projects

    name = "t-never-created-" + __import__("os").urandom(2).hex()
    with pytest.raises(NotFound, match=name):
        projects.project_doc(name)
    assert projects.project_exists(name) is False
    assert name not in api.get("projects").data["projects"]


def test_local_core_status_is_read_through_the_platform_door(core) -> None:
    from dhhera_jupyter.platform import local_core

    status = local_core.status(core.home)

    assert status is not None and status.endpoint == core.endpoint and status.pid == core.pid
    assert status.workers is not None and status.workers >= 1
    assert status.describe().startswith(f"pid {core.pid}, ")
    assert local_core.status(Path("/nonexistent-dhhera-home")) is None


ROUTE_METHODS = [
    (method.upper(), path.replace("([^/]+)", "x"))
    for path, handler in ROUTES
    for method in ("get", "post")
    if method in vars(handler)
]


@pytest.mark.parametrize(("method", "path"), ROUTE_METHODS)
def test_every_route_rejects_a_request_without_credentials(api, method, path) -> None:
    reply = api.call(method, path, headers={"Authorization": ""})

    assert reply.status == 403


def test_loading_the_extension_does_not_import_the_sdk() -> None:
    import subprocess

    code = (
        "import sys\n"
        "from dhhera_jupyter import server\n"
        "from dhhera_jupyter.server import routes\n"
        "assert 'digitalhub' not in sys.modules, 'digitalhub imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


#: Seconds a server whose sidebar was used may take to exit on SIGTERM (1.5 s measured; 10-30 s before the fix,
#: when the interpreter's final garbage collections walked the SDK's objects).
EXIT_WITHIN = 5.0


def test_backend_down_is_a_503_saying_what_to_do_and_the_panel_recovers_then_sigterm_exits(tmp_path: Path) -> None:
    with private_server(tmp_path) as server:
        assert server.call("GET", "backend")[1]["healthy"] is True
        assert server.call("GET", "workflows")[0] == 200

        control.stop(server.core_home)
        down = wait_for(lambda: (r := server.call("GET", "workflows"))[0] == 503 and r, 30, "a 503")[1]
        health = server.call("GET", "backend")[1]
        started = server.call("POST", "backend/start")
        back = wait_for(lambda: (r := server.call("GET", "workflows"))[0] == 200 and r, 30, "a 200")[1]

        assert server.process is not None
        asked = time.monotonic()
        server.process.send_signal(signal.SIGTERM)  # as a container stop or `kill` does, after the sidebar's calls
        code = server.process.wait(timeout=60)
        exited = time.monotonic() - asked

    assert "does not answer" in down["message"] and "dhhera core start" in down["message"]
    assert health["healthy"] is False and health["can_start"] is True
    assert "not running" in health["message"]
    assert started[0] == 200 and started[1]["healthy"] is True
    assert back["workflows"] == [] and back["missing"] is True
    assert code == 0 and exited < EXIT_WITHIN, f"the server took {exited:.1f} s to exit on SIGTERM"
