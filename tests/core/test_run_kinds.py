"""The run-kind table: what it says, refusals of kinds the local core cannot run, services across a restart."""

from __future__ import annotations

import base64
import os
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dhhera_jupyter.core import control, run_kinds, state
from tests.core.core_client import call_json
from tests.support import wait_until

SERVICE = "def init(context):\n    print('up', flush=True)\n\ndef handler(context, event):\n    return 'pong'\n"


def _run_of(info, project: str, kind: str, action: str, spec: dict, **run_spec: object) -> dict:
    """Create a function of ``kind``, its task and a run of ``action``, over the REST API as the SDK does."""
    fn = call_json(info, "POST", f"/api/v1/-/{project}/functions", {"name": f"f-{kind}", "kind": kind, "spec": spec})
    exec_ref = f"{kind}://{project}/{fn['name']}:{fn['id']}"
    task = call_json(
        info, "POST", f"/api/v1/-/{project}/tasks", {"kind": f"{kind}+{action}", "spec": {"function": exec_ref}}
    )
    return call_json(
        info,
        "POST",
        f"/api/v1/-/{project}/runs",
        {
            "kind": f"{kind}+{action}:run",
            "spec": {
                "task": f"{kind}+{action}://{project}/{task['id']}",
                "function": exec_ref,
                "local_execution": False,
                **run_spec,
            },
            "status": {"state": "CREATED"},
        },
    )


def _python_spec(code: str, handler: str, **source: str) -> dict:
    return {
        "python_version": "PYTHON3_11",
        "source": {"handler": handler, "base64": base64.b64encode(code.encode()).decode(), "lang": "python", **source},
    }


# -- the table ---------------------------------------------------------------------------------------


def test_every_kind_names_a_known_executor_and_its_needs() -> None:
    executors = {run_kinds.WORKER, run_kinds.SERVICE, run_kinds.PIPELINE, run_kinds.ENVIRONMENT}
    for entry in run_kinds.KINDS.values():
        assert entry.executor in executors, entry
        assert entry.kind.endswith(":run") and "+" in entry.kind
        assert set(entry.needs) <= {run_kinds.NEEDS_WORKFLOW_BUILD, run_kinds.NEEDS_FUNCTION_ENV}
    assert run_kinds.KINDS["python+serve:run"].is_service
    assert not run_kinds.KINDS["python+job:run"].is_service
    rows = run_kinds.describe()
    assert [r["kind"] for r in rows] == list(run_kinds.KINDS)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("container+job:run", "a container engine"),
        ("dbt+transform:run", "database"),
        ("kfp+pipeline:run", "Kubeflow"),
        ("ray+job:run", "Ray"),
        ("mlflowserve+serve:run", "model-serving"),
        ("python+unknown:run", "action 'unknown'"),
        ("brandnew+job:run", "only"),
    ],
)
def test_refusal_is_one_sentence_naming_the_kind_and_the_platform(kind: str, words: str) -> None:
    message = run_kinds.refusal(kind)
    assert kind in message and words in message and "DigitalHub platform" in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_a_serve_step_settles_when_its_service_is_up() -> None:
    serving = {"kind": "python+serve:run", "status": {"state": "RUNNING", "service": {"url": "127.0.0.1:1"}}}
    deploying = {"kind": "python+serve:run", "status": {"state": "RUNNING"}}
    job = {"kind": "python+job:run", "status": {"state": "RUNNING", "service": {"url": "x"}}}
    assert run_kinds.step_settled(serving) and run_kinds.step_succeeded(serving)
    assert not run_kinds.step_settled(deploying)
    assert not run_kinds.step_settled(job)
    assert run_kinds.service_url(serving) == "http://127.0.0.1:1"
    failed = {"kind": "python+serve:run", "status": {"state": "ERROR"}}
    assert run_kinds.step_settled(failed) and not run_kinds.step_succeeded(failed)


# -- through the real core ---------------------------------------------------------------------------


@pytest.mark.slow
def test_unsupported_kind_ends_error_at_creation_and_listing_still_works(core) -> None:
    info = core
    call_json(info, "POST", "/api/v1/projects", {"name": "kinds-refused", "kind": "project"})
    run = _run_of(info, "kinds-refused", "container", "job", {"image": "busybox"})
    assert run["status"]["state"] == "ERROR"
    assert run["status"]["message"] == run_kinds.refusal("container+job:run")
    listed = call_json(info, "GET", "/api/v1/-/kinds-refused/runs")
    assert [r["id"] for r in listed["content"]] == [run["id"]]


