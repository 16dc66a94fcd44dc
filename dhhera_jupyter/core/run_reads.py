"""GET of a run, assembled cheaply, with an ``ETag`` and ``304 Not Modified`` for conditional requests.

The document a client receives keeps DHCore's shape (``status.nodes`` inside the run), but it is put
together from two parts that change at different rates:

- the stored run document (with a pipeline's build spec it weighs hundreds of KB; it changes a few times
  per run). Its JSON text is sent as stored when no live nodes apply (a finished run): no parse, no dump;
- the live node list of a running pipeline (:class:`~dhhera_jupyter.core.run_nodes.RunNodes`), spliced
  into a template of the document made once per document text; each node's JSON is made once per change.

The ``ETag`` is a keyed digest of the stored text plus the version of the visible node list, so it is
right by construction (no write path has to remember to bump it) and a ``304`` costs a read of the row
and one hash, never a serialization. Clients that send no ``If-None-Match`` (the SDK) get the same body
as before, with one more header.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dhhera_jupyter.core.entities import not_found
from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.store import Store

#: Run documents whose template (parsed once per stored text) is kept; a template is about the size of
#: the document, so this bounds the memory of the cache.
TEMPLATES_KEPT = 16

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
    nodes: Sequence[bytes] | None = None
    tail: bytes = b""

    def body(self) -> bytes:
        """The JSON document."""
        if self.nodes is None:
            return self.head
        return b"".join((self.head, b"[", b",".join(self.nodes), b"]", self.tail))

    def reply(self, if_none_match: str | None) -> tuple[int, bytes]:
        """``(304, b"")`` when the client holds this version, else ``(200, body)``."""
        if etag_matches(if_none_match, self.etag):
            return 304, b""
        return 200, self.body()

    def json(self) -> dict:
        """The document as a dict (for callers inside the core)."""
        return json.loads(self.body())


@dataclass
class _Template:
    digest: str
    head: bytes
    tail: bytes
    #: node id -> (node dict as last seen, its JSON); a node's JSON is remade only when its dict changed.
    parts: dict[str, tuple[dict, bytes]]


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
        self._key = os.urandom(16)  # ETags of another core process never match ours
        self._placeholder = f"dhhera-nodes-{os.urandom(8).hex()}"
        self._templates: OrderedDict[str, _Template] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, project: str, run_id: str) -> RunReply:
        """The run as a client receives it.

        Raises
        ------
        ApiError
            404 (in the words the SDK maps to ``EntityNotExistsError``) when the run is not in ``project``.
        """
        row = self.store.get_raw("run", run_id)
        if row is None or row[0] != project:
            raise not_found("run", run_id)
        text = row[1].encode()
        digest = hashlib.blake2b(text, digest_size=12, key=self._key).hexdigest()
        live = self.nodes.current(run_id) if self.nodes is not None else None
        if live is None:
            with self._lock:
                self._templates.pop(run_id, None)
            return RunReply(etag=f'"{digest}"', head=text)
        version, nodes = live
        template = self._template(run_id, digest, text)
        parts = self._node_parts(template, nodes)
        return RunReply(etag=f'"{digest}-{version}"', head=template.head, nodes=parts, tail=template.tail)

    def overlay(self, doc: dict) -> dict:
        """``doc`` (a stored run document, e.g. from a list) with its live nodes, if it has any."""
        live = self.nodes.current(doc.get("id", "")) if self.nodes is not None else None
        if live is None:
            return doc
        return {**doc, "status": {**(doc.get("status") or {}), "nodes": list(live[1])}}

    # -- internals -----------------------------------------------------------------------------

    def _template(self, run_id: str, digest: str, text: bytes) -> _Template:
        with self._lock:
            template = self._templates.get(run_id)
            if template is not None and template.digest == digest:
                self._templates.move_to_end(run_id)
                return template
        doc = json.loads(text)
        doc.setdefault("status", {})["nodes"] = self._placeholder
        rendered = _dumps(doc)
        head, _, tail = rendered.partition(_dumps(self._placeholder))
        parts = template.parts if template is not None else {}
        template = _Template(digest, head, tail, parts)
        with self._lock:
            self._templates[run_id] = template
            self._templates.move_to_end(run_id)
            while len(self._templates) > TEMPLATES_KEPT:
                self._templates.popitem(last=False)
        return template

    @staticmethod
    def _node_parts(template: _Template, nodes: Sequence[dict]) -> list[bytes]:
        out: list[bytes] = []
        parts = template.parts
        for node in nodes:
            key = node.get("id", "")
            cached = parts.get(key)
            # Node dicts of the runner are new objects whenever a node changes: identity is enough.
            if cached is None or cached[0] is not node:
                cached = parts[key] = (node, _dumps(node))
            out.append(cached[1])
        return out
