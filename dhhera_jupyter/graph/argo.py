"""Read an Argo Workflow (dict, YAML text or Hera object) into a :class:`PipelineGraph`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from dhhera_jupyter.errors import PipelineError
from dhhera_jupyter.graph.depends import DependsSyntaxError, depends_names
from dhhera_jupyter.graph.digitalhub import step_call
from dhhera_jupyter.graph.model import GraphCluster, GraphNode, PipelineGraph

#: Nested templates are expanded once per use; this bounds the expansion (a template used twice
#: by a template used twice... grows exponentially).
MAX_EXPANDED_NODES = 50_000

_KINDS = ("container", "script", "resource", "suspend", "dag", "steps", "containerSet", "data", "http", "plugin")

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def from_workflow(spec: Any) -> PipelineGraph:
    """Build the graph of an Argo Workflow.

    Parameters
    ----------
    spec : dict, str or hera Workflow
        The whole object (``apiVersion``/``kind``/``metadata``/``spec``) or only its ``spec``, as a
        dict or as YAML/JSON text; a Hera ``Workflow`` (anything with ``to_dict()``) is accepted
        too. A ``WorkflowTemplate`` or a ``CronWorkflow`` (``spec.workflowSpec``) works the same.

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
    name, body = _workflow_body(spec)
    label = f"Workflow '{name}'" if name else "The workflow"
    templates = _templates(body, label)
    entrypoint = body.get("entrypoint")
    if not entrypoint:
        raise PipelineError(f"{label} has no entrypoint; set spec.entrypoint to the name of its main template.")
    entrypoint = str(entrypoint)
    if entrypoint not in templates:
        raise PipelineError(f"{label} has no template named '{entrypoint}', which is its entrypoint.")
    builder = _Builder(templates)
    builder.expand_root(entrypoint)
    return builder.graph(entrypoint, _parameters(body), name)


def _workflow_body(spec: Any) -> tuple[str | None, dict[str, Any]]:
    if hasattr(spec, "to_dict") and callable(spec.to_dict) and not isinstance(spec, dict):
        spec = spec.to_dict()
    if isinstance(spec, bytes):
        spec = spec.decode("utf-8")
    if isinstance(spec, str):
        try:
            spec = yaml.load(spec, Loader=_YAML_LOADER)  # a safe loader (CSafeLoader when built)
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            at = f" at line {where.line + 1}" if where is not None else ""
            raise PipelineError(f"The workflow text is not valid YAML{at}.") from exc
    if not isinstance(spec, dict):
        raise PipelineError(f"An Argo workflow must be a mapping, not {type(spec).__name__}.")
    name = None
    body = spec
    if isinstance(spec.get("spec"), dict) and "templates" not in spec:
        metadata = spec.get("metadata") if isinstance(spec.get("metadata"), dict) else {}
        name = metadata.get("name") or metadata.get("generateName")
        body = spec["spec"]
    if isinstance(body.get("workflowSpec"), dict) and "templates" not in body:
        body = body["workflowSpec"]
    if "templates" not in body and "entrypoint" not in body:
        raise PipelineError("This is not an Argo workflow: it has neither spec.templates nor spec.entrypoint.")
    return (str(name) if name else None), body


def _templates(body: dict[str, Any], label: str) -> dict[str, dict[str, Any]]:
    raw = body.get("templates") or []
    if not isinstance(raw, list):
        raise PipelineError(f"{label} has spec.templates that is not a list.")
    templates: dict[str, dict[str, Any]] = {}
    for i, template in enumerate(raw):
        if not isinstance(template, dict) or not template.get("name"):
            raise PipelineError(f"{label} has a template without a name (spec.templates[{i}]).")
        name = str(template["name"])
        if name in templates:
            raise PipelineError(f"{label} defines template '{name}' twice.")
        templates[name] = template
    return templates


def _parameters(body: dict[str, Any]) -> dict[str, str | None]:
    arguments = body.get("arguments") if isinstance(body.get("arguments"), dict) else {}
    result: dict[str, str | None] = {}
    for param in arguments.get("parameters") or []:
        if isinstance(param, dict) and param.get("name") is not None:
            value = param.get("value", param.get("default"))
            result[str(param["name"])] = None if value is None else _text(value)
    return result


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=False, default=str)
    return str(value)


