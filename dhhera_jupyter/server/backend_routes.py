"""``/dhhera/backend`` (which backend, is it up), ``/dhhera/backend/start`` and ``/dhhera/projects``."""

from __future__ import annotations

import threading
from typing import Any

from tornado import web

from dhhera_jupyter import settings
from dhhera_jupyter.errors import BackendUnreachable, CoreError
from dhhera_jupyter.server.base import SidebarHandler
from dhhera_jupyter.server.http_errors import Conflict

#: Seconds the health probe waits for the backend.


def _warm_up() -> None:
    """Import the SDK and compile Graphviz in the background, so the first list and the first DAG are quick."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.graph import render

    def work() -> None:
        try:
            platform.sdk()
            render.warm_up()
        except Exception:  # noqa: BLE001 - the routes report the same failure when they need the SDK
            return

    threading.Thread(target=work, name="dhhera-sidebar-warmup", daemon=True).start()


def _repoint_local() -> bool:
    """When the local core runs at another address than the one in use (it was restarted), use it."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform import local_core

    if not local_core.is_running():
        return False
    platform.use("local")
    return True


def backend_report() -> dict[str, Any]:
    """Which backend the server uses and whether it answers (blocking; starts the local core on first use).

    Returns
    -------
    dict
        ``mode`` (``local``/``platform``), ``endpoint``, ``project`` (the default), ``healthy``, ``message``
        (what is wrong and what to do, when not healthy), ``can_start`` (the local core can be started from the
        sidebar) and ``versions``.
    """
    from dhhera_jupyter import platform

    configured = settings.dhcore_endpoint()
    try:
        backend = platform.backend()
    except (CoreError, BackendUnreachable) as exc:
        return {
            "mode": "platform" if configured else "local",
            "endpoint": configured or None,
            "project": settings.default_project(),
            "healthy": False,
            "message": str(exc),
            "can_start": not configured,
            "versions": {},
        }
    healthy, message = True, None
    try:
        platform.probe(backend.endpoint, timeout=settings.STATUS_PROBE_TIMEOUT)
    except BackendUnreachable as exc:
        if backend.mode == "local" and _repoint_local():
            backend = platform.backend()
        else:
            healthy = False
            message = str(exc)
            if backend.mode == "local":
                message = (
                    f"The local core at {backend.endpoint} is not running; start it from here, "
                    "or with `dhhera core start` in a terminal."
                )
    return {
        "mode": backend.mode,
        "endpoint": backend.endpoint,
        "project": backend.project,
        "healthy": healthy,
        "message": message,
        "can_start": backend.mode == "local",
        "versions": backend.versions,
    }


def start_local() -> dict[str, Any]:
    """Start (or reuse) the local core and use it; refused while the server uses a platform."""
    from dhhera_jupyter import platform

    configured = settings.dhcore_endpoint()
    try:
        mode = platform.backend().mode
    except (CoreError, BackendUnreachable):
        mode = "platform" if configured and not _is_local(configured) else "local"
    if mode != "local":
        raise Conflict(
            f"The sidebar uses the DigitalHub platform at {configured}; the local core is only started when "
            "no DHCORE_ENDPOINT is configured for the Jupyter server."
        )
    platform.use("local")
    return backend_report()


def _is_local(endpoint: str) -> bool:
    return endpoint.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))


class BackendHandler(SidebarHandler):
    """``GET /dhhera/backend``: mode, endpoint, default project, health, versions."""

    @web.authenticated
    async def get(self) -> None:
        if not self.sidebar.warmed:
            self.sidebar.warmed = True
            _warm_up()
        self.send_json(await self.blocking(backend_report))


class BackendStartHandler(SidebarHandler):
    """``POST /dhhera/backend/start``: start (or reuse) the local core."""

    @web.authenticated
    async def post(self) -> None:
        report = await self.blocking(start_local)
        self.send_json(report)


def project_list() -> dict[str, Any]:
    """Every project name, the backend's default project and the most recently active one (blocking).

    Returns
    -------
    dict
        ``projects`` (sorted names, the default among them), ``default``, and ``recent``: ``{"project", "at"}``
        for the project whose newest run is the newest of all (ISO time of that run), or None.
    """
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform import projects

    backend = platform.backend()
    by_recency = projects.project_names_by_recency()
    names = sorted(by_recency)
    recent = projects.recent_activity(by_recency)
    if backend.project not in names:
        names = sorted([*names, backend.project])
    return {
        "projects": names,
        "default": backend.project,
        "recent": {"project": recent.project, "at": recent.at} if recent else None,
    }


class ProjectsHandler(SidebarHandler):
    """``GET /dhhera/projects``: every project name, the default project and the most recently active one."""

    @web.authenticated
    async def get(self) -> None:
        self.send_json(await self.blocking(project_list))
