"""Check a pipeline before registering it: static step() form, call the handler in the kernel, explain failures.

The handler runs exactly as the build will run it: no arguments, ``PROJECT_NAME`` set to the project
(``dsl.step`` resolves function names against the backend), and a fresh Hera context (a failing
``step()`` leaves Hera's context stack inconsistent otherwise).
"""

from __future__ import annotations

import ast
import contextvars
import difflib
import functools
import inspect
import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from importlib import metadata
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.errors import DhheraError, PipelineError
from dhhera_jupyter.magics.capture import NOTHING_REGISTERED, CapturedSource, line_in, step_calls

_env_lock = threading.Lock()


def runtime_version() -> str:
    try:
        return metadata.version("digitalhub-runtime-hera")
    except metadata.PackageNotFoundError:
        return "?"


def installed_inputs_form() -> str:
    """``"dict"`` when the installed ``dsl.step`` takes ``inputs={name: value}``, ``"list"`` for the older
    ``inputs=[names]`` with ``parameters={name: value}``."""
    from digitalhub_runtime_hera import dsl

    try:
        src = inspect.getsource(dsl.step)
    except (OSError, TypeError):
        return "dict"
    return "dict" if "inputs.keys()" in src or "inputs.items()" in src else "list"


def _old_form_message(lineno: int | None, captured: CapturedSource) -> str:
    return (
        f"step(){captured.at(lineno)} uses the older form inputs=[...] with parameters={{...}}, but the "
        f"installed digitalhub-runtime-hera {runtime_version()} expects inputs={{name: value}}, e.g. "
        f'step(..., inputs={{"di": a.get_parameter("out")}}); {NOTHING_REGISTERED}.'
    )


def check_step_forms(captured: CapturedSource) -> None:
    """Reject ``step()`` calls written for another ``inputs`` form than the installed runtime's."""
    form = installed_inputs_form()
    for call in step_calls(captured):
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        inputs = kw.get("inputs")
        if form == "dict" and (isinstance(inputs, (ast.List, ast.Tuple)) or "parameters" in kw):
            raise PipelineError(_old_form_message(call.lineno, captured))
        if form == "list" and isinstance(inputs, ast.Dict):
            raise PipelineError(
                f"step(){captured.at(call.lineno)} passes inputs={{name: value}}, but the installed "
                f"digitalhub-runtime-hera {runtime_version()} expects inputs=[names] with parameters={{name: value}}; "
                f"{NOTHING_REGISTERED}."
            )


@contextmanager
def _pipeline_env(project: str):
    """The environment of a build process, for the duration of the call (PROJECT_NAME, workflow image)."""
    with _env_lock:
        saved = {k: os.environ.get(k) for k in ("PROJECT_NAME", "DHCORE_WORKFLOW_IMAGE")}
        os.environ["PROJECT_NAME"] = project
        os.environ.setdefault("DHCORE_WORKFLOW_IMAGE", settings.WORKFLOW_IMAGE)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _call_isolated(fn: Callable[[], Any]) -> Any:
    try:
        from hera.workflows import _context as hera_context

        hera_context._pieces.set(None)  # a fresh stack of with-blocks, in this copied context only
    except (ImportError, AttributeError):  # pragma: no cover - other Hera versions
        pass
    return fn()


def call_handler(
    captured: CapturedSource,
    name: str,
    fn: Callable[..., Any],
    project: str,
    parameters: Mapping[str, Any] | None = None,
) -> Any:
    """Call the handler as the build does and return its Hera ``Workflow``.

    The build binds its parameters to the handler's arguments by name (``def pipeline(url)`` built with
    ``-p url=…``), so ``parameters`` are bound here the same way; an argument without a default and without a
    value is refused before anything runs.

    Raises
    ------
    PipelineError
        With one sentence for each known mistake (see :func:`explain`).
    """
    from hera.workflows import Workflow

    values = bound_parameters(fn, parameters or {})
    required = [p for p in _required_parameters(fn) if p not in values]
    if required:
        flags = " ".join(f"-p {p}=VALUE" for p in required)
        raise PipelineError(
            f"The handler '{name}' takes required arguments ({', '.join(required)}), but the build gives it no "
            f"value for them; pass them as build parameters ({flags}: the build binds them by name), give them "
            f"defaults, or use workflow parameters (Workflow(arguments={{...}})); {NOTHING_REGISTERED}."
        )
    try:
        with _pipeline_env(project):
            result = contextvars.copy_context().run(_call_isolated, functools.partial(fn, **values))
    except DhheraError:
        raise
    except Exception as exc:
        raise explain(exc, captured, name, project) from exc
    if not isinstance(result, Workflow):
        got = (
            "None (is `return w` missing?)"
            if result is None
            else f"a {type(result).__module__}.{type(result).__name__}"
        )
        raise PipelineError(
            f"The handler '{name}' returned {got}, not a hera.workflows.Workflow; {NOTHING_REGISTERED}."
        )
    return result


def _empty(template: Mapping[str, Any]) -> bool:
    from dhhera_jupyter.documents.argo import template_kind

    kind = template_kind(template)
    if kind == "dag":
        body = template.get("dag")
        return not (isinstance(body, Mapping) and body.get("tasks"))
    if kind == "steps":
        return not template.get("steps")
    return kind == "unknown"


