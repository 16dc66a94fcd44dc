"""The base of every sidebar route: authenticated JSON, our errors as JSON ``{"message"}``, ETags, blocking calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from tornado import web

from dhhera_jupyter.documents.names import name_problem, project_problem
from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.server.blocking import run_blocking
from dhhera_jupyter.server.context import SidebarContext
from dhhera_jupyter.server.http_errors import BadRequest, message_of, status_of
from dhhera_jupyter.server.project_cache import json_body

T = TypeVar("T")


class SidebarHandler(APIHandler):
    """JSON API handler of the sidebar routes.

    Subclasses decorate every method with ``@web.authenticated``. Exceptions become JSON error responses:
    our errors with their status from :func:`~dhhera_jupyter.server.http_errors.status_of` and their sentence as
    ``message``; anything else a 500 with a short message (the traceback goes to the server log).
    """

    @property
    def sidebar(self) -> SidebarContext:
        """State shared by the routes of this server (caches)."""
        return self.settings["dhhera_sidebar"]

    async def blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call (SDK, Graphviz) in the sidebar's thread pool."""
        return await run_blocking(fn, *args, **kwargs)

    # -- arguments ----------------------------------------------------------------------------

    def checked(self, value: str, what: str) -> str:
        """A path or query value naming an entity; rejects anything DHCore would never accept."""
        if what == "project name":
            problem = project_problem(value)
        else:
            problem = name_problem(value)
            problem = problem and f"it {problem}"
        if problem:
            raise BadRequest(f"'{value[:80]}' is not a valid {what}: {problem}.")
        return value

    async def project(self) -> str:
        """The ``project`` query argument, or the backend's default project."""
        value = self.get_query_argument("project", "").strip()
        if value:
            return self.checked(value, "project name")
        from dhhera_jupyter import platform

        backend = await self.blocking(platform.backend)
        return backend.project

    def body_json(self) -> dict[str, Any]:
        """The request body as a JSON object ({} when empty)."""
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError as exc:
            raise BadRequest(f"The request body is not valid JSON ({exc}).") from None
        if not isinstance(data, dict):
            raise BadRequest("The request body must be a JSON object.")
        return data

    # -- responses ----------------------------------------------------------------------------

    def send_json(self, data: Any, status: int = 200) -> None:
        """Answer with ``data`` as JSON, or with 304 when the client already has it (``If-None-Match``)."""
        body, etag = json_body(data)
        self.send_body(body, etag, status)

    def send_body(self, body: bytes, etag: str, status: int = 200) -> None:
        """Answer with ready JSON bytes and their ETag (304 without a body when ``If-None-Match`` matches)."""
        self.set_header("Cache-Control", "no-cache")
        self.set_header("Etag", etag)
        if status == 200 and self.request.method in ("GET", "HEAD") and self.check_etag_header():
            self.set_status(304)
            self.finish()
            return
        self.set_status(status)
        self.finish(body)

    def compute_etag(self) -> str | None:
        return None  # ours is set explicitly; tornado would otherwise hash every body again

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if error is None or isinstance(error, web.HTTPError):
            super().write_error(status_code, **kwargs)
            return
        status = status_of(error)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message_of(error), "error": type(error).__name__}))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, DhheraError):
            self.log.info("dhhera sidebar %s %s: %s", self.request.method, self.request.path, value)
            return
        super().log_exception(typ, value, tb)

    def send_error_of(self, error: BaseException) -> None:
        """Answer with the JSON error response of ``error`` (an error kept by a cache, not raised here)."""
        self.set_status(status_of(error))
        self.finish(json.dumps({"message": message_of(error), "error": type(error).__name__}))
