"""Argo Workflow documents: the spec inside a Workflow/WorkflowTemplate/CronWorkflow, its templates and
their kinds, parameters, and the dependencies between the tasks of a DAG.

Both the diagram (``graph/``) and the local runner (``executor/``) read specs through these
functions, so they agree on what a spec means.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dhhera_jupyter.documents.depends import DependsTree, dependencies_tree, parse_depends, task_names
from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.errors import DocumentError, UnknownTask

#: Templates that run one container (a pod) and templates that arrange other templates.
LEAF_KINDS = ("container", "script")
COMPOSITE_KINDS = ("dag", "steps")

#: Argo's other template kinds, with the node type a node of that kind has.
OTHER_KINDS = {
    "resource": "Pod",
    "suspend": "Suspend",
    "http": "HTTP",
    "plugin": "Plugin",
    "data": "Pod",
    "containerSet": "Pod",
}

#: Every template kind, in the order :func:`template_kind` tries them.
TEMPLATE_KINDS = (*LEAF_KINDS, *COMPOSITE_KINDS, *OTHER_KINDS)


def template_kind(template: Mapping[str, Any]) -> str:
    """The Argo kind of a template (``container``, ``dag``, ``steps``...), ``unknown`` when it has none."""
    for kind in TEMPLATE_KINDS:
        if template.get(kind) is not None:
            return kind
    return "unknown"


def param_string(value: Any, readable: bool = False) -> str:
    """The string Argo stores for a parameter value written in YAML (``1`` -> ``"1"``, ``true`` -> ``"true"``).

    ``readable`` puts a space after commas and colons of lists and maps, for the diagram.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, separators=(", ", ": ") if readable else (",", ":"), default=str)


def workflow_spec(doc: Any, what: str = "The workflow") -> tuple[str | None, dict[str, Any]]:
    """The WorkflowSpec of an Argo document, and the document's name.

    Parameters
    ----------
    doc : dict
        A whole ``Workflow`` (``apiVersion``/``kind``/``metadata``/``spec``), a ``WorkflowTemplate``,
        a ``CronWorkflow`` (``spec.workflowSpec``), or a bare WorkflowSpec.
    what : str
        Names the document in error messages.

    Raises
    ------
    DocumentError
        When it is not a mapping, or has neither ``templates`` nor ``entrypoint``.
    """
    if not isinstance(doc, Mapping):
        raise DocumentError(f"{what} is not an Argo workflow: it must be a mapping, not {type(doc).__name__}.")
    name = None
    body: Mapping[str, Any] = doc
    if isinstance(doc.get("spec"), Mapping) and "templates" not in doc:
        metadata = section(doc, "metadata")
        name = metadata.get("name") or metadata.get("generateName")
        body = doc["spec"]
    if isinstance(body.get("workflowSpec"), Mapping) and "templates" not in body:
        body = body["workflowSpec"]
    if "templates" not in body and "entrypoint" not in body:
        raise DocumentError(f"{what} is not an Argo workflow: it has neither spec.templates nor spec.entrypoint.")
    return (str(name) if name else None), dict(body)


def index_templates(body: Mapping[str, Any], label: str) -> dict[str, dict[str, Any]]:
    """The templates of a WorkflowSpec by name.

    Raises
    ------
    DocumentError
        When ``templates`` is not a list, a template has no name, or two share one.
    """
    return _by_name(body.get("templates"), label, "spec.templates", "template")


def _by_name(raw: Any, label: str, where: str, what: str) -> dict[str, dict[str, Any]]:
    raw = raw or []
    if not isinstance(raw, list):
        raise DocumentError(f"{label} has {where} that is not a list.")
    out: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("name"):
            raise DocumentError(f"{label} has a {what} without a name ({where}[{i}]).")
        name = str(item["name"])
        if name in out:
            raise DocumentError(f"{label} has two {what}s named '{name}'.")
        out[name] = item
    return out


def entrypoint_of(body: Mapping[str, Any], templates: Mapping[str, Any], label: str) -> str:
    """The entrypoint template's name.

    Raises
    ------
    DocumentError
        When there is none, or no template has that name.
    """
    entrypoint = body.get("entrypoint")
    if not entrypoint:
        raise DocumentError(f"{label} has no entrypoint; set spec.entrypoint to the name of its main template.")
    if str(entrypoint) not in templates:
        raise DocumentError(f"{label} has no template named '{entrypoint}', which is its entrypoint.")
    return str(entrypoint)


def declared_parameters(body: Mapping[str, Any]) -> dict[str, Any]:
    """``spec.arguments.parameters`` as name -> value (``value``, else ``default``, else None), in order."""
    arguments = section(body, "arguments")
    out: dict[str, Any] = {}
    for param in arguments.get("parameters") or []:
        if isinstance(param, Mapping) and param.get("name") is not None:
            out[str(param["name"])] = param.get("value", param.get("default"))
    return out


