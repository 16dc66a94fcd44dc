"""Retry from the failure on the local core, through the real SDK: only the failed step and its downstream
run again, the steps that succeeded keep their outputs and child runs, the new run names the original."""

from __future__ import annotations

import os
from typing import Any

import pytest

from dhhera_jupyter.errors import Conflict, NotFound
from dhhera_jupyter.platform import list_runs, run_doc, run_logs
from dhhera_jupyter.platform.retry import retry
from dhhera_jupyter.status import step_label
from tests.retry import retry_code as code
from tests.support import wait_until

pytestmark = pytest.mark.slow

FINAL = ("COMPLETED", "ERROR", "STOPPED")


def _fn(project: Any, name: str, source: str) -> Any:
    return project.new_function(name=name, kind="python", code=source, handler=name, python_version="PYTHON3_11")


def _wait(dh: Any, project: Any, run_id: str, states: tuple[str, ...] = FINAL) -> dict:
    """The run's document as the core stores it (the SDK's own model drops the fields it does not know)."""
    docs: list[dict] = []

    def reached() -> bool:
        docs.insert(0, run_doc(run_id, project.name))
        return docs[0]["status"].get("state") in states

    wait_until(reached, timeout=180, interval=0.1, what=f"run {run_id} to reach {states}")
    return docs[0]


def _steps(doc: dict) -> dict[str, dict]:
    """Pod nodes by step name (``make``, not ``dag.make-1a2b``)."""
    return {step_label(n["display_name"]): n for n in doc["status"].get("nodes") or [] if n["type"] == "Pod"}


def children(project: Any, pipeline_id: str) -> list[dict]:
    """The child runs a pipeline run created (``step_of`` it)."""
    return [
        r
        for r in list_runs(project.name, limit=500)
        if any(
            rel.get("type") == "step_of" and rel.get("dest", "").endswith(f":{pipeline_id}")
            for rel in (r.get("metadata") or {}).get("relationships") or []
        )
    ]


def _function_of(run: dict) -> str:
    return str(run["spec"]["function"]).split("/")[-1].split(":")[0]


@pytest.fixture(scope="module")
def etl(dh: Any) -> Any:
    """A project with the ETL built (with its side branch) and one run of it that failed in ``clean``."""
    project = dh.get_or_create_project(f"t-retry-{os.urandom(2).hex()}")
    for name, source in code.FUNCTIONS.items():
        _fn(project, name, source)
    wf = project.new_workflow(name="etl", kind="hera", code=code.PIPELINE, handler="pipeline")
    build = wf.run(action="build", parameters={"side": "yes"})
    assert _wait(dh, project, build.id)["status"]["state"] == "COMPLETED"
    run = wf.run(action="pipeline", parameters={"n": 4})
    failed = _wait(dh, project, run.id)
    assert failed["status"]["state"] == "ERROR", failed["status"]
    steps = _steps(failed)
    assert {k: v["state"] for k, v in steps.items()} == {"make": "Succeeded", "clean": "Failed", "count": "Succeeded"}
    project.build_run_id = build.id
    project.failed = failed
    project.workflow = wf
    return project


