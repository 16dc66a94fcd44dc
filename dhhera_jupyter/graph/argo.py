"""Read an Argo Workflow (dict, YAML text or Hera object) into a :class:`PipelineGraph`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents import argo as argo_doc
from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.documents.yaml_text import load_yaml
from dhhera_jupyter.errors import ExpressionError, PipelineError, UnknownTask
from dhhera_jupyter.graph.model import GraphCluster, GraphNode, PipelineGraph

#: Nested templates are expanded once per use; this bounds the expansion (documents.argo).
MAX_EXPANDED_NODES = argo_doc.MAX_EXPANDED_NODES


def from_workflow(spec: Any) -> PipelineGraph:
    """Build the graph of an Argo Workflow.

    Parameters
    ----------
    spec : dict, str or hera Workflow
        The whole object (``apiVersion``/``kind``/``metadata``/``spec``) or only its ``spec``, as a
        dict or as YAML/JSON text (YAML anchors/aliases are refused); a Hera ``Workflow`` (anything
        with ``to_dict()``) is accepted too. A ``WorkflowTemplate`` or a ``CronWorkflow``
        (``spec.workflowSpec``) works the same.

    Returns
    -------
    PipelineGraph
        Node ids are task/step names; inside a nested DAG/Steps template a name that occurs more
        than once in the whole graph gets its parent node id and ``/`` as prefix (``outer/inner``),
        so ids are unique. Exit handlers (``onExit``, hooks) are left out.

    Raises
    ------
    PipelineError
        If the workflow is not a valid Argo workflow: no entrypoint or entrypoint template, a task
        using an undefined template, ``depends``/``dependencies`` naming an unknown task, a
        dependency cycle, duplicate names, or more than ``MAX_EXPANDED_NODES`` nodes.
    """
    if hasattr(spec, "to_dict") and callable(spec.to_dict) and not isinstance(spec, dict):
        spec = spec.to_dict()
    if isinstance(spec, (str, bytes)):
        spec = load_yaml(spec, "The workflow text")
    name, body = argo_doc.workflow_spec(spec, "The workflow")
    label = f"Workflow '{name}'" if name else "The workflow"
    templates = argo_doc.index_templates(body, label)
    entrypoint = argo_doc.entrypoint_of(body, templates, label)
    if argo_doc.expanded_size(templates, entrypoint) > MAX_EXPANDED_NODES:
        raise PipelineError(
            f"{label} expands to more than {MAX_EXPANDED_NODES} steps, too many to draw; "
            "check nested templates used many times."
        )
    builder = _Builder(templates)
    builder.expand_root(entrypoint)
    parameters = {k: None if v is None else _text(v) for k, v in argo_doc.declared_parameters(body).items()}
    return builder.graph(entrypoint, parameters, name)


@dataclass
class _Entry:
    """A node before its id is known (ids depend on name counts over the whole graph)."""

    name: str
    parent: _Entry | None
    node: GraphNode
    cluster: GraphCluster | None = None
    children: list[_Entry] = field(default_factory=list)


class _Builder:
    def __init__(self, templates: dict[str, dict[str, Any]]) -> None:
        self.templates = templates
        self.entries: list[_Entry] = []
        self.raw_edges: list[tuple[_Entry, _Entry]] = []

    # -- expansion -------------------------------------------------------------------------

    def expand_root(self, entrypoint: str) -> None:
        template = self.templates[entrypoint]
        kind = argo_doc.template_kind(template)
        if kind in argo_doc.COMPOSITE_KINDS:
            self._expand(entrypoint, None, (entrypoint,))
        else:
            # A single-template workflow: one node named after the template.
            self._add(entrypoint, None, entrypoint, {}, f"template '{entrypoint}'", (entrypoint,))

    def _expand(self, template_name: str, parent: _Entry | None, stack: tuple[str, ...]) -> None:
        template = self.templates[template_name]
        if template.get("dag") is not None:
            self._expand_dag(template_name, template["dag"], parent, stack)
        else:
            self._expand_steps(template_name, template["steps"], parent, stack)

    def _expand_dag(self, template_name: str, dag: Any, parent: _Entry | None, stack: tuple[str, ...]) -> None:
        where = f"DAG template '{template_name}'"
        tasks = argo_doc.dag_tasks(dag, where)
        by_name = {n: self._add(n, parent, None, t, f"task '{n}' of {where}", stack) for n, t in tasks.items()}
        deps: dict[str, list[str]] = {}
        for name, task in tasks.items():
            entry = by_name[name]
            found = _task_deps(name, task, by_name, where)
            deps[name] = found.names
            entry.node.depends = found.text
            for dep in found.names:
                self.raw_edges.append((by_name[dep], entry))
        cycle = argo_doc.find_cycle(deps)
        if cycle is not None:
            # deps point backwards (task -> what it waits for); show the order things run in.
            raise PipelineError(f"{where} has a dependency cycle: {' -> '.join(reversed(cycle))}.")
        for name, task in tasks.items():
            self._expand_child(by_name[name], task, stack)

    def _expand_steps(self, template_name: str, groups: Any, parent: _Entry | None, stack: tuple[str, ...]) -> None:
        where = f"Steps template '{template_name}'"
        if not isinstance(groups, list):
            raise PipelineError(f"{where} has steps that is not a list of step groups.")
        seen: set[str] = set()
        previous: list[_Entry] = []
        pending: list[tuple[_Entry, dict[str, Any]]] = []
        for g, group in enumerate(groups):
            steps = [group] if isinstance(group, dict) else (group or [])
            if not isinstance(steps, list):
                raise PipelineError(f"{where} has a step group that is not a list (steps[{g}]).")
            current: list[_Entry] = []
            for step in steps:
                if not isinstance(step, dict) or not step.get("name"):
                    raise PipelineError(f"{where} has a step without a name (steps[{g}]).")
                name = str(step["name"])
                if name in seen:
                    raise PipelineError(f"{where} has two steps named '{name}'.")
                seen.add(name)
                entry = self._add(name, parent, None, step, f"step '{name}' of {where}", stack)
                current.append(entry)
                pending.append((entry, step))
            if current:
                for src in previous:
                    for dst in current:
                        self.raw_edges.append((src, dst))
                previous = current
        for entry, step in pending:
            self._expand_child(entry, step, stack)

    def _expand_child(self, entry: _Entry, task: dict[str, Any], stack: tuple[str, ...]) -> None:
        node = entry.node
        if node.kind not in argo_doc.COMPOSITE_KINDS or node.template is None or task.get("inline") is not None:
            return
        if node.template in stack:
            node.recursive = True
            return
        entry.cluster = GraphCluster(id="", template=node.template, kind=node.kind)
        self._expand(node.template, entry, stack + (node.template,))

    def _add(
        self,
        name: str,
        parent: _Entry | None,
        template_name: str | None,
        task: dict[str, Any],
        where: str,
        stack: tuple[str, ...],
    ) -> _Entry:
        if len(self.entries) >= MAX_EXPANDED_NODES:
            raise PipelineError(
                f"The workflow expands to more than {MAX_EXPANDED_NODES} steps, too many to draw; "
                f"check nested templates used many times ({' > '.join(stack)})."
            )
        template, ref = self._task_template(task, template_name, where)
        node = GraphNode(
            id="", name=name, template=ref, kind=argo_doc.template_kind(template) if template else "templateRef"
        )
        if template is not None:
            _describe(node, template)
        _describe_task(node, task)
        entry = _Entry(name=name, parent=parent, node=node)
        self.entries.append(entry)
        if parent is not None:
            parent.children.append(entry)
        return entry

    def _task_template(
        self, task: dict[str, Any], template_name: str | None, where: str
    ) -> tuple[dict[str, Any] | None, str | None]:
        if template_name is not None:
            return self.templates[template_name], template_name
        if isinstance(task.get("inline"), dict):
            return task["inline"], None
        ref = task.get("templateRef")
        if isinstance(ref, dict):
            return None, f"{ref.get('name', '?')}/{ref.get('template', '?')}"
        name = task.get("template")
        if not name:
            raise PipelineError(f"The {where} names no template.")
        name = str(name)
        if name not in self.templates:
            raise PipelineError(f"The {where} uses template '{name}', which the workflow does not define.")
        return self.templates[name], name

    # -- ids -------------------------------------------------------------------------------

    def graph(self, entrypoint: str, parameters: dict[str, str | None], name: str | None) -> PipelineGraph:
        counts = Counter(e.name for e in self.entries)
        used: set[str] = set()
        ordered: list[_Entry] = []

        def assign(entry: _Entry) -> None:
            base = entry.name
            if entry.parent is not None and counts[entry.name] > 1:
                base = f"{entry.parent.node.id}/{entry.name}"
            node_id = base
            n = 2
            while node_id in used:
                node_id = f"{base}~{n}"
                n += 1
            used.add(node_id)
            entry.node.id = node_id
            entry.node.parent = entry.parent.node.id if entry.parent is not None else None
            ordered.append(entry)
            for child in entry.children:
                assign(child)

        for entry in self.entries:
            if entry.parent is None:
                assign(entry)
        clusters: list[GraphCluster] = []
        for entry in ordered:
            if entry.cluster is not None:
                entry.cluster.id = entry.node.id
                entry.cluster.parent = entry.node.parent
                entry.cluster.nodes = [c.node.id for c in entry.children]
                clusters.append(entry.cluster)
        return PipelineGraph(
            entrypoint=entrypoint,
            nodes=[e.node for e in ordered],
            edges=[(src.node.id, dst.node.id) for src, dst in self.raw_edges],
            clusters=clusters,
            parameters=parameters,
            name=name,
        )


def _describe(node: GraphNode, template: dict[str, Any]) -> None:
    """Fill what the template tells: image, outputs, DigitalHub function and action."""
    for kind in ("container", "script"):
        body = template.get(kind)
        if isinstance(body, dict) and body.get("image"):
            node.image = str(body["image"])
    outputs = section(template, "outputs")
    node.outputs = [str(p["name"]) for p in outputs.get("parameters") or [] if isinstance(p, dict) and "name" in p]
    call = step_call(template)
    if call is not None:
        node.function = call.function
        node.function_key = call.key
        node.function_id = call.function_id
        node.action = call.action
        node.kwargs = call.kwargs


def _describe_task(node: GraphNode, task: dict[str, Any]) -> None:
    """Fill what the task or step tells: arguments, condition and loop."""
    arguments = section(task, "arguments")
    for param in arguments.get("parameters") or []:
        if not isinstance(param, dict) or param.get("name") is None:
            continue
        if "value" in param:
            node.inputs[str(param["name"])] = _text(param["value"])
        elif param.get("valueFrom") is not None:
            node.inputs[str(param["name"])] = _text(param["valueFrom"])
        else:
            node.inputs[str(param["name"])] = ""
    if task.get("when") is not None:
        node.when = _text(task["when"])
    node.loop = _loop(task)


def _loop(task: dict[str, Any]) -> dict[str, Any] | None:
    if task.get("withItems") is not None:
        items = task["withItems"]
        count = len(items) if isinstance(items, list) else None
        return {"kind": "withItems", "count": count, "expr": _text(items)}
    if task.get("withParam") is not None:
        return {"kind": "withParam", "count": None, "expr": _text(task["withParam"])}
    if isinstance(task.get("withSequence"), dict):
        seq = task["withSequence"]
        return {"kind": "withSequence", "count": _sequence_count(seq), "expr": _text(seq)}
    return None


def _sequence_count(seq: dict[str, Any]) -> int | None:
    try:
        if seq.get("count") is not None:
            return int(str(seq["count"]))
        if seq.get("end") is not None:
            return abs(int(str(seq["end"])) - int(str(seq.get("start", 0)))) + 1
    except ValueError:
        return None
    return None


def _text(value: Any) -> str:
    return argo_doc.param_string(value, readable=True)


def _task_deps(name: str, task: dict[str, Any], by_name: dict[str, _Entry], where: str) -> argo_doc.TaskDependencies:
    try:
        return argo_doc.task_dependencies(task, by_name)
    except argo_doc.BothDependsFields as exc:
        raise PipelineError(f"Task '{name}' of {where} sets both depends and dependencies; keep one.") from exc
    except UnknownTask as exc:
        message = f"Task '{name}' of {where} depends on '{exc.task}', which is not a task of that DAG."
        raise PipelineError(message) from exc
    except ExpressionError as exc:
        raise PipelineError(
            f"Task '{name}' of {where} has an invalid depends expression '{task['depends']}': {exc}."
        ) from exc
