"""PipelineGraph -> Graphviz DOT text, built with the ``graphviz`` package.

Every node is a DOT node named by its id, with ``id="node-<id>"`` and ``class="dhhera-node ..."``;
every edge has ``id="edge-<src>--<dst>"``. A nested template is a ``cluster_<id>`` subgraph holding
its head node and its children. The style is neutral: the widget colours nodes by CSS class.
"""

from __future__ import annotations

import re

import graphviz
from graphviz.quoting import attr_list, quote

from dhhera_jupyter.graph.model import GraphNode, PipelineGraph

_FONT = "Helvetica,Arial,sans-serif"
_LINE_MAX = 64
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

GRAPH_ATTR = {
    "rankdir": "TB",
    "compound": "true",
    "bgcolor": "transparent",
    "fontname": _FONT,
    "fontsize": "10",
    "nodesep": "0.3",
    "ranksep": "0.45",
    "class": "dhhera-graph",
}
NODE_ATTR = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "#ffffff",
    "color": "#707070",
    "fontcolor": "#202020",
    "fontname": _FONT,
    "fontsize": "11",
    "margin": "0.14,0.06",
    "height": "0.4",
    "penwidth": "1.2",
}
EDGE_ATTR = {"color": "#8c8c8c", "arrowsize": "0.7", "penwidth": "1.1"}
CLUSTER_ATTR = {"label": "", "style": "rounded,dashed", "color": "#a8a8a8", "penwidth": "1", "margin": "10"}

#: Above this many nodes, bound Graphviz's crossing minimisation so layout time stays linear-ish.
_BIG = 400


def to_dot(graph: PipelineGraph) -> str:
    """Return DOT text for ``graph`` (already collapsed to a drawable size).

    Parameters
    ----------
    graph : PipelineGraph
        The graph to draw.

    Returns
    -------
    str
        DOT source; render it with :func:`dhhera_jupyter.graph.render.render_svg`.
    """
    graph_attr = dict(GRAPH_ATTR)
    if len(graph.nodes) > _BIG:
        graph_attr.update({"mclimit": "0.3", "nslimit": "2", "nslimit1": "2", "remincross": "false"})
    dot = graphviz.Digraph(
        name=_escape_name(graph.name or "pipeline"),
        graph_attr=graph_attr,
        node_attr=NODE_ATTR,
        edge_attr=EDGE_ATTR,
    )
    layout = _Layout(graph)
    layout.emit_level(dot, None)
    for src, dst in graph.edges:
        tail, ltail = layout.exit_anchor(src), None
        if tail != src:
            ltail = "cluster_" + src
            for other in layout.exit_anchors(src):
                if other != tail:
                    _edge(dot, other, dst, {"style": "invis"})
        attrs = {"id": _escape(f"edge-{src}--{dst}"), "class": "dhhera-edge"}
        if ltail is not None:
            attrs["ltail"] = _escape_name(ltail)
        _edge(dot, tail, dst, attrs)
    return dot.source


class _Layout:
    """Lookup tables for drawing: children per parent, clusters, sinks."""

    def __init__(self, graph: PipelineGraph) -> None:
        self.graph = graph
        self.children: dict[str | None, list[GraphNode]] = {}
        for node in graph.nodes:
            self.children.setdefault(node.parent, []).append(node)
        self.clusters = {c.id: c for c in graph.clusters}
        self.has_out: set[str] = {src for src, _ in graph.edges}
        self.has_in: set[str] = {dst for _, dst in graph.edges}
        self._anchor: dict[str, str] = {}

    def emit_level(self, dot: graphviz.Digraph, parent: str | None) -> None:
        for node in self.children.get(parent, []):
            cluster = self.clusters.get(node.id)
            if cluster is None:
                dot.node(_escape_name(node.id), **node_attributes(node))
                continue
            with dot.subgraph(name=_escape_name("cluster_" + node.id)) as sub:
                sub.attr(id=_escape("cluster-" + node.id), **{"class": "dhhera-cluster"}, **CLUSTER_ATTR)
                sub.node(_escape_name(node.id), **node_attributes(node, head=True))
                self.emit_level(sub, node.id)
                # Keep the children below their head; invisible edges draw nothing in the SVG.
                for child in self.children.get(node.id, []):
                    if child.id not in self.has_in:
                        _edge(sub, node.id, child.id, {"style": "invis"})

    def sinks(self, node_id: str) -> list[str]:
        return [c.id for c in self.children.get(node_id, []) if c.id not in self.has_out]

    def exit_anchor(self, node_id: str) -> str:
        """The node an edge leaving ``node_id`` starts from: itself, or the last sink inside its cluster."""
        if node_id not in self._anchor:
            sinks = self.sinks(node_id) if node_id in self.clusters else []
            self._anchor[node_id] = self.exit_anchor(sinks[-1]) if sinks else node_id
        return self._anchor[node_id]

    def exit_anchors(self, node_id: str) -> list[str]:
        return [self.exit_anchor(s) for s in self.sinks(node_id)]


