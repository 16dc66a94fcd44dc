"""Fixtures of the retry tests: one ETL run that failed in its cleaning step, on the session's local core."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest

from dhhera_jupyter.platform import list_runs, run_doc
from dhhera_jupyter.status import step_label
from tests.retry import retry_code as code
from tests.support import wait_until

FINAL = ("COMPLETED", "ERROR", "STOPPED")


def new_function(project: Any, name: str, source: str) -> Any:
    """A (new version of a) python function whose handler is named like it."""
    return project.new_function(name=name, kind="python", code=source, handler=name, python_version="PYTHON3_11")


def wait_run(project: str, run_id: str, states: tuple[str, ...] = FINAL) -> dict:
    """The run's document as the core stores it (the SDK's model drops the fields it does not know)."""
    docs: list[dict] = []

    def reached() -> bool:
        docs.insert(0, run_doc(run_id, project))
        return docs[0]["status"].get("state") in states

    wait_until(reached, timeout=180, interval=0.1, what=f"run {run_id} to reach {states}")
    return docs[0]


def steps_of(doc: dict) -> dict[str, dict]:
    """Pod nodes by step name (``make``, not ``dag.make-1a2b``)."""
    return {step_label(n["display_name"]): n for n in doc["status"].get("nodes") or [] if n["type"] == "Pod"}


def children(project: str, pipeline_id: str) -> list[dict]:
    """The child runs a pipeline run created (``step_of`` it)."""
    return [
        r
        for r in list_runs(project, limit=500)
        if any(
            rel.get("type") == "step_of" and rel.get("dest", "").endswith(f":{pipeline_id}")
            for rel in (r.get("metadata") or {}).get("relationships") or []
        )
    ]


def function_of(run: dict) -> str:
    """``clean`` for a run of ``python://p/clean:1a2b``."""
    return str(run["spec"]["function"]).split("/")[-1].split(":")[0]


@pytest.fixture(scope="session")
def failed_etl(dh: Any) -> SimpleNamespace:
    """A project with the ETL built (with its side branch) and one run of it that failed in ``clean``.

    Tests retry that run as often as they like (the original never changes); each fixes ``clean`` first.
    """
    project = dh.get_or_create_project(f"t-retry-{os.urandom(2).hex()}")
    for name, source in code.FUNCTIONS.items():
        new_function(project, name, source)
    wf = project.new_workflow(name="etl", kind="hera", code=code.PIPELINE, handler="pipeline")
    build = wf.run(action="build", parameters={"side": "yes"})
    assert wait_run(project.name, build.id)["status"]["state"] == "COMPLETED"
    run = wf.run(action="pipeline", parameters={"n": 4})
    failed = wait_run(project.name, run.id)
    assert failed["status"]["state"] == "ERROR", failed["status"]
    states = {k: v["state"] for k, v in steps_of(failed).items()}
    assert states == {"make": "Succeeded", "clean": "Failed", "count": "Succeeded"}, states
    return SimpleNamespace(project=project, name=project.name, workflow=wf, build_id=build.id, failed=failed)
