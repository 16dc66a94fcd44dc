"""The run panel's Services box on the real local core: a pipeline whose serve step is up is COMPLETED while its
service keeps RUNNING; the panel shows the service's URL and live state, and "Stop service" stops it."""

from __future__ import annotations

from typing import Any

import requests
from panel_pipelines import add_serving_workflow, wait_for

from dhhera_jupyter.magics.run import run
from tests.support import answers


def test_panel_shows_the_running_service_of_a_completed_pipeline_and_stops_it(project: Any) -> None:
    add_serving_workflow(project)
    panel = run("serving", project=project.name, panel=True)
    try:
        panel.wait(120)
        assert panel.state == "COMPLETED"
        box = panel.services
        assert box.layout.display == ""
        (row,) = box.rows.values()
        wait_for(lambda: row.info is not None and row.info["state"] == "RUNNING", what="the service to be read")
        url = row.info["service"]["url"]
        assert url.startswith("http://127.0.0.1:") and f"href='{url}'" in row.html.value
        assert "dhhera-state-running" in row.html.value and ">serve<" in row.html.value
        assert requests.get(f"{url}/ping", timeout=10).json()["greeting"] == "from-panel"
        assert row.stop_button.disabled is False and row.confirm.layout.display == "none"

        row.stop_button.click()
        assert row.confirm.layout.display == ""  # asks first
        row.confirm.children[1].click()  # "Stop the service"

        wait_for(lambda: row.info["state"] == "STOPPED", what="the panel to show the service stopped")
        assert "dhhera-state-stopped" in row.html.value and "dhhera-mod-ended" in row.html.value
        assert row.stop_button.disabled is True
        wait_for(lambda: not answers(url), what="the service port to close")
        assert panel.state == "COMPLETED"  # the pipeline's own state does not change
    finally:
        panel.close()


def test_panel_of_a_pipeline_without_serve_steps_has_no_services_box(project: Any, diamond: Any) -> None:
    panel = run("diamond", {"n": "2"}, project=project.name, panel=True)
    try:
        panel.wait(120)
        assert panel.services.layout.display == "none" and panel.services.rows == {}
    finally:
        panel.close()
