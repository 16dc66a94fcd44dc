"""Runs through the SDK: build a workflow and follow it, read one run, list runs (logs: :mod:`.logs`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.documents.build import result_spec
from dhhera_jupyter.documents.keys import workflow_exec_prefix
from dhhera_jupyter.documents.states import FINISHED_RUN_STATES
from dhhera_jupyter.errors import BuildError, DhheraError, DocumentError
from dhhera_jupyter.platform.backend import backend, sdk
from dhhera_jupyter.platform.sdk_errors import credentials_rejected, sdk_errors

#: States after which a run never changes again.
TERMINAL_STATES = FINISHED_RUN_STATES

#: Lines of log shown with a failed build.
LOG_TAIL_LINES = 20

ProgressCallback = Callable[[str, float], None]


def _client() -> Any:
    sdk()
    from digitalhub.stores.client.base.factory import get_client

    return get_client()


def _context_api(operation: str, project: str, entity_type: str, **kwargs: Any) -> tuple[Any, str]:
    client = _client()
    return client, client.build_api("context", operation, project=project, entity_type=entity_type, **kwargs)


def _run_missing(run_id: str, project: str) -> str:
    return f"Run '{run_id}' does not exist in project '{project}'."


def run_doc(run_id: str, project: str | None = None) -> dict:
    """The run as the backend stores it (raw JSON dict), read with exactly one GET."""
    project = project or backend().project
    try:
        with sdk_errors(not_found=_run_missing(run_id, project)):
            client, api = _context_api("read", project, "run", entity_id=run_id)
            return client.read_object(api)
    except DhheraError as exc:
        if exc.__cause__ is not None and credentials_rejected(exc.__cause__):
            # The SDK caches its credentials: the next poll must read the renewed ones (env or ini).
            from dhhera_jupyter.platform.backend import _reset_sdk_client

            _reset_sdk_client()
        raise


def list_runs(project: str | None = None, workflow: str | None = None, limit: int = 50) -> list[dict]:
    """Runs of the project (of one workflow when ``workflow`` names it), newest first, at most ``limit``."""
    project = project or backend().project
    params: dict[str, Any] = {}
    prefix = None
    if workflow:
        params["workflow"] = workflow
        prefix = workflow_exec_prefix(project, workflow)  # the backend matches names as substrings
    out: list[dict] = []
    page = 0
    missing = f"Project '{project}' does not exist on the backend, so it has no runs; check its name (`%hera status`)."
    with sdk_errors(not_found=missing):
        client, api = _context_api("list", project, "run")
        while len(out) < limit:
            resp = client.read_object(api, params={**params, "page": page})
            content = resp.get("content") or []
            out.extend(
                r
                for r in content
                if prefix is None or str((r.get("spec") or {}).get("workflow", "")).startswith(prefix)
            )
            if not content or page >= int(resp.get("totalPages") or 1) - 1:
                break
            page += 1
    return out[:limit]


def build(
    workflow: Any,
    parameters: dict[str, Any] | None = None,
    *,
    wait: bool = True,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
) -> Any:
    """Run ``workflow.run(action="build")`` and, with ``wait``, follow it until it ends.

    Parameters
    ----------
    workflow : Workflow
        SDK workflow entity (kind ``hera``).
    parameters : dict, optional
        Build parameters (stored in the run spec).
    wait : bool
        Poll the run (one GET per tick, from 0.1 s up to 1 s apart) until it reaches a final state.
    on_progress : callable, optional
        Called as ``on_progress(state, elapsed_seconds)`` after every poll.
    timeout : float, optional
        Seconds to wait (default ``settings.BUILD_TIMEOUT``).

    Returns
    -------
    Run
        The build run, refreshed; COMPLETED when ``wait``.

    Raises
    ------
    BuildError
        The build ended in another state than COMPLETED (its ``run`` and ``log_tail`` attributes
        hold the run and the end of its logs), or did not end within ``timeout``.
    """
    sdk()
    with sdk_errors():
        run = workflow.run(action="build", parameters=dict(parameters or {}), log_info=False)
    if not wait:
        return run
    timeout = settings.BUILD_TIMEOUT if timeout is None else timeout
    first, longest = settings.BUILD_POLL_INTERVAL
    interval = first
    started = time.monotonic()
    while True:
        with sdk_errors():
            run.refresh()
        state = str(run.status.state)
        elapsed = time.monotonic() - started
        if on_progress is not None:
            on_progress(state, elapsed)
        if state in TERMINAL_STATES:
            break
        if elapsed > timeout:
            raise BuildError(
                f"The build of workflow '{workflow.name}' did not finish within {timeout:.0f} s "
                f"(run {run.id} is {state}).",
                run=run,
            )
        time.sleep(interval)
        interval = min(longest, interval * 1.5)
    if state != "COMPLETED":
        raise build_failure(workflow, run)
    return run


def build_failure(workflow: Any, run: Any) -> BuildError:
    """The error for a build run that ended badly: its message, with the tail of its logs attached."""
    message = (getattr(run.status, "message", None) or "").strip() or "no message"
    from dhhera_jupyter.platform.logs import run_log_tail

    try:
        logs = run_log_tail(run.id, run.project, 20_000).text
    except Exception:  # noqa: BLE001 - the failure itself is what matters
        logs = ""
    return BuildError(
        f"The build of workflow '{workflow.name}' ended {run.status.state}: {message} (run {run.id}).",
        run=run,
        log_tail="\n".join(logs.splitlines()[-LOG_TAIL_LINES:]),
    )


def built_manifest(run: Any) -> dict | None:
    """The Argo WorkflowSpec in a completed build run's ``status.results.workflow`` (None when absent)."""
    status = run.get("status", {}) if isinstance(run, dict) else run.status.to_dict()
    try:
        return result_spec((status.get("results") or {}).get("workflow"))
    except DocumentError:
        return None
