"""A short terminal summary of a PipelineGraph, for IPython without widgets."""

from __future__ import annotations

from dhhera_jupyter.graph.model import PipelineGraph


def to_text(graph: PipelineGraph) -> str:
    """Return one line per node in topological order: id, what it waits for, function · action.

    Parameters
    ----------
    graph : PipelineGraph
        The graph.

    Returns
    -------
    str
        Lines without a trailing newline; nested nodes are indented under the node that runs them.
    """
    title = f"Pipeline '{graph.name}'" if graph.name else "Pipeline"
    count = f"{len(graph.nodes)} step{'' if len(graph.nodes) == 1 else 's'}"
    lines = [f"{title}: entrypoint {graph.entrypoint}, {count}"]
    if graph.parameters:
        params = ", ".join(k if v is None else f"{k}={v}" for k, v in graph.parameters.items())
        lines.append(f"parameters: {params}")
    by_id = {n.id: n for n in graph.nodes}
    preds: dict[str, list[str]] = {}
    for src, dst in graph.edges:
        preds.setdefault(dst, []).append(src)
    depth: dict[str, int] = {}
    rows: list[tuple[str, str, str]] = []
    for node_id in graph.topological_order():
        node = by_id[node_id]
        depth[node_id] = 0 if node.parent is None else depth[node.parent] + 1
        after = ", ".join(preds.get(node_id, []))
        what = []
        if node.function is not None:
            what.append(node.function + (f" · {node.action}" if node.action else ""))
        elif node.kind in ("dag", "steps"):
            what.append(f"[{node.kind} {node.template}]" + (" (recursive)" if node.recursive else ""))
        else:
            what.append(f"[{node.kind} {node.template}]" if node.template else f"[{node.kind}]")
        if node.loop is not None:
            what.append(f"×{node.loop['count'] if node.loop['count'] is not None else 'N'}")
        if node.when is not None:
            what.append(f"when {node.when}")
        rows.append(("  " * (depth[node_id] + 1) + node_id, f"after {after}" if after else "", "  ".join(what)))
    if rows:
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        lines.extend(f"{a.ljust(w0)}  {b.ljust(w1)}  {c}".rstrip() for a, b, c in rows)
    return "\n".join(lines)
