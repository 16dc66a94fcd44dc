"""The Python twins of the magics — ``register``, ``build``, ``show``, ``preview``, ``use``, ``status`` — and the
steps they share. The magics parse their arguments and call these; errors are our own types here, and
become ``UsageError`` only at the magic boundary.
"""

from __future__ import annotations

import ast
import inspect
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dhhera_jupyter import platform
from dhhera_jupyter.errors import BuildError, NotBuilt, PipelineError
from dhhera_jupyter.magics.capture import NOTHING_REGISTERED, CapturedSource, execute, find_handler, parse
from dhhera_jupyter.magics.display import BuildProgress
from dhhera_jupyter.magics.handle import PipelineHandle
from dhhera_jupyter.magics.run import graph_of
from dhhera_jupyter.magics.validate import (
    bound_parameters,
    call_handler,
    check_parameter_names,
    check_step_forms,
    check_templates,
    check_workflow_parameters,
)


@dataclass
class Checked:
    """A pipeline that passed every check in the kernel, ready to register."""

    captured: CapturedSource
    handler: str
    workflow: Any  # hera.workflows.Workflow
    spec: dict
    graph: Any  # PipelineGraph
    arguments: tuple[str, ...] = ()  # build parameters the handler takes as arguments (def pipeline(url))


def check_pipeline(
    source: str,
    *,
    project: str,
    handler: str | None = None,
    namespace: dict[str, Any] | None = None,
    where: str = "the cell",
    line_offset: int = 0,
    label: str = "pipeline",
    parameters: dict[str, Any] | None = None,
) -> Checked:
    """Parse, run and check a pipeline's source, calling its handler as the build will.

    Parameters
    ----------
    source : str
        Python source defining the handler.
    project : str
        Project whose functions the steps name (it is created if missing).
    handler : str, optional
        Handler name; by default the single function of the source that builds a ``Workflow``.
    namespace : dict, optional
        Where the source runs (the notebook's namespace for the cell magic); a fresh one by default.
    where, line_offset, label
        How messages name the source, and lines in front of it (1 for a cell magic).
    parameters : dict, optional
        Build parameters: those naming an argument of the handler are passed to it, as the build does.

    Raises
    ------
    PipelineError
        Syntax error, no or ambiguous handler, a failing handler, a wrong step() form or function,
        a result that is not a Hera Workflow, an invalid DAG (cycle...).
    BackendUnreachable
        The backend does not answer.
    """
    platform.sdk()
    platform.get_project(project)
    captured = parse(source, where=where, line_offset=line_offset, label=label)
    check_step_forms(captured)
    execute(captured, namespace if namespace is not None else {"__name__": "__dhhera_pipeline__"})
    name, fn = find_handler(captured, handler)
    workflow = call_handler(captured, name, fn, project, parameters)
    manifest = workflow.to_dict()
    spec = manifest.get("spec", manifest)
    check_templates(spec)
    check_workflow_parameters(spec)
    check_parameter_names(name, fn, spec, parameters)
    try:
        graph = graph_of(manifest)
    except PipelineError as exc:
        raise PipelineError(f"{str(exc).rstrip('.')}; {NOTHING_REGISTERED}.") from exc
    return Checked(captured, name, workflow, spec, graph, tuple(bound_parameters(fn, parameters or {})))


def register_pipeline(
    name: str,
    source: str | None,
    *,
    handler: str | None = None,
    project: str | None = None,
    description: str | None = None,
    labels: list[str] | None = None,
    code_src: str | None = None,
    namespace: dict[str, Any] | None = None,
    where: str = "the cell",
    line_offset: int = 0,
    preview: bool = False,
    build: bool = False,
    parameters: dict[str, Any] | None = None,
) -> PipelineHandle:
    """Check a pipeline in the kernel, then create (or update) workflow ``name``; optionally preview or build it.

    With ``source`` None, ``code_src`` must be a remote URI: it is registered as is, without checks.
    """
    project = project or platform.backend().project
    checked = None
    if source is not None:
        checked = check_pipeline(
            source,
            project=project,
            handler=handler,
            namespace=namespace,
            where=where,
            line_offset=line_offset,
            label=name,
            parameters=parameters,
        )
        handler = checked.handler
    elif not handler:
        raise PipelineError(f"A pipeline registered from {code_src} needs --handler NAME; {NOTHING_REGISTERED}.")
    workflow, created = platform.register_workflow(
        name, source=source, handler=handler, project=project, description=description, labels=labels, code_src=code_src
    )
    handle = PipelineHandle(name=name, project=project, workflow=workflow, created=created)
    if checked is not None:
        handle.build_arguments = checked.arguments
    if preview and checked is not None:
        handle.spec, handle.graph, handle.source = checked.spec, checked.graph, "preview"
    if build:
        build_into(handle, parameters)
    return handle


