"""Route tests: a real Jupyter server (pytest-jupyter) with the sidebar extension, against the real local core.

Tests are plain functions driving the server's event loop through :class:`Api`: pytest-asyncio (``asyncio_mode =
auto`` for the whole suite) would run ``async def`` tests on a loop of its own, where the server never answers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# pytest-jupyter's fixtures (jp_fetch, jp_serverapp...); as a plugin it may only be named in the root conftest.
from pytest_jupyter.jupyter_server import *  # noqa: F403 (the plugin's documented fixtures)


@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh event loop per test for the server (replaces pytest-jupyter's fixture of the same name).

    In a full test session the browser tests' Playwright (sync API) keeps its own loop "running" in this
    thread, suspended in a greenlet; pytest-jupyter would reuse that loop and fail ("This event loop is
    already running"). The running-loop marker is set aside for the test and put back after it.
    """
    suspended = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    previous = asyncio.get_event_loop_policy().get_event_loop() if suspended is None else suspended
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.close()
        asyncio.set_event_loop(previous)
        asyncio.events._set_running_loop(suspended)


@pytest.fixture()
def jp_server_config(core: Any) -> dict:
    """A Jupyter server with our extension enabled, on the session's local core."""
    return {"ServerApp": {"jpserver_extensions": {"dhhera_jupyter": True}}}


@dataclass
class Reply:
    """One response: status, parsed JSON body (None when empty), headers and raw body size."""

    status: int
    data: Any
    headers: Any
    size: int


class Api:
    """Synchronous calls to ``<base_url>/dhhera/...`` on the test server, authenticated unless told otherwise."""

    def __init__(self, fetch: Any, loop: Any) -> None:
        self._fetch = fetch
        self._loop = loop

    def call(self, method: str, path: str, body: Any = None, headers: dict | None = None, **params: str) -> Reply:
        kwargs: dict[str, Any] = {"method": method, "raise_error": False, "headers": headers or {}}
        if params:
            kwargs["params"] = params
        if method == "POST":
            kwargs["body"] = json.dumps(body if body is not None else {})
        response = self._loop.run_until_complete(self._fetch("dhhera", *path.split("/"), **kwargs))
        raw = response.body or b""
        data = json.loads(raw) if raw else None
        return Reply(response.code, data, response.headers, len(raw))

    def get(self, path: str, headers: dict | None = None, **params: str) -> Reply:
        return self.call("GET", path, headers=headers, **params)

    def post(self, path: str, body: Any = None, **params: str) -> Reply:
        return self.call("POST", path, body=body, **params)

    def wait(self, seconds: float) -> None:
        """Let the server's event loop run (background refreshers) for ``seconds``."""
        self._loop.run_until_complete(asyncio.sleep(seconds))


@pytest.fixture()
def api(jp_fetch: Any, jp_asyncio_loop: Any, jp_web_app: Any) -> Iterator[Api]:
    yield Api(jp_fetch, jp_asyncio_loop)
    jp_web_app.settings["dhhera_sidebar"].projects.close()  # background refreshers end with the test's loop
    jp_asyncio_loop.run_until_complete(asyncio.sleep(0))
