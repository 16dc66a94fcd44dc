"""Pipeline runs through the SDK: the one "start a pipeline run" use case (a built target, checked parameters and
task options, submit), stop, find a step's child run."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.keys import parse_exec, workflow_key
from dhhera_jupyter.documents.states import FINISHED_RUN_STATES
from dhhera_jupyter.errors import Conflict, DhheraError, NotBuilt, NotFound
from dhhera_jupyter.platform.backend import backend, sdk
from dhhera_jupyter.platform.runs import build as build_workflow
from dhhera_jupyter.platform.sdk_errors import sdk_errors
from dhhera_jupyter.platform.workflows import built_spec, get_workflow

#: Run states after which a run cannot be stopped.
FINISHED_STATES = FINISHED_RUN_STATES

#: Task options of ``workflow.run(...)`` and what each takes (seed document, "Task parameters").
TASK_OPTIONS = {
    "envs": list,
    "secrets": list,
    "profile": str,
    "resources": dict,
    "volumes": list,
    "node_selector": list,
    "tolerations": list,
    "affinity": dict,
}

#: Task options the SDK 0.15 run spec keeps; the others are only meaningful to a newer platform.
SDK_KEPT_OPTIONS = frozenset({"envs", "secrets", "profile", "resources", "volumes"})

_SCALARS = (str, int, float, bool)


def declared_parameters(spec: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The workflow arguments of a built Argo spec: name -> ``{"default": value or None, "enum": [...] or None}``."""
    spec = spec or {}
    if isinstance(spec.get("spec"), dict) and "templates" not in spec:
        spec = spec["spec"]
    arguments = section(spec, "arguments")
    out: dict[str, dict[str, Any]] = {}
    for param in arguments.get("parameters") or []:
        if isinstance(param, dict) and param.get("name") is not None:
            value = param.get("value", param.get("default"))
            enum = param.get("enum")
            out[str(param["name"])] = {
                "default": None if value is None else str(value),
                "enum": [str(e) for e in enum] if isinstance(enum, list) else None,
            }
    return out


