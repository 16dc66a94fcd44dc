"""Cells that reproduce one step of a pipeline run in the kernel: its function version, its inputs, its call.

The one place that writes them: ``%hera debug``, the run panel's and the sidebar's "Debug in notebook"
all call :func:`debug_cells`. The cells hold only SDK calls and literals read from the step's child run
(the function key with its version, the input entity keys, the parameter values), so they run the same
against the local core and a DigitalHub platform. The call mirrors ``digitalhub_runtime_python``'s job
runtime: ``{**parameters, **inputs}`` as keyword arguments, inputs as entity objects, plus ``project``
and ``run`` when the handler declares them.
"""

from __future__ import annotations

import pprint
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.keys import parse_exec, parse_key
from dhhera_jupyter.errors import DhheraError, NotFound
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
    """

    run_id: str
    project: str
    step: str
    child_run: str
    function_key: str
    state: str
    message: str | None = None
    cells: list[str] = field(default_factory=list)

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
        }


def debug_cells(run_id: str, step: str, project: str | None = None) -> DebugCells:
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

    Returns
    -------
    DebugCells

    Raises
    ------
    NotFound
        No such run, no such step (the message lists the steps), a step without a run yet, or a function
        version that no longer exists.
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
    snap = _snapshot(doc)
    status = _find_step(snap, doc, run_id, step)
    label = _label(status)
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
    )


def _snapshot(doc: Mapping[str, Any]) -> Any:
    from dhhera_jupyter.runs.watched import graph_of_run
    from dhhera_jupyter.status import snapshot

    return snapshot(doc, graph_of_run(doc))


def _label(status: Any) -> str:
    from dhhera_jupyter.status import step_label

    return str(step_label(status.step))


def _find_step(snap: Any, doc: Mapping[str, Any], run_id: str, step: str) -> Any:
    """The step by panel name, task name, or Argo node id / name / display name."""
    try:
        return snap.step(step)
    except KeyError:
        pass
    for node in (doc.get("status") or {}).get("nodes") or []:
        if isinstance(node, dict) and step in (node.get("id"), node.get("name")):
            shown = str(node.get("display_name") or "")
            try:
                return snap.step(shown)
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
    header = f"# %hera debug {run_id} {label}\n# The step ran in run {child}: {outcome.splitlines()[0][:100]}"
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
