"""The sidebar's run view (``/dhhera/runs/...`` routes of a real Jupyter server) in platform mode."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from panel_pipelines import DIAMOND, add_workflow, wait_for

# pytest-jupyter's documented fixtures (jp_fetch, jp_web_app...), and the server tests' client and loop.
from pytest_jupyter.jupyter_server import *  # noqa: F403

from tests.platform_mode.conftest import Platform
from tests.platform_mode.word_chain import WORDS, add_word_chain
from tests.server.conftest import Api, jp_asyncio_loop  # noqa: F401 (a fixture)


@pytest.fixture()
def jp_server_config(on_platform: Platform) -> dict:
    """The server's extension uses the backend of this process: the platform."""
    return {"ServerApp": {"jpserver_extensions": {"dhhera_jupyter": True}}}


@pytest.fixture()
def api(jp_fetch: Any, jp_asyncio_loop: Any, jp_web_app: Any) -> Iterator[Api]:  # noqa: F811
    yield Api(jp_fetch, jp_asyncio_loop)
    jp_web_app.settings["dhhera_sidebar"].projects.close()
    jp_asyncio_loop.run_until_complete(asyncio.sleep(0))


@pytest.fixture()
def words(on_platform: Platform, request: pytest.FixtureRequest) -> Any:
    from dhhera_jupyter.platform.backend import sdk
    from tests.platform_mode.conftest import new_project

    project = new_project(sdk(), request)
    return project, add_word_chain(project)


def test_run_view_goes_green_and_each_step_has_its_own_logs(api: Api, words: Any, on_platform: Platform) -> None:
    project, wf = words
    run = wf.run(action="pipeline", log_info=False)
    done = wait_for(
        lambda: (v := api.get(f"runs/{run.id}", project=project.name).data)["terminal"] and v, 120, "the run's end"
    )
    assert done["label"] == "succeeded" and (done["done"], done["total"]) == (3, 3)
    assert set(done["node_states"].values()) == {"succeeded"}
    for step, word in WORDS.items():
        logs = api.get(f"runs/{run.id}/logs", project=project.name, step=step)
        assert logs.status == 200 and f"the word is {word}" in logs.data["text"], (step, logs.data)
        assert logs.data["run_id"] != run.id


def test_stop_from_the_sidebar(api: Api, words: Any, on_platform: Platform, tmp_path: Path) -> None:
    project, wf = words
    gate = tmp_path / "gate"
    diamond = add_workflow(project, "diamond", DIAMOND)
    run = diamond.run(action="pipeline", parameters={"gate": str(gate)}, log_info=False)
    try:
        wait_for(
            lambda: "running" in api.get(f"runs/{run.id}", project=project.name).data["node_states"].values(),
            120,
            "a running step",
        )
        assert api.post(f"runs/{run.id}/stop", project=project.name).status == 200
        wait_for(lambda: run.refresh().status.state == "STOPPED", 120, "STOPPED")
        view = api.get(f"runs/{run.id}", project=project.name).data
        assert view["label"] == "stopped"
        assert api.post(f"runs/{run.id}/stop", project=project.name).status == 409
    finally:
        gate.touch()
