"""Which graph node each entry of ``run.status.nodes`` belongs to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dhhera_jupyter.graph.model import PipelineGraph
from dhhera_jupyter.status.names import NodeName, base_display_name, parse_node_name
from dhhera_jupyter.status.phases import GROUP_TYPES, TEMPLATE_TYPES


@dataclass(frozen=True)
class NodeMatch:
    """One status node assigned to a step.

    Attributes
    ----------
    step : str
        Graph node id (with a graph) or the ``/``-joined task path (without one).
    primary : bool
        The node is the step itself (a pod, a fan-out group, a retry node, a nested DAG), not one
        of its instances (``task(0:x)``, ``task(1)``).
    """

    step: str
    primary: bool


class NodeMapper:
    """Assigns ``run.status.nodes`` entries to the steps of a pipeline.

    The node ``name`` gives the path of task/step names (``wf.outer.inner``, ``wf[0].step``), which
    identifies the graph node exactly. When a name does not parse (another backend's shape), the
    ``display_name`` is matched to a task name, using ``function``/``function_id`` (filled by the
    local core) to choose between tasks of the same name.

    Parameters
    ----------
    graph : PipelineGraph or None
        The built pipeline. Without one, steps are named by their task path.
    """

    def __init__(self, graph: PipelineGraph | None = None) -> None:
        self.graph = graph
        self._by_path: dict[tuple[str, ...], str] = {}
        self._by_name: dict[str, list[str]] = {}
        # (task name, "function" or "function_id", value) -> position in _by_name[task name] of the first step
        # of that name with that function: choosing among same-named steps costs a lookup, not a scan.
        self._by_function: dict[tuple[str, str, str], int] = {}
        self._single: str | None = None
        if graph is None:
            return
        parents = {n.id: n.parent for n in graph.nodes}
        names = {n.id: n.name for n in graph.nodes}
        for node in graph.nodes:
            path: list[str] = []
            current: str | None = node.id
            while current is not None:
                path.append(names[current])
                current = parents.get(current)
            self._by_path[tuple(reversed(path))] = node.id
            same = self._by_name.setdefault(node.name, [])
            for field_, value in (("function", node.function), ("function_id", node.function_id)):
                if value:
                    self._by_function.setdefault((node.name, field_, value), len(same))
            same.append(node.id)
        if len(graph.nodes) == 1 and graph.nodes[0].kind not in ("dag", "steps"):
            # A workflow whose entrypoint is one container: the root node is that step.
            self._single = graph.nodes[0].id

    def step_of_argo_id(self, argo_id: str, workflow_name: str) -> str | None:
        """The step whose DAG task Argo gives the node id ``argo_id`` (``<wf>-<digits>``), if any.

        DHCore names a failed step only by that id (``Job failed: child '<id>' failed``) and its nodes may
        never have listed the step (it started and failed between two monitor passes), so the id is
        computed from each task path as Argo does.
        """
        from dhhera_jupyter.executor.argo_nodes import node_id

        for path, step in self._by_path.items():
            if node_id(workflow_name, ".".join((workflow_name, *path))) == argo_id:
                return step
        return None

    def match(self, node: Mapping[str, Any], workflow_name: str) -> NodeMatch | None:
        """Return the step ``node`` belongs to, or None (root, step groups, exit handlers).

        Parameters
        ----------
        node : mapping
            One entry of ``run.status.nodes`` (NodeStatusDTO shape).
        workflow_name : str
            The Argo workflow name: the pipeline run id.
        """
        name = str(node.get("name") or "")
        parsed = parse_node_name(name, workflow_name) if name else None
        if parsed is not None:
            return self._match_path(parsed, node)
        return self._match_display_name(node)

    def _match_path(self, parsed: NodeName, node: Mapping[str, Any]) -> NodeMatch | None:
        if not parsed.path:
            # The root node is the step only when the entrypoint is that one container; the root of a one-task DAG
            # is the DAG (its task's node carries the step's outputs).
            if self._single is not None and not parsed.group and is_step_type(node.get("type")):
                return NodeMatch(self._single, primary=not parsed.instance)
            return None
        if parsed.group:
            return None
        primary = not parsed.instance
        if self.graph is None:
            return NodeMatch("/".join(parsed.path), primary)
        step = self._by_path.get(parsed.path)
        if step is not None:
            return NodeMatch(step, primary)
        # The built graph and the running workflow disagree (e.g. a template the graph folded):
        # fall back to the last name.
        return self._by_task_name(parsed.path[-1], node, primary)

    def _match_display_name(self, node: Mapping[str, Any]) -> NodeMatch | None:
        display = str(node.get("display_name") or "")
        if not display:
            return None
        primary = "(" not in display
        task = base_display_name(display)
        if self.graph is None:
            return NodeMatch(task, primary)
        return self._by_task_name(task, node, primary)

    def _by_task_name(self, task: str, node: Mapping[str, Any], primary: bool) -> NodeMatch | None:
        candidates = self._by_name.get(task)
        if not candidates:
            return None
        # The first step of that name whose function (or function id) is the node's, else the first of that name.
        found = [
            self._by_function.get((task, field_, str(value)))
            for field_ in ("function", "function_id")
            if (value := node.get(field_))
        ]
        positions = [p for p in found if p is not None]
        return NodeMatch(candidates[min(positions) if positions else 0], primary)


def workflow_name_of(run_id: str, nodes: Iterable[Mapping[str, Any]]) -> str:
    """The Argo workflow name of a pipeline run: its run id, or the root node's name.

    DigitalHub names the workflow after the run id; a node list from elsewhere is read from its
    root (the node whose id has no ``-<digits>`` suffix, or the shortest name).
    """
    nodes = list(nodes)
    names = [str(n.get("name") or "") for n in nodes]
    if not nodes or any(name.startswith(run_id) for name in names if name):
        return run_id
    for node in nodes:
        if node.get("id") and node.get("id") == node.get("name"):
            return str(node["name"])
    return min((n for n in names if n), key=len, default=run_id)


def is_step_type(node_type: object) -> bool:
    """Whether a status node of this ``type`` is a step of its own (not a group or a template)."""
    return str(node_type or "") not in GROUP_TYPES | TEMPLATE_TYPES
