"""Retries on the local core: a new pipeline run with ``spec.retry_of`` re-runs what went wrong in the original.

Two hooks of :class:`~dhhera_jupyter.core.runs.RunManager.create` call this module: :func:`check` before
anything is stored (a retry of a run that cannot be retried is refused with 4xx and leaves nothing behind)
and :func:`pin` after the run's spec was merged with its workflow's, so that the retry interprets the
original run's build with the original's parameters even when the workflow was rebuilt since. Which steps
are reused is decided while the retry runs (:mod:`dhhera_jupyter.executor.retry_seed`).
"""

from __future__ import annotations

import copy
from typing import Any

from dhhera_jupyter.core.entities import ApiError, Entities
from dhhera_jupyter.core.names import name_problem
from dhhera_jupyter.documents.retry import RETRY_OF, refusal
from dhhera_jupyter.documents.states import PIPELINE_RUN_KIND

#: Fields of the original run's spec a retry takes as they are (what the pipeline ran, and with what).
_KEPT = ("task", "workflow", "build", "parameters")


def check(entities: Entities, project: str, body: Any) -> dict | None:
    """The original run of a retry request (filling the request's spec from it), None for any other run.

    Raises
    ------
    ApiError
        400 for a malformed ``retry_of`` or a retry that is not a pipeline run, 404 for an unknown original,
        409 for an original that cannot be retried (still running, succeeded, not a pipeline run, never built).
    """
    spec = body.get("spec") if isinstance(body, dict) else None
    if not isinstance(spec, dict) or spec.get(RETRY_OF) is None:
        return None
    original_id = spec[RETRY_OF]
    if problem := name_problem(original_id):
        raise ApiError(400, f"Invalid run: 'spec.{RETRY_OF}' {problem}.")
    if body.get("kind") != PIPELINE_RUN_KIND:
        raise ApiError(400, f"A retry is a {PIPELINE_RUN_KIND}, not a {body.get('kind')!r} run.")
    original = entities.store.get("run", original_id)
    if original is None or original.get("project") != project:
        raise ApiError(404, f"Run {original_id} does not exist in project '{project}', so it cannot be retried.")
    if problem := refusal(original):
        raise ApiError(409, problem)
    for name in _KEPT:
        if name in (original.get("spec") or {}):
            spec[name] = copy.deepcopy(original["spec"][name])
    metadata = body.setdefault("metadata", {})
    if isinstance(metadata, dict) and not metadata.get("relationships"):
        relationships = (original.get("metadata") or {}).get("relationships")
        if relationships:
            metadata["relationships"] = copy.deepcopy(relationships)
    return original


def pin(run: dict, original: dict) -> None:
    """Give the merged spec of a retry the original's build and parameters (the workflow's current build may
    differ: it was rebuilt since)."""
    for name in ("build", "parameters"):
        if name in (original.get("spec") or {}):
            run["spec"][name] = copy.deepcopy(original["spec"][name])
