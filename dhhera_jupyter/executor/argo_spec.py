"""Reading and checking an Argo WorkflowSpec before it runs: templates, DAG structure, parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.errors import PipelineError
from dhhera_jupyter.executor.argo_expr import ExpressionError, Node, dependencies_tree, parse_depends, task_refs
from dhhera_jupyter.executor.argo_template import as_param_string

LEAF_KINDS = ("container", "script")
COMPOSITE_KINDS = ("dag", "steps")
# Template kinds we recognise but do not run, with the Argo node type they would have.
UNSUPPORTED_KINDS = {
    "resource": "Pod",
    "suspend": "Suspend",
    "http": "HTTP",
    "plugin": "Plugin",
    "data": "Pod",
    "containerSet": "Pod",
}
_UNSUPPORTED_TEMPLATE_FIELDS = ("synchronization", "memoize", "initContainers", "sidecars")
_UNSUPPORTED_TASK_FIELDS = {
    "templateRef": "templateRef",
    "inline": "inline template",
    "onExit": "onExit handler",
    "hooks": "lifecycle hooks",
}
# Failure phases a dependent's ``depends`` result takes care of.
_HANDLES = {"Failed": "Failed", "AllFailed": "Failed", "Errored": "Error"}


class ArgoSpecError(PipelineError):
    """The Argo workflow spec cannot run: the message names the template, task or parameter at fault."""


def unsupported(feature: str) -> str:
    """The message of a node that uses an Argo feature the local core does not run."""
    return f"Argo feature '{feature}' is not supported by the local core; run this pipeline on the platform"


def template_kind(template: Mapping[str, Any]) -> str:
    """``container``, ``script``, ``dag``, ``steps``, one of :data:`UNSUPPORTED_KINDS`, or ``unknown``."""
    for kind in (*LEAF_KINDS, *COMPOSITE_KINDS, *UNSUPPORTED_KINDS):
        if template.get(kind) is not None:
            return kind
    return "unknown"


def template_problem(template: Mapping[str, Any]) -> str | None:
    """Why a template cannot run locally, or ``None`` when it can."""
    kind = template_kind(template)
    if kind in UNSUPPORTED_KINDS:
        return unsupported(f"{kind} template")
    if kind == "unknown":
        return f"template '{template.get('name')}' has no container, script, dag or steps section"
    for name in _UNSUPPORTED_TEMPLATE_FIELDS:
        if template.get(name):
            return unsupported(name)
    if template.get("daemon"):
        return unsupported("daemon")
    if (template.get("inputs") or {}).get("artifacts"):
        return unsupported("input artifacts")
    return None


def task_problem(task: Mapping[str, Any]) -> str | None:
    """Why a DAG task or step cannot run locally, or ``None``."""
    for key, feature in _UNSUPPORTED_TASK_FIELDS.items():
        if task.get(key):
            return unsupported(feature)
    if (task.get("arguments") or {}).get("artifacts"):
        return unsupported("artifact arguments")
    return None


def continue_on(task: Mapping[str, Any]) -> set[str]:
    """Failure phases a task's ``continueOn`` lets through (``{"Failed", "Error"}`` at most)."""
    spec = task.get("continueOn") or {}
    return {phase for key, phase in (("failed", "Failed"), ("error", "Error")) if spec.get(key)}