def check_parameters(
    workflow: str, declared: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate run parameters against the workflow's arguments; return the parameters to send.

    Parameters
    ----------
    workflow : str
        Workflow name (for messages).
    declared : mapping
        From :func:`declared_parameters`.
    given : mapping
        Parameters of the run.

    Raises
    ------
    DhheraError
        Naming the parameter: one the workflow does not declare, a required one (no default)
        missing, a value that is not a string/number/boolean, or one outside the declared ``enum``.
    """
    unknown = [k for k in given if k not in declared]
    if unknown:
        known = ", ".join(declared) or "none"
        raise DhheraError(f"Workflow '{workflow}' has no parameter '{unknown[0]}' (its parameters: {known}).")
    missing = [k for k, d in declared.items() if d.get("default") is None and given.get(k) is None]
    if missing:
        raise DhheraError(
            f"Workflow '{workflow}' needs a value for parameter '{missing[0]}'; pass it with -p {missing[0]}=VALUE."
        )
    out: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        if not isinstance(value, _SCALARS):
            raise DhheraError(
                f"Parameter '{name}' of workflow '{workflow}' gets a {type(value).__name__}; pipeline parameters "
                "are strings, numbers or booleans (DigitalHub would pass it as Java text, not JSON). "
                "Pass json.dumps(value) instead."
            )
        enum = declared[name].get("enum")
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if enum and text not in enum:
            raise DhheraError(
                f"Parameter '{name}' of workflow '{workflow}' must be one of {', '.join(enum)}, not '{text}'."
            )
        out[name] = value
    return out


def check_task_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate task options (``envs``, ``secrets``, ``profile``, ``resources``...) by shape.

    Raises
    ------
    DhheraError
        For an unknown option or a value of the wrong shape, naming it.
    """
    out: dict[str, Any] = {}
    for name, value in options.items():
        if value is None:
            continue
        expected = TASK_OPTIONS.get(name)
        if expected is None:
            raise DhheraError(f"'{name}' is not a task option; use one of {', '.join(TASK_OPTIONS)}.")
        if name == "node_selector" and isinstance(value, dict):
            value = [{"key": k, "value": v} for k, v in value.items()]
        if not isinstance(value, expected):
            raise DhheraError(
                f"Task option '{name}' must be a {expected.__name__} (JSON "
                f"{'object' if expected is dict else 'array' if expected is list else 'text'}), "
                f"not {type(value).__name__}."
            )
        if name == "envs" and not all(isinstance(e, dict) and "name" in e and "value" in e for e in value):
            raise DhheraError('Task option \'envs\' must be a list of {"name": ..., "value": ...}.')
        out[name] = value
    return out


def parse_json_option(flag: str, text: str) -> Any:
    """Parse the JSON value of a command-line option, naming the option when it is invalid."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DhheraError(f"{flag} needs JSON; '{text}' is not valid JSON ({exc.msg} at column {exc.colno}).") from None


@dataclass(frozen=True)
class RunTarget:
    """A built workflow version ready to run: what every "start a pipeline run" path needs, read once.

    Attributes
    ----------
    name, project : str
        The workflow and its project.
    workflow : Workflow
        The SDK entity of the version that runs.
    spec : dict
        The Argo WorkflowSpec of its build (``spec.build``, decoded once; the graph is drawn from it).
    declared : dict
        The workflow arguments of that build (:func:`declared_parameters`).
    """

    name: str
    project: str
    workflow: Any
    spec: dict[str, Any]
    declared: dict[str, dict[str, Any]]


def run_target(
    name: str,
    project: str | None = None,
    *,
    workflow: Any = None,
    spec: Mapping[str, Any] | None = None,
    build: bool = False,
) -> RunTarget:
    """The built latest version of workflow ``name`` (or of the ``workflow`` entity the caller holds).

    Parameters
    ----------
    name : str
        Workflow name.
    project : str, optional
        Project (default: the backend's default project).
    workflow : Workflow, optional
        The SDK entity when the caller already has it (no GET).
    spec : mapping, optional
        Its build's WorkflowSpec when the caller has just decoded it (no second decode).
    build : bool
        Build it (and wait) when it has never been built.

    Raises
    ------
    NotFound
        Unknown workflow.
    NotBuilt
        Never built (and ``build`` not asked).
    BuildError
        The build asked for failed.
    """
    project = project or backend().project
    if workflow is None:
        workflow = get_workflow(name, project)
    built = dict(spec) if spec is not None else built_spec(workflow)
    if built is None and build:
        build_workflow(workflow)
        workflow = get_workflow(name, project)
        built = built_spec(workflow)
    if built is None:
        raise NotBuilt(name, project)
    return RunTarget(name, project, workflow, built, declared_parameters(built))


def target_of_run(
    doc: Mapping[str, Any], project: str | None = None, *, spec: Mapping[str, Any] | None = None
) -> RunTarget:
    """The workflow version a pipeline run ran, with that run's build: to run it again with the same DAG.

    ``spec`` is the run's decoded build when the caller already has it (no second decode).

    Raises
    ------
    NotFound
        The run names no workflow version, or that version no longer exists.
    NotBuilt
        The run carries no build (it never started).
    """
    project = project or backend().project
    exec_string = str(section(doc, "spec").get("workflow") or "")
    ref = parse_exec(exec_string)
    if ref is None or not ref.id:
        raise NotFound(f"Run {doc.get('id')} names no workflow version ('{exec_string}'), so it cannot run again.")
    built = dict(spec) if spec is not None else build_spec(doc)
    if built is None:
        raise NotBuilt(ref.name, project)
    dh = sdk()
    with sdk_errors(not_found=f"Workflow '{ref.name}' of this run no longer exists in project '{project}'."):
        workflow = dh.get_workflow(workflow_key(project, ref.name, ref.id))
    return RunTarget(ref.name, project, workflow, built, declared_parameters(built))


def start_run(target: RunTarget, parameters: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> dict:
    """The one "start a pipeline run" use case: check ``parameters`` against the build, submit, no waiting.

    The magics (``%hera run``, ``%%hera_pipeline --run``), their twins, the run panel's re-run and the
    sidebar's run and re-run routes all start runs here.

    Parameters
    ----------
    target : RunTarget
        From :func:`run_target` or :func:`target_of_run`.
    parameters : mapping
        Run parameters (checked by :func:`check_parameters`).
    options : mapping, optional
        Task options, already checked by :func:`check_task_options`.

    Returns
    -------
    dict
        The new run's document.

    Raises
    ------
    DhheraError
        A parameter is unknown, missing or not a scalar, or the backend refused the run (its ERROR message).
    """
    checked = check_parameters(target.name, target.declared, parameters)
    sdk()
    with sdk_errors():
        run = target.workflow.run(action="pipeline", parameters=dict(checked), log_info=False, **dict(options or {}))
    doc = run.to_dict()
    status = doc.get("status") or {}
    if status.get("state") == "ERROR" and status.get("message"):
        raise DhheraError(f"The pipeline run of workflow '{target.name}' could not start: {status['message']}")
    return doc


def stop_run(run_id: str, project: str | None = None) -> dict:
    """Ask the backend to stop a run; returns the run as it was before.

    Raises
    ------
    NotFound
        If the run does not exist.
    Conflict
        If it already finished.
    """
    dh = sdk()
    project = project or backend().project
    with sdk_errors(
        not_found=f"Run '{run_id}' does not exist in project '{project}'; list its runs with `%hera runs --all`."
    ):
        run = dh.get_run(run_id, project=project)
    state = str(run.status.state)
    if state in FINISHED_STATES:
        raise Conflict(f"Run {run_id} already finished ({state}); there is nothing to stop.")
    with sdk_errors():
        run.stop()
    return run.to_dict()


def logs_of(run_id: str, project: str | None = None) -> str:
    """The log text of any run (pipeline or step)."""
    from dhhera_jupyter.platform.logs import run_logs

    return run_logs(run_id, project)


def child_run_of(pipeline_id: str, project: str | None, step: Any, steps: Sequence[Any] = ()) -> str | None:
    """The child run of a step when the backend does not say it (DHCore leaves ``run_id`` empty).

    Children point at their pipeline only with a ``step_of`` relationship (contract §5.3). Among those
    running the step's function, the one created in the same rank as the step started among the steps
    of that function is taken: steps calling one function (a chain of ``hold`` steps, or two branches of
    a diamond) get their own child, not the newest one.

    Parameters
    ----------
    pipeline_id, project : str
        The pipeline run.
    step : StepStatus
        The step whose child run is wanted.
    steps : sequence of StepStatus, optional
        Every step of the run (from its snapshot), to rank the steps sharing the function; without
        them the newest child of that function is taken.
    """
    from dhhera_jupyter.platform.runs import list_runs
    from dhhera_jupyter.status.snapshot import parse_time

    function = getattr(step, "function", None)
    children = []
    for run in list_runs(project, limit=200):
        relations = (run.get("metadata") or {}).get("relationships") or []
        if not any(r.get("type") == "step_of" and pipeline_id in str(r.get("dest", "")) for r in relations):
            continue
        exec_string = str((run.get("spec") or {}).get("function") or "")
        if function and f"/{function}:" not in exec_string:
            continue
        children.append(run)
    if not children:
        return None
    same = [s for s in steps if getattr(s, "function", None) == function] if function else []
    if len(same) < 2 or step not in same:
        return str(children[0]["id"])  # newest first
    never = datetime.max.replace(tzinfo=timezone.utc)
    # Stable sorts: steps that have not started keep their (topological) order, after the started ones.
    ranked = sorted(same, key=lambda s: parse_time(getattr(s, "start", None)) or never)
    created = sorted(children, key=lambda r: parse_time((r.get("metadata") or {}).get("created")) or never)
    rank = ranked.index(step)
    return str(created[rank]["id"]) if rank < len(created) else None


def require_run(run_id: str, project: str | None = None) -> dict:
    """The run document, or NotFound with a sentence a user can act on."""
    from dhhera_jupyter.platform.runs import run_doc

    project = project or backend().project
    try:
        return run_doc(run_id, project)
    except NotFound:
        raise NotFound(
            f"There is no run '{run_id}' in project '{project}'; list recent runs with `%hera runs`."
        ) from None
