"""``%hera retry RUN_ID`` and its Python twin ``retry``: re-run a failed pipeline from its failed steps.

Importing this module imports neither the SDK nor the widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments

from dhhera_jupyter.documents.retry import retry_of


def retry(
    run_id: str,
    *,
    project: str | None = None,
    wait: bool = False,
    timeout: float | None = None,
    panel: bool | None = None,
) -> Any:
    """Start a run that re-executes only the failed, stopped and omitted steps of pipeline run ``run_id`` and
    what depends on them, reusing the outputs of the steps that succeeded (twin of ``%hera retry``).

    The new run interprets the original run's build with the original's parameters (even when the workflow
    was rebuilt since); each re-executed step runs the newest version of its function. Its ``spec.retry_of``
    names the original. Only on the local core. ``panel`` as for :func:`dhhera_jupyter.run`.

    Raises
    ------
    NotFound
        No such run in the project.
    Conflict
        The run cannot be retried (on the platform; not a pipeline run; still running; succeeded; never built).
    """
    from dhhera_jupyter import platform
    from dhhera_jupyter.magics.run import attach
    from dhhera_jupyter.platform.retry import retry as start_retry

    project = project or platform.backend().project
    doc = start_retry(run_id, project)
    return attach(str(doc["id"]), project=project, wait=wait, timeout=timeout, panel=panel)


def retry_note(doc: Mapping[str, Any]) -> str:
    """What a run list shows after a retry's id: `` (retry of 1a2b3c4d)``; empty for other runs."""
    original = retry_of(doc)
    return f" (retry of {original[:8]})" if original else ""


@magic_arguments(name="hera retry")
@argument("run_id", help="Id of a pipeline run that failed or was stopped (see %%hera runs).")
@argument("--project", help="Project (default: the backend's default project).")
@argument("--wait", action="store_true", help="Block until the new run ends (Ctrl-C stops waiting, not the run).")
@argument("--timeout", type=float, help="With --wait: seconds to wait at most.")
@argument("-o", "--out", metavar="VAR", help="Store the new run's handle in this variable.")
def retry_magic(shell: Any, args: Any) -> Any:
    """Re-run a failed pipeline from its failed steps: only they and what depends on them run again, the steps
    that succeeded keep their outputs (the local core only). Example: ``%hera retry 6f1c... --wait``."""
    handle = retry(args.run_id, project=args.project, wait=args.wait, timeout=args.timeout)
    if args.out and shell is not None:
        shell.user_ns[args.out] = handle
    return handle
