"""One run as the sidebar shows it: state, progress, per-step states and rows. Pure (uses :mod:`status`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhhera_jupyter.documents.keys import parse_exec
from dhhera_jupyter.documents.retry import retry_fields
from dhhera_jupyter.server.graphs import DrawnGraph
from dhhera_jupyter.server.services import service_url
from dhhera_jupyter.server.summary import BUILD_KIND, run_row, section
from dhhera_jupyter.status import snapshot, step_label
from dhhera_jupyter.status.names import label_names


def run_view(doc: Mapping[str, Any], drawn: DrawnGraph | None) -> dict[str, Any]:
    """The run route's body.

    Parameters
    ----------
    doc : mapping
        The run JSON as the backend returns it.
    drawn : DrawnGraph or None
        The pipeline's graph (None for a build run, or a pipeline whose build cannot be found).

    Returns
    -------
    dict
        ``id, project, workflow, workflow_id, kind, state, label, terminal, message, started, finished,
        done, total, failed_step, node_states, steps, parameters, graph`` (the graph digest, or None), ``retry_of,
        retryable`` (:func:`~dhhera_jupyter.documents.retry.retry_fields`). A serve
        step's row has ``service_url``, the URL of the service its run started (its state is read from that run).
        Times are ISO-8601 text; nothing depends on the time of the request.
    """
    row = run_row(doc)
    spec = section(doc, "spec")
    parsed = parse_exec(spec.get("workflow"))
    parameters = section(spec, "parameters")
    view: dict[str, Any] = {
        "id": row["id"],
        "project": str(doc.get("project") or ""),
        "workflow": parsed.name if parsed else None,
        "workflow_id": parsed.id if parsed else None,
        "kind": row["kind"],
        "state": row["state"],
        "label": row["label"],
        "terminal": row["terminal"],
        "message": _message(doc),
        "started": row["started"],
        "finished": row["finished"],
        "done": 0,
        "total": 0,
        "failed_step": None,
        "node_states": {},
        "steps": [],
        "parameters": dict(parameters),
        "graph": None,
        **retry_fields(doc),
    }
    if doc.get("kind") == BUILD_KIND:
        return view
    services = _service_urls(doc)
    snap = snapshot(doc, drawn.graph if drawn else None, drawn.mapper if drawn else None)
    view.update(
        started=snap.started or row["started"],
        finished=snap.finished or row["finished"],
        done=snap.done,
        total=snap.total,
        failed_step=snap.failed_step,
        node_states=drawn.node_states(snap.node_states) if drawn else dict(snap.node_states),
        steps=[_step(s.to_dict(), services) for s in snap.steps],
        graph=drawn.digest if drawn else None,
    )
    return view


def _message(doc: Mapping[str, Any]) -> str | None:
    message = section(doc, "status").get("message")
    return label_names(str(message)) if message else None  # the user's step names, not the generated task names


_STEP_FIELDS = (
    "id",
    "step",
    "function",
    "action",
    "state",
    "start",
    "end",
    "duration",
    "inputs",
    "outputs",
    "run_id",
    "message",
    "exit_code",
    "items",
    "items_done",
)


def _service_urls(doc: Mapping[str, Any]) -> dict[str, str]:
    """Child run id -> service URL, from the pipeline nodes of serve steps (the executor records ``service_url``)."""
    urls: dict[str, str] = {}
    for node in section(doc, "status").get("nodes") or []:
        if isinstance(node, Mapping) and node.get("run_id") and (url := service_url(node.get("service_url"))):
            urls[str(node["run_id"])] = url
    return urls


def _step(data: Mapping[str, Any], services: Mapping[str, str]) -> dict[str, Any]:
    row = {k: data.get(k) for k in _STEP_FIELDS}
    row["service_url"] = services.get(str(data.get("run_id") or ""))
    row["label"] = step_label(str(data.get("step") or ""))  # ``extract`` for ``dag-op-extract-1a2b3c4d``
    if row.get("message"):
        row["message"] = label_names(str(row["message"]))
    return row
