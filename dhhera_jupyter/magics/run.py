"""``%hera run``, ``%hera attach``, ``%hera runs`` and their Python twins ``run``, ``attach``, ``runs``.

The magics parse their line and call the twins; the twins raise our own errors, which become
``UsageError`` at the magic boundary. Importing this module imports neither the SDK nor the widgets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments

from dhhera_jupyter.documents.build import build_spec
from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.keys import parse_exec
from dhhera_jupyter.documents.states import PIPELINE_RUN_KIND
from dhhera_jupyter.errors import DhheraError

# -- where the run is shown ----------------------------------------------------------------------


def widgets_available() -> bool:
    """Whether a widget frontend can show the panel (a Jupyter kernel), else text is printed."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _wait(handle: Any, run: Any, timeout: float | None) -> None:
    """Block until ``run`` ends; Ctrl-C stops the waiting, not the run."""
    try:
        run.wait(timeout)
    except TimeoutError as exc:
        # A panel keeps following the run; in a terminal nothing does, so say how to follow it again.
        then = "the panel stays live" if handle is not run else f"follow it with %hera attach {run.run_id} --wait"
        print(f"{exc} It keeps running; {then}.", file=sys.stderr)
    except KeyboardInterrupt:
        print(
            f"Stopped waiting; run {run.run_id} keeps running (re-open it with %hera attach {run.run_id}).",
            file=sys.stderr,
        )


def _present(
    run: Any,
    graph: Any,
    declared: Mapping[str, Any],
    submit: Callable[[dict], Any] | None,
    workflow: str | None,
    wait: bool,
    timeout: float | None,
    panel: bool | None,
) -> Any:
    """A RunPanel in a notebook, a refreshing text table elsewhere; returns the handle."""
    use_panel = widgets_available() if panel is None else panel
    if use_panel:
        from IPython.display import display

        from dhhera_jupyter.widgets.run_panel import RunPanel

        widget = RunPanel(graph, declared, submit, workflow=workflow)
        widget.add_run(run)
        if wait:
            data, metadata = widget._repr_mimebundle_()
            shown = display(data, metadata=metadata, raw=True, display_id=True)
            widget.suppress_next_display()
            _wait(widget, run, timeout)
            # The output's text (for nbconvert, GitHub, text/plain readers) says how the run ended.
            data, metadata = widget._repr_mimebundle_()
            if shown is not None:
                shown.update(data, metadata=metadata, raw=True)
        return widget
    from dhhera_jupyter.runs.text import TextRunView

    run.start()
    if wait:
        view = TextRunView(run)
        view.show()
        _wait(run, run, timeout)
        view.detach(clear=True)
    return run


# -- the twins -------------------------------------------------------------------------------------


def graph_of(spec: Mapping[str, Any]) -> Any:
    """The PipelineGraph of a built WorkflowSpec (the magics draw every built DAG through here, once per spec)."""
    from dhhera_jupyter.graph import from_workflow

    return from_workflow(dict(spec))


def watch_new_run(
    target: Any,
    graph: Any,
    parameters: Mapping[str, Any] | None,
    options: Mapping[str, Any] | None = None,
    *,
    wait: bool = False,
    timeout: float | None = None,
    panel: bool | None = None,
) -> Any:
    """Start a run of ``target`` (a :class:`~dhhera_jupyter.platform.pipeline_runs.RunTarget`) and show it.

    The panel's re-run button starts the next runs the same way, with the same graph and task options.
    """
    submit = _submitter(target, graph, options or {})
    first = submit(dict(parameters or {}))
    return _present(first, graph, target.declared, submit, target.name, wait, timeout, panel)


def _submitter(target: Any, graph: Any, options: Mapping[str, Any]) -> Callable[[dict], Any]:
    from dhhera_jupyter.platform import pipeline_runs
    from dhhera_jupyter.runs.watched import WatchedRun

    def submit(parameters: dict) -> Any:
        doc = pipeline_runs.start_run(target, parameters, options)
        return WatchedRun(str(doc["id"]), target.project, graph, doc=doc)

    return submit


