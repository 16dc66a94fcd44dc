"""Retry a failed pipeline run: start a new run that re-executes only what went wrong (``argo retry``).

On the local core a retry is an ordinary run creation through the SDK's client, a ``hera+pipeline:run``
whose ``spec.retry_of`` names the original; the core does the rest (:mod:`dhhera_jupyter.core.retry`).
DHCore has no such field, no retry or resubmit operation, and builds every pipeline run from its
workflow's current build: on the platform a retry is refused with one sentence (see README, "Retry").
"""

from __future__ import annotations

from typing import Any

from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.retry import RETRY_OF, refusal
from dhhera_jupyter.documents.states import ERROR, PIPELINE_RUN_KIND
from dhhera_jupyter.errors import Conflict, DhheraError
from dhhera_jupyter.platform.backend import backend, sdk
from dhhera_jupyter.platform.pipeline_runs import require_run
from dhhera_jupyter.platform.sdk_errors import sdk_errors

PLATFORM_REFUSAL = (
    "Retrying a pipeline from its failed steps needs the local core (`%hera use local`): the DigitalHub "
    "platform has no retry of a pipeline run, so start a new run with `%hera run` there."
)


def retryable(run: dict) -> str | None:
    """Why ``run`` (a run document) cannot be retried on the backend in use; None when it can."""
    if backend().mode != "local":
        return PLATFORM_REFUSAL
    return refusal(run)


def retry(run_id: str, project: str | None = None) -> dict:
    """Start the retry of pipeline run ``run_id`` and return the new run's document (no waiting).

    Raises
    ------
    NotFound
        If there is no such run.
    Conflict
        If it cannot be retried: on the platform, a run that is not a pipeline run, one still running,
        one that succeeded (nothing to retry), one that never started.
    """
    if backend().mode != "local":
        raise Conflict(PLATFORM_REFUSAL)
    project = project or backend().project
    original = require_run(run_id, project)
    if problem := refusal(original):
        raise Conflict(problem)
    spec = section(original, "spec")
    body: dict[str, Any] = {
        "kind": PIPELINE_RUN_KIND,
        "project": project,
        "spec": {RETRY_OF: run_id, "task": spec.get("task"), "workflow": spec.get("workflow")},
        "status": {"state": "CREATED"},
    }
    sdk()
    from digitalhub.stores.client.base.factory import get_client

    with sdk_errors():
        client = get_client()
        doc = client.create_object(client.build_api("context", "create", project=project, entity_type="run"), body)
    status = section(doc, "status")
    if status.get("state") == ERROR:
        raise DhheraError(f"The retry of run {run_id} could not start: {status.get('message') or 'see its logs'}")
    return dict(doc)
