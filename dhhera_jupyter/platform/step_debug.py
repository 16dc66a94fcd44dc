"""Cells that reproduce one step of a pipeline run in the kernel: its function version, its inputs, its call.

The one place that writes them: ``%hera debug``, the run panel's and the sidebar's "Debug in notebook"
all call :func:`debug_cells`. The cells hold only SDK calls and literals read from the step's child run
(the function key with its version, the input entity keys, the parameter values), so they run the same
against the local core and a DigitalHub platform. The call mirrors ``digitalhub_runtime_python``'s job
runtime: ``{**parameters, **inputs}`` as keyword arguments, inputs as entity objects, plus ``project``
and ``run`` when the handler declares them.

A fan-out step (Hera ``with_items``/``with_param``) ran once per item, each item in its own child run: the
cells reproduce one item, chosen by its index or value (``--item``), by the item node the caller names, or the
one item that failed; when none of those decides, the error lists the items to choose from.
"""

from __future__ import annotations

import pprint
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.keys import parse_exec, parse_key
from dhhera_jupyter.errors import BadRequest, DhheraError, NotFound
from dhhera_jupyter.platform.backend import backend, sdk
from dhhera_jupyter.platform.sdk_errors import sdk_errors

#: The run kind of a pipeline run (the only kind with steps).
PIPELINE_KIND = "hera+pipeline:run"

#: Function kinds whose handler the cells can call in the kernel (python job runtime semantics).
PYTHON_KINDS = ("python",)

#: SDK getter for each entity type a step input can be (as the python runtime reads them).
_GETTERS = {"dataitem": "get_dataitem", "artifact": "get_artifact", "model": "get_model"}

#: Folder (relative to the kernel's working directory) where a step's function source is written.
SOURCE_FOLDER = "hera-debug"

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

#: Items a message lists at most (a fan-out may have thousands).
MAX_LISTED_ITEMS = 20

#: Node states of an item that failed (the item chosen when none is named and only one failed).
_FAILED_PHASES = ("Failed", "Error")


@dataclass(frozen=True)
class FanItem:
    """One item of a fan-out step: its node in ``status.nodes``.

    Attributes
    ----------
    index : int
        Position of the item in the fan-out (``0`` in ``task(0:a)``).
    value : str
        The item as Argo shows it (``a``; a map item as ``x:1,y:q``).
    phase : str
        The node's Argo phase (``Succeeded``, ``Failed``...), ``Pending`` before it started.
    node : dict
        The node itself (its ``run_id``, ``inputs``).
    """

    index: int
    value: str
    phase: str
    node: Mapping[str, Any]

    @property
    def text(self) -> str:
        """``1 (b, Failed)``: how a message lists the item."""
        return f"{self.index} ({self.value[:40]}, {self.phase})"


