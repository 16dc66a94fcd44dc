"""The DAG of a pipeline run for the sidebar: graph, node mapper and Graphviz SVG, cached per workflow build.

A pipeline run draws the build it ran: ``spec.build`` of the run when the backend copies it there (the local
core does), else ``spec.build`` of the workflow version the run names (``spec.workflow``, what DHCore
offers). Parsing and drawing happen once per distinct build (keyed by its digest), so any number of runs
of one workflow version share one layout, and polling a run never re-parses its graph.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.build import build_text
from dhhera_jupyter.errors import NotFound, PipelineError
from dhhera_jupyter.graph import PipelineGraph, from_workflow
from dhhera_jupyter.graph.collapse import collapse
from dhhera_jupyter.server.summary import section
from dhhera_jupyter.status.mapping import NodeMapper

#: Builds kept (graph + SVG); a sidebar looks at a handful of workflows at a time.
CACHE_SIZE = 64
#: Seconds a workflow version's build text is trusted before it is read again (a version can be rebuilt).
WORKFLOW_TTL = 60.0
#: Most nodes the sidebar draws: beyond this, fan-outs fold into one node each (a 250 px panel shows little more).
SIDEBAR_MAX_NODES = 150

#: How a folded node shows the states of the steps it stands for: the first state present in this order wins
#: (anything moving or failed shows; "succeeded" only when all did; done and pending together is "running").
_FOLD_ORDER = ("running", "failed", "error", "stopped", "pending", "succeeded", "skipped", "omitted")


def folded_states(states: Mapping[str, str], drawing: PipelineGraph) -> dict[str, str]:
    """Node states of the drawn (folded) graph from the states of every step.

    A folded node (one with ``members``) takes the state that tells most about its members; a fan-out that is
    partly done and partly pending is running. Nodes drawn as themselves keep their own state.
    """
    out: dict[str, str] = {}
    for node in drawing.nodes:
        if not node.members:
            if node.id in states:
                out[node.id] = states[node.id]
            continue
        seen = {states[m] for m in node.members if m in states}
        if not seen:
            continue
        urgent = next((state for state in ("running", "failed", "error", "stopped") if state in seen), None)
        if urgent is None and "pending" in seen and len(seen) > 1:
            urgent = "running"  # part of the fan-out is done, the rest is still to run
        out[node.id] = urgent or next((state for state in _FOLD_ORDER if state in seen), sorted(seen)[0])
    return out


def node_details(graph: PipelineGraph) -> dict[str, dict[str, Any]]:
    """Node id -> what the details pane shows (the graph's node data without the id)."""
    return {n.id: {k: v for k, v in n.to_dict().items() if k != "id"} for n in graph.nodes}


def build_in(doc: Mapping[str, Any]) -> str | None:
    """The Argo workflow text in an entity's ``spec.build.base64`` (a run or a workflow), if any."""
    return build_text(doc)


@dataclass
class DrawnGraph:
    """One build, parsed; its SVG is drawn on first request.

    Attributes
    ----------
    digest : str
        SHA-1 of the build text (identifies the layout; the graph route's ETag).
    graph : PipelineGraph
        Every step (the run's steps and their states are read against it).
    mapper : NodeMapper
        Maps ``run.status.nodes`` of runs of this build to graph nodes.
    svg : str or None
        Graphviz SVG, once drawn.
    """

    digest: str
    graph: PipelineGraph
    mapper: NodeMapper
    svg: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _drawing: PipelineGraph | None = field(default=None, repr=False)

    @property
    def drawing(self) -> PipelineGraph:
        """The graph as drawn: fan-outs folded when it has more than :data:`SIDEBAR_MAX_NODES` nodes."""
        if self._drawing is None:
            try:
                self._drawing = collapse(self.graph, SIDEBAR_MAX_NODES)
            except PipelineError:
                self._drawing = self.graph  # nothing folds far enough: draw it all (the diagram's own cap applies)
        return self._drawing

    @property
    def folded(self) -> bool:
        """Whether the drawing folds steps together."""
        return self.drawing is not self.graph

    def node_states(self, states: Mapping[str, str]) -> dict[str, str]:
        """States of the drawn nodes from the states of every step."""
        return folded_states(states, self.drawing) if self.folded else dict(states)

    def to_dict(self) -> dict[str, Any]:
        """What the graph route sends (draws the SVG first if needed)."""
        return {
            "digest": self.digest,
            "svg": self.draw(),
            "nodes": node_details(self.drawing),
            "node_count": len(self.graph.nodes),
            "title": self.graph.name or "",
        }

    def draw(self) -> str:
        """The SVG, drawn once (concurrent callers wait for the same drawing)."""
        with self.lock:
            if self.svg is None:
                self.svg = self.drawing.to_svg()
            return self.svg


class GraphCache:
    """Parsed builds by digest, and the build text of workflow versions (blocking calls; thread-safe).

    Parameters
    ----------
    read_workflow : callable
        ``read_workflow(project, exec_string) -> dict``: the workflow version a run names.
    """

    def __init__(self, read_workflow: Callable[[str, str], dict]) -> None:
        self._read_workflow = read_workflow
        self._graphs: OrderedDict[str, DrawnGraph] = OrderedDict()
        self._texts: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def for_run(self, doc: Mapping[str, Any], project: str) -> DrawnGraph | None:
        """The graph a pipeline run ran, or None when neither the run nor its workflow holds a build."""
        text = build_in(doc)
        if text is None:
            exec_string = str(section(doc, "spec").get("workflow") or "")
            if not exec_string:
                return None
            text = self._workflow_build(project, exec_string)
        return None if text is None else self.parse(text)

    def parse(self, text: str) -> DrawnGraph:
        """The parsed graph of a build text (cached by digest).

        Raises
        ------
        PipelineError
            If the build is not a valid Argo workflow.
        """
        digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        with self._lock:
            cached = self._graphs.get(digest)
            if cached is not None:
                self._graphs.move_to_end(digest)
                return cached
        graph = from_workflow(text)
        drawn = DrawnGraph(digest, graph, NodeMapper(graph))
        with self._lock:
            drawn = self._graphs.setdefault(digest, drawn)
            self._graphs.move_to_end(digest)
            while len(self._graphs) > CACHE_SIZE:
                self._graphs.popitem(last=False)
        return drawn

    def _workflow_build(self, project: str, exec_string: str) -> str | None:
        key = (project, exec_string)
        now = time.monotonic()
        with self._lock:
            cached = self._texts.get(key)
        if cached is not None and now - cached[0] < WORKFLOW_TTL:
            return cached[1]
        try:
            text = build_in(self._read_workflow(project, exec_string))
        except NotFound:
            text = None
        with self._lock:
            self._texts[key] = (now, text)
        return text
