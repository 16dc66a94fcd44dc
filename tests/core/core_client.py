"""A plain HTTP client for the local core's API, and a core started with settings of a test's choosing."""

from __future__ import annotations

import http.client
import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dhhera_jupyter.core import control


class Api:
    """Raw calls (status and decoded body), so that tests see exactly what the core answers."""

    def __init__(self, endpoint: str, token: str | None) -> None:
        self.host, port = endpoint.removeprefix("http://").split(":")
        self.port = int(port)
        self.token = token

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None, timeout: float = 15) -> tuple:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        try:
            try:
                conn.request(method, path, body=data, headers=headers)
            except BrokenPipeError:
                pass  # the core answered (413) and closed before the whole body was sent: read that answer
            resp = conn.getresponse()
            text = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(text) if text else None
        except ValueError:
            return resp.status, text

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, doc = self.call(method, path, body)
        assert status == 200, (method, path, status, doc)
        return doc


def call_json(info: control.CoreInfo, method: str, path: str, body: dict | None = None) -> dict:
    """One authenticated JSON call to the core of ``info``; its decoded answer (``{}`` when empty).

    Raises ``urllib.error.HTTPError`` on a status other than 2xx, as a plain client sees it.
    """
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        info.endpoint + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {info.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else {}


@contextmanager
def core_with(home: Path, **settings: str) -> Iterator[control.CoreInfo]:
    """A core of its own on ``home``, started with the ``DHHERA_*`` settings given (``DHHERA_CORE_IDLE_TIMEOUT``...)."""
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        info, _ = control.start(home)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        yield info
    finally:
        control.stop(home)


def api(info: control.CoreInfo) -> Api:
    return Api(info.endpoint, info.token)


def make_project(client: Api, name: str) -> dict:
    return client.ok("POST", "/api/v1/projects", {"name": name, "kind": "project"})


def python_function(client: Api, project: str, name: str, code: str, handler: str) -> dict:
    import base64

    source = {"handler": handler, "base64": base64.b64encode(code.encode()).decode(), "lang": "python"}
    body = {"name": name, "kind": "python", "spec": {"python_version": "PYTHON3_11", "source": source}}
    return client.ok("POST", f"/api/v1/-/{project}/functions", body)


def job_run(client: Api, project: str, fn: dict) -> dict:
    """Create a ``python+job`` task and run of ``fn`` (executed by the core's worker pool)."""
    ref = f"python://{project}/{fn['name']}:{fn['id']}"
    task = client.ok("POST", f"/api/v1/-/{project}/tasks", {"kind": "python+job", "spec": {"function": ref}})
    spec = {"task": f"python+job://{project}/{task['id']}", "function": ref, "local_execution": False}
    return client.ok("POST", f"/api/v1/-/{project}/runs", {"kind": "python+job:run", "spec": spec})