@dataclass
class DebugCells:
    """The cells that reproduce one step, and what they reproduce.

    Attributes
    ----------
    run_id, project : str
        The pipeline run.
    step : str
        The step's name as the panel and the sidebar show it.
    child_run : str
        The run that executed the step.
    function_key : str
        The function version the step ran (``store://p/function/python/name:id``).
    state : str
        The child run's state (``ERROR``, ``COMPLETED``...).
    message : str or None
        The child run's message (the exception of a failed step).
    cells : list of str
        Python source of each code cell, in order.
    item : int or None
        The fan-out item reproduced (its index), None for a step that ran once.
    """

    run_id: str
    project: str
    step: str
    child_run: str
    function_key: str
    state: str
    message: str | None = None
    cells: list[str] = field(default_factory=list)
    item: int | None = None

    @property
    def title(self) -> str:
        """One line naming the step and the run, for the inserted cells' status line."""
        return f"step '{self.step}' of run {self.run_id}"

    def text(self) -> str:
        """The cells as printable text (terminal IPython), each under a ``# In[n]`` marker."""
        parts = [f"# Cells that reproduce {self.title}: paste them into a notebook or run them in order.\n"]
        parts += [f"# ---- cell {i} of {len(self.cells)} ----\n{cell}\n" for i, cell in enumerate(self.cells, 1)]
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (the sidebar route's body)."""
        return {
            "run_id": self.run_id,
            "project": self.project,
            "step": self.step,
            "child_run": self.child_run,
            "function_key": self.function_key,
            "state": self.state,
            "message": self.message,
            "title": self.title,
            "cells": list(self.cells),
            "item": self.item,
        }


def debug_cells(run_id: str, step: str, project: str | None = None, item: str | None = None) -> DebugCells:
    """The cells that reproduce ``step`` of pipeline run ``run_id`` in the kernel.

    Parameters
    ----------
    run_id : str
        A pipeline run id (``hera+pipeline:run``).
    step : str
        The step's name as shown in the panel and the sidebar (``b``), its task name
        (``dag-op-b-f2b553e9``), or its Argo node id or name.
    project : str, optional
        Project of the run (default: the backend's default project).
    item : str, optional
        For a fan-out step, the item to reproduce: its index (``1``) or its value (``b``). Without it, the item
        node ``step`` names (an Argo node id or name of one item), else the only item that failed.

    Returns
    -------
    DebugCells

    Raises
    ------
    NotFound
        No such run, no such step (the message lists the steps), no such item (the message lists the items),
        a step without a run yet, or a function version that no longer exists.
    BadRequest
        A fan-out step without an item that decides which (the message lists the items), or ``item`` for a step
        that ran once.
    DhheraError
        A run that is not a pipeline run, or a step whose function cannot be called in the kernel.
    """
    from dhhera_jupyter.platform.pipeline_runs import child_run_of, require_run
    from dhhera_jupyter.platform.runs import run_doc

    project = project or backend().project
    run_id, step = run_id.strip(), step.strip()
    doc = require_run(run_id, project)
    if doc.get("kind") != PIPELINE_KIND:
        raise DhheraError(
            f"Run {run_id} is a {doc.get('kind') or 'run of unknown kind'} run, not a pipeline run; "
            "%hera debug takes the id of a pipeline run and one of its steps (list them with `%hera runs`)."
        )
    snap, graph = _snapshot(doc)
    status, named_node = _find_step(snap, doc, run_id, step)
    label = _label(status)
    items = fan_items(doc, graph, status.id)
    chosen = _choose_item(items, item, named_node, run_id, label)
    if chosen is not None:
        label = f"{label}[{chosen.index}]"
        child = _item_child(run_id, project, status, chosen)
    else:
        child = status.run_id or child_run_of(run_id, project, status, snap.steps)
    if child is None:
        ran = ", ".join(_label(s) for s in snap.steps if s.run_id or s.phase in ("Running", "Succeeded", "Failed"))
        raise NotFound(
            f"Step '{label}' of run {run_id} has no run yet ({status.state}), so there is nothing to reproduce; "
            + (f"debug a step that ran ({ran})." if ran else "wait until it starts.")
        )
    child_doc = run_doc(child, project)
    spec = child_doc.get("spec") or {}
    ref = parse_exec(spec.get("function"))
    if ref is None or ref.id is None:
        raise DhheraError(
            f"Step '{label}' of run {run_id} does not run a versioned DigitalHub function "
            f"(its run {child} has function {spec.get('function')!r}), so it cannot be reproduced in the kernel."
        )
    if ref.kind not in PYTHON_KINDS:
        raise DhheraError(
            f"Step '{label}' of run {run_id} runs a {ref.kind} function ('{ref.name}'); %hera debug reproduces "
            "python functions only (their handler is called in the kernel)."
        )
    key = f"store://{ref.project}/function/{ref.kind}/{ref.name}:{ref.id}"
    _require_function(key, ref.name, ref.id, ref.project, label, doc)
    inputs = _inputs(spec.get("inputs"), label)
    parameters = dict(spec.get("parameters") or {})
    state = str((child_doc.get("status") or {}).get("state") or "")
    message = (child_doc.get("status") or {}).get("message")
    cells = _cells(
        run_id=run_id,
        project=project,
        label=label,
        child=child,
        key=key,
        inputs=inputs,
        parameters=parameters,
        state=state,
        message=str(message) if message else None,
    )
    return DebugCells(
        run_id=run_id,
        project=project,
        step=label,
        child_run=child,
        function_key=key,
        state=state,
        message=str(message) if message else None,
        cells=cells,
        item=chosen.index if chosen is not None else None,
    )


def _snapshot(doc: Mapping[str, Any]) -> tuple[Any, Any]:
    from dhhera_jupyter.runs.watched import graph_of_run
    from dhhera_jupyter.status import snapshot

    graph = graph_of_run(doc)
    return snapshot(doc, graph), graph


def _item_of(node: Mapping[str, Any]) -> tuple[int, str] | None:
    """``(1, "b")`` for a fan-out item node (display name ``task(1:b)``), None for any other node."""
    from dhhera_jupyter.status.names import base_display_name

    shown = str(node.get("display_name") or "")
    base = base_display_name(shown)
    if base == shown or not shown.endswith(")"):
        return None
    index, colon, value = shown[len(base) + 1 : -1].partition(":")
    return (int(index), value) if colon and index.isdigit() else None


def fan_items(doc: Mapping[str, Any], graph: Any, step_id: str) -> list[FanItem]:
    """The fan-out items of step ``step_id`` in a pipeline run document, by index (empty: it ran once).

    A retried item has several nodes; the last one listed is its latest attempt.
    """
    from dhhera_jupyter.status.mapping import NodeMapper, workflow_name_of

    nodes = [n for n in (doc.get("status") or {}).get("nodes") or [] if isinstance(n, dict)]
    mapper = NodeMapper(graph)
    workflow_name = workflow_name_of(str(doc.get("id") or ""), nodes)
    found: dict[int, FanItem] = {}
    for node in nodes:
        match = mapper.match(node, workflow_name)
        parsed = _item_of(node)
        if match is None or match.primary or match.step != step_id or parsed is None:
            continue
        found[parsed[0]] = FanItem(parsed[0], parsed[1], str(node.get("state") or "Pending"), node)
    return [found[i] for i in sorted(found)]


def _listed(items: list[FanItem]) -> str:
    shown = ", ".join(i.text for i in items[:MAX_LISTED_ITEMS])
    more = len(items) - MAX_LISTED_ITEMS
    return shown + (f" and {more} more" if more > 0 else "")


def _choose_item(
    items: list[FanItem], item: str | None, named: Mapping[str, Any] | None, run_id: str, label: str
) -> FanItem | None:
    """The item to reproduce (see :func:`debug_cells`), None for a step that ran once."""
    wanted = None if item is None else str(item).strip()
    if wanted and wanted.startswith("#") and wanted[1:].isdigit():  # '#1': the index, whatever the values
        by_mark = [i for i in items if str(i.index) == wanted[1:]]
        if by_mark:
            return by_mark[0]
    if wanted and wanted.startswith("="):  # '=1': the value
        wanted_value = wanted[1:]
        by_mark = [i for i in items if i.value == wanted_value]
        if len(by_mark) == 1:
            return by_mark[0]
    if not items:
        if wanted:
            raise BadRequest(
                f"Step '{label}' of run {run_id} is not a fan-out (it ran once), so it has no item {wanted[:40]!r}; "
                "leave out the item."
            )
        return None
    if wanted:
        by_index = [i for i in items if str(i.index) == wanted]
        by_value = [i for i in items if i.value == wanted]
        if by_index and by_value and by_value != by_index:  # with_items=[1, 2, 3]: is "1" item 1 or the value 1?
            raise BadRequest(
                f"Step '{label}' of run {run_id}: item {wanted[:40]!r} is item {by_index[0].index} "
                f"({by_index[0].value}) by index but the value of item {by_value[0].index}; say the index "
                f"with a leading '#' (`--item #{by_index[0].index}`) or the value as '={wanted[:40]}'."
            )
        if by_index or len(by_value) == 1:
            return (by_index or by_value)[0]
        why = f"{len(by_value)} items have the value {wanted[:40]!r}" if by_value else f"no item {wanted[:40]!r}"
        raise NotFound(f"Step '{label}' of run {run_id} has {why}; say its index or value, one of: {_listed(items)}.")
    if named is not None:
        hit = next((i for i in items if i.node.get("id") == named.get("id")), None)
        if hit is not None:
            return hit
    if len(items) == 1:
        return items[0]
    failed = [i for i in items if i.phase in _FAILED_PHASES]
    if len(failed) == 1:
        return failed[0]
    raise BadRequest(
        f"Step '{label}' of run {run_id} is a fan-out that ran {len(items)} times"
        + (f" ({len(failed)} failed)" if failed else "")
        + f"; say which item to reproduce (`%hera debug {run_id} {label} --item N`), one of: {_listed(items)}."
    )


def _item_child(run_id: str, project: str, status: Any, chosen: FanItem) -> str | None:
    """The child run of one fan-out item: the node says it (local core), else the child of the step's function
    whose parameters hold the item's inputs (DHCore leaves ``run_id`` empty; contract §5.3)."""
    if chosen.node.get("run_id"):
        return str(chosen.node["run_id"])
    from dhhera_jupyter.platform.runs import list_runs

    wanted = {str(p.get("name")): str(p.get("value")) for p in chosen.node.get("inputs") or [] if isinstance(p, dict)}
    if not wanted:
        return None
    matches = []
    for run in list_runs(project, limit=200):
        relations = (run.get("metadata") or {}).get("relationships") or []
        if not any(r.get("type") == "step_of" and run_id in str(r.get("dest", "")) for r in relations):
            continue
        spec = run.get("spec") or {}
        if status.function and f"/{status.function}:" not in str(spec.get("function") or ""):
            continue
        given = {str(k): str(v) for k, v in {**(spec.get("parameters") or {}), **(spec.get("inputs") or {})}.items()}
        if all(given.get(k) == v for k, v in wanted.items()):
            matches.append(str(run["id"]))
    return matches[0] if len(matches) == 1 else None


def _label(status: Any) -> str:
    from dhhera_jupyter.status import step_label

    return str(step_label(status.step))


def _find_step(snap: Any, doc: Mapping[str, Any], run_id: str, step: str) -> tuple[Any, Mapping[str, Any] | None]:
    """The step by panel name, task name, or Argo node id / name / display name, and the node named (if any).

    A fan-out item's node (``task(1:b)``) names its step, and the item.
    """
    from dhhera_jupyter.status.names import base_display_name

    try:
        return snap.step(step), None
    except KeyError:
        pass
    for node in (doc.get("status") or {}).get("nodes") or []:
        if isinstance(node, dict) and step in (node.get("id"), node.get("name")):
            shown = str(node.get("display_name") or "")
            try:
                return snap.step(base_display_name(shown) if _item_of(node) else shown), node
            except KeyError:
                break
    names = ", ".join(_label(s) for s in snap.steps) or "none"
    raise NotFound(f"Run {run_id} has no step '{step}'; its steps are: {names}.")


def _require_function(key: str, name: str, version: str, project: str, label: str, doc: Mapping[str, Any]) -> None:
    """Check the function version the step ran still exists (the cells fetch exactly it)."""
    dh = sdk()
    workflow = parse_exec((doc.get("spec") or {}).get("workflow"))
    again = f"`%hera run {workflow.name} --build`" if workflow else "a rebuild and a new run of its workflow"
    missing = (
        f"Function '{name}' version {version}, which step '{label}' ran, no longer exists in project '{project}' "
        f"({key}); the step cannot be reproduced with the code it ran. Start a new run on the current version "
        f"({again}) and debug that run's step."
    )
    with sdk_errors(not_found=missing):
        found = dh.get_function(key)
    if str(getattr(found, "id", version)) != version:  # a backend that answered with another version
        raise NotFound(missing)


def _inputs(raw: Any, label: str) -> dict[str, tuple[str, str]]:
    """Input name -> (SDK getter, entity key), from the child run's ``spec.inputs``."""
    out: dict[str, tuple[str, str]] = {}
    for name, key in dict(raw or {}).items():
        ref = parse_key(key)
        getter = _GETTERS.get(ref.type) if ref is not None else None
        if getter is None:
            raise DhheraError(
                f"Input '{name}' of step '{label}' is {key!r}, not a dataitem, artifact or model key; "
                "the cells can only fetch entities by key."
            )
        out[str(name)] = (getter, str(key))
    return out


def _literal(value: Any) -> str:
    """A Python literal of JSON data, wrapped at 100 columns."""
    return pprint.pformat(value, width=100, sort_dicts=False)


def _magic_step(label: str) -> str:
    """``each[1]`` -> ``each --item 1``: the magic that writes the cells of a fan-out item."""
    match = re.fullmatch(r"(.+)\[(\d+)\]", label)
    return f"{match.group(1)} --item {match.group(2)}" if match else label


def _cells(
    *,
    run_id: str,
    project: str,
    label: str,
    child: str,
    key: str,
    inputs: Mapping[str, tuple[str, str]],
    parameters: Mapping[str, Any],
    state: str,
    message: str | None,
) -> list[str]:
    folder = f"{SOURCE_FOLDER}/{_UNSAFE.sub('_', run_id)[:12]}-{_UNSAFE.sub('_', label)[:60] or 'step'}"
    outcome = f"{state}: {message}" if message else state
    header = (
        f"# %hera debug {run_id} {_magic_step(label)}\n# The step ran in run {child}: {outcome.splitlines()[0][:100]}"
    )
    fetch = "\n".join(
        [
            header,
            "# 1/3 The function version the step ran, fetched by key; its source is written to a folder and its",
            "# handler imported, as the python runtime does (edit the file and run this cell again to try a fix).",
            "from pathlib import Path",
            "",
            "import digitalhub as dh",
            "from digitalhub_runtime_python.utils.configuration import import_function_from_source",
            "",
            f"step_function = dh.get_function({key!r})",
            f"step_source = Path({folder!r})",
            "step_handler = import_function_from_source(step_source, step_function.spec.to_dict()['source'])",
            "# A handler decorated with @handler(outputs=...) logs its outputs to the run: call the plain function.",
            "step_call = getattr(step_handler, '__wrapped__', step_handler)",
            "print(f'{step_function.name}:{step_function.id} -> {step_call.__name__} in {step_source.resolve()}')",
        ]
    )
    entity_lines = [f"    {name!r}: dh.{getter}({entity!r})," for name, (getter, entity) in inputs.items()]
    fetch_inputs = "\n".join(
        [
            "# 2/3 The step's inputs as it got them: entities fetched by key, and its parameter values.",
            "step_inputs = {" + ("\n" + "\n".join(entity_lines) + "\n}" if entity_lines else "}"),
            f"step_parameters = {_literal(dict(parameters))}",
        ]
    )
    call = "\n".join(
        [
            "# 3/3 The call the runtime makes: parameters and inputs as keyword arguments, plus `project` and `run`",
            "# when the handler declares them (`run` is the step's own run: what the handler logs on it goes there).",
            "import inspect",
            "",
            "step_kwargs = {**step_parameters, **step_inputs}",
            "step_accepts = inspect.signature(step_call).parameters",
            "if 'project' in step_accepts:",
            f"    step_kwargs['project'] = dh.get_project({project!r})",
            "if 'run' in step_accepts:",
            f"    step_kwargs['run'] = dh.get_run({child!r}, project={project!r})",
            "step_result = step_call(**step_kwargs)",
            "step_result",
        ]
    )
    return [fetch, fetch_inputs, call]
