"""Reading and checking an Argo WorkflowSpec before it runs: templates, DAG structure, parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.argo import (
    COMPOSITE_KINDS,
    LEAF_KINDS,
    MAX_EXPANDED_NODES,
    OTHER_KINDS,
    BothDependsFields,
    dag_tasks,
    declared_parameters,
    entrypoint_of,
    expanded_size,
    find_cycle,
    index_templates,
    param_string,
    task_dependencies,
    template_kind,
)
from dhhera_jupyter.documents.depends import DependsTree, task_refs
from dhhera_jupyter.errors import DocumentError, ExpressionError, PipelineError, UnknownTask

# Template kinds we recognise but do not run, with the Argo node type they would have.
UNSUPPORTED_KINDS = OTHER_KINDS
__all__ = ["COMPOSITE_KINDS", "LEAF_KINDS", "UNSUPPORTED_KINDS", "template_kind"]
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
    trees: dict[str, DependsTree | None]
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
    merged = {name: None if v is None else param_string(v) for name, v in declared_parameters(spec).items()}
    for name, value in (parameters or {}).items():
        merged[str(name)] = param_string(value)
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


def _analyse_dag(owner: str, dag: Mapping[str, Any], templates: Mapping[str, Any]) -> DagInfo:
    tasks = dag_tasks(dag, f"template '{owner}'")
    for task in tasks.values():
        _check_template_ref(owner, "task", task, templates)
    trees: dict[str, DependsTree | None] = {}
    deps: dict[str, list[str]] = {}
    handled: dict[str, set[str]] = {name: continue_on(task) for name, task in tasks.items()}
    for name, task in tasks.items():
        where = f"task '{name}' of template '{owner}'"
        try:
            found = task_dependencies(task, tasks)
        except BothDependsFields as exc:
            raise ArgoSpecError(f"{where} uses both 'depends' and 'dependencies'") from exc
        except UnknownTask as exc:
            raise ArgoSpecError(f"{where} depends on unknown task '{exc.task}'") from exc
        except ExpressionError as exc:
            raise ArgoSpecError(f"{where} has an invalid depends: {exc}") from exc
        trees[name], deps[name] = found.tree, found.names
        for ref in task_refs(found.tree):
            if ref.result in _HANDLES:
                handled[ref.task].add(_HANDLES[ref.result])
    if cycle := find_cycle(deps):
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
    try:
        return _analyse(spec, parameters)
    except ArgoSpecError:
        raise
    except DocumentError as exc:  # the shared readers' sentences, as this module's error type
        raise ArgoSpecError(str(exc)) from exc


def _analyse(spec: Mapping[str, Any], parameters: Mapping[str, Any] | None) -> Analysis:
    templates = index_templates(spec, "The workflow spec")
    entrypoint = entrypoint_of(spec, templates, "The workflow spec")
    if expanded_size(templates, entrypoint) > MAX_EXPANDED_NODES:
        raise ArgoSpecError(
            f"the workflow expands to more than {MAX_EXPANDED_NODES} steps (nested templates used many times); "
            "the local core does not run it"
        )
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