def template_kind(template: dict[str, Any]) -> str:
    """Return the Argo type of a template (``container``, ``dag``, ``steps``...), ``unknown`` if none."""
    for kind in _KINDS:
        if template.get(kind) is not None:
            return kind
    return "unknown"


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
        kind = template_kind(template)
        if kind in ("dag", "steps"):
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
        tasks = (dag.get("tasks") if isinstance(dag, dict) else None) or []
        if not isinstance(tasks, list):
            raise PipelineError(f"{where} has dag.tasks that is not a list.")
        by_name: dict[str, _Entry] = {}
        pending: list[tuple[_Entry, dict[str, Any]]] = []
        for i, task in enumerate(tasks):
            if not isinstance(task, dict) or not task.get("name"):
                raise PipelineError(f"{where} has a task without a name (dag.tasks[{i}]).")
            name = str(task["name"])
            if name in by_name:
                raise PipelineError(f"{where} has two tasks named '{name}'.")
            entry = self._add(name, parent, None, task, f"task '{name}' of {where}", stack)
            by_name[name] = entry
            pending.append((entry, task))
        deps: dict[str, list[str]] = {}
        for entry, task in pending:
            names = self._task_deps(entry.name, task, by_name, where)
            deps[entry.name] = names
            entry.node.depends = _depends_text(task)
            for dep in names:
                self.raw_edges.append((by_name[dep], entry))
        _check_acyclic(deps, where)
        for entry, task in pending:
            self._expand_child(entry, task, stack)

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
        if node.kind not in ("dag", "steps") or node.template is None or task.get("inline") is not None:
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
        node = GraphNode(id="", name=name, template=ref, kind=template_kind(template) if template else "templateRef")
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

    @staticmethod
    def _task_deps(name: str, task: dict[str, Any], by_name: dict[str, _Entry], where: str) -> list[str]:
        has_list = task.get("dependencies") is not None
        has_expr = task.get("depends") is not None
        if has_list and has_expr:
            raise PipelineError(f"Task '{name}' of {where} sets both depends and dependencies; keep one.")

        def unknown(dep: str) -> PipelineError:
            return PipelineError(f"Task '{name}' of {where} depends on '{dep}', which is not a task of that DAG.")

        if has_list:
            deps = task["dependencies"]
            if isinstance(deps, str):
                deps = [deps]
            names: list[str] = []
            for dep in deps:
                dep = str(dep)
                if dep not in by_name:
                    raise unknown(dep)
                if dep not in names:
                    names.append(dep)
            return names
        if has_expr:
            try:
                return depends_names(str(task["depends"]), by_name, unknown)
            except DependsSyntaxError as exc:
                raise PipelineError(
                    f"Task '{name}' of {where} has an invalid depends expression '{task['depends']}': {exc}."
                ) from exc
        return []

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
    outputs = template.get("outputs") if isinstance(template.get("outputs"), dict) else {}
    node.outputs = [str(p["name"]) for p in outputs.get("parameters") or [] if isinstance(p, dict) and "name" in p]
    call = step_call(template)
    if call is not None:
        node.function = call.function
        node.function_key = call.function_key
        node.function_id = call.function_id
        node.action = call.action
        node.kwargs = call.kwargs


def _describe_task(node: GraphNode, task: dict[str, Any]) -> None:
    """Fill what the task or step tells: arguments, condition and loop."""
    arguments = task.get("arguments") if isinstance(task.get("arguments"), dict) else {}
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


def _depends_text(task: dict[str, Any]) -> str | None:
    if task.get("depends") is not None:
        return str(task["depends"])
    deps = task.get("dependencies")
    if deps:
        return " && ".join(str(d) for d in ([deps] if isinstance(deps, str) else deps))
    return None


def _check_acyclic(deps: dict[str, list[str]], where: str) -> None:
    """Raise PipelineError naming the tasks of the first dependency cycle found."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start, first in deps.items():
        if state.get(start):
            continue
        path: list[str] = [start]
        iters = [iter(first)]
        state[start] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                # deps point backwards (task -> what it waits for); show the order things run in.
                cycle.reverse()
                raise PipelineError(f"{where} has a dependency cycle: {' -> '.join(cycle)}.")
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(deps[nxt]))
