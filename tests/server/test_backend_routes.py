"""``/dhhera/backend``, ``/dhhera/projects``, authentication of every route, and a backend that goes down."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from sidebar_pipelines import wait_for

from dhhera_jupyter import platform
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


@pytest.fixture()
def restore_core(core: Any, core_home: Any):
    """Put the session's local core back where it was (same port) after a test that stops it."""
    port = int(core.endpoint.rsplit(":", 1)[1])
    yield
    running = control.find(core_home)
    if running is None or running.endpoint != core.endpoint:
        control.stop(core_home)
        control.start(core_home, port=port)
    info = control.wait_objects(control.ensure_running(core_home))
    core.status = info.status
    platform.use("local")


def test_backend_down_is_a_503_saying_what_to_do_and_the_panel_recovers(api, project, core_home, restore_core) -> None:
    assert api.get("workflows", project=project.name).status == 200

    control.stop(core_home)
    down = wait_for(lambda: (r := api.get("workflows", project=project.name)).status == 503 and r, 30, "a 503")
    health = api.get("backend").data
    started = api.post("backend/start")
    back = wait_for(lambda: (r := api.get("workflows", project=project.name)).status == 200 and r, 30, "a 200")

    assert "does not answer" in down.data["message"] and "dhhera core start" in down.data["message"]
    assert health["healthy"] is False and health["can_start"] is True
    assert "not running" in health["message"]
    assert started.status == 200 and started.data["healthy"] is True
    assert back.data["project"] == project.name
