"""The HTTP processor of ``python+serve`` runs: what Nuclio's processor does for a python function on the platform.

The run process (a worker of the pool's ``service`` lane) loads the run with the real SDK, imports the handler and
the ``init_function`` from the function's source, builds a Nuclio ``Context`` (with ``project`` and ``run``, as the
platform's serverless wrapper does), calls the init function with the run's ``init_parameters``, then serves HTTP
on 127.0.0.1 (a free port). Each request becomes a Nuclio ``Event`` (method, path, headers, body — decoded when
JSON — and ``fields`` from the query string); the handler's result becomes the response (``str``, ``bytes``,
``dict``/``list`` as JSON, a Nuclio ``Response``, or ``(status, body)``).

When the server listens, the process reports ``status.service`` in DHCore's ``K8sServiceInfo`` shape (``url`` is
``host:port`` without a scheme, which ``run.invoke()`` and the SDK's serve wait read) and the run becomes RUNNING.
A handler that raises answers that request 500 and the service goes on; an init function that raises ends the
process (the run ends ERROR with the exception). SIGTERM (``run.stop()``) shuts the server down.

The service has no credentials: the SDK's ``run.invoke()`` sends plain requests, so it is a user's own server like
``python -m http.server``, reachable only from this machine (127.0.0.1).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

#: Port name and type of the reported service (what DHCore's K8s serve framework creates).
PORT_NAME = "http"
SERVICE_TYPE = "ClusterIP"
HOST = "127.0.0.1"


def load_handlers(source: dict, root: Path) -> tuple[Callable, Callable | None]:
    """Save the function's source under ``root`` and import its handler and init function from one module.

    Parameters
    ----------
    source : dict
        The function's ``spec.source`` (``source``/``base64``, ``handler``, ``init_function``).
    root : Path
        Folder for the source.
    """
    from digitalhub_runtime_python.utils.configuration import save_function_source

    folder = save_function_source(root, source)
    module_part, _, name = str(source.get("handler") or "").rpartition(":")
    if not name:
        raise RuntimeError("The function has no handler: give handler='function_name' when you create it.")
    path = (
        (Path(folder) / Path(*module_part.split("."))).with_suffix(".py") if module_part else Path(folder) / "main.py"
    )
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"Cannot load the function's source from {path}.")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    handler = getattr(module, name, None)
    if not callable(handler):
        raise RuntimeError(f"The function's source has no function '{name}' (its handler).")
    init_name = source.get("init_function")
    init = getattr(module, init_name, None) if init_name else None
    if init_name and not callable(init):
        raise RuntimeError(f"The function's source has no function '{init_name}' (its init_function).")
    return handler, init


def to_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` of a handler's result, as Nuclio's python wrapper encodes it."""
    from nuclio_sdk import Response

    if isinstance(result, Response):
        headers = {str(k): str(v) for k, v in (result.headers or {}).items()}
        status, body, content_type = int(result.status_code or 200), result.body, result.content_type
        if isinstance(body, (dict, list)):
            body, content_type = json.dumps(body), "application/json"
        headers.setdefault("Content-Type", content_type or "text/plain")
        return status, headers, _bytes(body)
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        status, headers, body = to_response(result[1])
        return result[0], headers, body
    if isinstance(result, (dict, list)):
        return 200, {"Content-Type": "application/json"}, json.dumps(result, default=str).encode()
    if isinstance(result, (bytes, bytearray)):
        return 200, {"Content-Type": "application/octet-stream"}, bytes(result)
    if result is None:
        return 200, {"Content-Type": "text/plain"}, b""
    return 200, {"Content-Type": "text/plain"}, str(result).encode()


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return str(body).encode()


class Service:
    """One function served over HTTP: the handler, its composed arguments and the Nuclio context."""

    def __init__(self, handler: Callable, base_args: dict[str, Any], context: Any) -> None:
        self.handler = handler
        self.base_args = base_args
        self.context = context
        self.takes_event = "event" in inspect.signature(handler).parameters
        self._lock = threading.Lock()  # one event at a time, as one Nuclio worker

    def call(self, event: Any) -> tuple[int, dict[str, str], bytes]:
        args = dict(self.base_args)
        if self.takes_event:
            args["event"] = event
        try:
            with self._lock:
                result = self.handler(**args)
            return to_response(result)
        except Exception as exc:  # noqa: BLE001 - a failing request must not stop the service
            traceback.print_exc()
            message = f"{type(exc).__name__}: {exc}"
            return 500, {"Content-Type": "text/plain"}, f"The handler raised {message}".encode()