@pytest.mark.slow
def test_pipeline_after_a_failed_build_names_that_build_and_its_error(project, dh) -> None:
    wf = project.new_workflow(
        name="broken", kind="hera", code="def pipeline():\n    raise ValueError('no steps today')\n", handler="pipeline"
    )
    build = wf.run(action="build")
    wait_until(lambda: (build.refresh(), build.status.state)[1] == "ERROR", timeout=120, what="the build to fail")
    run = wf.run(action="pipeline")
    run.refresh()
    assert run.status.state == "ERROR"
    assert build.id in run.status.message and "no steps today" in run.status.message


def _pipeline_of(project, name: str, function: str, action: str):
    code = (
        "from hera.workflows import DAG, Workflow\n"
        "from digitalhub_runtime_hera.dsl import step\n\n"
        "def pipeline():\n"
        "    with Workflow(entrypoint='dag') as w:\n"
        "        with DAG(name='dag'):\n"
        f"            step(template={{'action': '{action}'}}, function='{function}', name='the-step')\n"
        "    return w\n"
    )
    wf = project.new_workflow(name=name, kind="hera", code=code, handler="pipeline")
    build = wf.run(action="build")
    wait_until(lambda: (build.refresh(), build.status.state)[1] in ("COMPLETED", "ERROR"), timeout=120)
    return wf, build


@pytest.mark.slow
def test_unsupported_kind_in_a_pipeline_step_fails_that_node_with_the_sentence(project, dh) -> None:
    # openinference functions come with the python runtime; serving them needs the platform.
    project.new_function(
        name="infer", kind="openinference", code=SERVICE, handler="handler", python_version="PYTHON3_11"
    )
    wf, build = _pipeline_of(project, "with-infer", "infer", "serve")
    assert build.status.state == "COMPLETED", build.status.message
    run = wf.run(action="pipeline")
    wait_until(lambda: (run.refresh(), run.status.state)[1] in ("COMPLETED", "ERROR"), timeout=120)
    assert run.status.state == "ERROR"
    all_nodes = run.status.to_dict().get("nodes") or []
    nodes = [n for n in all_nodes if "the-step" in (n.get("display_name") or "") and n.get("type") == "Pod"]
    assert nodes, (run.status.message, all_nodes)
    assert nodes[0]["state"] in ("Error", "Failed")
    assert run_kinds.refusal("openinference+serve:run") in nodes[0]["message"]


@pytest.mark.slow
def test_a_step_whose_runtime_package_is_missing_says_which_package(project, dh) -> None:
    info = control.find()
    call_json(info, "POST", f"/api/v1/-/{project.name}/functions", {"name": "box", "kind": "container", "spec": {}})
    _, build = _pipeline_of(project, "with-box", "box", "job")
    assert build.status.state == "ERROR"
    assert "pip install digitalhub-runtime-container" in build.status.message


@pytest.mark.slow
def test_a_build_whose_function_is_missing_says_so_first(project, dh) -> None:
    _, build = _pipeline_of(project, "ghost-step", "no-such-function", "job")
    assert build.status.state == "ERROR"
    message = build.status.message
    last = message.split(" (caused by ")[0]
    assert "not found" in last.lower() and "IndexError" not in last, message


@pytest.mark.slow
def test_core_restart_marks_running_services_stopped_with_a_message(tmp_path: Path) -> None:
    home = tmp_path / "core"
    info, _ = control.start(home)
    try:
        control.wait_objects(info, timeout=120)
        call_json(info, "POST", "/api/v1/projects", {"name": "restart", "kind": "project"})
        run = _run_of(info, "restart", "python", "serve", _python_spec(SERVICE, "handler", init_function="init"))
        up = wait_until(
            lambda: (d := call_json(info, "GET", f"/api/v1/-/restart/runs/{run['id']}"))["status"].get("service") and d,
            timeout=120,
            what="the service to come up",
        )
        url = f"http://{up['status']['service']['url']}/"
        assert urllib.request.urlopen(url, timeout=5).read() == b"pong"
        os.kill(info.pid, signal.SIGKILL)
        wait_until(lambda: not state.pid_alive(info.pid), timeout=10, what="the core to die")

        def gone() -> bool:
            try:
                urllib.request.urlopen(url, timeout=1)
            except (urllib.error.URLError, OSError):
                return True
            return False

        wait_until(gone, timeout=30, what="the service to end with the core")
        again, started = control.start(home)
        assert started
        doc = call_json(again, "GET", f"/api/v1/-/restart/runs/{run['id']}")
        assert doc["status"]["state"] == "STOPPED"
        assert "local core restarted" in doc["status"]["message"]
        assert "service" not in doc["status"]
    finally:
        control.stop(home)
