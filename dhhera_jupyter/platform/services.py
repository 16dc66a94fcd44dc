"""The service of a serve run (a pipeline's serve step), read live and stopped: one place for the sidebar's
``/dhhera/runs/<id>/service`` route and the notebook run panel.

A pipeline whose serve step is up is COMPLETED while its service keeps RUNNING: both views read the serve step's
own run (its child run) to show the service's URL and state until it stops. Stopping the service is that child
run's stop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhhera_jupyter.documents.keys import name_and_id
from dhhera_jupyter.documents.states import STOPPABLE_RUN_STATES
from dhhera_jupyter.errors import NotFound
from dhhera_jupyter.status import run_is_terminal, run_label


def _section(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, Mapping) else {}


def service_url(address: object) -> str | None:
    """``http://host:port`` of a service address as DHCore gives it (``host:port``); None for anything else.

    Only ``http``/``https`` URLs come out, so a link built from it cannot run script (``javascript:``).
    """
    text = str(address or "").strip()
    if not text or any(c.isspace() for c in text) or len(text) > 500:
        return None
    if "://" not in text:
        text = f"http://{text}"
    return text if text.split("://", 1)[0].lower() in ("http", "https") else None


def is_serve_step(step: Any) -> bool:
    """Whether pipeline step ``step`` (a :class:`~dhhera_jupyter.status.StepStatus`) started a service: a ``serve``
    action with a child run."""
    return getattr(step, "action", None) == "serve" and bool(getattr(step, "run_id", None))


def service_line(label: str, info: Mapping[str, Any]) -> str:
    """A service as one line of text (terminal IPython): ``service b: http://127.0.0.1:8051 (running); stop it
    with `%hera stop <run id>``` (``info`` as :func:`service_view` gives it)."""
    url = (info.get("service") or {}).get("url")
    if info.get("terminal"):
        return f"service {label}: {info.get('label')}" + (f" ({info['message']})" if info.get("message") else "")
    where = url or "no URL yet"
    return f"service {label}: {where} ({info.get('label')}); stop it with `%hera stop {info.get('run_id')}`"


def is_serve_run(doc: Mapping[str, Any]) -> bool:
    """Whether ``doc`` is a serve run (``<runtime>+serve:run``)."""
    return str(doc.get("kind") or "").endswith("+serve:run")


def service_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A serve run's id, state and label, and its service (None until it is up).

    Returns
    -------
    dict
        ``run_id, function, state, label, terminal, stoppable, message, service`` where ``service`` is
        ``{url, name, type, ports}`` (DHCore's K8sServiceInfo fields) or None.
    """
    status = _section(doc, "status")
    state = str(status.get("state") or "CREATED").upper()
    info = _section(status, "service")
    url = service_url(info.get("url"))
    return {
        "run_id": str(doc.get("id") or ""),
        "function": name_and_id(_section(doc, "spec").get("function"))[0],  # python://project/name:id
        "state": state,
        "label": run_label(state),
        "terminal": run_is_terminal(state),
        "stoppable": state in STOPPABLE_RUN_STATES,
        "message": str(status["message"]) if status.get("message") else None,
        "service": None
        if url is None
        else {
            "url": url,
            "name": str(info.get("name") or "") or None,
            "type": str(info.get("type") or "") or None,
            "ports": [dict(p) for p in info.get("ports") or [] if isinstance(p, Mapping)],
        },
    }


def read_service(run_id: str, project: str | None = None) -> dict[str, Any]:
    """The service of serve run ``run_id`` (blocking: one GET of the run), as :func:`service_view` gives it.

    Raises
    ------
    NotFound
        No such run, or it is not a serve run.
    """
    from dhhera_jupyter.platform.runs import run_doc

    doc = run_doc(run_id, project)
    if not is_serve_run(doc):
        raise NotFound(f"Run {run_id} is a {doc.get('kind')} run, not a serve run; it has no service.")
    return service_view(doc)


def stop_service(run_id: str, project: str | None = None) -> None:
    """Stop the service of serve run ``run_id`` (its run's stop; the run becomes STOPPED).

    Raises
    ------
    NotFound
        No such run.
    Conflict
        The run already finished: there is no service to stop.
    """
    from dhhera_jupyter.platform.pipeline_runs import stop_run

    stop_run(run_id, project)
