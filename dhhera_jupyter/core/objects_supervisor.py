"""The core's watch over its object store: start it in the background, notice when it dies, restart it.

One thread owns the S3 server for the core's whole life (the server's parent-death signal follows that thread):
it migrates an old SeaweedFS folder once, starts the server, then checks twice a second that it still runs.
When it has died, the thread starts it again on the same port with the same keys (another port if that one was
taken meanwhile), so the environment runs were given stays valid. Runs that ask for the store while it is down
wait a few seconds, then fail with a sentence naming it. :meth:`ObjectsSupervisor.status` is what
``dhhera core status`` and ``/dhhera/status`` report.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.core import migration
from dhhera_jupyter.core.objects import NAME, ObjectStore
from dhhera_jupyter.errors import CoreError

log = logging.getLogger(__name__)

_CHECK_INTERVAL = 0.5
#: Seconds a run waits for a store that is being restarted before it fails.
_RESTART_WAIT = 10.0
_BACKOFF_MAX = 30.0


class ObjectsSupervisor:
    """Starts, watches and restarts the object store of one data folder.

    Parameters
    ----------
    data_dir : Path
        The store's folder (``DHHERA_HOME/objects``).
    """

    def __init__(self, data_dir: Path) -> None:
        self.store = ObjectStore(data_dir)
        self.ready = threading.Event()  # set once the first start has succeeded or failed
        self.error: Exception | None = None
        self.state = "starting"
        self.restarts = 0
        self.last_exit: dict[str, Any] | None = None
        self.migrated: int | None = None
        self._up = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="objects", daemon=True)
        self._thread.start()

    # -- what the core uses ----------------------------------------------------------------

    def env(self, timeout: float | None = None) -> dict[str, str]:
        """The S3 environment for a run; waits for a (re)start in progress.

        Raises
        ------
        CoreError
            Naming the object store, when it is not running.
        """
        first = settings.S3_START_TIMEOUT if timeout is None else timeout
        if not self.ready.wait(first):
            raise CoreError(f"{NAME[0].upper()}{NAME[1:]} did not start in time.")
        deadline = time.monotonic() + _RESTART_WAIT
        with self._up:
            while self.state != "running" and not self._stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.state == "failed":
                    break
                self._up.wait(remaining)
            if self.state != "running":
                reason = f": {self.error}" if self.error else ""
                raise CoreError(f"{NAME[0].upper()}{NAME[1:]} is not running ({self.state}){reason}.")
            return self.store.env()

    def status(self) -> dict[str, Any]:
        """State of the store for ``/dhhera/status``: ``state`` (starting, running, restarting, failed, stopped),
        ``pid``, ``endpoint``, ``restarts``, ``last_exit`` (``{"code", "time"}``), ``error``, ``migrated``."""
        with self._up:
            running = self.state == "running"
            return {
                "name": NAME,
                "state": self.state,
                "pid": self.store.pid if running else None,
                "endpoint": self.store.endpoint if running else None,
                "restarts": self.restarts,
                "last_exit": self.last_exit,
                "error": str(self.error) if self.error else None,
                "migrated": self.migrated,
            }

    def stop(self) -> None:
        self._stop.set()
        self.store.stop()
        with self._up:
            self.state = "stopped"
            self._up.notify_all()

    # -- the supervising thread -------------------------------------------------------------

    def _set(self, state: str, error: Exception | None = None) -> None:
        with self._up:
            self.state = state
            self.error = error
            self._up.notify_all()

    def _start(self, port: int | None) -> bool:
        try:
            if migration.needs_migration(self.store.data_dir):
                self.migrated = migration.migrate_seaweedfs(self.store.data_dir, settings.S3_START_TIMEOUT)
            self.store.start(timeout=settings.S3_START_TIMEOUT, port=port)
        except Exception as exc:  # noqa: BLE001 - reported in the status, retried with a backoff
            if not self._stop.is_set():
                log.exception("the object store failed to start")
            self._set("failed", exc)
            return False
        self._set("running")
        return True

    def _run(self) -> None:
        backoff = 1.0
        self._start(None)
        self.ready.set()
        port: int | None = None
        while not self._stop.wait(_CHECK_INTERVAL if self.state == "running" else backoff):
            if self.state == "running":
                if self.store.pid is not None:
                    continue
                code = self.store.returncode
                port = int(self.store.endpoint.rsplit(":", 1)[1]) if code is not None else port
                log.warning("the object store exited (code %s); restarting it", code)
                with self._up:
                    self.last_exit = {"code": code, "time": time.time()}
                    self.restarts += 1
                self._set("restarting", CoreError(f"{NAME} exited with code {code}"))
            if self._start(port):
                backoff = 1.0
            else:
                backoff = min(_BACKOFF_MAX, backoff * 2)
