"""The jupyter_server extension behind the JupyterLab sidebar: authenticated JSON routes under ``/dhhera/``.

Loading it is cheap: no digitalhub SDK import, no backend contact. The first request that needs the backend
starts (or reuses) the local core and imports the SDK, off the event loop.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "dhhera_jupyter.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the sidebar routes with the server (called by jupyter_server)."""
    from dhhera_jupyter.server.blocking import release_at_exit
    from dhhera_jupyter.server.routes import setup_routes

    setup_routes(serverapp.web_app)
    release_at_exit()  # SIGTERM exits in about a second, not after tens of seconds of garbage collection
    serverapp.log.info("dhhera_jupyter: sidebar routes under %sdhhera/", serverapp.base_url)
