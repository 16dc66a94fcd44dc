"""Conditional reads of a run for watchers: ``If-None-Match`` with the ``ETag`` of the last answer.

A watched pipeline run of 1000 nodes weighs hundreds of KB; polled unchanged, it would cost that per tick
between kernel and core. The local core answers a GET of a run with an ``ETag`` and ``304 Not Modified``
(no body) when the client names the version it holds, so a watcher that sends the tag pays a few hundred
bytes per unchanged tick and gets back the very document it already has.

The request is the SDK's own: its endpoint, its credentials (the client's configurator, refreshed the same
way on 401), its transport and its error mapping. Only the ``If-None-Match`` header is added and the
``ETag`` read back, which the SDK's ``read_object`` does not expose. A backend that sends no ``ETag`` (or an
SDK without the pieces used here) gets plain unconditional reads, exactly like :func:`~.runs.run_doc`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from dhhera_jupyter.platform.backend import backend, sdk
from dhhera_jupyter.platform.sdk_errors import sdk_errors

#: Runs whose last document is remembered (a few watched runs per kernel; bounded anyway).
KEPT = 64

_cache: OrderedDict[tuple[str, str], tuple[str, dict]] = OrderedDict()
_lock = threading.Lock()
#: What the reads of this process cost (for benches and tests): requests, 304 answers, bytes of bodies.
stats = {"requests": 0, "not_modified": 0, "body_bytes": 0}
#: The same, per run (the last :data:`KEPT` runs read): what watching one run costs, whatever else is watched.
_run_stats: OrderedDict[tuple[str, str], dict[str, int]] = OrderedDict()


def stats_of(run_id: str, project: str) -> dict[str, int]:
    """A copy of the counters of the reads of one run (zeros for a run not read)."""
    with _lock:
        return dict(_run_stats.get((project, run_id)) or {"requests": 0, "not_modified": 0, "body_bytes": 0})


def _count(key: tuple[str, str], not_modified: bool, body_bytes: int) -> None:
    with _lock:
        per_run = _run_stats.setdefault(key, {"requests": 0, "not_modified": 0, "body_bytes": 0})
        _run_stats.move_to_end(key)
        while len(_run_stats) > KEPT:
            _run_stats.popitem(last=False)
        for counters in (stats, per_run):
            counters["requests"] += 1
            counters["not_modified"] += int(not_modified)
            counters["body_bytes"] += body_bytes


def run_doc(run_id: str, project: str | None = None) -> dict:
    """The run as the backend stores it, read with one conditional GET (the cached dict on ``304``).

    The returned dict is shared with the cache: treat it as read-only.
    """
    project = project or backend().project
    key = (project, run_id)
    with _lock:
        cached = _cache.get(key)
    with sdk_errors(not_found=f"Run '{run_id}' does not exist in project '{project}'."):
        status, etag, doc = _get(project, run_id, cached[0] if cached else None)
    with _lock:
        if status == 304 and cached is not None:
            _cache.move_to_end(key)
            return cached[1]
        if etag:
            _cache[key] = (etag, doc)
            _cache.move_to_end(key)
            while len(_cache) > KEPT:
                _cache.popitem(last=False)
        else:
            _cache.pop(key, None)
    return doc


def forget(run_id: str, project: str | None = None) -> None:
    """Drop what is remembered of a run."""
    with _lock:
        _cache.pop((project or backend().project, run_id), None)


def _get(project: str, run_id: str, etag: str | None) -> tuple[int, str | None, dict]:
    sdk()
    from digitalhub.stores.client.base.factory import get_client
    from digitalhub.stores.client.http.response import ResponseProcessor
    from digitalhub.stores.client.http.transport import request

    client = get_client()
    api = client.build_api("context", "read", project=project, entity_type="run", entity_id=run_id)
    configurator: Any = getattr(client, "_configurator", None)
    if not all(hasattr(configurator, name) for name in ("get_endpoint", "get_auth_parameters", "evaluate_refresh")):
        return 200, None, client.read_object(api)  # an SDK shaped differently: plain reads
    url = f"{configurator.get_endpoint()}{api}"
    headers = {"If-None-Match": etag} if etag else {}
    response = request("GET", url, **configurator.get_auth_parameters({"headers": headers}))
    if response.status_code == 401 and configurator.evaluate_refresh():
        response = request("GET", url, **configurator.get_auth_parameters({"headers": headers}))
    if response.status_code == 304:
        _count((project, run_id), True, 0)
        return 304, etag, {}
    _count((project, run_id), False, len(response.content))
    doc: Any = ResponseProcessor().process(response)  # the SDK's checks and its exceptions
    return response.status_code, response.headers.get("ETag"), doc
