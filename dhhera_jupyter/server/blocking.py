"""Run blocking work (SDK calls, Graphviz) off the Jupyter server's event loop, and let the server exit promptly.

A server whose sidebar was used holds the digitalhub SDK and its dependencies: some 400 000 objects tracked by
the garbage collector. On SIGTERM the pool's threads were already gone within a second (``concurrent.futures``
joins them at exit: idle ones end at once, a call under way ends within its own timeout), but the interpreter's
final collections then walked all those objects, which delayed the exit of ``jupyter lab`` by 10 to 30 s on a
loaded machine (1.5 s with :func:`release_at_exit`). So at exit the objects alive then are frozen
(:func:`gc.freeze`): the operating system frees the memory of an exiting process anyway.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import gc
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: Threads for backend calls and drawing; a few, so one slow backend cannot starve the server of threads.
MAX_WORKERS = 4

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    """The process-wide pool of the sidebar routes (created on first use)."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="dhhera-sidebar")
        return _executor


async def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Await ``fn(*args, **kwargs)`` run in the pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor(), functools.partial(fn, *args, **kwargs))


def release_at_exit() -> None:
    """Freeze the garbage collector's objects at exit, once per process (the server extension calls it)."""
    global _registered
    with _lock:
        if _registered:
            return
        _registered = True
    atexit.register(gc.freeze)  # the final collections skip the objects alive then (the SDK's): see above


_registered = False