def dag_tasks(dag: Any, label: str) -> dict[str, dict[str, Any]]:
    """The tasks of a ``dag`` section by name.

    Raises
    ------
    DocumentError
        When ``tasks`` is not a list, a task has no name, or two share one.
    """
    return _by_name(dag.get("tasks") if isinstance(dag, Mapping) else None, label, "dag.tasks", "task")


@dataclass(frozen=True)
class TaskDependencies:
    """What a DAG task waits for.

    Attributes
    ----------
    tree : DependsTree or None
        Its ``depends`` (or ``dependencies``, read as ``A && B``) parsed; None when it waits for nothing.
    names : list of str
        The distinct tasks it names, in order of first appearance.
    text : str or None
        The expression as a user reads it.
    """

    tree: DependsTree | None
    names: list[str]
    text: str | None


class BothDependsFields(DocumentError):
    """A task sets both ``depends`` and ``dependencies``."""


def task_dependencies(task: Mapping[str, Any], known: Iterable[str]) -> TaskDependencies:
    """Parse what a task of a DAG waits for.

    Parameters
    ----------
    task : mapping
        The task (``depends`` or the legacy ``dependencies`` list).
    known : iterable of str
        The task names of the same DAG.

    Raises
    ------
    BothDependsFields
        When the task sets both fields.
    ExpressionError
        When ``depends`` is malformed.
    UnknownTask
        When it names a task that is not in ``known``.
    """
    known = known if isinstance(known, (set, frozenset, dict)) else set(known)
    depends, listed = task.get("depends"), task.get("dependencies")
    if depends is not None and listed is not None:
        raise BothDependsFields("it sets both depends and dependencies; keep one")
    if depends is not None:
        tree = parse_depends(str(depends), known)
        return TaskDependencies(tree, task_names(tree), str(depends))
    names = [str(d) for d in ([listed] if isinstance(listed, str) else (listed or []))]
    for name in names:
        if name not in known:
            raise UnknownTask(name)
    names = list(dict.fromkeys(names))
    return TaskDependencies(dependencies_tree(names), names, " && ".join(names) if names else None)


def find_cycle(deps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """The first dependency cycle, as ``[a, b, ..., a]`` where each waits for the next; None when acyclic.

    Depth-first with an explicit stack: a chain of any length costs no recursion.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in deps:
        if state.get(start):
            continue
        path = [start]
        iters = [iter(deps[start])]
        state[start] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt) and nxt in deps:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(deps[nxt]))
    return None


#: Most nodes a workflow may expand to (each task or step once per use of its template, nested templates
#: inlined, loops counted once). A template used twice by a template used twice... grows exponentially: a
#: few hundred bytes can stand for millions of steps.
MAX_EXPANDED_NODES = 50_000


def _called(template: Mapping[str, Any] | None) -> list[str | None]:
    """The template each task or step of a DAG/Steps template calls (None: inline or templateRef)."""
    if not isinstance(template, Mapping):
        return []
    if isinstance(template.get("dag"), Mapping):
        calls = template["dag"].get("tasks") or []
    elif isinstance(template.get("steps"), list):
        calls = [s for g in template["steps"] for s in ([g] if isinstance(g, Mapping) else g or [])]
    else:
        return []
    out: list[str | None] = []
    for call in calls if isinstance(calls, list) else []:
        ref = call.get("template") if isinstance(call, Mapping) and call.get("inline") is None else None
        out.append(str(ref) if ref else None)
    return out


def expanded_size(templates: Mapping[str, Mapping[str, Any]], entrypoint: str, cap: int = MAX_EXPANDED_NODES) -> int:
    """How many nodes the entrypoint expands to, counted without expanding (at most ``cap + 1``).

    Post-order over templates with an explicit stack and a memo, so a 500-byte template bomb costs
    microseconds; a template that calls one of its callers counts once (it is not expanded).
    """
    sizes: dict[str, int] = {}
    on_path: set[str] = set()
    stack: list[tuple[str, bool]] = [(entrypoint, False)]
    while stack:
        name, children_done = stack.pop()
        if name in sizes:
            continue
        called = [c for c in _called(templates.get(name)) if c is not None and c in templates]
        if not children_done:
            on_path.add(name)
            stack.append((name, True))
            stack.extend((c, False) for c in called if c not in sizes and c not in on_path)
            continue
        total = sum(1 for _ in _called(templates.get(name)))
        for child in called:
            total += sizes.get(child, 0)  # 0 for a caller still on the path: drawn as one recursive node
            if total > cap:
                break
        sizes[name] = min(total, cap + 1)
        on_path.discard(name)
    return max(1, sizes.get(entrypoint, 1))
