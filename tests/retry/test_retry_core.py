"""Retry from the failure on the local core, through the real SDK: only the failed step and its downstream
run again, the steps that succeeded keep their outputs and child runs, the new run names the original."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dhhera_jupyter.errors import Conflict, NotFound
from dhhera_jupyter.platform import list_runs, run_doc, run_logs
from dhhera_jupyter.platform.retry import retry
from tests.retry import retry_code as code
from tests.retry.conftest import children, function_of, new_function, steps_of, wait_run
from tests.support import wait_until

pytestmark = pytest.mark.slow


def test_retry_reruns_exactly_the_failed_step_and_its_downstream_reusing_the_rest(dh: Any, failed_etl: Any) -> None:
    etl, original = failed_etl, failed_etl.failed
    before = steps_of(original)
    # The workflow is rebuilt without the side branch: the retry still runs the original's build.
    rebuilt = etl.workflow.run(action="build", parameters={"side": "no"})
    assert wait_run(etl.name, rebuilt.id)["status"]["state"] == "COMPLETED"
    new_function(etl.project, "clean", code.CLEAN_FIXED)  # the fix: a new version of the function

    doc = retry(original["id"], etl.name)
    assert doc["spec"]["retry_of"] == original["id"] and doc["id"] != original["id"]
    done = wait_run(etl.name, doc["id"])
    assert done["status"]["state"] == "COMPLETED", done["status"]
    assert done["spec"]["retry_of"] == original["id"]
    assert done["spec"]["parameters"] == original["spec"]["parameters"]

    # Exactly the failed step and its downstream ran again: two child runs, of clean and report.
    assert sorted(function_of(r) for r in children(etl.name, doc["id"])) == ["clean", "report"]
    steps = steps_of(done)
    assert set(steps) == {"make", "clean", "report", "count"}  # the original build, side branch included
    assert all(n["state"] == "Succeeded" for n in steps.values())
    # The reused steps are the original's: same child run, same output entity, marked as reused.
    for name in ("make", "count"):
        assert steps[name]["run_id"] == before[name]["run_id"]
        assert steps[name]["reused_from"] == original["id"]
        assert (steps[name]["start_time"], steps[name]["end_time"]) == (
            before[name]["start_time"],
            before[name]["end_time"],
        )
        assert steps[name].get("outputs") == before[name].get("outputs")
    assert "reused_from" not in steps["clean"] and "reused_from" not in steps["report"]
    # The re-executed step read the reused output exactly as the original did, with the fixed function.
    assert steps["clean"]["inputs"] == before["clean"]["inputs"]
    assert steps["clean"]["function_id"] != before["clean"]["function_id"]
    raw = next(p["value"] for p in before["make"]["outputs"] if p["name"] == "raw")
    assert dh.get_dataitem(raw).as_df()["v"].tolist() == [0, 1, 2, 3, -7]
    assert "total 6" in run_logs(steps["report"]["run_id"], etl.name)  # 0+1+2+3: the negative reading dropped
    # The original is left as it was, and can be retried again.
    assert run_doc(original["id"], etl.name)["status"]["nodes"] == original["status"]["nodes"]
    etl.retried = done


def test_retry_of_a_succeeded_run_says_there_is_nothing_to_retry(failed_etl: Any) -> None:
    etl = failed_etl
    done = getattr(etl, "retried", None)
    if done is None:  # run alone: a succeeded run of the fixed pipeline
        new_function(etl.project, "clean", code.CLEAN_FIXED)
        done = wait_run(etl.name, etl.workflow.run(action="pipeline", parameters={"n": 2}).id)
    count = len(list_runs(etl.name, limit=500))
    with pytest.raises(Conflict, match=rf"^Run {done['id']} succeeded: there is nothing to retry"):
        retry(done["id"], etl.name)
    assert len(list_runs(etl.name, limit=500)) == count


def test_retry_of_an_unknown_run_names_it(failed_etl: Any) -> None:
    with pytest.raises(NotFound, match=rf"There is no run 'nope' in project '{failed_etl.name}'"):
        retry("nope", failed_etl.name)


def test_retry_of_a_build_run_says_only_pipelines_retry(failed_etl: Any) -> None:
    with pytest.raises(Conflict, match=r"is a hera\+build:run run, not a pipeline run"):
        retry(failed_etl.build_id, failed_etl.name)


def test_a_running_pipeline_is_refused_then_once_stopped_its_stopped_step_runs_again(
    failed_etl: Any, tmp_path: Path
) -> None:
    etl, gate = failed_etl, tmp_path / "gate"
    new_function(etl.project, "quick", code.QUICK)
    new_function(etl.project, "slow", code.SLOW)
    wf = etl.project.new_workflow(name="slow", kind="hera", code=code.SLOW_PIPELINE, handler="pipeline")
    assert wait_run(etl.name, wf.run(action="build").id)["status"]["state"] == "COMPLETED"
    run = wf.run(action="pipeline", parameters={"gate": str(gate)})
    try:
        wait_until(
            lambda: steps_of(run_doc(run.id, etl.name)).get("slow", {}).get("state") == "Running",
            timeout=120,
            what="the slow step to run",
        )
        with pytest.raises(Conflict, match=rf"^Run {run.id} is still RUNNING: wait until it ends, or stop it"):
            retry(run.id, etl.name)
    finally:
        run.stop()
    stopped = wait_run(etl.name, run.id)
    assert stopped["status"]["state"] == "STOPPED"
    gate.touch()
    done = wait_run(etl.name, retry(run.id, etl.name)["id"])
    assert done["status"]["state"] == "COMPLETED", done["status"]
    assert [function_of(r) for r in children(etl.name, done["id"])] == ["slow"]  # quick is reused
    assert steps_of(done)["quick"]["reused_from"] == run.id


def test_the_core_refuses_a_bad_retry_and_stores_nothing(failed_etl: Any) -> None:
    """The core checks on its own (any client): 404 unknown original, 409 not retryable, 400 malformed."""
    from digitalhub.stores.client.base.factory import get_client

    client = get_client()
    api = client.build_api("context", "create", project=failed_etl.name, entity_type="run")
    count = len(list_runs(failed_etl.name, limit=500))
    refused = (("nope", "does not exist"), (failed_etl.build_id, "not a pipeline run"), ("../x", "Invalid"))
    for original, words in refused:
        body = {"kind": "hera+pipeline:run", "spec": {"retry_of": original}, "status": {"state": "CREATED"}}
        with pytest.raises(Exception, match=words):
            client.create_object(api, body)
    assert len(list_runs(failed_etl.name, limit=500)) == count
