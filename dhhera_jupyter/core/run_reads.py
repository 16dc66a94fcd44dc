"""GET of a run, assembled cheaply, with an ``ETag`` and ``304 Not Modified`` for conditional requests.

The document a client receives keeps DHCore's shape (``status.nodes`` inside the run), but it is put
together from two parts that change at different rates:

- the stored run document (with a pipeline's build spec it weighs hundreds of KB; it changes a few times
  per run). Its JSON text is sent as stored when no live nodes apply (a finished run): no parse, no dump;
- the live node list of a running pipeline (:class:`~dhhera_jupyter.core.run_nodes.RunNodes`), spliced
  into a template of the document made once per document text; each node's JSON is made once per change.

What was made of a document is kept until the store's revision of its row changes, so reading a big
finished run again costs a dictionary lookup. The ``ETag`` names that revision (and the process, and the
version of the visible node list), so a ``304`` costs no read of the row at all. Clients that send no
``If-None-Match`` (the SDK) get the same body as before, with one more header.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.core.entities import not_found
from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.store import Store

#: Run documents kept ready to send (each about its own size in memory: this bounds the cache), and the size
#: from which a finished one is kept (small ones cost less to read again than to keep).
DOCUMENTS_KEPT = 16
CACHED_BYTES = 32 * 1024

_SEPARATORS = (",", ":")


def _dumps(value: Any) -> bytes:
    # The same serialization as the API's responses and the store's rows.
    return json.dumps(value, separators=_SEPARATORS).encode()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches anything)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


@dataclass(frozen=True)
class RunReply:
    """A run read: its ``etag`` and a way to make its body only when the client does not have it."""

    etag: str
    head: bytes
    nodes: Callable[[], Sequence[bytes]] | None = None  # the nodes' JSON, made only for a body
    tail: bytes = b""

    def body(self) -> bytes:
        """The JSON document."""
        if self.nodes is None:
            return self.head
        return b"".join((self.head, b"[", b",".join(self.nodes()), b"]", self.tail))

    def reply(self, if_none_match: str | None) -> tuple[int, bytes]:
        """``(304, b"")`` when the client holds this version, else ``(200, body)``."""
        if etag_matches(if_none_match, self.etag):
            return 304, b""
        return 200, self.body()

    def json(self) -> dict:
        """The document as a dict (for callers inside the core)."""
        return json.loads(self.body())


@dataclass
class _Entry:
    """What was made of one stored run document, valid while the store's revision of its row is ``revision``."""

    revision: tuple[int, int]
    project: str
    text: bytes
    head: bytes = b""
    tail: bytes = b""
    templated: bool = False
    #: node id -> (node dict as last seen, its JSON); a node's JSON is remade only when its dict changed.
    parts: dict[str, tuple[dict, bytes]] = field(default_factory=dict)


class RunReads:
    """Reads of run documents with the live nodes of running pipelines put in place.

    Parameters
    ----------
    store : Store
        The core's store (run documents).
    nodes : RunNodes or None
        Live node lists; ``None`` when the core runs no pipelines (documents are then sent as stored).
    """

    def __init__(self, store: Store, nodes: RunNodes | None = None) -> None:
        self.store = store
        self.nodes = nodes
        self._boot = os.urandom(6).hex()  # ETags of another core process never match ours
        self._placeholder = f"dhhera-nodes-{os.urandom(8).hex()}"
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, project: str, run_id: str) -> RunReply:
        """The run as a client receives it.

        Raises
        ------
        ApiError
            404 (in the words the SDK maps to ``EntityNotExistsError``) when the run is not in ``project``.
        """
        entry = self._entry(run_id)
        if entry is None or entry.project != project:
            raise not_found("run", run_id)
        tag = f"{self._boot}-{entry.revision[0]}-{entry.revision[1]}"
        live = self.nodes.current(run_id) if self.nodes is not None else None
        if live is None:
            return RunReply(etag=f'"{tag}"', head=entry.text)
        version, nodes = live
        if not entry.templated:
            self._make_template(entry)
        return RunReply(
            etag=f'"{tag}-{version}"', head=entry.head, nodes=lambda: self._node_parts(entry, nodes), tail=entry.tail
        )

    def overlay(self, doc: dict) -> dict:
        """``doc`` (a stored run document, e.g. from a list) with its live nodes, if it has any."""
        live = self.nodes.current(doc.get("id", "")) if self.nodes is not None else None
        if live is None:
            return doc
        return {**doc, "status": {**(doc.get("status") or {}), "nodes": list(live[1])}}

    # -- internals -----------------------------------------------------------------------------

    def _entry(self, run_id: str) -> _Entry | None:
        # The revision is read before the row: a write in between leaves a newer text under an older revision,
        # which the next read replaces; the other way round (an old text kept as new) cannot happen.
        revision = self.store.revision("run", run_id)
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is not None and entry.revision == revision:
                self._entries.move_to_end(run_id)
                return entry
        row = self.store.get_raw("run", run_id)
        if row is None:
            return None
        fresh = _Entry(revision, row[0], row[1].encode(), parts=entry.parts if entry is not None else {})
        if len(fresh.text) >= CACHED_BYTES or (self.nodes is not None and self.nodes.current(run_id) is not None):
            with self._lock:
                self._entries[run_id] = fresh
                self._entries.move_to_end(run_id)
                while len(self._entries) > DOCUMENTS_KEPT:
                    self._entries.popitem(last=False)
        return fresh

    def _make_template(self, entry: _Entry) -> None:
        doc = json.loads(entry.text)
        doc.setdefault("status", {})["nodes"] = self._placeholder
        head, _, tail = _dumps(doc).partition(_dumps(self._placeholder))
        entry.head, entry.tail, entry.templated = head, tail, True

    @staticmethod
    def _node_parts(entry: _Entry, nodes: Sequence[dict]) -> list[bytes]:
        out: list[bytes] = []
        parts = entry.parts
        for node in nodes:
            key = node.get("id", "")
            cached = parts.get(key)
            # Node dicts of the runner are new objects whenever a node changes: identity is enough.
            if cached is None or cached[0] is not node:
                cached = parts[key] = (node, _dumps(node))
            out.append(cached[1])
        return out