@dataclass
class DagInfo:
    """What the interpreter needs to know about one DAG template, computed once."""

    tasks: dict[str, dict[str, Any]]
    trees: dict[str, Node | None]
    deps: dict[str, list[str]]
    targets: list[str]
    fail_fast: bool
    handled: dict[str, set[str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # tasks to run (all, or the targets and their ancestors)


@dataclass
class Analysis:
    """A checked spec: templates by name, DAG analyses by template name, merged workflow parameters."""

    entrypoint: str
    templates: dict[str, dict[str, Any]]
    dags: dict[str, DagInfo]
    parameters: dict[str, str]


def merge_parameters(spec: Mapping[str, Any], parameters: Mapping[str, Any] | None) -> dict[str, str]:
    """Run parameters over ``spec.arguments.parameters``: an existing name is overwritten, a new one appended.

    Raises
    ------
    ArgoSpecError
        When a declared parameter ends up with no value.
    """
    merged: dict[str, str | None] = {}
    for param in (spec.get("arguments") or {}).get("parameters") or []:
        value = param.get("value", param.get("default"))
        merged[str(param.get("name"))] = None if value is None else as_param_string(value)
    for name, value in (parameters or {}).items():
        merged[str(name)] = as_param_string(value)
    for name, value in merged.items():
        if value is None:
            raise ArgoSpecError(f"workflow parameter '{name}' has no value; pass it as a run parameter")
    return {name: value for name, value in merged.items() if value is not None}


def _check_template_ref(owner: str, kind: str, task: Mapping[str, Any], templates: Mapping[str, Any]) -> None:
    name = task.get("name")
    if not name:
        raise ArgoSpecError(f"template '{owner}' has a {kind} without a name")
    if task.get("templateRef") or task.get("inline"):
        return  # reported when the node runs, as an unsupported feature
    ref = task.get("template")
    if not ref:
        raise ArgoSpecError(f"{kind} '{name}' of template '{owner}' names no template")
    if ref not in templates:
        raise ArgoSpecError(f"{kind} '{name}' of template '{owner}' references missing template '{ref}'")


def _find_cycle(deps: Mapping[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for dep in deps[name]:
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        path.pop()
        state[name] = 2
        return None

    for name in deps:
        if name not in state and (cycle := visit(name)):
            return cycle
    return None


def _analyse_dag(owner: str, dag: Mapping[str, Any], templates: Mapping[str, Any]) -> DagInfo:
    tasks: dict[str, dict[str, Any]] = {}
    for task in dag.get("tasks") or []:
        _check_template_ref(owner, "task", task, templates)
        if task["name"] in tasks:
            raise ArgoSpecError(f"template '{owner}' has two tasks named '{task['name']}'")
        tasks[task["name"]] = task
    trees: dict[str, Node | None] = {}
    for name, task in tasks.items():
        if task.get("depends") and task.get("dependencies"):
            raise ArgoSpecError(f"task '{name}' of template '{owner}' uses both 'depends' and 'dependencies'")
        try:
            depends = task.get("depends")
            trees[name] = parse_depends(str(depends)) if depends else dependencies_tree(task.get("dependencies") or [])
        except ExpressionError as exc:
            raise ArgoSpecError(f"task '{name}' of template '{owner}' has an invalid depends: {exc}") from exc
    deps: dict[str, list[str]] = {}
    handled: dict[str, set[str]] = {name: continue_on(task) for name, task in tasks.items()}
    for name in tasks:
        deps[name] = []
        for ref in task_refs(trees[name]):
            if ref.task not in tasks:
                raise ArgoSpecError(f"task '{name}' of template '{owner}' depends on unknown task '{ref.task}'")
            if ref.task not in deps[name]:
                deps[name].append(ref.task)
            if ref.result in _HANDLES:
                handled[ref.task].add(_HANDLES[ref.result])
    if cycle := _find_cycle(deps):
        raise ArgoSpecError(f"template '{owner}' has a dependency cycle: {' -> '.join(cycle)}")
    if dag.get("target"):
        targets = str(dag["target"]).split()
        for target in targets:
            if target not in tasks:
                raise ArgoSpecError(f"template '{owner}' targets unknown task '{target}'")
    else:
        needed = {dep for name in tasks for dep in deps[name]}
        targets = sorted(name for name in tasks if name not in needed)
    wanted: set[str] = set()
    pending = list(targets)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(deps[name])
    order = [name for name in tasks if name in wanted]
    fail_fast = dag.get("failFast") is not False
    return DagInfo(tasks, trees, deps, targets, fail_fast, handled, order)


def analyse(spec: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> Analysis:
    """Check a WorkflowSpec and precompute what running it needs.

    Raises
    ------
    ArgoSpecError
        Missing entrypoint, a task or step referencing a missing template, a ``depends`` naming an
        unknown task, a dependency cycle, or a workflow parameter with no value.
    """
    if not isinstance(spec, Mapping):
        raise ArgoSpecError("the workflow spec is not a mapping")
    templates: dict[str, dict[str, Any]] = {}
    for template in spec.get("templates") or []:
        name = template.get("name")
        if not name:
            raise ArgoSpecError("the workflow spec has a template without a name")
        if name in templates:
            raise ArgoSpecError(f"the workflow spec has two templates named '{name}'")
        templates[name] = template
    entrypoint = spec.get("entrypoint")
    if not entrypoint:
        raise ArgoSpecError("the workflow spec has no entrypoint")
    if entrypoint not in templates:
        raise ArgoSpecError(f"entrypoint '{entrypoint}' is not a template of the workflow")
    dags: dict[str, DagInfo] = {}
    for name, template in templates.items():
        if template.get("dag") is not None:
            dags[name] = _analyse_dag(name, template["dag"], templates)
        elif template.get("steps") is not None:
            for group in template["steps"] or []:
                if not isinstance(group, list):
                    raise ArgoSpecError(f"template '{name}' has a step group that is not a list")
                for step in group:
                    _check_template_ref(name, "step", step, templates)
    return Analysis(entrypoint, templates, dags, merge_parameters(spec, parameters))
