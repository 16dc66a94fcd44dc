"""The node lists of running pipelines, kept apart from their run documents.

A pipeline's ``status.nodes`` changes on every step event, while its run document also carries the
workflow's build spec (hundreds of KB for a wide pipeline). Rewriting that document on every change cost
O(N) per update, O(N²) per pipeline. Here the latest list of each running pipeline lives in memory; the
nodes that changed are written to a table of their own at a bounded cadence (``cadence`` seconds, and at
once on :meth:`RunNodes.close`), so a crash loses at most one cadence of node updates; the run document
receives the final list once, when the pipeline ends (the pipeline runner does that).

What clients see is chosen by ``visible``:

- ``"live"`` (default): a GET shows the latest list, as soon as the runner reports it;
- ``"persisted"``: a GET shows the list as last written, i.e. it moves at the cadence, the way DHCore's
  run documents move at the cadence of its Argo monitor (a DHCore-like profile sets ``cadence`` to that).
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhhera_jupyter.core import fsm

log = logging.getLogger(__name__)

#: Seconds between two writes of a running pipeline's changed nodes (the default cadence).
DEFAULT_CADENCE = 1.0
VISIBILITY = ("live", "persisted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    pos INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, node_id)
);
"""

Nodes = Sequence[dict[str, Any]]


@dataclass
class _Live:
    """One running pipeline: its latest list, and what of it is already on disk and visible."""

    latest: Nodes = ()
    version: int = 0
    #: node id -> the node as last written; a node is rewritten only when its dict changed.
    written: dict[str, dict[str, Any]] = field(default_factory=dict)
    published: Nodes = ()
    published_version: int = 0
    dirty: bool = False


