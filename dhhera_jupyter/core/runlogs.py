"""Run logs of the local core: bounded reads and a size cap.

A run's log is ``runs/<id>/run.log``, appended to by its process. Reads never load more than
``DHHERA_LOG_READ_MAX_MB`` (the tail, unless an offset is asked for), and a log that grows past
``DHHERA_RUN_LOG_MAX_MB`` loses its oldest half, replaced by one line saying so.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.core import fsm
from dhhera_jupyter.core.entities import ApiError, now_iso

log = logging.getLogger(__name__)

_CHECK_INTERVAL = 1.0


def _int(query: dict[str, str], key: str) -> int | None:
    value = query.get(key)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ApiError(400, f"Log parameter '{key}' must be a whole number of bytes, not {value[:40]!r}.")
    return int(value)


def read_slice(path: Path, query: dict[str, str]) -> tuple[bytes, int, int]:
    """The part of the log at ``path`` that ``query`` asks for: ``(data, start offset, total size)``.

    ``offset`` (and optional ``limit``) read forward from a byte offset; ``tail`` reads the last bytes, starting at
    a line boundary. Without either, the tail of at most ``DHHERA_LOG_READ_MAX_MB`` is returned. No read returns
    more than that bound.
    """
    bound = settings.log_read_max()
    offset, limit, tail = _int(query, "offset"), _int(query, "limit"), _int(query, "tail")
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return b"", 0, 0
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if offset is not None:
            start = min(offset, size)
            fh.seek(start)
            return fh.read(min(bound, limit if limit is not None else bound)), start, size
        want = min(bound, tail if tail is not None else bound)
        start = max(0, size - want)
        fh.seek(start)
        data = fh.read(want)
    if start > 0:
        cut = data.find(b"\n")
        if 0 <= cut < len(data) - 1:  # begin at a whole line
            data, start = data[cut + 1 :], start + cut + 1
    return data, start, size


def log_documents(project: str, run: dict, path: Path, query: dict[str, str]) -> list[dict[str, Any]]:
    """The run's log in the shape SDK 0.15 parses (contract §3.5), one object, its content the asked slice.

    ``status`` tells which slice it is: ``offset`` (first byte), ``size`` (of the whole log), ``length``.
    """
    if not path.exists():
        return []
    data, start, size = read_slice(path, query)
    run_id = run["id"]
    log_id = uuid.uuid5(uuid.NAMESPACE_URL, f"dhhera-log:{run_id}").hex
    return [
        {
            "id": log_id,
            "name": log_id,
            "kind": "log",
            "project": project,
            "key": f"store://{project}/log/log/{log_id}",
            "metadata": {
                "project": project,
                "name": log_id,
                "created": (run.get("metadata") or {}).get("created"),
                "updated": now_iso(),
            },
            "spec": {"run": run_id, "timestamp": int(path.stat().st_mtime * 1000)},
            "status": {"offset": start, "size": size, "length": len(data)},
            "content": base64.b64encode(data).decode(),
        }
    ]


def cap(path: Path, limit: int) -> bool:
    """Drop the oldest half of the log at ``path`` when it is larger than ``limit`` bytes; True when it did.

    Writers append (``O_APPEND``), so they go on writing at the new end; lines appended while the kept half is
    copied back (a few milliseconds) are lost, which a log past its cap can afford.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size <= limit:
        return False
    keep = max(1, limit // 2)
    with open(path, "r+b") as fh:
        fh.seek(size - keep)
        data = fh.read(keep)
        cut = data.find(b"\n")
        if 0 <= cut < len(data) - 1:
            data = data[cut + 1 :]
        dropped = size - len(data)
        note = f"[dhhera] log capped at {limit} bytes (DHHERA_RUN_LOG_MAX_MB): its first {dropped} bytes were dropped\n"
        fh.seek(0)
        fh.write(note.encode() + data)
        fh.truncate()
    log.info("capped %s (%d bytes dropped)", path, dropped)
    return True


class LogCap:
    """Keeps the logs of the runs in flight under ``DHHERA_RUN_LOG_MAX_MB``, checking them every second.

    Parameters
    ----------
    runs : RunManager
        Its listeners tell which runs are in flight; its ``run_dir`` where their logs are.
    """

    def __init__(self, runs: Any) -> None:
        self.runs = runs
        self.limit = settings.run_log_max()
        self._active: set[str] = set()
        self._done: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        runs.listeners.append(self._on_run)

    def _on_run(self, run: dict) -> None:
        state = (run.get("status") or {}).get("state")
        with self._lock:
            self._active.add(run["id"])  # a finished run is checked once more, then forgotten
            if state in fsm.TERMINAL:
                self._done.add(run["id"])

    def check(self) -> None:
        """Cap every tracked log now."""
        with self._lock:
            ids = list(self._active)
            self._active -= self._done
            self._done = set()
        for run_id in ids:
            try:
                cap(self.runs.run_dir(run_id) / "run.log", self.limit)
            except (OSError, ValueError):
                log.exception("could not cap the log of run %s", run_id)

    def start(self) -> LogCap:
        threading.Thread(target=self._loop, name="log-cap", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(_CHECK_INTERVAL):
            self.check()
