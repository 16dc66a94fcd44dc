"""A 1000-wide fan-out/fan-in and a 200-deep chain of real steps through the real SDK complete (issue 13).

Every step is a trivial python job executed as a child run, so these are the shapes at full cost: each runs
once. Any outcome other than COMPLETED fails (the depends parser and the scheduler no longer recurse).
"""

from __future__ import annotations

import os

import pytest
import requests

from tests.support import wait_until

pytestmark = pytest.mark.slow

#: The most trivial real step: no parameter to bind, no result to log (a returned value becomes an output the
#: runtime records, with a warning when the step names none).
NOOP = "def noop():\n    pass\n"

FAN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            start = step(template={{"action": "job"}}, function="noop", name="start")
            middle = [step(template={{"action": "job"}}, function="noop", name=f"m{{i}}") for i in range({width})]
            end = step(template={{"action": "job"}}, function="noop", name="end")
            start >> middle >> end
    return w
"""

CHAIN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            steps = [step(template={{"action": "job"}}, function="noop", name=f"c{{i}}") for i in range({depth})]
            for before, after in zip(steps, steps[1:]):
                before >> after
    return w
"""


def _run_to_the_end(project, name: str, code: str, timeout: float) -> dict:
    project.new_function(name="noop", kind="python", code=NOOP, handler="noop", python_version="PYTHON3_11")
    wf = project.new_workflow(name=name, kind="hera", code=code, handler="pipeline")
    build = wf.run(action="build")
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), timeout=300, what="the build")
    assert build.status.state == "COMPLETED", build.status.to_dict().get("message")
    run = wf.run(action="pipeline")
    url = f"{os.environ['DHCORE_ENDPOINT']}/api/v1/-/{project.name}/runs/{run.id}"
    headers = {"Authorization": f"Bearer {os.environ['DHCORE_ACCESS_TOKEN']}"}

    def ended() -> dict | None:
        doc = requests.get(url, headers=headers, timeout=30).json()
        return doc if doc["status"]["state"] in ("COMPLETED", "ERROR", "STOPPED") else None

    # Every look serializes (core) and parses (here) the whole document of 1000 nodes: look every 2 s, not more.
    doc = wait_until(ended, timeout=timeout, interval=2.0, what=f"pipeline {name} to end")
    message = str(doc["status"].get("message") or "")
    assert doc["status"]["state"] == "COMPLETED", message
    run.refresh()  # the SDK reads the same finished document
    assert run.status.state == "COMPLETED"
    return doc


def _by_name(doc: dict, prefix: str) -> list[dict]:
    return [n for n in doc["status"]["nodes"] if str(n.get("display_name", "")).startswith(prefix)]


def test_a_1000_wide_fan_out_and_fan_in_of_real_steps_completes(project) -> None:
    width = 1000
    doc = _run_to_the_end(project, "wide", FAN.format(width=width), timeout=900)
    middle = _by_name(doc, "dag-op-m")
    assert len(middle) == width
    assert all(n["state"] == "Succeeded" and n.get("run_id") for n in middle)
    assert len({n["run_id"] for n in middle}) == width  # one child run per step
    (start,) = _by_name(doc, "dag-op-start-")
    (end,) = _by_name(doc, "dag-op-end-")
    assert min(n["start_time"] for n in middle) >= start["end_time"]
    assert end["start_time"] >= max(n["end_time"] for n in middle)


def test_a_200_deep_chain_of_real_steps_completes_in_order(project) -> None:
    depth = 200
    doc = _run_to_the_end(project, "deep", CHAIN.format(depth=depth), timeout=900)
    chain = sorted(_by_name(doc, "dag-op-c"), key=lambda n: int(n["display_name"].split("-")[2][1:]))
    assert len(chain) == depth and all(n["state"] == "Succeeded" for n in chain)
    assert all(after["start_time"] >= before["end_time"] for before, after in zip(chain[:-1], chain[1:], strict=True))