class RunNodes:
    """Latest node lists of running pipelines, persisted incrementally at a bounded cadence.

    Parameters
    ----------
    path : Path or None
        SQLite file of the node rows (created when missing); ``None`` keeps everything in memory (tests).
    cadence : float
        Longest time in seconds between a node change and its write (``0`` writes on every update).
    visible : str
        ``"live"`` or ``"persisted"`` (see the module docstring).
    """

    def __init__(self, path: Path | None, cadence: float = DEFAULT_CADENCE, visible: str = "live") -> None:
        if visible not in VISIBILITY:
            raise ValueError(f"visible must be one of {VISIBILITY}, not {visible!r}")
        if cadence < 0:
            raise ValueError("cadence must be zero or more seconds")
        self.cadence = float(cadence)
        self.visible = visible
        self._runs: dict[str, _Live] = {}
        self._lock = threading.Lock()  # guards _runs; never held while writing to disk
        self._write_lock = threading.Lock()  # one writer at a time, in version order per run
        self._wake = threading.Condition(self._lock)
        self._versions = itertools.count(1)
        self._stopped = False
        self._dirty = 0  # runs with changes not yet written
        #: Rows written so far and SQL statements executed for them (what the scale tests count).
        self.rows_written = 0
        self.statements = 0
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        self._thread: threading.Thread | None = None
        if self.cadence > 0:
            self._thread = threading.Thread(target=self._flush_loop, name="run-nodes", daemon=True)
            self._thread.start()

    # -- the pipeline runner's side ------------------------------------------------------------

    def update(self, run_id: str, nodes: Nodes) -> None:
        """Record the latest list of ``run_id`` (O(1): the list is kept, not copied; treat it as read-only)."""
        with self._lock:
            live = self._runs.get(run_id)
            if live is None:
                live = self._runs[run_id] = _Live()
            live.latest = nodes
            live.version = next(self._versions)
            if not live.dirty:
                live.dirty = True
                self._dirty += 1
                if self._dirty == 1:
                    self._wake.notify()  # the flusher starts counting one cadence from now
        if self.cadence <= 0:
            self._flush_run(run_id)

    def close(self, run_id: str) -> Nodes | None:
        """The pipeline ended (its document now holds the final list): forget it and its rows.

        Returns
        -------
        list or None
            The last list reported, for a runner that ended without one of its own.
        """
        with self._lock:
            live = self._runs.pop(run_id, None)
            if live is not None and live.dirty:
                self._dirty -= 1
        self.forget(run_id)
        return None if live is None else live.latest

    def forget(self, run_id: str) -> None:
        """Delete the persisted rows of ``run_id`` (a finished or deleted run)."""
        with self._write_lock:
            if self._db is not None:
                self._db.execute("DELETE FROM nodes WHERE run_id=?", (run_id,))
                self.statements += 1

    # -- readers -------------------------------------------------------------------------------

    def current(self, run_id: str) -> tuple[int, Nodes] | None:
        """``(version, nodes)`` a client sees now for a running pipeline, ``None`` when it is not running.

        ``version`` changes whenever the visible list does (it is unique across runs in this process).
        """
        with self._lock:
            live = self._runs.get(run_id)
            if live is None:
                return None
            if self.visible == "live":
                return live.version, live.latest
            if not live.published_version:
                return None  # nothing written yet: the document's own list is what a client sees
            return live.published_version, live.published

    def running(self) -> list[str]:
        """Ids of the pipelines with a list in memory."""
        with self._lock:
            return list(self._runs)

    # -- persistence ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the changed nodes of every running pipeline now."""
        with self._lock:
            dirty = [run_id for run_id, live in self._runs.items() if live.dirty]
        for run_id in dirty:
            self._flush_run(run_id)

    def _flush_run(self, run_id: str) -> None:
        with self._write_lock:
            with self._lock:
                live = self._runs.get(run_id)
                if live is None or not live.dirty:
                    return
                nodes, version = live.latest, live.version
                live.dirty = False
                self._dirty -= 1
            changed = [
                (pos, node)
                for pos, node in enumerate(nodes)
                if (old := live.written.get(node.get("id", ""))) is not node and old != node
            ]
            if self._db is not None and changed:
                rows = [(run_id, n.get("id", ""), pos, json.dumps(n, separators=(",", ":"))) for pos, n in changed]
                try:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO nodes (run_id, node_id, pos, body) VALUES (?, ?, ?, ?)", rows
                    )
                except sqlite3.Error:
                    log.exception("could not persist the nodes of run %s", run_id)
                    with self._lock:
                        if not live.dirty and run_id in self._runs:
                            live.dirty = True  # retried at the next cadence
                            self._dirty += 1
                    return
                self.statements += 1
                self.rows_written += len(rows)
            for _, node in changed:
                live.written[node.get("id", "")] = node
            with self._lock:
                if version > live.published_version:
                    live.published, live.published_version = nodes, version

    def _flush_loop(self) -> None:
        while True:
            with self._lock:
                while not self._stopped and not self._dirty:
                    self._wake.wait()
                # Coalesce: whatever arrives within one cadence of the first change is written in one go.
                deadline = time.monotonic() + self.cadence
                while not self._stopped and (left := deadline - time.monotonic()) > 0:
                    self._wake.wait(left)
                if self._stopped:
                    return
            try:
                self.flush()
            except Exception:  # the flusher must survive anything and keep the cadence
                log.exception("node flush failed")

    def persisted(self) -> dict[str, list[dict[str, Any]]]:
        """The node lists on disk, by run id, in their list order (what a previous core left behind)."""
        if self._db is None:
            return {}
        with self._write_lock:
            rows = self._db.execute("SELECT run_id, body FROM nodes ORDER BY run_id, pos").fetchall()
        out: dict[str, list[dict[str, Any]]] = {}
        for run_id, body in rows:
            out.setdefault(run_id, []).append(json.loads(body))
        return out

    def recover_into(self, load: Callable[[str], dict | None], save: Callable[[dict], Any]) -> int:
        """At start-up: put the lists a previous core persisted into their run documents, then drop the rows.

        Run before the run manager marks in-flight runs ERROR, so the steps that finished keep their state.

        Parameters
        ----------
        load, save : callable
            Read a run document by id (``None`` when gone) and store it back.

        Returns
        -------
        int
            Number of run documents updated.
        """
        count = 0
        for run_id, nodes in self.persisted().items():
            run = load(run_id)
            # A run that ended already holds its final list (the rows outlived it by a crash): keep it.
            if run is not None and (run.get("status") or {}).get("state") in fsm.IN_FLIGHT:
                run["status"]["nodes"] = nodes
                save(run)
                count += 1
            self.forget(run_id)
        return count

    def stop(self) -> None:
        """Write what is pending, end the flusher and close the file."""
        with self._lock:
            self._stopped = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()
        with self._write_lock:
            if self._db is not None:
                self._db.close()
                self._db = None