def run_registered(
    handle: PipelineHandle, parameters: dict[str, Any] | None, *, wait: bool = False, built: bool = False
) -> Any:
    """``%%hera_pipeline --run``: build when the cell made a new version (or no build exists), then run.

    The build's spec is decoded once and its graph drawn once: the handle's, when this cell built it.
    Returns the run panel (or the watched run outside a notebook).
    """
    from dhhera_jupyter.magics.run import watch_new_run
    from dhhera_jupyter.platform.pipeline_runs import declared_parameters, run_target

    if not built:
        spec = None if handle.created else platform.built_spec(handle.workflow)
        if spec is None:
            build_into(handle, parameters)
        else:
            handle.spec, handle.graph, handle.source = spec, graph_of(spec), "build"
    assert handle.spec is not None  # a completed build_into always leaves its spec
    target = run_target(handle.name, handle.project, workflow=handle.workflow, spec=handle.spec)
    # -p values the handler took as arguments (def pipeline(url)) were for the build; the run gets the others.
    declared = declared_parameters(handle.spec)
    run_parameters = {k: v for k, v in (parameters or {}).items() if k in declared or k not in handle.build_arguments}
    return watch_new_run(target, handle.graph, run_parameters, wait=wait)


def build_into(handle: PipelineHandle, parameters: dict[str, Any] | None = None) -> PipelineHandle:
    """Build the handle's workflow with progress shown, then draw the DAG from the built spec.

    Raises
    ------
    BuildError
        The build failed; it carries the handle (the workflow is registered: the magic still stores it).
    """
    progress = BuildProgress(handle.name)
    started = time.monotonic()
    try:
        run = platform.build(handle.workflow, parameters, on_progress=progress)
    except BuildError as err:
        failed: Any = err.run  # the SDK's build run, when the build got that far
        handle.build_run = failed
        progress.finish(str(failed.status.state) if failed is not None else "ERROR", time.monotonic() - started)
        raise BuildError(str(err), run=err.run, log_tail=err.log_tail, handle=handle) from err
    progress.finish("COMPLETED", time.monotonic() - started)
    handle.build_run = run
    with platform.sdk_errors():
        handle.workflow.refresh()
    spec = platform.built_spec(handle.workflow) or platform.built_manifest(run)
    if spec is None:
        raise BuildError(
            f"The build of workflow '{handle.name}' completed but left no Argo spec (run {run.id}); see its logs.",
            run=run,
            handle=handle,
        )
    handle.spec, handle.graph, handle.source = spec, graph_of(spec), "build"
    return handle


def _file_source(code_src: str) -> str | None:
    """The text of a local ``.py`` file, None for a remote URI; a missing local file is an error."""
    if "://" in code_src and not code_src.startswith("file://"):
        return None
    path = Path(code_src.removeprefix("file://")).expanduser()
    if not path.is_file():
        raise PipelineError(f"The file '{code_src}' does not exist; {NOTHING_REGISTERED}.")
    if path.suffix != ".py":
        return None  # an archive or a folder: the SDK uploads it
    return path.read_text(encoding="utf-8")


# -- the twins -----------------------------------------------------------------------------------


