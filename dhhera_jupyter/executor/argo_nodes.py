"""The node list of a running workflow, in DHCore's ``NodeStatusDTO`` shape (contract §5.3).

Not thread-safe on its own: the interpreter calls it while holding its lock, which is also what
keeps ``on_update`` calls from overlapping.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dhhera_jupyter.documents.node_fields import NODE_FIELDS
from dhhera_jupyter.documents.states import COMPLETED_PHASES, FAILED_PHASES, FULFILLED_PHASES

log = logging.getLogger(__name__)

FAILED, COMPLETED, FULFILLED = FAILED_PHASES, COMPLETED_PHASES, FULFILLED_PHASES
_PROTECTED = ("id", "name", "display_name", "type", "children", "state")


def node_id(workflow_name: str, node_name: str) -> str:
    """Argo's node id: the workflow name for the root, else ``<workflow>-<FNV-1a 32 of the node name>``."""
    if node_name == workflow_name:
        return workflow_name
    digest = 0x811C9DC5
    for byte in node_name.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{workflow_name}-{digest}"


def _param_list(values: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in (values or {}).items() if value is not None]


class NodeStore:
    """Ordered nodes by id, their messages, and the outbound nodes of finished DAG/Steps nodes.

    Parameters
    ----------
    workflow_name
        The Argo workflow name (the pipeline run id); the root node carries it as id and name.
    on_update
        Receives the full node list after every change.
    now
        Returns the current time as ``YYYY-MM-DDTHH:MM:SSZ``.
    with_messages
        Add each node's message as a ``message`` field (not part of ``NodeStatusDTO``).
    """

    def __init__(
        self,
        workflow_name: str,
        on_update: Callable[[list[dict[str, Any]]], None],
        now: Callable[[], str],
        with_messages: bool = False,
    ) -> None:
        self.workflow_name = workflow_name
        self.nodes: dict[str, dict[str, Any]] = {}
        # The emitted form of each node, in creation order, rebuilt when dirty; a snapshot copies the list of
        # references only (no node is copied or rebuilt unless it changed).
        self._views: list[dict[str, Any]] = []
        self._position: dict[str, int] = {}
        self._dirty: set[str] = set()
        self.messages: dict[str, str] = {}
        self.outbound: dict[str, list[str]] = {}
        self._on_update = on_update
        self._now = now
        self._with_messages = with_messages

    def create(
        self,
        name: str,
        display_name: str,
        node_type: str,
        state: str,
        *,
        parents: Iterable[str] = (),
        inputs: Mapping[str, str] | None = None,
        message: str = "",
    ) -> str:
        """Add a node (already finished when ``state`` is final) under ``parents``; return its id."""
        nid = node_id(self.workflow_name, name)
        now = self._now()
        self.nodes[nid] = {
            "id": nid,
            "name": name,
            "display_name": display_name,
            "type": node_type,
            "children": [],
            "state": state,
            "start_time": now,
            "end_time": now if state in FULFILLED else None,
            "inputs": _param_list(inputs),
        }
        if nid not in self._position:  # keeps creation order in the emitted list
            self._position[nid] = len(self._views)
            self._views.append({})
        self._dirty.add(nid)
        if message:
            self.messages[nid] = message
        for parent in parents:
            self.add_child(parent, nid)
        return nid

    def add_child(self, parent: str, child: str) -> None:
        """Record ``child`` among the children of ``parent`` (once)."""
        children = self.nodes[parent]["children"]
        if child not in children:
            children.append(child)
            self._dirty.add(parent)

    def finish(
        self,
        nid: str,
        state: str,
        *,
        message: str = "",
        outputs: Mapping[str, str] | None = None,
        exit_code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Give a node its final phase, end time, outputs, exit code and the runner's extra fields."""
        node = self.nodes[nid]
        node.update(state=state, end_time=self._now())
        self._dirty.add(nid)
        if outputs:
            node["outputs"] = _param_list(outputs)
        if exit_code is not None:
            node["exit_code"] = exit_code
        for key, value in (extra or {}).items():
            if key not in _PROTECTED:
                node[key] = value
        if message:
            self.messages[nid] = message

    def annotate(self, nid: str, extra: Mapping[str, Any]) -> None:
        """Add the runner's extra fields to a node that is still running."""
        node = self.nodes[nid]
        for key, value in extra.items():
            if key not in _PROTECTED and value not in (None, ""):
                node[key] = value
        self._dirty.add(nid)

    def outbound_of(self, nid: str) -> list[str]:
        """Nodes a dependent attaches to: a pod itself, a task group's children, a DAG's or Steps' leaves."""
        node = self.nodes[nid]
        if node["type"] == "TaskGroup" and node["children"]:
            return [out for child in node["children"] for out in self.outbound_of(child)]
        return list(self.outbound.get(nid) or [nid])

    def unfinished(self) -> list[str]:
        """Ids of the nodes still Pending or Running."""
        return [nid for nid, node in self.nodes.items() if node["state"] not in FULFILLED]

    def _view(self, nid: str) -> dict[str, Any]:
        node = self.nodes[nid]
        item: dict[str, Any] = {}
        # The DTO fields first, then ``extra`` from the container runner.
        for key in (*NODE_FIELDS, *[k for k in node if k not in NODE_FIELDS]):
            value = node.get(key)
            if value is None or value == "" or value == [] or value == {}:
                continue
            if key == "children":  # ids only, and a DAG's may be thousands: a shallow copy, not a deep one
                item[key] = list(value)
            else:
                item[key] = copy.deepcopy(value) if isinstance(value, (list, dict)) else value
        if self._with_messages and self.messages.get(nid):
            item["message"] = self.messages[nid]
        return item

    def snapshot(self) -> list[dict[str, Any]]:
        """The node list as DHCore stores it: snake_case, empty fields omitted.

        A node's dict is built anew whenever that node changes and never modified afterwards, so
        consecutive lists share the dicts of unchanged nodes: treat them as read-only.
        """
        for nid in self._dirty:
            self._views[self._position[nid]] = self._view(nid)
        self._dirty.clear()
        return list(self._views)

    def emit(self) -> None:
        """Send the current list to ``on_update``; a failing callback is logged, never raised into the run."""
        try:
            self._on_update(self.snapshot())
        except Exception:  # the observer must not break the pipeline
            log.exception("on_update callback failed")
