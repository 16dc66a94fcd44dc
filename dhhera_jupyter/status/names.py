"""Read Argo node names (``wf.outer.task(0:a)``, ``wf[0].step``) into the path of task/step names."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The DigitalHub dsl names tasks ``dag-op-<name>-<8 hex>`` and steps ``step-op-<name>-<8 hex>`` (contract §5.1).
_DSL_NAME = re.compile(r"^(?:dag|step)-op-(?P<name>.+)-[0-9a-f]{8}$")


@dataclass(frozen=True)
class NodeName:
    """Where an Argo node sits in the workflow, read from its ``name``.

    Attributes
    ----------
    path : tuple of str
        Task/step names from the top of the workflow down (``("outer", "inner")``); empty for the
        root node and the root's step groups.
    instance : bool
        The name ends with ``(...)``: one item of a fan-out (``task(0:x)``) or one retry attempt
        (``task(1)``), which belongs to the step ``path`` names.
    group : bool
        The name ends with ``[i]``: a Steps step group, which is no step of its own.
    """

    path: tuple[str, ...]
    instance: bool = False
    group: bool = False


def parse_node_name(name: str, workflow_name: str) -> NodeName | None:
    """Split an Argo node name into task/step names.

    Argo names a node after its parents: ``<wf>`` (root), ``<wf>.<task>`` (DAG task),
    ``<wf>[0].<step>`` (Steps), ``<parent>(0:item)`` (fan-out item) and ``<parent>(n)`` (retry).
    Task and step names never contain ``.``, ``[`` or ``(``; item values may contain anything, so
    parentheses are matched.

    Parameters
    ----------
    name : str
        The node's ``name``.
    workflow_name : str
        The Argo workflow name (DigitalHub names it after the pipeline run id).

    Returns
    -------
    NodeName or None
        None when ``name`` does not start with ``workflow_name`` (e.g. an exit handler of
        another shape) or is malformed.
    """
    if not name.startswith(workflow_name):
        return None
    rest = name[len(workflow_name) :]
    path: list[str] = []
    instance = group = False
    i = 0
    while i < len(rest):
        char = rest[i]
        if char == ".":
            j = i + 1
            while j < len(rest) and rest[j] not in ".[(":
                j += 1
            if j == i + 1:
                return None
            path.append(rest[i + 1 : j])
            instance = group = False
            i = j
        elif char == "[":
            j = rest.find("]", i)
            if j < 0:
                return None
            group, instance = True, False
            i = j + 1
        elif char == "(":
            depth, j = 0, i
            while j < len(rest):
                if rest[j] == "(":
                    depth += 1
                elif rest[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if depth != 0:
                return None
            instance, group = True, False
            i = j + 1
        else:
            return None
    return NodeName(tuple(path), instance=instance, group=group)


def base_display_name(display_name: str) -> str:
    """The task/step name in a display name: ``task(0:a)`` and ``task(1)`` give ``task``."""
    cut = display_name.find("(")
    return display_name[:cut] if cut > 0 else display_name


def step_label(name: str) -> str:
    """The name a user gave a DigitalHub step: ``dag-op-extract-1a2b3c4d`` gives ``extract``; others unchanged."""
    match = _DSL_NAME.match(name)
    return match.group("name") if match else name


_GENERATED = re.compile(r"\b(?:dag|step)-op-(?P<name>[A-Za-z0-9][A-Za-z0-9-]*?)-[0-9a-f]{8}\b")
_TASK_OUTPUT = re.compile(
    r"\{\{\s*(?:tasks|steps)\.(?P<task>[^.\s}]+)\.outputs\.(?:parameters|artifacts)\.(?P<out>[^\s}]+)\s*\}\}"
)
_WORKFLOW_PARAMETER = re.compile(r"\{\{\s*workflow\.parameters\.(?P<name>[^\s}]+)\s*\}\}")


def label_names(text: str) -> str:
    """Replace every generated DigitalHub task name in ``text`` by the name the user gave the step.

    ``"Step dag-op-make-1a2b3c4d failed"`` gives ``"Step make failed"`` (for messages from the backend).
    """
    return _GENERATED.sub(lambda m: m.group("name"), text)


def readable_expression(value: str) -> str:
    """An Argo argument as a user reads it: ``{{tasks.dag-op-make-1a2b3c4d.outputs.parameters.numbers}}`` gives
    ``make.numbers`` and ``{{workflow.parameters.n}}`` gives ``parameter n``; other text is unchanged."""
    value = _TASK_OUTPUT.sub(lambda m: f"{step_label(m.group('task'))}.{m.group('out')}", value)
    return _WORKFLOW_PARAMETER.sub(lambda m: f"parameter {m.group('name')}", value)
