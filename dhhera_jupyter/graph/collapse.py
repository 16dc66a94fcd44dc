"""Shrink graphs too large to draw: fold nested templates, then fan-outs, else refuse."""

from __future__ import annotations

from dataclasses import replace

from dhhera_jupyter.errors import PipelineError
from dhhera_jupyter.graph.model import GraphNode, PipelineGraph

#: Most nodes a diagram draws; Graphviz takes about a second beyond this and the picture is unreadable.
MAX_NODES = 2000


def collapse(graph: PipelineGraph, max_nodes: int = MAX_NODES) -> PipelineGraph:
    """Return ``graph`` itself when it has at most ``max_nodes`` nodes, else a smaller copy.

    First every nested template is folded into the node that runs it; if that is not enough,
    siblings with the same predecessors and successors (a fan-out) become one node. A folded node
    keeps the id of its first member and lists every id it stands for in ``members``.

    Parameters
    ----------
    graph : PipelineGraph
        The full graph.
    max_nodes : int
        Node budget.

    Returns
    -------
    PipelineGraph
        At most ``max_nodes`` nodes.

    Raises
    ------
    PipelineError
        If the graph is still too large after folding.
    """
    if len(graph.nodes) <= max_nodes:
        return graph
    nodes, edges = _fold_nested(graph)
    if len(nodes) > max_nodes:
        nodes, edges = _fold_fan_outs(nodes, edges)
    if len(nodes) > max_nodes:
        label = f"Pipeline '{graph.name}'" if graph.name else "The pipeline"
        raise PipelineError(
            f"{label} has {len(graph.nodes)} steps and still {len(nodes)} after folding nested templates and "
            f"fan-outs, more than the {max_nodes} a diagram can draw; use to_text() instead."
        )
    return PipelineGraph(
        entrypoint=graph.entrypoint,
        nodes=nodes,
        edges=edges,
        clusters=[],
        parameters=dict(graph.parameters),
        name=graph.name,
    )


def _fold_nested(graph: PipelineGraph) -> tuple[list[GraphNode], list[tuple[str, str]]]:
    top_of: dict[str, str] = {}
    parent_of = {n.id: n.parent for n in graph.nodes}
    for n in graph.nodes:
        top = n.id
        while parent_of[top] is not None:
            top = parent_of[top]  # type: ignore[assignment]
        top_of[n.id] = top
    members: dict[str, list[str]] = {}
    for n in graph.nodes:
        if n.id != top_of[n.id]:
            members.setdefault(top_of[n.id], [top_of[n.id]]).append(n.id)
    nodes = [replace(n, members=members.get(n.id, list(n.members))) for n in graph.nodes if n.parent is None]
    edges = [(s, d) for s, d in graph.edges if parent_of[s] is None and parent_of[d] is None]
    return nodes, edges


def _fold_fan_outs(
    nodes: list[GraphNode], edges: list[tuple[str, str]]
) -> tuple[list[GraphNode], list[tuple[str, str]]]:
    preds: dict[str, list[str]] = {n.id: [] for n in nodes}
    succs: dict[str, list[str]] = {n.id: [] for n in nodes}
    for s, d in edges:
        succs[s].append(d)
        preds[d].append(s)
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[GraphNode]] = {}
    for n in nodes:
        groups.setdefault((tuple(sorted(preds[n.id])), tuple(sorted(succs[n.id]))), []).append(n)
    rep: dict[str, str] = {}
    folded: list[GraphNode] = []
    for n in nodes:
        group = groups[(tuple(sorted(preds[n.id])), tuple(sorted(succs[n.id])))]
        first = group[0]
        rep[n.id] = first.id
        if n is not first:
            continue
        if len(group) == 1:
            folded.append(n)
            continue
        ids: list[str] = []
        for m in group:
            ids.extend(m.members or [m.id])
        folded.append(replace(first, members=ids))
    seen: set[tuple[str, str]] = set()
    new_edges: list[tuple[str, str]] = []
    for s, d in edges:
        edge = (rep[s], rep[d])
        if edge[0] != edge[1] and edge not in seen:
            seen.add(edge)
            new_edges.append(edge)
    return folded, new_edges
