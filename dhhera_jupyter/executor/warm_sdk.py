"""What the warm process prepares in the SDK before it forks runs (imported as one of its preload modules).

Profiling a trivial pipeline step (issue 13) showed two costs every forked run paid again although the warm
process could pay them once:

- the SDK registers its runtimes lazily, on the first entity it builds: ``list_runtimes()`` walks every module
  on ``sys.path`` with ``pkgutil`` (about 50 ms per run on a loaded 2-core machine, a third of a no-op step);
- the SDK's transport calls ``requests.request`` for every call, i.e. a new ``Session`` and a new TCP
  connection each time; the core then starts a thread per connection. A run makes five to seven calls.

So this module fills the SDK's registries here, and gives each run process one keep-alive ``requests``
session for the SDK's calls. The calls themselves (method, URL, headers, body, timeout, error handling) stay
the SDK's own; only the connection is reused. Nothing here opens a connection: the session of a process is
made on its first call, so a forked run never shares a socket with the warm process or another run.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from dhhera_jupyter.documents.states import BUILD_RUN_KIND, JOB_RUN_KIND, PIPELINE_RUN_KIND

log = logging.getLogger(__name__)

#: Entity kinds whose builders are looked up once so that the SDK's lazy registries are filled.
_WARM_KINDS = (JOB_RUN_KIND, BUILD_RUN_KIND, PIPELINE_RUN_KIND)

_session: Any = None
_session_pid: int | None = None
_lock = threading.Lock()


def fill_registries() -> None:
    """Register the SDK's entities and runtimes now (no network; it imports the runtime packages)."""
    try:
        from digitalhub.factory.registry import registry
    except ImportError:
        return
    for kind in _WARM_KINDS:
        try:
            registry.get_entity_builder(kind)
        except Exception as exc:  # noqa: BLE001 - a missing runtime only means that run kind stays cold
            log.debug("SDK builder for %s not warmed: %s", kind, exc)


def session_request(method: str, url: str, **kwargs: Any) -> Any:
    """``requests.request`` through this process's keep-alive session (made on first use after a fork)."""
    global _session, _session_pid
    import requests

    pid = os.getpid()
    if _session is None or _session_pid != pid:
        with _lock:
            if _session is None or _session_pid != pid:
                _session, _session_pid = requests.Session(), pid
    return _session.request(method, url, **kwargs)


def reuse_connections() -> bool:
    """Route the SDK's HTTP calls through :func:`session_request`; False when the SDK's transport is not there."""
    try:
        from digitalhub.stores.client.http import transport
    except ImportError:
        return False
    if not hasattr(transport, "requests_request"):
        return False
    transport.requests_request = session_request
    return True


def prepare() -> None:
    """Everything above, plus modules ``requests`` imports on its first call (``netrc``, the IDNA codec)."""
    for name in ("netrc", "encodings.idna"):
        try:
            __import__(name)
        except ImportError:
            pass
    fill_registries()
    reuse_connections()


prepare()
