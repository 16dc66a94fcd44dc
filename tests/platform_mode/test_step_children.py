"""Steps that call the same function each find their own child run (DHCore names none in its nodes)."""

from __future__ import annotations

from typing import Any

import pytest
from panel_pipelines import wait_for

from dhhera_jupyter.magics.run import run
from tests.platform_mode.conftest import Platform, new_project

SAY = """
def say(word: str = "none"):
    print("the word is", word)
    return word
"""

#: Three steps in a chain, all calling ``say`` with their own word.
CHAIN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"word": "alpha"}}, function="say", name="first")
            b = step(template={"action": "job", "parameters": {"word": "beta"}}, function="say", name="second")
            c = step(template={"action": "job", "parameters": {"word": "gamma"}}, function="say", name="third")
            a >> b >> c
    return w
"""


@pytest.fixture()
def chain(sdk: Any, request: pytest.FixtureRequest) -> Any:
    project = new_project(sdk, request)
    project.new_function(name="say", kind="python", code=SAY, handler="say", python_version="PYTHON3_11")
    wf = project.new_workflow(name="words", kind="hera", code=CHAIN, handler="pipeline")
    build = wf.run(action="build")
    wait_for(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), 120, "the build")
    return project


def test_each_step_of_one_function_shows_its_own_logs(chain: Any, on_platform: Platform) -> None:
    panel = run("words", {}, project=chain.name, panel=True)
    try:
        panel.wait(120)
        assert panel.state == "COMPLETED"
        for step, word in (("first", "alpha"), ("second", "beta"), ("third", "gamma")):
            text = panel.logs(step)
            assert f"the word is {word}" in text, (step, text)
            assert text.count("the word is") == 1
    finally:
        panel.close()