def test_retry_reruns_exactly_the_failed_step_and_its_downstream_reusing_the_rest(dh: Any, etl: Any) -> None:
    original = etl.failed
    before = _steps(original)
    # The workflow is rebuilt without the side branch: the retry still runs the original's build.
    rebuilt = etl.workflow.run(action="build", parameters={"side": "no"})
    assert _wait(dh, etl, rebuilt.id)["status"]["state"] == "COMPLETED"
    _fn(etl, "clean", code.CLEAN_FIXED)  # the fix: a new version of the function

    doc = retry(original["id"], etl.name)
    assert doc["spec"]["retry_of"] == original["id"] and doc["id"] != original["id"]
    done = _wait(dh, etl, doc["id"])
    assert done["status"]["state"] == "COMPLETED", done["status"]
    assert done["spec"]["retry_of"] == original["id"]
    assert done["spec"]["parameters"] == original["spec"]["parameters"]

    # Exactly the failed step and its downstream ran again: two child runs, of clean and report.
    again = children(etl, doc["id"])
    assert sorted(_function_of(r) for r in again) == ["clean", "report"]
    steps = _steps(done)
    assert set(steps) == {"make", "clean", "report", "count"}  # the original build, side branch included
    assert all(n["state"] == "Succeeded" for n in steps.values())
    # The reused steps are the original's: same child run, same output entity, marked as reused.
    for name in ("make", "count"):
        assert steps[name]["run_id"] == before[name]["run_id"]
        assert steps[name]["reused_from"] == original["id"]
        assert steps[name].get("outputs") == before[name].get("outputs")
    assert "reused_from" not in steps["clean"] and "reused_from" not in steps["report"]
    # The re-executed step read the reused output exactly as the original did, with the fixed function.
    assert steps["clean"]["inputs"] == before["clean"]["inputs"]
    assert steps["clean"]["function_id"] != before["clean"]["function_id"]
    raw = next(p["value"] for p in before["make"]["outputs"] if p["name"] == "raw")
    assert dh.get_dataitem(raw).as_df()["v"].tolist() == [0, 1, 2, 3, -7]
    assert "total 6" in run_logs(steps["report"]["run_id"], etl.name)  # 0+1+2+3: the negative reading dropped
    # The original is left as it was.
    assert run_doc(original["id"], etl.name)["status"]["nodes"] == original["status"]["nodes"]
    etl.retried = done


def test_retry_of_a_succeeded_run_says_there_is_nothing_to_retry(dh: Any, etl: Any) -> None:
    done = getattr(etl, "retried", None)
    if done is None:  # run alone: make a succeeded run of the fixed pipeline
        _fn(etl, "clean", code.CLEAN_FIXED)
        done = _wait(dh, etl, etl.workflow.run(action="pipeline", parameters={"n": 2}).id)
    count = len(list_runs(etl.name, limit=500))
    with pytest.raises(Conflict, match=rf"^Run {done['id']} succeeded: there is nothing to retry"):
        retry(done["id"], etl.name)
    assert len(list_runs(etl.name, limit=500)) == count


def test_retry_of_an_unknown_run_names_it(etl: Any) -> None:
    with pytest.raises(NotFound, match=rf"There is no run 'nope' in project '{etl.name}'"):
        retry("nope", etl.name)


def test_retry_of_a_build_run_says_only_pipelines_retry(etl: Any) -> None:
    with pytest.raises(Conflict, match=r"is a hera\+build:run run, not a pipeline run"):
        retry(etl.build_run_id, etl.name)


def test_retry_of_a_running_pipeline_says_wait_or_stop(dh: Any, etl: Any) -> None:
    _fn(etl, "slow", code.SLOW)
    wf = etl.new_workflow(name="slow", kind="hera", code=code.SLOW_PIPELINE, handler="pipeline")
    assert _wait(dh, etl, wf.run(action="build").id)["status"]["state"] == "COMPLETED"
    run = wf.run(action="pipeline")
    try:
        _wait(dh, etl, run.id, ("RUNNING",))
        with pytest.raises(Conflict, match=rf"^Run {run.id} is still RUNNING: wait until it ends, or stop it"):
            retry(run.id, etl.name)
    finally:
        run.stop()
    assert _wait(dh, etl, run.id)["status"]["state"] == "STOPPED"


def test_the_core_refuses_a_bad_retry_and_stores_nothing(etl: Any) -> None:
    """The core checks on its own (any client): 404 unknown original, 409 not retryable, 400 malformed."""
    from digitalhub.stores.client.base.factory import get_client

    client = get_client()
    api = client.build_api("context", "create", project=etl.name, entity_type="run")
    count = len(list_runs(etl.name, limit=500))
    for retry_of, words in (("nope", "does not exist"), (etl.build_run_id, "not a pipeline run"), ("../x", "Invalid")):
        body = {"kind": "hera+pipeline:run", "spec": {"retry_of": retry_of}, "status": {"state": "CREATED"}}
        with pytest.raises(Exception, match=words):
            client.create_object(api, body)
    assert len(list_runs(etl.name, limit=500)) == count
