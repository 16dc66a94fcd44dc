"""``/dhhera/runs/<id>/service`` and the serve step of a run view: a real serve step on the local core."""

from __future__ import annotations

from typing import Any

import requests
from sidebar_pipelines import add_loud_workflow, add_serve_workflow, start_run, wait_for, wait_state

from dhhera_jupyter.server.services import service_url, service_view
from tests.support import answers


def _serve_step(api: Any, project: Any, run: Any) -> dict:
    view = api.get(f"runs/{run.id}", project=project.name).data
    return next(s for s in view["steps"] if s["label"] == "serve")


def test_serve_step_shows_its_service_url_and_the_service_stays_live_until_stopped(api, project) -> None:
    run = start_run(add_serve_workflow(project))
    assert wait_state(run, ("COMPLETED", "ERROR")) == "COMPLETED", run.status.to_dict()

    view = api.get(f"runs/{run.id}", project=project.name).data
    step = _serve_step(api, project, run)
    prepare = next(s for s in view["steps"] if s["label"] == "prepare")
    service = api.get(f"runs/{step['run_id']}/service", project=project.name)
    answer = requests.get(f"{step['service_url']}/ping", timeout=10).json()

    assert view["terminal"] is True and view["label"] == "succeeded"
    assert prepare["service_url"] is None
    assert step["service_url"].startswith("http://127.0.0.1:")
    assert service.status == 200 and service.data["state"] == "RUNNING" and service.data["stoppable"] is True
    assert service.data["service"]["url"] == step["service_url"]
    assert service.data["function"] == "api"
    assert answer == {"greeting": "from-sidebar", "path": "/ping"}

    stopped = api.post(f"runs/{step['run_id']}/stop", project=project.name)
    after = wait_for(
        lambda: (d := api.get(f"runs/{step['run_id']}/service", project=project.name).data)["terminal"] and d,
        what="the service to stop",
    )

    assert stopped.status == 200
    assert after["state"] == "STOPPED" and after["label"] == "stopped" and after["stoppable"] is False
    wait_for(lambda: not answers(step["service_url"]), what="the service port to close")
    assert api.post(f"runs/{step['run_id']}/stop", project=project.name).status == 409


def test_service_of_a_run_that_is_no_serve_run_is_a_404_naming_it(api, project) -> None:
    run = start_run(add_serve_workflow(project))
    wait_state(run, ("COMPLETED", "ERROR"))

    pipeline = api.get(f"runs/{run.id}/service", project=project.name)
    missing = api.get("runs/nope/service", project=project.name)
    bad = api.get("runs/a%20b/service", project=project.name)

    assert pipeline.status == 404 and pipeline.data["message"] == (
        f"Run {run.id} is a hera+pipeline:run run, not a serve run; it has no service."
    )
    assert missing.status == 404
    assert missing.data["message"] == f"Run 'nope' does not exist in project '{project.name}'."
    assert bad.status == 400


def test_service_addresses_other_than_http_give_no_url() -> None:
    assert service_url("127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert service_url("https://svc.example:443") == "https://svc.example:443"
    for hostile in ("javascript:alert(1)//x://y", "javascript://%0aalert(1)", "a b:1", "", None, "x" * 600):
        assert service_url(hostile) is None, hostile
    view = service_view({"id": "r", "status": {"state": "RUNNING", "service": {"url": "javascript://x"}}})
    assert view["service"] is None and view["stoppable"] is True


def test_logs_of_a_long_step_are_only_its_tail_with_the_whole_size(api, project) -> None:
    run = start_run(add_loud_workflow(project))
    assert wait_state(run, ("COMPLETED", "ERROR")) == "COMPLETED", run.status.to_dict()

    logs = api.get(f"runs/{run.id}/logs", project=project.name, step="loud").data

    assert logs["truncated"] is True and logs["size"] > 400_000
    assert logs["shown"] <= 200_000 and logs["shown"] == len(logs["text"].encode())
    assert "line 003999 " in logs["text"] and "last line" in logs["text"]  # the end is what is kept
    assert logs["text"].startswith("line ")  # cut at a whole line
    assert api.get(f"runs/{run.id}/logs", project=project.name, step="loud").size < 210_000
