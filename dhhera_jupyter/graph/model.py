"""The pipeline graph: steps, dependencies and nested templates of one Argo workflow."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any


@dataclass
class GraphNode:
    """One DAG task or Steps step (or the entrypoint itself when it is a single leaf template).

    Attributes
    ----------
    id : str
        Unique within the graph: the task or step name; inside a nested template, a name that
        occurs more than once in the whole graph is prefixed with the parent node id and ``/``
        (``outer/inner``). It is the DOT node name and the SVG ``<title>``.
    name : str
        The task or step name as written (Argo's ``display_name`` of the node).
    template : str or None
        Name of the template the task runs (``<ref>/<template>`` for a ``templateRef``).
    kind : str
        Template type: ``container``, ``script``, ``resource``, ``suspend``, ``dag``, ``steps``,
        ``containerSet``, ``data``, ``http``, ``plugin``, ``templateRef`` or ``unknown``.
    function, function_key, function_id, action : str or None
        For DigitalHub steps: function name, ``store://`` key, version id and action.
    inputs : dict
        Argument parameter name -> value or expression.
    outputs : list
        Declared output parameter names of the template.
    when : str or None
        Argo ``when`` condition.
    loop : dict or None
        ``{"kind": "withItems"|"withParam"|"withSequence", "count": int|None, "expr": str}``.
    parent : str or None
        Id of the enclosing nested-template node (the cluster), None at the top level.
    image : str or None
        Container or script image.
    depends : str or None
        The ``depends`` expression (or ``dependencies`` joined with ``&&``) as written.
    kwargs : dict or None
        The whole ``--kwargs`` JSON of a DigitalHub step.
    recursive : bool
        The node runs a template that is already being expanded (Argo recursion); not expanded.
    members : list
        Ids this node stands for once the graph is collapsed (empty otherwise).
    """

    id: str
    name: str
    template: str | None
    kind: str
    function: str | None = None
    function_key: str | None = None
    function_id: str | None = None
    action: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    when: str | None = None
    loop: dict[str, Any] | None = None
    parent: str | None = None
    image: str | None = None
    depends: str | None = None
    kwargs: dict[str, Any] | None = None
    recursive: bool = False
    members: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the node as plain JSON-able data."""
        return {
            "id": self.id,
            "name": self.name,
            "template": self.template,
            "kind": self.kind,
            "function": self.function,
            "function_key": self.function_key,
            "function_id": self.function_id,
            "action": self.action,
            "inputs": dict(self.inputs),
            "outputs": list(self.outputs),
            "when": self.when,
            "loop": dict(self.loop) if self.loop is not None else None,
            "parent": self.parent,
            "image": self.image,
            "depends": self.depends,
            "kwargs": self.kwargs,
            "recursive": self.recursive,
            "members": list(self.members),
        }


@dataclass
class GraphCluster:
    """A nested DAG or Steps template, drawn as a Graphviz cluster around its node and children.

    Attributes
    ----------
    id : str
        Id of the node that runs the nested template (the cluster's head).
    template : str
        Name of the nested template.
    kind : str
        ``dag`` or ``steps``.
    parent : str or None
        Enclosing cluster id, None at the top level.
    nodes : list
        Ids of the direct children, in declaration order.
    """

    id: str
    template: str
    kind: str
    parent: str | None = None
    nodes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the cluster as plain JSON-able data."""
        return {
            "id": self.id,
            "template": self.template,
            "kind": self.kind,
            "parent": self.parent,
            "nodes": list(self.nodes),
        }


@dataclass
class PipelineGraph:
    """Steps and dependencies of one Argo workflow, ready to draw.

    Build it with :func:`dhhera_jupyter.graph.from_workflow`.

    Attributes
    ----------
    name : str or None
        ``metadata.name`` (or ``generateName``) of the workflow, when given.
    entrypoint : str
        Name of the entrypoint template.
    parameters : dict
        Workflow arguments: name -> value, or None when the caller must supply one.
    nodes : list of GraphNode
        Declaration order; a nested template's children follow their head node.
    edges : list of tuple
        ``(src_id, dst_id)``: ``dependencies``, ``depends`` and Steps ordering (every step of group
        i before every step of group i+1). Edges only join nodes with the same parent.
    clusters : list of GraphCluster
        Nested DAG/Steps templates, outer ones first.
    """

    entrypoint: str
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    clusters: list[GraphCluster] = field(default_factory=list)
    parameters: dict[str, str | None] = field(default_factory=dict)
    name: str | None = None
    _index: dict[str, GraphNode] | None = field(default=None, init=False, repr=False, compare=False)

    def node(self, node_id: str) -> GraphNode:
        """Return the node with this id.

        Raises
        ------
        KeyError
            If there is none.
        """
        node = self._index.get(node_id) if self._index is not None else None
        if node is None or node.id != node_id or len(self._index or ()) != len(self.nodes):
            # (Re)build the lookup table: nodes is a plain list that callers may have changed.
            self._index = {n.id: n for n in self.nodes}
            node = self._index.get(node_id)
        if node is None:
            raise KeyError(node_id)
        return node

    def predecessors(self, node_id: str) -> list[str]:
        """Ids of the nodes ``node_id`` waits for, in edge order."""
        return [src for src, dst in self.edges if dst == node_id]

    def successors(self, node_id: str) -> list[str]:
        """Ids of the nodes that wait for ``node_id``, in edge order."""
        return [dst for src, dst in self.edges if src == node_id]

    def roots(self) -> list[str]:
        """Ids of the top-level nodes that wait for nothing (what starts first)."""
        targets = {dst for _, dst in self.edges}
        return [n.id for n in self.nodes if n.parent is None and n.id not in targets]

    def topological_order(self) -> list[str]:
        """Node ids so that every edge goes forward; a nested node's children follow it.

        Ties keep declaration order.
        """
        index = {n.id: i for i, n in enumerate(self.nodes)}
        children: dict[str | None, list[str]] = {}
        for n in self.nodes:
            children.setdefault(n.parent, []).append(n.id)
        incoming = {n.id: 0 for n in self.nodes}
        outgoing: dict[str, list[str]] = {}
        for src, dst in self.edges:
            incoming[dst] += 1
            outgoing.setdefault(src, []).append(dst)

        def level(parent: str | None) -> list[str]:
            heap = [index[i] for i in children.get(parent, []) if incoming[i] == 0]
            heapq.heapify(heap)
            ordered: list[str] = []
            while heap:
                node_id = self.nodes[heapq.heappop(heap)].id
                ordered.append(node_id)
                for nxt in outgoing.get(node_id, []):
                    incoming[nxt] -= 1
                    if incoming[nxt] == 0:
                        heapq.heappush(heap, index[nxt])
            return ordered

        result: list[str] = []

        def walk(parent: str | None) -> None:
            for node_id in level(parent):
                result.append(node_id)
                walk(node_id)

        walk(None)
        return result

    def to_dict(self) -> dict[str, Any]:
        """Return the graph as plain JSON-able data (for widgets and server routes)."""
        return {
            "name": self.name,
            "entrypoint": self.entrypoint,
            "parameters": dict(self.parameters),
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [[src, dst] for src, dst in self.edges],
            "clusters": [c.to_dict() for c in self.clusters],
            "roots": self.roots(),
        }

    def collapsed(self, max_nodes: int | None = None) -> PipelineGraph:
        """Return a graph of at most ``max_nodes`` nodes (see :func:`dhhera_jupyter.graph.collapse.collapse`)."""
        from dhhera_jupyter.graph.collapse import MAX_NODES, collapse

        return collapse(self, MAX_NODES if max_nodes is None else max_nodes)

    def to_dot(self, max_nodes: int | None = None) -> str:
        """Return Graphviz DOT text; graphs above ``max_nodes`` are collapsed first (see :meth:`collapsed`)."""
        from dhhera_jupyter.graph.dot import to_dot

        return to_dot(self.collapsed(max_nodes))

    def to_svg(self, max_nodes: int | None = None) -> str:
        """Return the diagram as an inline SVG element (no XML prolog)."""
        from dhhera_jupyter.graph.render import render_svg

        return render_svg(self.to_dot(max_nodes))

    def to_text(self) -> str:
        """Return a short terminal summary: nodes in topological order with deps, function and action."""
        from dhhera_jupyter.graph.text import to_text

        return to_text(self)