def run(
    workflow: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    project: str | None = None,
    wait: bool = False,
    timeout: float | None = None,
    build: bool = False,
    envs: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
    secrets: Sequence[str] | None = None,
    profile: str | None = None,
    resources: Mapping[str, Any] | None = None,
    volumes: Sequence[Mapping[str, Any]] | None = None,
    node_selector: Any = None,
    tolerations: Sequence[Mapping[str, Any]] | None = None,
    affinity: Mapping[str, Any] | None = None,
    entity: Any = None,
    panel: bool | None = None,
) -> Any:
    """Run a built pipeline and watch it (twin of ``%hera run``).

    Parameters
    ----------
    workflow : str
        Workflow name.
    parameters : mapping, optional
        Pipeline parameters; each must be declared by the workflow, and every parameter without a
        default must be given.
    project : str, optional
        Project (default: the backend's default project).
    wait : bool
        Block until the run ends (Ctrl-C stops the waiting, not the run).
    timeout : float, optional
        Seconds to wait at most.
    build : bool
        Build the workflow first when it has never been built.
    envs, secrets, profile, resources, volumes, node_selector, tolerations, affinity : optional
        Task options passed to ``workflow.run``; ``envs`` may be a ``{name: value}`` mapping.
    entity : Workflow, optional
        The SDK workflow entity when the caller already has it (``%%hera_pipeline --run``).
    panel : bool, optional
        Return a RunPanel (True) or the bare run (False); by default a panel in a Jupyter kernel only.

    Returns
    -------
    RunPanel or WatchedRun
        The panel in a notebook, the run elsewhere; both have ``.wait()``, ``.state``, ``.nodes``,
        ``.outputs``, ``.logs(step)`` and ``.stop()``.

    Raises
    ------
    NotFound
        Unknown workflow.
    DhheraError
        Never built (without ``build``), an undeclared or missing parameter, a bad task option.
    """
    from dhhera_jupyter.platform import pipeline_runs

    target = pipeline_runs.run_target(workflow, project, workflow=entity, build=build)
    if isinstance(envs, Mapping):
        envs = [{"name": str(k), "value": str(v)} for k, v in envs.items()]
    options = pipeline_runs.check_task_options(
        {
            "envs": list(envs) if envs else None,
            "secrets": list(secrets) if secrets else None,
            "profile": profile,
            "resources": resources,
            "volumes": volumes,
            "node_selector": node_selector,
            "tolerations": tolerations,
            "affinity": affinity,
        }
    )
    dropped = [k for k in options if k not in pipeline_runs.SDK_KEPT_OPTIONS]
    if dropped:
        print(
            f"Note: {', '.join(dropped)} only matter on a DigitalHub platform whose SDK run spec carries them; "
            f"the installed SDK does not send them.",
            file=sys.stderr,
        )
    return watch_new_run(target, graph_of(target.spec), parameters, options, wait=wait, timeout=timeout, panel=panel)


def attach(
    run_id: str,
    *,
    project: str | None = None,
    wait: bool = False,
    timeout: float | None = None,
    panel: bool | None = None,
) -> Any:
    """Re-open the panel of an existing pipeline run (twin of ``%hera attach``).

    ``panel`` as for :func:`run`.

    Raises
    ------
    NotFound
        No such run in the project.
    DhheraError
        The run is not a pipeline run.
    """
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform import pipeline_runs
    from dhhera_jupyter.runs.watched import WatchedRun

    project = project or platform.backend().project
    doc = pipeline_runs.require_run(run_id, project)
    if doc.get("kind") != PIPELINE_RUN_KIND:
        raise DhheraError(
            f"Run {run_id} is a {doc.get('kind')} run, not a pipeline run; only pipeline runs open in a run panel."
        )
    try:
        spec = build_spec(doc)  # decoded once: the graph, the parameters and the re-run all use it
        graph = graph_of(spec) if spec is not None else None
    except DhheraError:
        spec, graph = None, None  # the run is still shown, steps named by their task paths
    ref = parse_exec(section(doc, "spec").get("workflow"))
    submit = None
    if spec is not None:
        try:
            target = pipeline_runs.target_of_run(doc, project, spec=spec)
        except DhheraError:
            pass  # that workflow version is gone: the panel shows the run without a re-run button
        else:
            submit = _submitter(target, graph, {})
    declared = pipeline_runs.declared_parameters(spec) if spec is not None else {}
    watched = WatchedRun(run_id, project, graph, doc=doc)
    return _present(watched, graph, declared, submit, ref.name if ref else None, wait, timeout, panel)


class RunList(list):
    """Recent runs: a list of run documents shown as a table (HTML in notebooks, text elsewhere)."""

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        from dhhera_jupyter.magics.retry import retry_note
        from dhhera_jupyter.status import snapshot
        from dhhera_jupyter.status.timefmt import format_clock, format_duration

        out = []
        for doc in self:
            snap = snapshot(doc)
            created = (doc.get("metadata") or {}).get("created")
            out.append(
                (
                    snap.run_id + retry_note(doc),
                    snap.workflow or "",
                    str(doc.get("kind") or "").split(":")[0],
                    snap.label,
                    format_clock(created),
                    format_duration(snap.elapsed()),
                )
            )
        return out

    _HEAD = ("run", "workflow", "kind", "state", "created (UTC)", "duration")

    def __repr__(self) -> str:
        rows = [self._HEAD, *self.rows()]
        if len(rows) == 1:
            return "No runs."
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._HEAD))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows)

    def _repr_html_(self) -> str:
        rows = self.rows()
        if not rows:
            return "<i>No runs.</i>"
        head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in self._HEAD)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table class='dhhera-RunList'><tr>{head}</tr>{body}</table>"


