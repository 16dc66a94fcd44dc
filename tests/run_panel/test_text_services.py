"""In terminal IPython (the text view), a pipeline whose serve step is up ends with its service's URL and how to
stop it: what the panel's Services box shows."""

from __future__ import annotations

import io
import re
from typing import Any

import requests
from panel_pipelines import add_serving_workflow, wait_for

from dhhera_jupyter.magics.run import run
from dhhera_jupyter.magics.run_control import stop
from tests.support import answers


def test_the_text_view_ends_with_the_running_service_and_the_stop_command(project: Any, monkeypatch) -> None:
    add_serving_workflow(project)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    handle = run("serving", project=project.name, panel=False, wait=True, timeout=120)
    monkeypatch.undo()
    assert handle.state == "COMPLETED"
    text = out.getvalue()
    found = re.search(r"service serve: (http://127\.0\.0\.1:\d+) \(running\); stop it with `%hera stop (\S+)`", text)
    assert found, text
    url, child = found.groups()
    try:
        assert requests.get(f"{url}/ping", timeout=10).json()["greeting"] == "from-panel"
    finally:  # the service would otherwise outlive a failed assertion
        assert stop(child, project=project.name).startswith(f"Asked run {child} to stop (it was RUNNING)")
    wait_for(lambda: not answers(url), what="the service port to close")
