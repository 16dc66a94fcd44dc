"""HTTP API of the local core: DHCore's REST routes (contract §2) on a threaded stdlib server.

Every request needs ``Authorization: Bearer <token>``; the server binds 127.0.0.1 only.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import re
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from dhhera_jupyter.core.entities import CONTEXT_TYPES, ApiError, Entities
from dhhera_jupyter.core.runs import RunManager

log = logging.getLogger(__name__)

PAGE_SIZE = 25

Handler = Callable[..., Any]


class CoreApp:
    """Routes requests to the entity service and the run manager.

    Parameters
    ----------
    entities, runs :
        The services.
    token : str
        Bearer token every request must carry.
    info : callable
        Returns the local status document served at ``/dhhera/status``.
    """

    def __init__(self, entities: Entities, runs: RunManager, token: str, info: Callable[[], dict]) -> None:
        self.entities = entities
        self.runs = runs
        self.token = token
        self.info = info
        self.secrets: dict[str, dict[str, str]] = {}
        t = r"(?P<t>[a-z]+)s"
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"^/api/auth$"), lambda q, b: {"username": "local", "permissions": []}),
            ("GET", re.compile(r"^/\.well-known/configuration$"), lambda q, b: {"dhcore_endpoint": entities.endpoint}),
            ("GET", re.compile(r"^/dhhera/status$"), lambda q, b: self.info()),
            ("GET", re.compile(r"^/api/v1/projects$"), self._list_projects),
            ("POST", re.compile(r"^/api/v1/projects$"), lambda q, b: entities.create_project(b)),
            ("GET", re.compile(r"^/api/v1/projects/(?P<p>[^/]+)$"), lambda q, b, p: entities.get_project(p)),
            ("PUT", re.compile(r"^/api/v1/projects/(?P<p>[^/]+)$"), lambda q, b, p: entities.update_project(p, b)),
            ("DELETE", re.compile(r"^/api/v1/projects/(?P<p>[^/]+)$"), self._delete_project),
            (
                "GET",
                re.compile(r"^/api/v1/-/(?P<p>[^/]+)/runs/(?P<id>[^/]+)/logs$"),
                lambda q, b, p, id: self.runs.logs(p, id),
            ),
            (
                "POST",
                re.compile(r"^/api/v1/-/(?P<p>[^/]+)/runs/(?P<id>[^/]+)/stop$"),
                lambda q, b, p, id: self.runs.stop(p, id),
            ),
            (
                "POST",
                re.compile(r"^/api/v1/-/(?P<p>[^/]+)/runs/(?P<id>[^/]+)/resume$"),
                lambda q, b, p, id: entities.get(p, "run", id),
            ),  # RESUME is not wired in DHCore
            (
                "GET",
                re.compile(r"^/api/v1/-/(?P<p>[^/]+)/runs/(?P<id>[^/]+)/metrics(?:/(?P<name>[^/]+))?$"),
                self._get_metrics,
            ),
            (
                "PUT",
                re.compile(r"^/api/v1/-/(?P<p>[^/]+)/runs/(?P<id>[^/]+)/metrics/(?P<name>[^/]+)$"),
                self._put_metric,
            ),
            ("GET", re.compile(r"^/api/v1/-/(?P<p>[^/]+)/secrets/data$"), self._read_secrets),
            ("PUT", re.compile(r"^/api/v1/-/(?P<p>[^/]+)/secrets/data$"), self._write_secrets),
            ("GET", re.compile(r"^/api/v1/-/(?P<p>[^/]+)/solr/.*$"), self._no_search),
            ("GET", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}/(?P<id>[^/]+)/files/info$"), self._get_files),
            ("PUT", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}/(?P<id>[^/]+)/files/info$"), self._put_files),
            ("GET", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}$"), self._list),
            ("POST", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}$"), self._create),
            ("DELETE", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}$"), self._delete_by_name),
            ("GET", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}/(?P<id>[^/]+)$"), self._get),
            ("PUT", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}/(?P<id>[^/]+)$"), self._update),
            ("DELETE", re.compile(rf"^/api/v1/-/(?P<p>[^/]+)/{t}/(?P<id>[^/]+)$"), self._delete),
        ]

    # -- dispatch ----------------------------------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[7:].strip().encode(), self.token.encode())

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        path_matched = False
        for verb, pattern, handler in self.routes:
            m = pattern.match(path)
            if not m:
                continue
            path_matched = True
            if verb != method:
                continue
            params = {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
            flat = {k: v[-1] for k, v in query.items()}
            return 200, handler(flat, body, **params)
        if path_matched:
            raise ApiError(405, f"Method {method} is not allowed on {path}.")
        raise ApiError(404, f"Not found: {path} is not an endpoint of the local core.")

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def page(items: list[dict], query: dict[str, str]) -> dict:
        try:
            number = max(0, int(query.get("page", 0)))
            size = max(1, min(1000, int(query.get("size", PAGE_SIZE))))
        except ValueError:
            raise ApiError(400, "page and size must be whole numbers.") from None
        total = len(items)
        content = items[number * size : (number + 1) * size]
        pages = math.ceil(total / size) if total else 0
        sort = {"sorted": True, "unsorted": False, "empty": False}
        return {
            "content": content,
            "totalPages": pages,
            "totalElements": total,
            "number": number,
            "size": size,
            "first": number == 0,
            "last": number >= pages - 1,
            "numberOfElements": len(content),
            "empty": not content,
            "sort": sort,
            "pageable": {
                "pageNumber": number,
                "pageSize": size,
                "offset": number * size,
                "paged": True,
                "unpaged": False,
                "sort": sort,
            },
        }

    @staticmethod
    def _type(t: str) -> str:
        if t not in CONTEXT_TYPES:
            raise ApiError(404, f"Not found: '{t}s' is not an entity type of the local core.")
        return t

    # -- handlers ----------------------------------------------------------------------------

    def _list_projects(self, q: dict, b: Any) -> dict:
        return self.page(self.entities.list_projects(), q)

    def _delete_project(self, q: dict, b: Any, p: str) -> None:
        for run in self.entities.list(p, "run", {}) if self.entities.store.exists("project", p) else []:
            self.runs.delete(p, run["id"])
        self.entities.delete_project(p)

    def _list(self, q: dict, b: Any, p: str, t: str) -> dict:
        t = self._type(t)
        self.entities.require_project(p)
        return self.page(self.entities.list(p, t, q), q)

    def _create(self, q: dict, b: Any, p: str, t: str) -> dict:
        t = self._type(t)
        if t == "run":
            return self.runs.create(p, b)
        return self.entities.create(p, t, b)

    def _get(self, q: dict, b: Any, p: str, t: str, id: str) -> dict:
        return self.entities.get(p, self._type(t), id)

    def _update(self, q: dict, b: Any, p: str, t: str, id: str) -> dict:
        t = self._type(t)
        if t == "run":
            return self.runs.update(p, id, b)
        return self.entities.update(p, t, id, b)

    def _delete(self, q: dict, b: Any, p: str, t: str, id: str) -> Any:
        t = self._type(t)
        if t == "run":
            return self.runs.delete(p, id)
        if t in ("function", "workflow"):
            for run in self.entities.list(p, "run", {}):
                spec = run.get("spec") or {}
                if q.get("cascade") == "true" and id in (spec.get(t) or ""):
                    self.runs.delete(p, run["id"])
        self.entities.delete(p, t, id, cascade=q.get("cascade") == "true")
        return None

    def _delete_by_name(self, q: dict, b: Any, p: str, t: str) -> None:
        if not q.get("name"):
            raise ApiError(400, "Deleting by name needs ?name=.")
        self.entities.delete_by_name(p, self._type(t), q["name"], cascade=q.get("cascade") == "true")

    def _get_metrics(self, q: dict, b: Any, p: str, id: str, name: str | None = None) -> Any:
        metrics = (self.entities.get(p, "run", id).get("status") or {}).get("metrics") or {}
        if name is None:
            return metrics
        if name not in metrics:
            raise ApiError(404, f"No such metric '{name}' in run {id}.")
        return metrics[name]

    def _put_metric(self, q: dict, b: Any, p: str, id: str, name: str) -> None:
        if not isinstance(b, (int, float, list)):
            raise ApiError(400, f"Metric '{name}' must be a number or a list of numbers.")
        self.runs.mutate(p, id, lambda r: r.setdefault("status", {}).setdefault("metrics", {}).__setitem__(name, b))

    def _get_files(self, q: dict, b: Any, p: str, t: str, id: str) -> list:
        return (self.entities.get(p, self._type(t), id).get("status") or {}).get("files") or []

    def _put_files(self, q: dict, b: Any, p: str, t: str, id: str) -> None:
        t = self._type(t)
        doc = self.entities.get(p, t, id)
        doc.setdefault("status", {})["files"] = b
        self.entities.replace(t, doc)

    def _read_secrets(self, q: dict, b: Any, p: str) -> dict:
        self.entities.require_project(p)
        stored = self.secrets.get(p, {})
        keys = q.get("keys", "")
        return {k: stored[k] for k in keys.split(",") if k in stored}

    def _write_secrets(self, q: dict, b: Any, p: str) -> None:
        self.entities.require_project(p)
        if not isinstance(b, dict):
            raise ApiError(400, "Secret values must be a JSON object of name -> value.")
        self.secrets.setdefault(p, {}).update({str(k): str(v) for k, v in b.items()})

    def _no_search(self, q: dict, b: Any, p: str) -> None:
        raise ApiError(501, "Search is not available on the local core (DHCore answers 501 without Solr).")


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "dhhera-local-core"
    app: CoreApp

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        started = time.perf_counter()
        status, payload = 500, None
        try:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not self.app.authorized(self.headers.get("Authorization")):
                raise ApiError(
                    401, "Unauthorized: the local core needs 'Authorization: Bearer <token>' (see `dhhera core env`)."
                )
            body = None
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise ApiError(400, f"Malformed JSON in the request body: {exc}.") from None
            url = urlsplit(self.path)
            path = url.path.rstrip("/") or "/"
            status, payload = self.app.handle(self.command, path, parse_qs(url.query), body)
        except ApiError as exc:
            status, payload = exc.status, {"status": exc.status, "message": exc.message, "errorCode": None}
        except Exception as exc:  # a bug of ours: answer 500 with the reason, keep serving
            log.exception("internal error on %s %s", self.command, self.path)
            status, payload = 500, {"status": 500, "message": f"Internal error: {exc}", "errorCode": None}
        data = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)
        log.debug("%s %s -> %s in %.1f ms", self.command, self.path, status, (time.perf_counter() - started) * 1e3)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class CoreServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(app: CoreApp, port: int) -> CoreServer:
    """Bind the API on 127.0.0.1:``port`` (0 picks a free port)."""
    handler = type("Handler", (_RequestHandler,), {"app": app})
    return CoreServer(("127.0.0.1", port), handler)
