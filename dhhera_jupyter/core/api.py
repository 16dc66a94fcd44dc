"""HTTP API of the local core: DHCore's REST routes (contract §2), served by :mod:`.http_server`.

Every request needs ``Authorization: Bearer <token>``; the server binds 127.0.0.1 only. To add a route, append a
``(verb, compiled pattern, handler)`` row to :attr:`CoreApp.routes`; the handler gets ``(query, body, **groups)``
with the body already decoded, bounded and checked to be JSON, and path groups already checked to hold no dots-only
value nor separator. Bodies of writes are validated (:mod:`.validation`) before the handler runs.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from dhhera_jupyter.core import metrics, validation
from dhhera_jupyter.core.entities import CONTEXT_TYPES, ApiError, Entities
from dhhera_jupyter.core.names import path_param_problem
from dhhera_jupyter.core.run_reads import RunReads, RunReply
from dhhera_jupyter.core.runs import RunManager
from dhhera_jupyter.core.vault import Vault

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
        #: Set by the HTTP server: stops serving, which ends the core process cleanly.
        self.request_shutdown: Callable[[], None] | None = None
        # The key lives beside the database, in the data folder only the user can open.
        self.vault = Vault(entities.store, entities.store.path.parent / "secrets.key")
        #: GET of runs: live pipeline nodes put in place, ETag and 304 (the daemon gives it the live nodes).
        self.run_reads = RunReads(entities.store)
        t = r"(?P<t>[a-z]+)s"
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"^/api/auth$"), lambda q, b: {"username": "local", "permissions": []}),
            ("GET", re.compile(r"^/\.well-known/configuration$"), lambda q, b: {"dhcore_endpoint": entities.endpoint}),
            ("GET", re.compile(r"^/dhhera/status$"), lambda q, b: self.info()),
            ("POST", re.compile(r"^/dhhera/shutdown$"), self._shutdown),
            ("GET", re.compile(r"^/api/v1/projects$"), self._list_projects),
            ("POST", re.compile(r"^/api/v1/projects$"), self._create_project),
            ("GET", re.compile(r"^/api/v1/projects/(?P<p>[^/]+)$"), lambda q, b, p: entities.get_project(p)),
            ("PUT", re.compile(r"^/api/v1/projects/(?P<p>[^/]+)$"), self._update_project),
            ("DELETE", re.compile(r"^/api/v1/projects/(?P<p>[^/]+)$"), self._delete_project),
            (
                "GET",
                re.compile(r"^/api/v1/-/(?P<p>[^/]+)/runs/(?P<id>[^/]+)/logs$"),
                self._logs,
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
            *metrics.routes(metrics.Metrics(entities)),
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
            for value in params.values():
                problem = path_param_problem(value)
                if problem:
                    raise ApiError(400, f"Invalid identifier {value[:60]!r} in the path: it {problem}.")
            flat = {k: v[-1] for k, v in query.items()}
            return 200, handler(flat, body, **params)
        if path_matched:
            raise ApiError(405, f"Method {method} is not allowed on {path}.")
        raise ApiError(404, f"Not found: {path} is not an endpoint of the local core.")

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def page_params(query: dict[str, str]) -> tuple[int, int]:
        """Page number and size of a list request."""
        try:
            number = max(0, int(query.get("page", 0)))
            size = max(1, min(1000, int(query.get("size", PAGE_SIZE))))
        except ValueError:
            raise ApiError(400, "page and size must be whole numbers.") from None
        if number > 10**9:
            raise ApiError(400, "page is too large.")
        return number, size

    @classmethod
    def page(cls, items: list[dict], query: dict[str, str], total: int | None = None) -> dict:
        """A Spring page of ``items``: either all the items (sliced here) or, with ``total``, one page of them."""
        number, size = cls.page_params(query)
        if total is None:
            total = len(items)
            items = items[number * size : (number + 1) * size]
        content = items
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

    def _shutdown(self, q: dict, b: Any) -> dict:
        if self.request_shutdown is None:
            raise ApiError(503, "This local core cannot be stopped through its API; send it SIGTERM.")
        self.request_shutdown()
        return {"stopping": True}

    def _list_projects(self, q: dict, b: Any) -> dict:
        number, size = self.page_params(q)
        items, total = self.entities.page(None, "project", {}, number, size)
        return self.page(items, q, total)

    def _create_project(self, q: dict, b: Any) -> dict:
        return self.entities.create_project(validation.entity("project", b, creating=True))

    def _update_project(self, q: dict, b: Any, p: str) -> dict:
        return self.entities.update_project(p, validation.entity("project", b, creating=False))

    def _delete_project(self, q: dict, b: Any, p: str) -> None:
        for run in self.entities.list(p, "run", {}) if self.entities.store.exists("project", p) else []:
            self.runs.delete(p, run["id"])
        self.entities.delete_project(p)
        self.vault.delete(p)

    def _list(self, q: dict, b: Any, p: str, t: str) -> dict:
        t = self._type(t)
        self.entities.require_project(p)
        number, size = self.page_params(q)
        items, total = self.entities.page(p, t, q, number, size)
        if t == "run":
            items = [self.run_reads.overlay(doc) for doc in items]
        return self.page(items, q, total)

    def _create(self, q: dict, b: Any, p: str, t: str) -> dict:
        t = self._type(t)
        validation.entity(t, b, creating=True)
        if t == "run":
            self.entities.require_project(p)
            self.entities.check_run_references(p, b)
            return self.runs.create(p, b)
        return self.entities.create(p, t, b)

    def _get(self, q: dict, b: Any, p: str, t: str, id: str) -> dict | RunReply:
        if self._type(t) == "run":
            return self.run_reads.get(p, id)
        return self.entities.get(p, t, id)

    def _update(self, q: dict, b: Any, p: str, t: str, id: str) -> dict:
        t = self._type(t)
        validation.entity(t, b, creating=False)
        if t == "run":
            self.entities.check_run_references(p, b)
            return self.runs.update(p, id, b)
        return self.entities.update(p, t, id, b)

    def _delete(self, q: dict, b: Any, p: str, t: str, id: str) -> Any:
        t = self._type(t)
        if t == "run":
            return self.runs.delete(p, id)
        if t in ("function", "workflow"):
            if q.get("cascade") == "true":
                for run in self.entities.list(p, "run", {t: id}):
                    self.runs.delete(p, run["id"])
        doc = self.entities.delete(p, t, id, cascade=q.get("cascade") == "true")
        if t == "secret":
            self.vault.delete(p, doc["name"])
        return None

    def _delete_by_name(self, q: dict, b: Any, p: str, t: str) -> None:
        if not q.get("name"):
            raise ApiError(400, "Deleting by name needs ?name=.")
        self.entities.delete_by_name(p, self._type(t), q["name"], cascade=q.get("cascade") == "true")

    def _get_files(self, q: dict, b: Any, p: str, t: str, id: str) -> list:
        return (self.entities.get(p, self._type(t), id).get("status") or {}).get("files") or []

    def _put_files(self, q: dict, b: Any, p: str, t: str, id: str) -> None:
        t = self._type(t)
        b = validation.files(b)
        doc = self.entities.get(p, t, id)
        doc.setdefault("status", {})["files"] = b
        self.entities.replace(t, doc)

    def _read_secrets(self, q: dict, b: Any, p: str) -> dict:
        self.entities.require_project(p)
        keys = [k for k in q.get("keys", "").split(",") if k][:1000]
        return self.vault.read(p, keys)

    def _write_secrets(self, q: dict, b: Any, p: str) -> None:
        self.entities.require_project(p)
        self.vault.write(p, validation.secrets(b))

    def _logs(self, q: dict, b: Any, p: str, id: str) -> list:
        return self.runs.logs(p, id, q)

    def _no_search(self, q: dict, b: Any, p: str) -> None:
        raise ApiError(501, "Search is not available on the local core (DHCore answers 501 without Solr).")


def make_server(app: CoreApp, port: int) -> Any:
    """Bind the API on 127.0.0.1:``port`` (0 picks a free port); raises OSError when the port is taken."""
    from dhhera_jupyter.core.http_server import CoreServer

    return CoreServer(app, port)