def check_templates(spec: Mapping[str, Any]) -> None:
    """Refuse a template with nothing to run: an empty ``with DAG(...)`` block gives ``dag: {tasks: []}``, which the
    build stores as a template without any section, so the run would fail on it and the diagram show one unknown
    step."""
    for template in spec.get("templates") or []:
        if isinstance(template, Mapping) and _empty(template):
            raise PipelineError(
                f"Template '{template.get('name')}' has nothing to run (an empty `with DAG(...)` or `with Steps(...)` "
                f"block?); add step(...) calls inside it; {NOTHING_REGISTERED}."
            )


#: ``{{workflow.parameters.NAME}}`` in a template (``workflow.parameters.json`` is Argo's own: all of them as JSON).
_WORKFLOW_PARAMETER = re.compile(r"\{\{\s*workflow\.parameters\.([A-Za-z0-9_-]+)\s*\}\}")


def _declared(spec: Mapping[str, Any]) -> list[str]:
    arguments = spec.get("arguments")
    params = arguments.get("parameters") if isinstance(arguments, Mapping) else None
    return [str(p.get("name")) for p in params or [] if isinstance(p, Mapping)]


def check_parameter_names(
    name: str, fn: Callable[..., Any], spec: Mapping[str, Any], parameters: Mapping[str, Any] | None
) -> None:
    """Refuse a ``-p`` that names neither an argument of the handler (the build's) nor a workflow parameter (the
    run's): nothing would read it, so it is a typo the user would otherwise never hear about."""
    declared = _declared(spec)
    taken = bound_parameters(fn, parameters or {})
    for key in parameters or {}:
        if key not in taken and key not in declared:
            raise PipelineError(
                f"-p {key}=… names neither an argument of the handler '{name}' nor a parameter of the workflow "
                f"(its parameters: {', '.join(declared) or 'none'}); fix the name or drop it; {NOTHING_REGISTERED}."
            )


def check_workflow_parameters(spec: Mapping[str, Any]) -> None:
    """Refuse a reference to a workflow parameter the workflow does not declare: Argo refuses such a workflow at
    submission, and the local runner could only fail that step at run time."""
    declared = _declared(spec)
    for template in spec.get("templates") or []:
        if not isinstance(template, Mapping):
            continue
        for name in _WORKFLOW_PARAMETER.findall(json.dumps(template, default=str)):
            if name != "json" and name not in declared:
                raise PipelineError(
                    f"Template '{template.get('name')}' uses {{{{workflow.parameters.{name}}}}}, but the workflow "
                    f"declares no parameter '{name}' (its parameters: {', '.join(declared) or 'none'}); declare it "
                    f"in Workflow(arguments=...) or fix the name; {NOTHING_REGISTERED}."
                )


def bound_parameters(fn: Callable[..., Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The build parameters that name an argument of ``fn`` (the others are the workflow's, not the handler's)."""
    try:
        names = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    return {
        key: value
        for key, value in parameters.items()
        if key in names and names[key].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }


def _required_parameters(fn: Callable[..., Any]) -> list[str]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in sig.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _dsl_frames(exc: BaseException) -> dict[str, dict[str, Any]]:
    """Locals of the ``digitalhub_runtime_hera.dsl`` frames in the traceback, by function name."""
    out = {}
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.replace("\\", "/").endswith("digitalhub_runtime_hera/dsl.py"):
            out[code.co_name] = dict(tb.tb_frame.f_locals)
        tb = tb.tb_next
    return out


def explain(exc: BaseException, captured: CapturedSource, name: str, project: str) -> DhheraError:
    """One sentence for an exception raised by the handler."""
    from dhhera_jupyter.platform import translate
    from dhhera_jupyter.platform.sdk_errors import unreachable

    lineno = line_in(exc, captured.filename)
    at = captured.at(lineno)
    frames = _dsl_frames(exc)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, (ConnectionError, TimeoutError)):
            return unreachable(cause)
        cause = cause.__cause__
    if "step" in frames:
        local = frames["step"]
        if "inner_ctx" not in local or "can only be called inside a DAG or Steps" in str(exc):
            return PipelineError(
                f"step(){at} is called outside a `with DAG(...)` or `with Steps(...)` block; "
                f"put it inside one; {NOTHING_REGISTERED}."
            )
        if isinstance(local.get("inputs"), (list, tuple)) and installed_inputs_form() == "dict":
            return PipelineError(_old_form_message(lineno, captured))
    if "container_template" in frames and "not found" in str(exc):
        function = frames["container_template"].get("function")
        return PipelineError(_unknown_function(function, project, at))
    ours = translate(exc)
    if ours is not None:
        return ours
    return PipelineError(f"The handler '{name}' raised {type(exc).__name__}: {exc}{at}; {NOTHING_REGISTERED}.")


def _unknown_function(function: Any, project: str, at: str) -> str:
    from dhhera_jupyter.platform import sdk, sdk_errors

    names: list[str] = []
    try:
        with sdk_errors():
            names = sorted({f.name for f in sdk().list_functions(project)})
    except DhheraError:
        pass
    close = difflib.get_close_matches(str(function), names, n=3, cutoff=0.5)
    if close:
        hint = f"close matches: {', '.join(close)}"
    elif names:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        hint = f"functions in the project: {shown}"
    else:
        hint = "the project has no functions yet (create them with project.new_function(...))"
    return (
        f"step(){at} names function '{function}', which does not exist in project '{project}'; {hint}; "
        f"{NOTHING_REGISTERED}."
    )