def runs(
    workflow: str | None = None, *, project: str | None = None, limit: int = 20, all_kinds: bool = False
) -> RunList:
    """Recent pipeline runs, newest first (twin of ``%hera runs``).

    Parameters
    ----------
    workflow : str, optional
        Only the runs of this workflow.
    project : str, optional
        Project (default: the backend's default project).
    limit : int
        At most this many runs.
    all_kinds : bool
        Builds too, not only pipeline runs.
    """
    from dhhera_jupyter import platform

    if limit < 1:
        raise DhheraError(f"The number of runs to list (--limit) must be at least 1, not {limit}.")
    project = project or platform.backend().project
    if workflow:
        platform.get_workflow(workflow, project)  # unknown workflow: NotFound naming it
    docs = platform.list_runs(project, workflow, limit=limit if all_kinds else limit * 3)
    if not all_kinds:
        docs = [d for d in docs if d.get("kind") == PIPELINE_RUN_KIND]
    return RunList(docs[:limit])


# -- the magics (called by %hera's dispatcher with (shell, parsed args)) ---------------------------


def _pairs(items: Sequence[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DhheraError(f"{flag} expects KEY=VALUE, got '{item}'.")
        out[key.strip()] = value
    return out


def _store(shell: Any, var: str | None, value: Any) -> None:
    if var and shell is not None:
        shell.user_ns[var] = value


@magic_arguments(name="hera run")
@argument("name", help="Workflow (built earlier).")
@argument("-p", "--param", dest="params", action="append", metavar="KEY=VALUE", help="Pipeline parameter (repeatable).")
@argument("--project", help="Project (default: the backend's default project).")
@argument("--wait", action="store_true", help="Block until the run ends (Ctrl-C stops waiting, not the run).")
@argument("--timeout", type=float, help="With --wait: seconds to wait at most.")
@argument("-o", "--out", metavar="VAR", help="Store the run handle in this variable.")
@argument("--build", action="store_true", help="Build the workflow first when it has never been built.")
@argument("--env", dest="envs", action="append", metavar="K=V", help="Environment variable of the steps (repeatable).")
@argument("--secret", dest="secrets", action="append", metavar="NAME", help="Secret to mount (repeatable).")
@argument("--profile", help="Resource profile template.")
@argument("--resources", metavar="JSON", help='e.g. \'{"cpu": "1", "mem": "1Gi"}\'.')
@argument("--volumes", metavar="JSON", help="List of volumes.")
@argument("--node-selector", dest="node_selector", metavar="JSON", help="Node selector.")
@argument("--tolerations", metavar="JSON", help="List of tolerations.")
@argument("--affinity", metavar="JSON", help="Affinity.")
def run_magic(shell: Any, args: Any) -> Any:
    """Run a built pipeline and watch it live in a run panel.
    Example: ``%hera run etl -p url=https://x --env LOG=debug --wait -o r``."""
    from dhhera_jupyter.platform.pipeline_runs import parse_json_option

    json_opts = {
        key: parse_json_option(flag, getattr(args, key)) if getattr(args, key) else None
        for key, flag in (
            ("resources", "--resources"),
            ("volumes", "--volumes"),
            ("node_selector", "--node-selector"),
            ("tolerations", "--tolerations"),
            ("affinity", "--affinity"),
        )
    }
    handle = run(
        args.name,
        _pairs(args.params, "-p"),
        project=args.project,
        wait=args.wait,
        timeout=args.timeout,
        build=args.build,
        envs=_pairs(args.envs, "--env") or None,
        secrets=args.secrets,
        profile=args.profile,
        **json_opts,
    )
    _store(shell, args.out, handle)
    return handle


@magic_arguments(name="hera attach")
@argument("run_id", help="Id of a pipeline run (see %%hera runs).")
@argument("--project", help="Project (default: the backend's default project).")
@argument("--wait", action="store_true", help="Block until the run ends.")
@argument("-o", "--out", metavar="VAR", help="Store the run handle in this variable.")
def attach_magic(shell: Any, args: Any) -> Any:
    """Re-open the run panel of an existing pipeline run (after a kernel restart, or started elsewhere).
    Example: ``%hera attach 6f1c...``."""
    handle = attach(args.run_id, project=args.project, wait=args.wait)
    _store(shell, args.out, handle)
    return handle


@magic_arguments(name="hera runs")
@argument("name", nargs="?", help="Only the runs of this workflow.")
@argument("--project", help="Project (default: the backend's default project).")
@argument("--limit", type=int, default=20, help="At most this many runs (default 20).")
@argument("--all", dest="all_kinds", action="store_true", help="Builds too, not only pipeline runs.")
def runs_magic(shell: Any, args: Any) -> Any:
    """List recent pipeline runs with state and duration. Example: ``%hera runs etl``."""
    return runs(args.name, project=args.project, limit=args.limit, all_kinds=args.all_kinds)


__all__ = ["RunList", "attach", "attach_magic", "run", "run_magic", "runs", "runs_magic", "widgets_available"]
