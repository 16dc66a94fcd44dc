"""The local core's HTTP layer: tornado on 127.0.0.1, in front of :class:`~dhhera_jupyter.core.api.CoreApp`.

What it guarantees before a request reaches a route:

- the bearer token is checked as soon as the headers are in, before any byte of the body is read (401);
- ``Content-Length`` must be a whole number (else 400) no larger than ``DHHERA_CORE_MAX_BODY_MB`` (else 413);
  a chunked body past that size closes the connection;
- a connection idle (or slow to send its headers or body) for ``DHHERA_CORE_IDLE_TIMEOUT`` seconds is closed,
  at most ``DHHERA_CORE_MAX_CONNECTIONS`` are open at once, and routes run on a pool of ``DHHERA_CORE_THREADS``
  threads, so neither slow clients nor slow requests can exhaust the process;
- the body must be JSON nested at most :data:`~dhhera_jupyter.core.validation.MAX_DEPTH` levels (else 400).

Routing stays in :class:`CoreApp` (one table of ``(verb, pattern, handler)``): this module only moves bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tornado import httpserver, netutil, web
from tornado.http1connection import HTTP1Connection
from tornado.ioloop import IOLoop

from dhhera_jupyter import settings
from dhhera_jupyter.core import profile
from dhhera_jupyter.core.entities import ApiError
from dhhera_jupyter.core.run_reads import RunReply
from dhhera_jupyter.core.store import DatabaseGone
from dhhera_jupyter.core.validation import check_body_shape

log = logging.getLogger(__name__)

#: ``GET /api/v1/-/{project}/{type}s/{id}``: the one route served on the event loop itself.
_ONE_ENTITY = re.compile(r"^/api/v1/-/[^/]+/[a-z]+s/[^/]+$")

_UNAUTHORIZED = "Unauthorized: the local core needs 'Authorization: Bearer <token>' (see `dhhera core env`)."


def _error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "message": message, "errorCode": None}


def dispatch(app: Any, method: str, uri: str, raw: bytes) -> tuple[int, Any]:
    """Decode ``raw``, route the request and turn every failure into a status and a DHCore error document."""
    try:
        body = None
        if raw.strip():
            try:
                body = json.loads(raw)
            except RecursionError:
                raise ApiError(400, "The request body is nested too deeply to be read; flatten it.") from None
            except ValueError as exc:
                raise ApiError(400, f"Malformed JSON in the request body: {exc}.") from None
            check_body_shape(body)
        url = urlsplit(uri)
        path = url.path.rstrip("/") or "/"
        return app.handle(method, path, parse_qs(url.query), body)
    except ApiError as exc:
        return exc.status, _error(exc.status, exc.message)
    except DatabaseGone as exc:
        return 503, _error(503, str(exc))
    except Exception as exc:  # a bug of ours: answer 500 with the reason, keep serving
        log.exception("internal error on %s %s", method, uri)
        return 500, _error(500, f"Internal error: {exc}")


@web.stream_request_body
class _Handler(web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")

    def initialize(self, core: CoreServer) -> None:
        self.core = core
        self.chunks: list[bytes] = []
        self.size = 0

    def compute_etag(self) -> None:  # no tornado ETags: only run reads carry one, made by core/run_reads.py
        return None

    def _answer(self, status: int, payload: Any) -> None:
        if status in (401, 501) and not profile.current().error_bodies:
            payload = None  # DHCore's Spring answers these with an empty body (the dhcore profile)
        if isinstance(payload, RunReply):  # a run read: its ETag, and 304 without a body when the client has it
            self.set_header("ETag", payload.etag)
            status, body = payload.reply(self.request.headers.get("If-None-Match"))
            self.set_status(status)
            if status == 200:
                self.set_header("Content-Type", "application/json")
                self.write(body)
            self.finish()
            return
        self.set_status(status)
        if payload is not None:
            self.set_header("Content-Type", "application/json")
            self.write(json.dumps(payload, separators=(",", ":")).encode())
        self.finish()

    def _refuse(self, status: int, message: str) -> None:
        # Answered from the headers alone: tornado closes the connection once this is sent, without reading the body.
        self._answer(status, _error(status, message))

    def prepare(self) -> None:
        if not self.core.app.authorized(self.request.headers.get("Authorization")) or profile.current().rejects_now():
            self._refuse(401, _UNAUTHORIZED)
            return
        length = self.request.headers.get("Content-Length")
        if length is not None:
            if not length.isdigit():
                self._refuse(400, f"Malformed Content-Length header {length[:40]!r}: it must be a whole number.")
                return
            if int(length) > self.core.max_body:
                limit = self.core.max_body
                self._refuse(413, f"The request body is larger than the local core accepts ({limit} bytes).")
                return
        connection = self.request.connection
        assert isinstance(connection, HTTP1Connection)  # what tornado's HTTPServer serves requests on
        connection.set_max_body_size(self.core.max_body)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size <= self.core.max_body:
            self.chunks.append(chunk)

    async def _serve(self, *args: str) -> None:
        started = time.perf_counter()
        raw = b"".join(self.chunks)
        self.chunks = []
        method, uri = self.request.method or "GET", self.request.uri or "/"
        if method == "GET" and not raw and _ONE_ENTITY.match(self.request.path):
            # Reading one entity is one primary-key lookup (tens of microseconds): a thread hop would cost more than
            # serving it here. Lists, logs, status and every write go to the bounded pool, so nothing slow runs here.
            status, payload = dispatch(self.core.app, method, uri, raw)
        else:
            loop = asyncio.get_running_loop()
            status, payload = await loop.run_in_executor(self.core.executor, dispatch, self.core.app, method, uri, raw)
        self._answer(status, payload)
        elapsed = (time.perf_counter() - started) * 1e3
        log.debug("%s %s -> %s in %.1f ms", self.request.method, self.request.uri, status, elapsed)

    get = post = put = delete = patch = head = options = _serve

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(_error(status_code, self._reason)))


class _LimitedHTTPServer(httpserver.HTTPServer):
    """Closes connections past ``max_connections`` as soon as they are accepted."""

    max_connections = 256

    def handle_stream(self, stream: Any, address: Any) -> None:
        if len(self._connections) >= self.max_connections:
            log.warning("more than %d connections open: closing a new one", self.max_connections)
            stream.close()
            return
        super().handle_stream(stream, address)


class CoreServer:
    """The API on ``127.0.0.1:port``, with the interface the core process drives (``serve_forever``, ``shutdown``).

    Parameters
    ----------
    app : CoreApp
        Routes.
    port : int
        0 picks a free port.

    Raises
    ------
    OSError
        When the port is taken.
    """

    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.max_body = settings.core_max_body()
        self.executor = ThreadPoolExecutor(settings.core_threads(), thread_name_prefix="api")
        self._sockets = netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET, reuse_port=False)
        self.server_address = self._sockets[0].getsockname()
        self._loop: IOLoop | None = None
        self._stopped = threading.Event()
        app.request_shutdown = lambda: threading.Thread(target=self.shutdown, name="shutdown", daemon=True).start()

    def serve_forever(self, poll_interval: float = 0.2) -> None:
        """Serve until :meth:`shutdown` (``poll_interval`` is accepted for the stdlib server's signature)."""
        asyncio.set_event_loop(asyncio.new_event_loop())
        self._loop = IOLoop.current()
        application = web.Application([(r".*", _Handler, {"core": self})], log_function=lambda handler: None)
        server = _LimitedHTTPServer(
            application,
            max_body_size=self.max_body,
            max_buffer_size=self.max_body + 65536,
            idle_connection_timeout=settings.core_idle_timeout(),
            body_timeout=settings.core_idle_timeout(),
            max_header_size=65536,
            decompress_request=False,
        )
        server.max_connections = settings.core_max_connections()
        server.add_sockets(self._sockets)
        try:
            self._loop.start()
        finally:
            server.stop()
            self._loop.close(all_fds=True)
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serving (from any thread) and wait until :meth:`serve_forever` has returned."""
        loop = self._loop
        if loop is None:
            return
        loop.add_callback(loop.stop)
        self._stopped.wait(10)

    def server_close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
