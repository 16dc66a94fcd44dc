"""The real digitalhub SDK against the real local core process (contract §2-§7)."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request

import pytest
import yaml

from tests.support import wait_until

pytestmark = pytest.mark.slow

JOB = """
def double(x: int):
    print("doubling", x)
    return x * 2
"""

FRAME = """
import pandas as pd

def make(n: int):
    return pd.DataFrame({"a": list(range(int(n))), "b": [i * i for i in range(int(n))]})
"""

BOOM = """
def boom():
    raise ValueError("the sky is falling")
"""

SLOW = """
import time

def slow():
    print("sleeping", flush=True)
    time.sleep(300)
"""

PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag", arguments={"x": "3"}) as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"x": "{{workflow.parameters.x}}"}}, function="double")
            b = step(template={"action": "job", "parameters": {"x": "1"}}, function="double", name="again")
            a >> b
    return w
"""


def _fn(project, name: str, code: str, handler: str):
    return project.new_function(name=name, kind="python", code=code, handler=handler, python_version="PYTHON3_11")


def _wait_state(run, states=("COMPLETED", "ERROR", "STOPPED"), timeout: float = 120):
    def done():
        run.refresh()
        return run.status.state in states

    wait_until(done, timeout=timeout, interval=0.1, what=f"run {run.id} to reach {states}")
    return run