def make_event(method: str, target: str, headers: dict[str, str], raw: bytes) -> Any:
    """The Nuclio event of one HTTP request."""
    from nuclio_sdk import Event, TriggerInfo

    url = urlsplit(target)
    content_type = headers.get("Content-Type") or headers.get("content-type") or ""
    body: Any = raw
    if raw and content_type.split(";")[0].strip() == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
    return Event(
        body=body,
        content_type=content_type,
        trigger=TriggerInfo("http", "http"),
        fields=dict(parse_qsl(url.query, keep_blank_values=True)),
        headers=headers,
        _id=uuid.uuid4().hex,
        method=method,
        path=url.path or "/",
        size=len(raw),
        timestamp=time.time(),
        url=target,
    )


def make_server(service: Service, port: int = 0) -> ThreadingHTTPServer:
    """Bind the service on 127.0.0.1:``port`` (0 picks a free one)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "dhhera-serve"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # one line per request is printed by _handle

        def _handle(self) -> None:
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            event = make_event(self.command, self.path, dict(self.headers.items()), raw)
            status, headers, body = service.call(event)
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            elapsed = (time.perf_counter() - started) * 1e3
            print(f"[serve] {self.command} {self.path} -> {status} ({len(body)} bytes, {elapsed:.1f} ms)", flush=True)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    server = ThreadingHTTPServer((HOST, port), Handler)
    server.daemon_threads = True
    return server


def service_info(run_id: str, port: int) -> dict[str, Any]:
    """``status.service`` in DHCore's ``K8sServiceInfo`` shape, for a service on 127.0.0.1:``port``."""
    name = f"s-pythonserve-{run_id}"
    return {
        "name": name,
        "namespace": "local",
        "type": SERVICE_TYPE,
        "clusterIP": HOST,
        "ports": [{"name": PORT_NAME, "port": port, "protocol": "TCP", "targetPort": port}],
        "url": f"{HOST}:{port}",
        "urls": [f"{HOST}:{port}"],
    }


def _report(run: Any, info: dict[str, Any]) -> None:
    """PUT ``status.service`` and RUNNING on the run (the core moves it to RUNNING)."""
    import requests

    doc = run.to_dict()
    doc["status"] = {**(doc.get("status") or {}), "state": "RUNNING", "service": info}
    endpoint = os.environ["DHCORE_ENDPOINT"].rstrip("/")
    response = requests.put(
        f"{endpoint}/api/v1/-/{run.project}/runs/{run.id}",
        json=doc,
        headers={"Authorization": f"Bearer {os.environ.get('DHCORE_ACCESS_TOKEN', '')}"},
        timeout=30,
    )
    response.raise_for_status()


def serve(run: Any) -> None:
    """Serve ``run`` (an SDK ``python+serve`` run) until SIGTERM."""
    import digitalhub as dh
    from digitalhub_runtime_python.utils.inputs import compose_init, compose_inputs
    from nuclio_sdk import Context, Logger

    spec = run.spec.to_dict()
    handler, init = load_handlers(spec.get("source") or {}, Path.cwd() / "source")

    logger = Logger(logging.INFO, name=run.id)
    logger.set_handler("default", sys.stdout, _human_formatter())
    context = Context(logger=logger)
    context.project = dh.get_project(run.project)
    context.run = run
    if init is not None:
        init(**compose_init(init, context, dict(spec.get("init_parameters") or {})))
    base_args = compose_inputs(
        dict(spec.get("inputs") or {}), dict(spec.get("parameters") or {}), False, handler, run.project, context, None
    )
    base_args.pop("event", None)
    service = Service(handler, base_args, context)
    server = make_server(service)
    port = server.server_address[1]

    stopping = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    _report(run, service_info(run.id, port))
    print(f"[serve] {run.kind} {run.id} serving on http://{HOST}:{port}", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    print("[serve] stopped", flush=True)


def _human_formatter() -> logging.Formatter:
    from nuclio_sdk.logger import HumanReadableFormatter

    return HumanReadableFormatter()
