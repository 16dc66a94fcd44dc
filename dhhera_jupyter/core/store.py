"""SQLite (WAL) persistence of the local core: entities and their JSON documents.

Every entity (project, function, workflow, task, run, artifact, dataitem, model, secret...) is one
row keyed by ``(type, id)``; the row keeps the few columns we filter and sort on, plus the whole
JSON document exactly as the API returns it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (type, id)
);
CREATE INDEX IF NOT EXISTS entities_by_project ON entities (project, type, seq);
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (project, type, name, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Query:
    """Filters of a list request (contract §2 row 7), already parsed."""

    project: str | None
    type: str
    exact: dict[str, str] = field(default_factory=dict)  # column -> value (name, kind, state)
    latest_only: bool = False
    predicate: Any = None  # callable(doc) -> bool for filters on JSON fields


class Store:
    """Thread-safe access to the SQLite database of the local core.

    Parameters
    ----------
    path : Path
        Database file; created with its folder when missing.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.RLock()
        row = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entities").fetchone()
        self._seq = int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes atomically (the backend is never left half-written)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- single entities -------------------------------------------------------------------

    def get(self, type_: str, id_: str) -> dict | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM entities WHERE type=? AND id=?", (type_, id_)).fetchone()
        return json.loads(row[0]) if row else None

    def exists(self, type_: str, id_: str) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM entities WHERE type=? AND id=?", (type_, id_)).fetchone()
        return row is not None

    def put(self, type_: str, doc: dict) -> dict:
        """Insert or replace ``doc``; the insertion order (``seq``) of an existing row is kept."""
        meta = doc.get("metadata") or {}
        state = (doc.get("status") or {}).get("state")
        with self._lock:
            row = self._conn.execute("SELECT seq FROM entities WHERE type=? AND id=?", (type_, doc["id"])).fetchone()
            if row:
                seq = row[0]
            else:
                self._seq += 1
                seq = self._seq
            self._conn.execute(
                "INSERT OR REPLACE INTO entities (type, id, project, name, kind, state, created, updated, seq, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    type_,
                    doc["id"],
                    doc.get("project") or doc["id"],
                    doc.get("name") or doc["id"],
                    doc.get("kind") or type_,
                    state,
                    meta.get("created", ""),
                    meta.get("updated", ""),
                    seq,
                    json.dumps(doc, separators=(",", ":")),
                ),
            )
        return doc

    def delete(self, type_: str, id_: str) -> bool:
        with self._lock:
            cur = self._conn.execute("DELETE FROM entities WHERE type=? AND id=?", (type_, id_))
        return cur.rowcount > 0

    def delete_where(self, project: str, type_: str | None = None, name: str | None = None) -> int:
        sql, args = "DELETE FROM entities WHERE project=?", [project]
        if type_ is not None:
            sql += " AND type=?"
            args.append(type_)
        if name is not None:
            sql += " AND name=?"
            args.append(name)
        with self._lock:
            cur = self._conn.execute(sql, args)
        return cur.rowcount

    # -- lists -----------------------------------------------------------------------------

    def list(self, query: Query) -> list[dict]:
        """Documents matching ``query``, newest first."""
        sql = "SELECT body, name FROM entities WHERE type=?"
        args: list[Any] = [query.type]
        if query.project is not None:
            sql += " AND project=?"
            args.append(query.project)
        for column, value in query.exact.items():
            if column not in ("name", "kind", "state"):
                raise ValueError(f"cannot filter on {column}")
            sql += f" AND {column}=?"
            args.append(value)
        sql += " ORDER BY seq DESC"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        out: list[dict] = []
        seen: set[str] = set()
        for body, name in rows:
            if query.latest_only:
                if name in seen:
                    continue
                seen.add(name)
            doc = json.loads(body)
            if query.predicate is None or query.predicate(doc):
                out.append(doc)
        return out

    def by_states(self, type_: str, states: Iterable[str]) -> list[dict]:
        states = list(states)
        marks = ",".join("?" for _ in states)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT body FROM entities WHERE type=? AND state IN ({marks}) ORDER BY seq", [type_, *states]
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, type_: str) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM entities WHERE type=?", (type_,)).fetchone()[0])

    # -- small key/value table -------------------------------------------------------------

    def meta_get(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def meta_set(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
