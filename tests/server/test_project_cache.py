"""The background-refreshed project summaries: one backend read per interval, whatever the number of panels."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from dhhera_jupyter.errors import BackendUnreachable
from dhhera_jupyter.server import project_cache
from dhhera_jupyter.server.blocking import run_blocking
from dhhera_jupyter.server.project_cache import ProjectCache


class Backend:
    """A stand-in project reader: counts reads, returns ``data``, raises ``error`` when set."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {"workflows": [], "active": False}
        self.error: Exception | None = None
        self.reads = 0
        self.lock = threading.Lock()

    def load(self, project: str) -> dict:
        with self.lock:
            self.reads += 1
        time.sleep(0.05)  # a backend read takes a while: concurrent requests must join it
        if self.error is not None:
            raise self.error
        return {"project": project, **self.data}


@pytest.fixture()
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_cache, "IDLE_INTERVAL", 0.05)
    monkeypatch.setattr(project_cache, "ERROR_INTERVAL", 0.05)
    monkeypatch.setattr(project_cache, "LINGER", 0.3)


def test_many_panels_asking_at_once_cost_one_backend_read(jp_asyncio_loop) -> None:
    backend = Backend()
    cache = ProjectCache(backend.load, run_blocking)

    async def scenario() -> list:
        return await asyncio.gather(*(cache.get("p") for _ in range(10)))

    summaries = jp_asyncio_loop.run_until_complete(scenario())
    cache.close()

    assert backend.reads == 1
    assert len({s.etag for s in summaries}) == 1 and summaries[0].error is None


def test_unchanged_data_keeps_its_etag_and_a_change_gives_a_new_one(jp_asyncio_loop) -> None:
    backend = Backend()
    cache = ProjectCache(backend.load, run_blocking)

    first = jp_asyncio_loop.run_until_complete(cache.refresh("p"))
    same = jp_asyncio_loop.run_until_complete(cache.refresh("p"))
    backend.data = {"workflows": [{"name": "w"}], "active": True}
    changed = jp_asyncio_loop.run_until_complete(cache.refresh("p"))
    cache.close()

    assert same.etag == first.etag and same.body is first.body
    assert changed.etag != first.etag and changed.active is True


def test_refresher_reads_while_a_panel_asks_and_stops_after_it_stopped_asking(jp_asyncio_loop, fast) -> None:
    backend = Backend()
    cache = ProjectCache(backend.load, run_blocking)

    async def scenario() -> tuple[int, int, int]:
        await cache.get("p")
        await asyncio.sleep(0.25)
        while_watched = backend.reads
        await asyncio.sleep(0.6)  # longer than LINGER after the last request
        stopped_at = backend.reads
        await asyncio.sleep(0.3)
        return while_watched, stopped_at, backend.reads

    while_watched, stopped_at, later = jp_asyncio_loop.run_until_complete(scenario())
    cache.close()

    assert while_watched >= 3
    assert later == stopped_at


def test_failed_read_is_answered_as_its_error_and_the_next_request_retries(jp_asyncio_loop, fast) -> None:
    backend = Backend()
    backend.error = BackendUnreachable("The DigitalHub backend at x does not answer (connection refused).")
    cache = ProjectCache(backend.load, run_blocking)

    failed = jp_asyncio_loop.run_until_complete(cache.get("p"))
    backend.error = None
    jp_asyncio_loop.run_until_complete(asyncio.sleep(0.6))
    recovered = jp_asyncio_loop.run_until_complete(cache.get("p"))
    cache.close()

    assert isinstance(failed.error, BackendUnreachable) and failed.body is None
    assert recovered.error is None and recovered.body is not None


def test_a_nudge_rereads_a_project_with_a_moving_run_and_leaves_a_quiet_one(jp_asyncio_loop) -> None:
    backend = Backend()
    backend.data = {"workflows": [], "active": True}
    cache = ProjectCache(backend.load, run_blocking)

    async def scenario() -> tuple[Any, Any, Any]:
        await cache.get("p")
        backend.data = {"workflows": ["ended"], "active": False}
        read = cache.nudge("p")
        summary = await read if read is not None else None
        return summary, cache.nudge("p"), cache.nudge("unknown")

    summary, quiet, unknown = jp_asyncio_loop.run_until_complete(scenario())
    cache.close()

    assert summary is not None and summary.active is False and b"ended" in summary.body
    assert quiet is None and unknown is None
    assert backend.reads == 2
