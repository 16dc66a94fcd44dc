"""Workflows of a project with their last build, last run and recent runs, as the sidebar lists them. Pure.

The summary holds only what changes when a run changes (states, start and end times), never a time computed
"now": an unchanged project gives byte-identical JSON, so its ETag stays the same and a refresh costs a 304.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dhhera_jupyter.documents.build import is_built
from dhhera_jupyter.documents.keys import parse_exec
from dhhera_jupyter.documents.states import BUILD_RUN_KIND, PIPELINE_RUN_KIND
from dhhera_jupyter.status import run_is_terminal, run_label
from dhhera_jupyter.status.names import label_names

#: Run kinds of the Hera runtime, and what the sidebar calls them.
BUILD_KIND = BUILD_RUN_KIND
PIPELINE_KIND = PIPELINE_RUN_KIND

#: Pipeline runs listed under each workflow.
RECENT_RUNS = 5


def section(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``doc[key]`` when it is a mapping, else an empty one (backends leave fields out or null)."""
    value = doc.get(key)
    return value if isinstance(value, Mapping) else {}


def run_times(doc: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """When a run started (its RUNNING transition, else its creation) and ended (its final transition).

    Read from ``status.transitions`` only: cheap enough for hundreds of runs per refresh.
    """
    status, metadata = section(doc, "status"), section(doc, "metadata")
    state = str(status.get("state") or "").upper()
    seen: dict[str, str] = {}
    for item in status.get("transitions") or []:
        if isinstance(item, Mapping) and item.get("status") and item.get("time"):
            seen.setdefault(str(item["status"]).upper(), str(item["time"]))
    started = seen.get("RUNNING") or metadata.get("created")
    finished = None
    if run_is_terminal(state):
        finished = seen.get(state) or metadata.get("updated")
    return (str(started) if started else None), (str(finished) if finished else None)


def run_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    """One run as a list row: id, kind, state, label, start, end, and the message of a failed run."""
    status = section(doc, "status")
    state = str(status.get("state") or "CREATED").upper()
    started, finished = run_times(doc)
    return {
        "id": str(doc.get("id") or ""),
        "kind": "build" if doc.get("kind") == BUILD_KIND else "pipeline",
        "state": state,
        "label": run_label(state),
        "terminal": run_is_terminal(state),
        "started": started,
        "finished": finished,
        "message": label_names(str(status["message"])) if status.get("message") and state == "ERROR" else None,
    }


def _workflow_of(doc: Mapping[str, Any]) -> str | None:
    parsed = parse_exec(section(doc, "spec").get("workflow"))
    return parsed.name if parsed else None


def summarize(
    project: str,
    workflows: Iterable[Mapping[str, Any]],
    builds: Iterable[Mapping[str, Any]],
    pipelines: Iterable[Mapping[str, Any]],
    recent: int = RECENT_RUNS,
) -> dict[str, Any]:
    """The sidebar's view of a project.

    Parameters
    ----------
    project : str
        Project name.
    workflows : iterable of dict
        Latest version of each workflow (entity JSON).
    builds, pipelines : iterable of dict
        Build runs and pipeline runs of the project, newest first (run JSON).
    recent : int
        Pipeline runs kept per workflow.

    Returns
    -------
    dict
        ``{"project", "workflows": [{"name", "id", "built", "last_build", "runs"}], "active"}``;
        workflows sorted by name, ``runs`` newest first (the first is the last run); ``active`` is true while
        any listed run is still moving.
    """
    last_build: dict[str, dict[str, Any]] = {}
    for doc in builds:
        name = _workflow_of(doc)
        if name is not None and name not in last_build:
            last_build[name] = run_row(doc)
    runs: dict[str, list[dict[str, Any]]] = {}
    for doc in pipelines:
        name = _workflow_of(doc)
        if name is not None and len(runs.setdefault(name, [])) < recent:
            runs[name].append(run_row(doc))
    items: list[dict[str, Any]] = []
    for wf in sorted(workflows, key=lambda w: str(w.get("name") or "")):
        name = str(wf.get("name") or "")
        mine = runs.get(name, [])
        items.append(
            {
                "name": name,
                "id": str(wf.get("id") or ""),
                "built": is_built(wf),
                "last_build": last_build.get(name),
                "runs": mine,
            }
        )
    rows = [r for w in items for r in [w["last_build"], *w["runs"]] if r is not None]
    moving = any(not r["terminal"] for r in rows)
    return {"project": project, "workflows": items, "active": moving}
