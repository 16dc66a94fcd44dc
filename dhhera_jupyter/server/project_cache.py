"""Each project's workflow summary, kept fresh in the background while a sidebar asks for it.

A sidebar refresh must cost almost nothing when nothing changed, whatever the size of the project. So the
backend is not read per request: one background refresher per project reads it (one list of workflows, one
of builds, one of pipeline runs), every :data:`ACTIVE_INTERVAL` seconds while a run moves, every
:data:`IDLE_INTERVAL` otherwise, and stops :data:`LINGER` seconds after the last request. A request answers
from the last summary (its JSON and ETag computed once per change), so any number of tabs polling costs the
backend one read per interval, and an unchanged refresh is an ETag comparison.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dhhera_jupyter.errors import NotFound

log = logging.getLogger(__name__)

#: Seconds between two reads of a project while one of its runs moves.
ACTIVE_INTERVAL = 1.0
#: Seconds between two reads of a quiet project.
IDLE_INTERVAL = 3.0
#: Seconds between two reads while the backend fails.
ERROR_INTERVAL = 2.0
#: Seconds the refresher keeps going after the last request.
LINGER = 60.0
#: A summary older than this is re-read before answering (the refresher had stopped).
MAX_STALE = 10.0
#: A failed read older than this is retried before answering (a "Retry" shows a recovery at once).
ERROR_STALE = 0.5

Loader = Callable[[str], dict]
Runner = Callable[..., Awaitable[Any]]


def json_body(data: Any) -> tuple[bytes, str]:
    """Compact, key-sorted JSON bytes and their strong ETag (equal data, equal ETag)."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return body, '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:24] + '"'


@dataclass(frozen=True)
class Summary:
    """One read of a project: the JSON body and ETag, or the error the read raised."""

    body: bytes | None
    etag: str | None
    error: BaseException | None
    active: bool
    at: float


class _Watch:
    def __init__(self) -> None:
        self.summary: Summary | None = None
        self.last_request = time.monotonic()
        self.inflight: asyncio.Future[Summary] | None = None
        self.refresher: asyncio.Task[None] | None = None


class ProjectCache:
    """Summaries of the projects sidebars look at.

    Parameters
    ----------
    load : callable
        ``load(project) -> dict``, blocking: reads the backend and returns the summary data.
    run_blocking : callable
        ``await run_blocking(fn, *args)`` runs ``fn`` off the event loop.
    """

    def __init__(self, load: Loader, run_blocking: Runner) -> None:
        self._load = load
        self._run_blocking = run_blocking
        self._watches: dict[str, _Watch] = {}
        #: Reads of the backend done so far (for benches and tests).
        self.reads = 0

    async def get(self, project: str) -> Summary:
        """The current summary of ``project`` (read now only when there is none, or it is stale)."""
        watch = self._watches.setdefault(project, _Watch())
        watch.last_request = time.monotonic()
        summary = watch.summary
        age = time.monotonic() - summary.at if summary is not None else 0.0
        if summary is None or age > MAX_STALE or (summary.error is not None and age > ERROR_STALE):
            summary = await self.refresh(project)
        self._ensure_refresher(project, watch)
        return summary

    async def refresh(self, project: str) -> Summary:
        """Read ``project`` now (joining a read already under way) and return the new summary."""
        watch = self._watches.setdefault(project, _Watch())
        if watch.inflight is None:
            watch.inflight = asyncio.ensure_future(self._read(project, watch))
        return await asyncio.shield(watch.inflight)

    def nudge(self, project: str) -> asyncio.Future[Summary] | None:
        """Read a watched project again soon, when its summary still shows a run moving (one just ended).

        Called when a sidebar sees a run finish: the list then agrees with the run view on the next refresh
        instead of up to an interval later. A project nobody watches, or a quiet one, is left alone.

        Returns
        -------
        Future or None
            The read scheduled, or None when none was needed.
        """
        watch = self._watches.get(project)
        if watch is not None and watch.summary is not None and watch.summary.active:
            return asyncio.ensure_future(self.refresh(project))
        return None

    def forget(self, project: str) -> None:
        """Drop a project (and stop its refresher)."""
        watch = self._watches.pop(project, None)
        if watch is not None and watch.refresher is not None:
            watch.refresher.cancel()

    def close(self) -> None:
        """Stop every refresher."""
        for project in list(self._watches):
            self.forget(project)

    async def _read(self, project: str, watch: _Watch) -> Summary:
        self.reads += 1
        try:
            data = await self._run_blocking(self._load, project)
        except Exception as exc:  # noqa: BLE001 - kept and answered as an error response
            summary = Summary(None, None, exc, False, time.monotonic())
        else:
            previous = watch.summary
            body, etag = json_body(data)
            if previous is not None and previous.etag == etag and previous.body is not None:
                body = previous.body  # keep one copy of an unchanged body
            summary = Summary(body, etag, None, bool(data.get("active")), time.monotonic())
        finally:
            watch.inflight = None  # the next refresh reads again; callers awaiting this one get its result
        watch.summary = summary
        return summary

    def _ensure_refresher(self, project: str, watch: _Watch) -> None:
        if isinstance(watch.summary.error if watch.summary else None, NotFound):
            return  # nothing to watch; the next request reads again
        if watch.refresher is None or watch.refresher.done():
            watch.refresher = asyncio.ensure_future(self._refresh_while_watched(project, watch))

    async def _refresh_while_watched(self, project: str, watch: _Watch) -> None:
        try:
            while time.monotonic() - watch.last_request < LINGER:
                summary = watch.summary
                if summary is None or summary.error is not None:
                    interval = ERROR_INTERVAL
                else:
                    interval = ACTIVE_INTERVAL if summary.active else IDLE_INTERVAL
                await asyncio.sleep(interval)
                if self._watches.get(project) is not watch:
                    return
                await self.refresh(project)
                if isinstance(watch.summary.error if watch.summary else None, NotFound):
                    return
        except asyncio.CancelledError:
            raise
        except Exception:  # a refresher must never die silently, leaving a stale summary
            log.exception("dhhera sidebar: refreshing project %s failed", project)