def node_attributes(node: GraphNode, head: bool = False) -> dict[str, str]:
    """DOT attributes of one node: id, CSS classes, label and the shape that tells its kind.

    Parameters
    ----------
    node : GraphNode
        The node.
    head : bool
        The node runs a nested template drawn as a cluster.

    Returns
    -------
    dict
        Attribute name -> DOT-ready value.
    """
    classes = ["dhhera-node", "dhhera-kind-" + re.sub(r"[^A-Za-z0-9_-]", "", node.kind)]
    style = ["rounded", "filled"]
    attrs: dict[str, str] = {"id": _escape("node-" + node.id)}
    if head:
        classes.append("dhhera-group")
        style.append("bold")
    if node.when is not None:
        classes.append("dhhera-conditional")
        style.append("dashed")
    if node.loop is not None:
        classes.append("dhhera-loop")
        attrs["peripheries"] = "2"
    if node.members:
        classes.append("dhhera-collapsed")
        attrs["peripheries"] = "2"
    if node.function is not None:
        classes.append("dhhera-digitalhub")
    if style != ["rounded", "filled"]:
        attrs["style"] = ",".join(style)
    attrs["class"] = " ".join(classes)
    attrs["label"] = _label(node)
    return attrs


def _label(node: GraphNode) -> str:
    from dhhera_jupyter.status.names import step_label  # the name the user wrote, not the dsl's generated one

    first = step_label(node.name)
    if node.loop is not None:
        count = node.loop.get("count")
        first += f"  ×{count if count is not None else 'N'}"
    lines = [first]
    if node.function is not None:
        lines.append(node.function + (f" · {node.action}" if node.action else ""))
    elif node.kind in ("dag", "steps") and node.template:
        lines.append(f"{node.kind} · {node.template}" + (" ↻" if node.recursive else ""))
    elif node.template and node.template != node.name:
        lines.append(node.template)
    if node.when is not None:
        lines.append("when " + node.when)
    if node.members:
        lines.append(f"⋯ {len(node.members)} steps folded")
    return graphviz.nohtml(r"\n".join(_escape(_shorten(line)) for line in lines))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LINE_MAX else text[: _LINE_MAX - 1] + "…"


def _escape(text: str) -> str:
    """Make user text literal in an escString attribute (label, id): no ``\\N``, no entities, no HTML."""
    text = _CONTROL.sub("\ufffd", text)
    return graphviz.nohtml(text.replace("\\", "\\\\").replace("&", "&amp;"))


def _escape_name(text: str) -> str:
    """Make a node or subgraph name literal: Graphviz keeps ``&...;`` entities in SVG titles."""
    text = _CONTROL.sub("\ufffd", text).replace("&", "&amp;")
    if re.search(r"(?<!\\)(?:\\\\)*\\$", text):
        text += "\\"  # a final lone backslash would escape the closing quote
    return graphviz.nohtml(text)


def _edge(dot: graphviz.Digraph, src: str, dst: str, attrs: dict[str, str]) -> None:
    # Digraph.edge() reads "a:b" as node a, port b; node ids may hold colons, so quote them ourselves.
    dot.body.append(f"\t{quote(_escape_name(src))} -> {quote(_escape_name(dst))}{attr_list(attributes=attrs)}\n")
