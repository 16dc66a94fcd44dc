"""SQLite (WAL) persistence of the local core: entities and their JSON documents.

Every entity (project, function, workflow, task, run, artifact, dataitem, model, secret...) is one
row keyed by ``(type, id)``; the row keeps the few columns we filter and sort on, plus the whole
JSON document exactly as the API returns it. Lists are filtered, deduplicated to the latest version
and paginated in SQL, so a page costs the same however many rows the project holds.

The database file is watched: when it is deleted or replaced under a running core, every write fails
with :class:`DatabaseGone` instead of going to a file nobody will ever open again.
"""

from __future__ import annotations

import builtins
import itertools
import json
import os
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
CREATE TABLE IF NOT EXISTS secret_values (
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (project, name)
);
"""


_COLUMNS = ("name", "kind", "state")


class DatabaseGone(Exception):
    """The database file was deleted or replaced while the core had it open: writes would be lost."""


@dataclass
class Query:
    """Filters of a list request (contract §2 row 7), already parsed; all of them run in SQL.

    ``json_equal`` and ``json_contains`` map a JSON path (``$.spec.task``) to a value the field must equal or
    contain; ``any_contains`` is a value that at least one of its paths must contain (the ``q`` filter).
    """

    project: str | None
    type: str
    exact: dict[str, str] = field(default_factory=dict)  # column -> value (name, kind, state)
    latest_only: bool = False
    json_equal: dict[str, str] = field(default_factory=dict)
    json_contains: dict[str, str] = field(default_factory=dict)
    any_contains: tuple[tuple[str, ...], str] | None = None


class Store:
    """Thread-safe access to the SQLite database of the local core.

    Parameters
    ----------
    path : Path
        Database file; created with its folder when missing.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.RLock()
        row = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entities").fetchone()
        self._seq = int(row[0])
        st = os.stat(path)
        self._identity = (st.st_dev, st.st_ino)
        self.gone: str | None = None
        # Revisions of the rows this store wrote (see revision()); the epoch moves on bulk deletes.
        self._revisions: dict[tuple[str, str], int] = {}
        self._revision = itertools.count(1)
        self._epoch = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def check_file(self) -> None:
        """Raise :class:`DatabaseGone` when the file this connection writes to is no longer at :attr:`path`.

        SQLite keeps writing to a deleted (unlinked) file or to the old inode of a replaced one; those writes
        would vanish at the next start. One ``stat`` per write (a few microseconds) catches both.
        """
        if self.gone is None:
            try:
                st = os.stat(self.path)
                if (st.st_dev, st.st_ino) != self._identity:
                    self.gone = f"the database file {self.path} was replaced by another file"
            except FileNotFoundError:
                self.gone = f"the database file {self.path} was deleted"
        if self.gone is not None:
            raise DatabaseGone(
                f"The local core stopped accepting writes: {self.gone} while it was running, so nothing more can "
                "be stored safely. Restore the file if you have it, then restart the core (dhhera core stop; "
                "dhhera core start)."
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes atomically (the backend is never left half-written)."""
        with self._lock:
            self.check_file()
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

    def revision(self, type_: str, id_: str) -> tuple[int, int]:
        """A value that changes whenever row ``(type_, id_)`` is written or deleted through this store.

        Readers that cache what they made of a row (the run reads) compare it instead of re-reading the row;
        ``(epoch, 0)`` means untouched since the store was opened (only this process writes the file).
        """
        return self._epoch, self._revisions.get((type_, id_), 0)

    def get_raw(self, type_: str, id_: str) -> tuple[str, str] | None:
        """``(project, JSON text)`` of one entity, unparsed (for readers that hash or forward it as it is)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT project, body FROM entities WHERE type=? AND id=?", (type_, id_)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def exists(self, type_: str, id_: str) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM entities WHERE type=? AND id=?", (type_, id_)).fetchone()
        return row is not None

    def put(self, type_: str, doc: dict) -> dict:
        """Insert or replace ``doc``; the insertion order (``seq``) of an existing row is kept."""
        meta = doc.get("metadata") or {}
        state = (doc.get("status") or {}).get("state")
        body = json.dumps(doc, separators=(",", ":"))
        with self._lock:
            self.check_file()
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
                    body,
                ),
            )
            self._revisions[(type_, doc["id"])] = next(self._revision)  # after the write: readers see it
        return doc

    def delete(self, type_: str, id_: str) -> bool:
        with self._lock:
            self.check_file()
            cur = self._conn.execute("DELETE FROM entities WHERE type=? AND id=?", (type_, id_))
            self._revisions[(type_, id_)] = next(self._revision)
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
            self.check_file()
            cur = self._conn.execute(sql, args)
            self._epoch += 1
        return cur.rowcount

    # -- lists -----------------------------------------------------------------------------

    @staticmethod
    def _where(query: Query) -> tuple[str, list[Any], str, list[Any]]:
        """SQL of ``query``: conditions on the row (before keeping the latest version) and on the document."""
        inner, inner_args = ["type=?"], [query.type]
        if query.project is not None:
            inner.append("project=?")
            inner_args.append(query.project)
        for column, value in query.exact.items():
            if column not in _COLUMNS:
                raise ValueError(f"cannot filter on {column}")
            inner.append(f"{column}=?")
            inner_args.append(value)
        outer: list[str] = []
        outer_args: list[Any] = []
        for path, value in query.json_equal.items():
            outer.append("json_extract(body, ?) = ?")
            outer_args += [path, value]
        for path, value in query.json_contains.items():
            outer.append("instr(COALESCE(json_extract(body, ?), ''), ?) > 0")
            outer_args += [path, value]
        if query.any_contains is not None:
            paths, value = query.any_contains
            ors = " OR ".join("instr(COALESCE(json_extract(body, ?), ''), ?) > 0" for _ in paths)
            outer.append(f"({ors})")
            for path in paths:
                outer_args += [path, value]
        return " AND ".join(inner), inner_args, " AND ".join(outer) or "1", outer_args

    def _select(self, query: Query, what: str, tail: str = "") -> tuple[str, list[Any]]:
        inner, inner_args, outer, outer_args = self._where(query)
        if query.latest_only:
            # The newest row per name among the rows matching the column filters, then the document filters.
            source = (
                "(SELECT *, ROW_NUMBER() OVER (PARTITION BY name ORDER BY seq DESC) AS rn"
                f" FROM entities WHERE {inner}) WHERE rn=1 AND"
            )
        else:
            source = f"entities WHERE {inner} AND"
        return f"SELECT {what} FROM {source} {outer}{tail}", inner_args + outer_args

    def list(self, query: Query) -> list[dict]:
        """Documents matching ``query``, newest first."""
        return self.page(query, 0, None)[0]

    def page(self, query: Query, offset: int, limit: int | None) -> tuple[builtins.list[dict], int]:
        """One page of the documents matching ``query`` (newest first) and how many match in all.

        Parameters
        ----------
        query : Query
            Filters.
        offset, limit : int
            Rows to skip and to return (``limit=None``: all of them; the total is then the list's length).
        """
        sql, args = self._select(query, "body", " ORDER BY seq DESC LIMIT ? OFFSET ?")
        with self._lock:
            rows = self._conn.execute(sql, [*args, -1 if limit is None else limit, offset]).fetchall()
            if limit is None and offset == 0:
                total = len(rows)
            else:
                count_sql, count_args = self._select(query, "COUNT(*)")
                total = int(self._conn.execute(count_sql, count_args).fetchone()[0])
        return [json.loads(r[0]) for r in rows], total

    def heads(self, query: Query) -> builtins.list[dict]:
        """The identity of each document matching ``query`` (newest first), without reading its body in Python.

        Each item has ``id``, ``name``, ``kind``, ``project``, ``key``, ``user`` and ``created``/``updated`` (of
        its metadata): what an embedded reference needs, where parsing whole documents (a workflow's build
        spec weighs hundreds of KB) would cost every ``get_project`` their size.
        """
        sql, args = self._select(
            query,
            "id, name, kind, project, json_extract(body, '$.key'), json_extract(body, '$.user'), created, updated",
            " ORDER BY seq DESC",
        )
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        fields = ("id", "name", "kind", "project", "key", "user", "created", "updated")
        return [dict(zip(fields, row, strict=True)) for row in rows]

    def by_states(self, type_: str, states: Iterable[str]) -> builtins.list[dict]:  # list: the method above
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
            self.check_file()
            self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- secret values (encrypted by the caller, see core.vault) ----------------------------

    def secret_put(self, project: str, values: dict[str, bytes]) -> None:
        with self.transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO secret_values (project, name, value) VALUES (?, ?, ?)",
                [(project, name, value) for name, value in values.items()],
            )

    def secret_get(self, project: str, names: builtins.list[str]) -> dict[str, bytes]:
        if not names:
            return {}
        marks = ",".join("?" for _ in names)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT name, value FROM secret_values WHERE project=? AND name IN ({marks})", [project, *names]
            ).fetchall()
        return {name: bytes(value) for name, value in rows}

    def secret_delete(self, project: str, name: str | None = None) -> None:
        sql, args = "DELETE FROM secret_values WHERE project=?", [project]
        if name is not None:
            sql += " AND name=?"
            args.append(name)
        with self._lock:
            self.check_file()
            self._conn.execute(sql, args)
