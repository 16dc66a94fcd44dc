"""Promote a hera workflow to another DigitalHub: the workflow, the exact function versions its build runs and,
optionally, the dataitems it reads, copied through the SDK from the backend in use, then built there.

A push plans first and writes second, so that bad input never leaves anything half-copied:

1. *read* the source (the backend in use, through the SDK's global client): the workflow's latest version (it
   must be a built hera workflow), every function version its build names (``--entity`` keys), the dataitems
   its build names, and their files (downloaded into a temporary folder);
2. *check* the target (its own SDK client, :mod:`.target`): it answers, it
   accepts the credentials, and what it already holds — each entity is then *unchanged* (same spec),
   *to copy*, or a *conflict* (a workflow of that name with another spec: refused unless ``force``);
3. *write*, in dependency order: the project when missing, functions, dataitems (files first, through the SDK's
   S3 store), the workflow, then build it there (a ``hera+build`` task and run, as ``workflow.run("build")``
   posts them) and wait for the build. If any write fails, everything this push created is deleted again,
   newest first, and the error says so.

Ids are kept (a copy is the same version, with the same key) unless the target already uses one; a function
is copied only when the target's latest version of that name has another spec, because a build binds each
step to the latest version of its function by name.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.errors import BackendUnreachable, DhheraError
from dhhera_jupyter.platform.backend import backend, probe
from dhhera_jupyter.platform.promote.calls import EntityCalls, source_calls, target_errors
from dhhera_jupyter.platform.promote.plan import (
    Item,
    Plan,
    build_parameters,
    check_target,
    data_keys,
    dataitems,
    functions,
    workflow,
)
from dhhera_jupyter.platform.promote.target import Target, client
from dhhera_jupyter.platform.promote.write import Writer

Echo = Callable[[str], None]


@dataclass
class PushResult:
    """What a push did.

    Attributes
    ----------
    lines : list of str
        One line per entity (and the build), as printed.
    copied, unchanged : int
        How many entities were written, and how many the target already had.
    build_run : str or None
        Id of the build run on the target (None when the target's build was already current).
    """

    lines: list[str]
    copied: int
    unchanged: int
    build_run: str | None
    summary: str = ""


def _probe(target: Target) -> None:
    try:
        probe(target.endpoint)
    except BackendUnreachable as exc:
        reason = str(exc).split("(", 1)[-1].split(")", 1)[0]
        raise BackendUnreachable(
            f"The DigitalHub at {target.endpoint} does not answer ({reason}); check the address. Nothing was copied."
        ) from None


def push(
    name: str,
    target: Target,
    *,
    project: str | None = None,
    with_data: bool = False,
    force: bool = False,
    echo: Echo | None = None,
) -> PushResult:
    """Copy workflow ``name`` (kind hera) and the function versions its build runs, and with ``with_data`` the
    dataitems it reads, from the backend in use to ``target``, then build it there.

    Parameters
    ----------
    name : str
        The workflow (its latest version, which must have been built).
    target : Target
        Where to, with which credentials (:func:`.target.target`).
    project : str, optional
        Project, the same on both sides (default: the backend's default project).
    with_data : bool
        Also copy the dataitems the build names (entity and files).
    force : bool
        Add the workflow as a new version when the target has one of that name with another spec.
    echo : callable, optional
        Called with each line as it is done.

    Raises
    ------
    DhheraError
        Bad input, an unreachable target, refused credentials, a conflict, or a failed write (after removing
        what the push had created).
    """
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if echo is not None:
            echo(line)

    current = backend()
    project = project or current.project
    if target.endpoint.rstrip("/") == current.endpoint.rstrip("/"):
        raise DhheraError(
            f"{target.endpoint} is the backend in use; push copies to another DigitalHub (give its endpoint or "
            "profile with --to)."
        )
    src = source_calls()
    folder = Path(tempfile.mkdtemp(prefix="dhhera-push-"))
    try:
        doc = workflow(src, name, project)
        spec = build_spec(doc) or {}
        plan = Plan(
            name,
            project,
            target,
            Item("workflow", doc),
            functions(src, name, project, spec),
            [],
            build_parameters(src, project, doc),
        )
        if with_data and (missing := target.missing_store_settings()) and data_keys(spec, []):
            raise DhheraError(
                f"--with-data needs the object store of {target.endpoint}, and {target.origin} lacks "
                f"{', '.join(missing)}; push with an ini profile that has them. Nothing was copied."
            )
        _probe(target)  # before any data is downloaded
        plan.dataitems = dataitems(src, name, spec, with_data, folder)
        with target_errors(target, "connecting"):
            dst = EntityCalls(client(target))
        check_target(dst, plan, force)
        writer = Writer(plan, dst, say)
        try:
            build_run = writer.write()
        except Exception as exc:
            what = writer.undo()
            reason = str(exc) if isinstance(exc, DhheraError) else f"{type(exc).__name__}: {exc}"
            raise DhheraError(f"Pushing '{name}' failed: {reason.rstrip('.')}; {what}.") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    copied = sum(i.action in ("copy", "new version") for i in plan.items)
    unchanged = sum(i.action == "unchanged" for i in plan.items)
    state = f"built (run {build_run})" if build_run else "already built there"
    summary = (
        f"Pushed '{name}' to {target.endpoint}, project '{project}': {copied} copied, {unchanged} unchanged, {state}. "
        f"See it there: %hera use {target.given or target.endpoint} then %hera show {name} --project {project}."
        if copied
        else f"Nothing to copy: '{name}' and what it uses are unchanged on {target.endpoint} "
        f"(project '{project}', {state})."
    )
    say(summary)
    return PushResult(lines, copied, unchanged, build_run, summary)


__all__ = ["Item", "Plan", "PushResult", "push"]
