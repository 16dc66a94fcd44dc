"""``python+serve:run`` on the local core, through the real SDK: the service, its faults, its stop."""

from __future__ import annotations

import os
import signal

import pytest
import requests

from tests.support import core_run_logs, wait_until

pytestmark = pytest.mark.slow

SERVICE = """
import json

def init(context, greeting, size=2):
    context.greeting = greeting
    context.size = int(size)
    print("init done", greeting, flush=True)

def handler(context, event):
    path = event.path
    if path == "/bytes":
        return bytes(range(8))
    if path == "/boom":
        raise ValueError("bad request body")
    if path == "/echo":
        return {"method": event.method, "body": event.body}
    if path == "/response":
        return context.Response(body="teapot", status_code=418, content_type="text/plain", headers={"X-A": "1"})
    page = int(event.fields.get("page", 0))
    print("serving page", page, flush=True)
    return {"greeting": context.greeting, "page": page, "size": int(event.fields.get("size", context.size))}
"""

BAD_INIT = """
def init(context):
    raise RuntimeError("the model file is missing")

def handler(context, event):
    return "never"
"""


def _serve_fn(project, name: str, code: str, init: str = "init"):
    return project.new_function(
        name=name, kind="python", code=code, handler="handler", init_function=init, python_version="PYTHON3_11"
    )


def _logs(project, run) -> str:
    """The run's log as the core serves it."""
    return core_run_logs(project.name, run.id)


def _state(project, run_id: str, *states: str, timeout: float = 60):
    return wait_until(
        lambda: (r := project.get_run(run_id)).status.state in states and r,
        timeout=timeout,
        what=f"run {run_id} in {states}",
    )


@pytest.fixture()
def fast_wait():
    from dhhera_jupyter.platform import fast_wait

    fast_wait.install()
    yield
    fast_wait.uninstall()


def test_serve_answers_with_init_parameters_fields_json_and_bytes_then_stops(project, fast_wait) -> None:
    fn = _serve_fn(project, "api", SERVICE)
    run = fn.run("serve", init_parameters={"greeting": "ciao"}, wait=True)
    assert run.status.state == "RUNNING", run.status.to_dict()
    service = run.status.service
    host, port = service["url"].split(":")
    assert host == "127.0.0.1" and service["ports"][0]["port"] == int(port)
    assert service["type"] == "ClusterIP" and service["name"]

    answer = run.invoke(url=f"http://{service['url']}/?page=5&size=10")
    assert answer.status_code == 200
    assert answer.json() == {"greeting": "ciao", "page": 5, "size": 10}
    raw = run.invoke(url=f"http://{service['url']}/bytes")
    assert raw.content == bytes(range(8)) and raw.headers["Content-Type"] == "application/octet-stream"
    echo = run.invoke(method="POST", url=f"http://{service['url']}/echo", json={"a": [1, 2]})
    assert echo.json() == {"method": "POST", "body": {"a": [1, 2]}}
    teapot = run.invoke(url=f"http://{service['url']}/response")
    assert teapot.status_code == 418 and teapot.text == "teapot" and teapot.headers["X-A"] == "1"

    # A handler that raises answers 500 and the service keeps serving.
    boom = run.invoke(url=f"http://{service['url']}/boom")
    assert boom.status_code == 500 and "ValueError: bad request body" in boom.text
    assert run.invoke(url=f"http://{service['url']}/?page=1").json()["page"] == 1

    logs = _logs(project, run)
    assert "init done ciao" in logs and "serving page 5" in logs
    assert "GET /?page=5&size=10 -> 200" in logs and "GET /boom -> 500" in logs
    assert "ValueError: bad request body" in logs

    run.stop()
    stopped = _state(project, run.id, "STOPPED")
    assert stopped.status.state == "STOPPED"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{service['url']}/", timeout=5)


def test_init_function_that_raises_ends_the_run_error_with_its_message(project, fast_wait) -> None:
    fn = _serve_fn(project, "bad-init", BAD_INIT)
    run = fn.run("serve", wait=True)
    done = _state(project, run.id, "ERROR")
    assert "RuntimeError: the model file is missing" in done.status.message
    assert done.status.service is None


def test_killed_service_process_ends_error_with_a_message(project, fast_wait, core) -> None:
    fn = _serve_fn(project, "killed", SERVICE)
    run = fn.run("serve", init_parameters={"greeting": "x"}, wait=True)
    assert run.status.state == "RUNNING"
    port = int(run.status.service["url"].split(":")[1])
    pid = _pid_listening_on(port)
    os.kill(pid, signal.SIGKILL)
    done = _state(project, run.id, "ERROR")
    assert "killed (signal 9)" in done.status.message


def test_services_do_not_take_job_slots(project, fast_wait, dh) -> None:
    """With more services running than job workers (DHHERA_WORKERS=2 in tests), jobs still run."""
    fn = _serve_fn(project, "many", SERVICE)
    runs = [fn.run("serve", init_parameters={"greeting": str(i)}, wait=True) for i in range(3)]
    assert all(r.status.state == "RUNNING" for r in runs)
    job = project.new_function(
        name="plain", kind="python", code="def f():\n    return 1\n", handler="f", python_version="PYTHON3_11"
    )
    done = job.run("job", wait=True)
    assert done.status.state == "COMPLETED"
    for r in runs:
        r.stop()
    for r in runs:
        _state(project, r.id, "STOPPED")


def _pid_listening_on(port: int) -> int:
    """Pid of the process with a listening socket on 127.0.0.1:``port`` (from /proc, no extra tools)."""
    inode = None
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        parts = line.split()
        local, state = parts[1], parts[3]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            inode = parts[9]
    assert inode, f"nothing listens on port {port}"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
        except OSError:
            continue
    raise AssertionError(f"no process owns the socket of port {port}")


PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job"}, function="prepare", name="prepare")
            b = step(template={"action": "serve", "init_parameters": {"greeting": "from-pipeline"}},
                     function="api", name="serve")
            a >> b
    return w
"""


def test_a_pipeline_serve_step_succeeds_once_up_and_the_service_outlives_the_pipeline(project, fast_wait) -> None:
    project.new_function(
        name="prepare",
        kind="python",
        code="def prepare():\n    return 1\n",
        handler="prepare",
        python_version="PYTHON3_11",
    )
    _serve_fn(project, "api", SERVICE)
    wf = project.new_workflow(name="with-serve", kind="hera", code=PIPELINE, handler="pipeline")
    assert wf.run(action="build", wait=True).status.state == "COMPLETED"
    run = wf.run(action="pipeline", wait=True)
    assert run.status.state == "COMPLETED", run.status.message
    node = next(n for n in run.status.to_dict()["nodes"] if n.get("service_url"))
    service = project.get_run(node["run_id"])
    assert service.status.state == "RUNNING" and node["service_url"] == f"http://{service.status.service['url']}"
    assert requests.get(f"{node['service_url']}/?page=2", timeout=5).json()["greeting"] == "from-pipeline"
    service.stop()
    assert _state(project, service.id, "STOPPED").status.state == "STOPPED"
