"""``%hera stop RUN_ID`` and ``%hera logs RUN_ID [STEP]``, with their Python twins ``stop`` and ``logs``: what the
run panel's Stop button and log box do, for terminal IPython and scripts.

Importing this module imports neither the SDK nor the widgets.
"""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments

from dhhera_jupyter.documents.states import PIPELINE_RUN_KIND
from dhhera_jupyter.errors import DhheraError


def stop(run_id: str, *, project: str | None = None) -> str:
    """Ask the backend to stop run ``run_id`` (a pipeline run, a step's run or a service); twin of ``%hera stop``.

    Returns
    -------
    str
        One sentence saying what was asked and how to follow the run.

    Raises
    ------
    NotFound
        No such run in the project.
    Conflict
        The run already finished.
    """
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform.pipeline_runs import stop_run

    project = project or platform.backend().project
    run_id = run_id.strip()
    before = stop_run(run_id, project)
    state = (before.get("status") or {}).get("state") or "unknown"
    follow = f"`%hera attach {run_id}`" if before.get("kind") == PIPELINE_RUN_KIND else f"`%hera logs {run_id}`"
    return f"Asked run {run_id} to stop (it was {state}); {follow} shows when it has."


def logs(run_id: str, step: str | None = None, *, project: str | None = None, tail: int | None = None) -> str:
    """The log text of run ``run_id``, or of the run of its step ``step`` (a pipeline run); twin of ``%hera logs``.

    Parameters
    ----------
    run_id : str
        Any run: a pipeline run, a step's run, a build, a service.
    step : str, optional
        A step of the pipeline run, by the name given in the pipeline (``b``) or its task name.
    tail : int, optional
        Only the last ``tail`` lines.

    Raises
    ------
    NotFound
        No such run, or no such step (the message lists the steps).
    DhheraError
        ``step`` given for a run that is not a pipeline run, or a bad ``tail``.
    """
    from dhhera_jupyter import platform
    from dhhera_jupyter.documents.build import build_spec
    from dhhera_jupyter.platform.logs import run_log_tail, run_logs
    from dhhera_jupyter.platform.pipeline_runs import require_run

    if tail is not None and tail < 1:
        raise DhheraError(f"The number of log lines to show (--tail) must be at least 1, not {tail}.")
    project = project or platform.backend().project
    run_id = run_id.strip()
    doc = require_run(run_id, project)
    if step is None:
        # With --tail, one bounded read of the log's end (a long-lived service's log can be large).
        return _last_lines(run_log_tail(run_id, project).text, tail) if tail else run_logs(run_id, project)
    if doc.get("kind") != PIPELINE_RUN_KIND:
        raise DhheraError(
            f"Run {run_id} is a {doc.get('kind')} run, not a pipeline run, so it has no step '{step}'; "
            f"`%hera logs {run_id}` shows its own log."
        )
    from dhhera_jupyter.magics.run import graph_of
    from dhhera_jupyter.runs.watched import WatchedRun

    try:
        spec = build_spec(doc)
        graph = graph_of(spec) if spec is not None else None
    except DhheraError:
        graph = None  # steps are then named by their task paths
    watched = WatchedRun(run_id, project, graph, doc=doc)
    watched.step(step)  # NotFound listing the steps
    if not tail:
        return watched.logs(step)
    end = watched.log_tail(step)
    return "" if end is None else _last_lines(end.text, tail)


def _last_lines(text: str, count: int) -> str:
    return "\n".join(text.splitlines()[-count:])


@magic_arguments(name="hera stop")
@argument("run_id", help="Id of a run that is still running (see %%hera runs --all).")
@argument("--project", help="Project (default: the backend's default project).")
def stop_magic(shell: Any, args: Any) -> None:
    """Stop a run: a pipeline run (its running steps stop, the others do not start), a step's run or a service.
    Example: ``%hera stop 6f1c...``."""
    print(stop(args.run_id, project=args.project))


@magic_arguments(name="hera logs")
@argument("run_id", help="Id of a run (see %%hera runs --all).")
@argument("step", nargs="?", help="A step of the pipeline run: the log of that step's run.")
@argument("--project", help="Project (default: the backend's default project).")
@argument("--tail", type=int, metavar="N", help="Only the last N lines.")
def logs_magic(shell: Any, args: Any) -> None:
    """Print the log of a run, or of one step of a pipeline run. Example: ``%hera logs 6f1c... download``."""
    text = logs(args.run_id, args.step, project=args.project, tail=args.tail)
    print(text if text.strip() else f"Run {args.run_id} has no log lines yet.")


__all__ = ["logs", "logs_magic", "stop", "stop_magic"]