def _raw(core, method: str, path: str, body: bytes | None = None, token: str | None = "same") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token == "same":
        headers["Authorization"] = f"Bearer {core.token}"
    elif token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(core.endpoint + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_python_job_runs_in_a_worker_and_completes_with_outputs(project) -> None:
    fn = _fn(project, "double", JOB, "double")
    run = _wait_state(fn.run(action="job", parameters={"x": 21}))
    assert run.status.state == "COMPLETED"
    assert run.status.results == {"output_0": 42}
    assert "doubling 21" in _logs_text(project, run)


def _logs_text(project, run) -> str:
    from dhhera_jupyter.core import control

    info = control.find()
    status, docs = _raw(info, "GET", f"/api/v1/-/{project.name}/runs/{run.id}/logs")
    assert status == 200
    return "".join(base64.b64decode(d["content"]).decode() for d in docs)


def test_dataframe_output_lands_in_s3_as_a_dataitem_and_reads_back(project, dh) -> None:
    fn = _fn(project, "make", FRAME, "make")
    run = _wait_state(fn.run(action="job", parameters={"n": 5}))
    assert run.status.state == "COMPLETED", run.status.to_dict()
    outputs = run.status.outputs
    assert outputs, run.status.to_dict()
    key = next(iter(outputs.values()))
    key = key["key"] if isinstance(key, dict) else key
    item = dh.get_dataitem(key)
    assert item.spec.path.startswith("s3://")
    df = item.as_df()
    assert list(df["b"]) == [0, 1, 4, 9, 16]


def test_log_dataitem_from_the_client_goes_to_s3_and_reads_back(project) -> None:
    import pandas as pd

    frame = pd.DataFrame({"city": ["Trento", "Rovereto"], "n": [1, 2]})
    item = project.log_dataitem(name="cities", kind="table", data=frame)
    assert item.spec.path.startswith("s3://")
    back = project.get_dataitem("cities").as_df()
    assert list(back["city"]) == ["Trento", "Rovereto"]


def test_failing_function_ends_error_with_message_and_traceback_in_logs(project) -> None:
    fn = _fn(project, "boom", BOOM, "boom")
    run = _wait_state(fn.run(action="job"))
    assert run.status.state == "ERROR"
    assert "the sky is falling" in (run.status.message or "")
    logs = _logs_text(project, run)
    assert "Traceback" in logs and "ValueError: the sky is falling" in logs


def test_build_stores_the_argo_spec_in_the_workflow(project, dh) -> None:
    _fn(project, "double", JOB, "double")
    wf = project.new_workflow(name="wf", kind="hera", code=PIPELINE, handler="pipeline")
    run = _wait_state(wf.run(action="build"))
    assert run.status.state == "COMPLETED", run.status.to_dict()
    wf = dh.get_workflow(wf.key)
    built = wf.to_dict()["spec"]["build"]
    assert built["lang"] == "yaml"
    spec = yaml.safe_load(base64.b64decode(built["base64"]))
    assert spec["entrypoint"] == "dag"
    tasks = next(t for t in spec["templates"] if t["name"] == "dag")["dag"]["tasks"]
    assert len(tasks) == 2
    assert "apiVersion" not in spec  # only .spec is kept, as DHCore does


def test_build_with_missing_handler_fails_naming_it(project) -> None:
    wf = project.new_workflow(name="nohandler", kind="hera", code=PIPELINE, handler="not_there")
    run = _wait_state(wf.run(action="build"))
    assert run.status.state == "ERROR"
    assert "not_there" in (run.status.message or "") + _logs_text(project, run)


def test_build_whose_handler_returns_no_workflow_fails(project) -> None:
    wf = project.new_workflow(name="notwf", kind="hera", code="def pipeline():\n    return 42\n", handler="pipeline")
    run = _wait_state(wf.run(action="build"))
    assert run.status.state == "ERROR"
    assert run.status.message


def test_stop_ends_a_long_job_and_its_process(project) -> None:
    fn = _fn(project, "slow", SLOW, "slow")
    run = fn.run(action="job")
    wait_until(lambda: "sleeping" in _logs_text(project, run), timeout=120, what="the job to start")
    pid = _worker_pid(project, run)
    assert pid is not None, "no process works in the run's folder"
    run.stop()
    _wait_state(run, states=("STOPPED",), timeout=30)
    assert run.status.state == "STOPPED"
    wait_until(lambda: not _alive(pid), timeout=15, what="the worker process to end")


def _worker_pid(project, run) -> int | None:
    """The pid of the process executing ``run`` (its working directory is the run's own folder)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if f"/runs/{run.id}/work" in cwd:
            return int(entry)
    return None


def _alive(pid: int) -> bool:
    from dhhera_jupyter.core.state import pid_alive

    return pid_alive(pid)


def test_requests_without_the_token_get_401(core) -> None:
    status, body = _raw(core, "GET", "/api/v1/projects", token=None)
    assert status == 401 and "token" in body["message"].lower()
    status, _ = _raw(core, "GET", "/api/v1/projects", token="wrong")
    assert status == 401


def test_malformed_json_gets_400_with_a_message(core, project) -> None:
    status, body = _raw(core, "POST", f"/api/v1/-/{project.name}/functions", body=b"{not json")
    assert status == 400 and "Malformed JSON" in body["message"]


def test_unknown_entities_raise_the_sdk_not_exists_error(dh, project) -> None:
    from digitalhub.utils.exceptions import EntityNotExistsError

    with pytest.raises(EntityNotExistsError):
        dh.get_run("0" * 32, project=project.name)
    from dhhera_jupyter.core import control

    status, body = _raw(control.find(), "GET", "/api/v1/projects/no-such-project")
    assert status == 404 and "No such EntityName" in body["message"]


def test_duplicate_create_takes_the_sdk_duplicated_path(dh, project) -> None:
    from digitalhub.utils.exceptions import EntityAlreadyExistsError

    fn = _fn(project, "dup", JOB, "double")
    body = fn.to_dict()
    with pytest.raises(EntityAlreadyExistsError):
        dh.new_function(
            project=project.name,
            name="dup",
            kind="python",
            code=JOB,
            handler="double",
            python_version="PYTHON3_11",
            uuid=body["id"],
        )


def test_invalid_run_transition_is_ignored_with_200(core, project) -> None:
    fn = _fn(project, "double", JOB, "double")
    run = _wait_state(fn.run(action="job", parameters={"x": 1}))
    doc = run.to_dict()
    doc["status"] = {**doc["status"], "state": "RUNNING"}
    status, body = _raw(core, "PUT", f"/api/v1/-/{project.name}/runs/{run.id}", body=json.dumps(doc).encode())
    assert status == 200 and body["status"]["state"] == "COMPLETED"
    status, body = _raw(core, "POST", f"/api/v1/-/{project.name}/runs/{run.id}/stop", body=b"{}")
    assert status == 200 and body["status"]["state"] == "COMPLETED"


def test_versions_and_pagination_as_the_sdk_reads_them(dh, project) -> None:
    for i in range(3):
        _fn(project, "versioned", JOB + f"\n# v{i}\n", "double")
    versions = dh.get_function_versions("versioned", project=project.name)
    assert len(versions) == 3
    for i in range(30):
        _fn(project, f"many-{i}", JOB, "double")
    assert len(dh.list_functions(project=project.name)) == 31  # > one page of 25
    assert len({v.id for v in versions}) == 3
    newest = dh.get_function("versioned", project=project.name)
    assert "# v2" in base64.b64decode(newest.spec.source["base64"]).decode()


def test_runs_wait_ready_for_a_free_worker_and_a_queued_run_can_be_stopped(project) -> None:
    fn = _fn(project, "slow", SLOW, "slow")
    busy = [fn.run(action="job") for _ in range(2)]  # the session core has 2 workers
    for run in busy:
        wait_until(lambda r=run: "sleeping" in _logs_text(project, r), timeout=120, what="a worker to start")
    queued = fn.run(action="job")
    queued.refresh()
    assert queued.status.state == "READY"
    queued.stop()
    _wait_state(queued, states=("STOPPED",), timeout=30)
    for run in busy:
        assert run.refresh().status.state == "RUNNING"
        run.stop()
        _wait_state(run, states=("STOPPED",), timeout=30)