def register(
    name: str,
    code: Any = None,
    *,
    handler: str | None = None,
    code_src: str | None = None,
    project: str | None = None,
    description: str | None = None,
    labels: list[str] | None = None,
    preview: bool = False,
    build: bool = False,
    parameters: dict[str, Any] | None = None,
) -> PipelineHandle:
    """Register a Hera pipeline as DigitalHub workflow ``name`` (twin of ``%%hera_pipeline`` / ``%hera register``).

    Parameters
    ----------
    name : str
        Workflow name.
    code : str or callable, optional
        The pipeline's source text, or its handler function (its module's source is registered).
    handler : str, optional
        Handler name (default: found in the source).
    code_src : str, optional
        A ``.py`` file, or a URI the backend can read (registered unchecked), instead of ``code``.
    project, description, labels : optional
        Project (default: the backend's) and metadata.
    preview, build, parameters : optional
        Draw the DAG from the kernel's Workflow, or build and draw the built DAG.

    Returns
    -------
    PipelineHandle

    Examples
    --------
    >>> import dhhera_jupyter as dj
    >>> dj.register("etl", code_src="pipeline.py", handler="pipeline", build=True)  # doctest: +SKIP
    """
    where = "the source"
    if callable(code):
        module = inspect.getmodule(code)
        try:
            source = inspect.getsource(module) if module is not None else None
        except (OSError, TypeError):
            source = None
        if module is None or not source:
            raise PipelineError(
                f"The source of {code.__name__} cannot be read (defined in a notebook?); pass its "
                f"source text or use %%hera_pipeline; {NOTHING_REGISTERED}."
            )
        handler = handler or code.__name__
        where = f"module '{module.__name__}'"
    elif code is not None:
        source = str(code)
    elif code_src:
        source = _file_source(code_src)
        where = f"file '{code_src}'"
    else:
        raise PipelineError(f"Give the pipeline's source (code=...) or a file (code_src=...); {NOTHING_REGISTERED}.")
    return register_pipeline(
        name,
        source,
        handler=handler,
        project=project,
        description=description,
        labels=labels,
        code_src=code_src,
        where=where,
        preview=preview,
        build=build,
        parameters=parameters,
    )


def build(name: str, parameters: dict[str, Any] | None = None, *, project: str | None = None) -> PipelineHandle:
    """Build workflow ``name`` (registered earlier) and draw the DAG of the built spec (twin of ``%hera build``)."""
    project = project or platform.backend().project
    workflow = platform.get_workflow(name, project)
    handle = PipelineHandle(name=name, project=project, workflow=workflow)
    return build_into(handle, parameters)


def show(name: str, *, project: str | None = None) -> PipelineHandle:
    """The DAG of workflow ``name``'s last build (twin of ``%hera show``)."""
    project = project or platform.backend().project
    workflow = platform.get_workflow(name, project)
    spec = platform.built_spec(workflow)
    if spec is None:
        raise NotBuilt(name, project)
    graph = graph_of(spec)
    return PipelineHandle(name=name, project=project, workflow=workflow, spec=spec, graph=graph, source="build")


def preview(
    pipeline: Any, *, handler: str | None = None, project: str | None = None, name: str | None = None
) -> PipelineHandle:
    """Draw a pipeline's DAG without registering or building it.

    Parameters
    ----------
    pipeline : hera Workflow, callable or str
        A Workflow object, its handler function (called with no arguments), or source text.
    """
    from hera.workflows import Workflow

    project = project or platform.backend().project
    if isinstance(pipeline, Workflow):
        manifest = pipeline.to_dict()
        label = name or pipeline.name or "pipeline"
    elif callable(pipeline):
        platform.sdk()
        platform.get_project(project)
        code = pipeline.__code__
        captured = CapturedSource(
            "", f"function '{pipeline.__name__}'", code.co_filename, 0, ast.Module(body=[], type_ignores=[])
        )
        manifest = call_handler(captured, pipeline.__name__, pipeline, project).to_dict()
        label = name or pipeline.__name__
    elif isinstance(pipeline, str):
        checked = check_pipeline(pipeline, project=project, handler=handler, where="the source")
        manifest, label = checked.spec, name or checked.handler
    else:
        raise PipelineError(
            f"preview() takes a Hera Workflow, its handler or source text, not {type(pipeline).__name__}."
        )
    spec = manifest.get("spec", manifest)
    return PipelineHandle(name=label, project=project, spec=spec, graph=graph_of(manifest), source="preview")


def use(target: str) -> platform.Backend:
    """Switch the backend: ``"local"`` or an ``http(s)://`` DigitalHub endpoint (twin of ``%hera use``)."""
    return platform.use(target)


def status() -> platform.Backend:
    """The backend, project and versions in use (twin of ``%hera status``)."""
    return platform.backend()


__all__ = ["build", "preview", "register", "show", "status", "use"]
