"""``%hera debug`` in platform mode: against the DHCore-profile core (nodes name no child run, as on DigitalHub)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dhhera_jupyter.platform.step_debug import debug_cells
from tests.platform_mode.conftest import dhcore_platform, new_project, on_dhcore  # noqa: F401 (fixtures)
from tests.support import wait_until

SAY = """
def say(word: str = "none"):
    return word
"""

CHAIN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"word": "alpha"}}, function="say", name="first")
            b = step(template={"action": "job", "parameters": {"word": "beta"}}, function="say", name="second")
            a >> b
    return w
"""


@pytest.mark.usefixtures("on_dhcore")
def test_each_step_of_one_function_reproduces_its_own_call(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dhhera_jupyter.platform.backend import sdk

    dh = sdk()
    project = new_project(dh, request)
    project.new_function(name="say", kind="python", code=SAY, handler="say", python_version="PYTHON3_11")
    wf = project.new_workflow(name="words", kind="hera", code=CHAIN, handler="pipeline")
    build = wf.run(action="build", log_info=False)
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the build")
    run = wf.run(action="pipeline", log_info=False)
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the run")
    assert not any(n.get("run_id") for n in run.status.to_dict().get("nodes") or [])  # DHCore names no child
    monkeypatch.chdir(tmp_path)
    for step, word in (("first", "alpha"), ("second", "beta")):
        debug = debug_cells(run.id, step, project.name)
        namespace: dict[str, Any] = {}
        for cell in debug.cells:
            exec(compile(cell, f"<{step}>", "exec"), namespace)
        assert namespace["step_result"] == word
