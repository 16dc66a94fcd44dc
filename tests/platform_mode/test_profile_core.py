"""The dhcore profile of the local core shows DHCore's behaviour (contract §4, §5.3; DHCore's source).

Each test drives the real SDK against a core started with ``DHHERA_CORE_PROFILE=dhcore`` and checks one
behaviour the profile claims, against the contract's examples and the recorded DHCore fixtures.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from panel_pipelines import DIAMOND, add_workflow

from dhhera_jupyter.core import profile
from dhhera_jupyter.documents.node_fields import NODE_FIELDS
from dhhera_jupyter.executor.argo_nodes import node_id
from tests.platform_mode.conftest import TEST_REFRESH, Platform, new_project
from tests.support import FIXTURES, wait_until

EXTENSION_FIELDS = {"function", "function_id", "action", "run_id", "message"}


@pytest.fixture()
def project(dh_sdk: Any, request: pytest.FixtureRequest) -> Any:
    return new_project(dh_sdk, request)


def _doc(dh: Any, project: Any, run_id: str) -> dict:
    return dh.get_run(run_id, project=project.name).to_dict()


def _children(dh: Any, project: Any, run_id: str) -> list[dict]:
    runs = [r.to_dict() for r in dh.list_runs(project=project.name)]
    return [
        r
        for r in runs
        if any(rel.get("type") == "step_of" for rel in (r.get("metadata") or {}).get("relationships") or [])
        and run_id in json.dumps(r["metadata"]["relationships"])
    ]


def _task(run: Any, part: str) -> str:
    """The name of the built DAG task whose name contains ``part``."""
    import base64

    import yaml

    spec = yaml.safe_load(base64.b64decode(run.to_dict()["spec"]["build"]["base64"]))
    tasks = [t["name"] for tpl in spec["templates"] for t in (tpl.get("dag") or {}).get("tasks") or []]
    return next(t for t in tasks if part in t)


def test_settings_choose_the_profile_and_refuse_unknown_values(tmp_path: Path) -> None:
    assert profile.from_env({}) is profile.LOCAL
    dh = profile.from_env({"DHHERA_CORE_PROFILE": "dhcore"})
    assert dh.node_refresh == profile.DHCORE_MONITOR_DELAY == 10.0  # DHCore's MONITORS_DELAY default
    assert profile.from_env({"DHHERA_CORE_PROFILE": "DHCore", "DHHERA_CORE_REFRESH": "2.5"}).node_refresh == 2.5
    with pytest.raises(ValueError, match="DHHERA_CORE_PROFILE is 'kfp'"):
        profile.from_env({"DHHERA_CORE_PROFILE": "kfp"})
    with pytest.raises(ValueError, match="DHHERA_CORE_REFRESH"):
        profile.from_env({"DHHERA_CORE_PROFILE": "dhcore", "DHHERA_CORE_REFRESH": "0"})


def test_a_bad_profile_setting_fails_the_core_start_with_its_sentence(tmp_path: Path) -> None:
    from dhhera_jupyter.core import control
    from dhhera_jupyter.errors import CoreError
    from tests.platform_mode.conftest import start_platform

    with pytest.raises(CoreError, match="DHHERA_CORE_PROFILE is 'kfp'; use 'local'"):
        start_platform("kfp", tmp_path)
    assert control.find(tmp_path / "home") is None


def test_status_names_the_profile(dhcore_platform: Platform, local_platform: Platform) -> None:
    from dhhera_jupyter.core import control

    assert control.find(dhcore_platform.home).status["profile"] == "dhcore"
    assert control.find(local_platform.home).status["profile"] == "local"


def test_nodes_have_only_the_dto_fields_dhcore_fills_and_argo_ids(dh_sdk: Any, project: Any) -> None:
    wf = add_workflow(project, "diamond", DIAMOND)
    run = wf.run(action="pipeline", parameters={"n": "2"})
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the pipeline")
    doc = run.to_dict()
    assert doc["status"]["state"] == "COMPLETED", doc["status"]
    nodes = doc["status"]["nodes"]
    fixture = json.loads((FIXTURES / "run-hera_pipeline_run.json").read_text())
    recorded_fields = {k for n in fixture["status"].get("nodes") or [] for k in n}
    allowed = set(NODE_FIELDS)
    assert recorded_fields <= allowed | {"run_id"} or not recorded_fields
    for node in nodes:
        assert set(node) <= allowed, node
        assert not set(node) & EXTENSION_FIELDS
    root = next(n for n in nodes if n["id"] == run.id)
    assert root["name"] == run.id and root["type"] == "DAG"
    for node in nodes:
        if node is root:
            continue
        assert re.fullmatch(re.escape(run.id) + r"-\d+", node["id"]), node["id"]
        assert node["name"].startswith(run.id + ".")
        assert node["id"] == node_id(run.id, node["name"])
    pods = [n for n in nodes if n["type"] == "Pod"]
    assert {p["display_name"].split("-")[2] for p in pods} == {"a", "b", "c", "d"}
    assert all(p["exit_code"] == "0" and p["state"] == "Succeeded" for p in pods)
    # Children point at the pipeline only through step_of (contract §5.2), not from the nodes.
    children = _children(dh_sdk, project, run.id)
    assert len(children) == 4
    for child in children:
        dests = [r["dest"] for r in child["metadata"]["relationships"] if r["type"] == "step_of"]
        assert dests == [f"store://{project.name}/run/hera+pipeline:run/{run.id}:{run.id}"]


def test_nodes_are_refreshed_on_the_monitor_cadence_only(dh_sdk: Any, project: Any, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    wf = add_workflow(project, "diamond", DIAMOND)
    run = wf.run(action="pipeline", parameters={"gate": str(gate)})
    # Each change of the stored nodes, seen by the first read that returned it: (when the read before that one
    # started, when this read ended, the nodes). The change happened between those two times whatever the load.
    seen: list[tuple[float, float, str]] = []
    last_start = [time.monotonic()]

    def record() -> dict:
        start = time.monotonic()
        doc = _doc(dh_sdk, project, run.id)
        text = json.dumps(doc["status"].get("nodes") or [], sort_keys=True)
        if doc["status"]["state"] == "RUNNING" and (not seen or seen[-1][2] != text):
            seen.append((last_start[0], time.monotonic(), text))
        last_start[0] = start
        return doc

    def b_in_nodes() -> bool:
        return any(n["display_name"].startswith("dag-op-b-") for n in record()["status"].get("nodes") or [])

    wait_until(b_in_nodes, 120, interval=0.05, what="step b in the nodes")
    gate.write_text("go")
    wait_until(lambda: record()["status"]["state"] in ("COMPLETED", "ERROR"), 120, interval=0.05, what="the end")
    # Between two changes of the stored nodes at least one monitor period passes. What a read sees bounds the gap
    # from above (the later change before its read ended, the earlier one after the read before its own started),
    # so a slow read under load cannot shrink it; nodes written on every update give gaps far below the period.
    gaps = [b[1] - a[0] for a, b in zip(seen, seen[1:], strict=False)]
    assert gaps and min(gaps) >= TEST_REFRESH - 0.2, gaps


def test_failed_run_keeps_the_last_running_nodes_and_says_job_failed(dh_sdk: Any, project: Any, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    wf = add_workflow(project, "diamond", DIAMOND)
    run = wf.run(action="pipeline", parameters={"fail": "yes", "gate": str(gate)})
    b_seen = wait_until(
        lambda: [n for n in _doc(dh_sdk, project, run.id)["status"].get("nodes") or [] if "-op-b-" in n["name"]],
        120,
        what="b running in the nodes",
    )
    assert b_seen[0]["state"] == "Running"
    gate.write_text("go")
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the pipeline")
    status = run.to_dict()["status"]
    assert status["state"] == "ERROR"
    match = re.fullmatch(r"Job failed: child '(?P<id>[^']+)' failed", status["message"])
    assert match, status["message"]
    assert match["id"] == node_id(run.id, f"{run.id}.{_task(run, '-op-b-')}")  # Argo's id of task b
    # Not refreshed on the ERROR path: the root DAG is still Running and b never shows Failed.
    root = next(n for n in status["nodes"] if n["id"] == run.id)
    assert root["state"] == "Running"
    assert not any(n["state"] in ("Failed", "Error") for n in status["nodes"])
    assert next(n for n in status["nodes"] if n["id"] == match["id"])["state"] == "Running"
    assert [t["status"] for t in status["transitions"]][:2] == ["ERROR", "RUNNING"]


def test_unbuilt_workflow_run_errors_with_dhcore_words(dh_sdk: Any, project: Any) -> None:
    wf = add_workflow(project, "raw", DIAMOND, build=False)
    run = wf.run(action="pipeline")
    status = run.to_dict()["status"]
    assert status["state"] == "ERROR" and status["message"] == "workflowSpec is null"


def test_ready_runs_are_not_stoppable(dh_sdk: Any, project: Any, on_dhcore: Platform, tmp_path: Path) -> None:
    """READY has no STOP transition in DHCore: a stop of a queued run answers 200 and changes nothing."""
    gate = tmp_path / "gate"
    code = f"import os, time\ndef hold():\n    while not os.path.exists({str(gate)!r}):\n        time.sleep(0.05)\n"
    fn = project.new_function(name="hold", kind="python", code=code, handler="hold", python_version="PYTHON3_11")
    # Two workers on the platform: a third run waits READY in the queue.
    runs = [fn.run(action="job") for _ in range(3)]
    try:
        queued = wait_until(
            lambda: next((r for r in runs if r.refresh().status.state == "READY"), None), 60, what="a queued run"
        )
        queued.stop()
        assert queued.refresh().status.state == "READY"
    finally:
        gate.write_text("go")
    for r in runs:
        wait_until(lambda r=r: r.refresh().status.state in ("COMPLETED", "ERROR", "STOPPED"), 120, what="a run")
    assert queued.status.state == "COMPLETED"


def test_search_answers_501_with_an_empty_body(on_dhcore: Platform) -> None:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        f"{on_dhcore.endpoint}/api/v1/-/any/solr/search/item?q=x",
        headers={"Authorization": f"Bearer {on_dhcore.token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 501 and err.value.read() == b""


def test_pipeline_logs_are_one_log_per_step_pod(dh_sdk: Any, project: Any) -> None:
    wf = add_workflow(project, "diamond", DIAMOND)
    run = wf.run(action="pipeline")
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the pipeline")
    logs = run.logs()  # the SDK parses the 0.15 log shape (contract §3.5)
    pods = {n["id"] for n in run.to_dict()["status"]["nodes"] if n["type"] == "Pod"}
    assert len(logs) == 4
    docs = [log.to_dict() for log in logs]
    assert {d["status"]["pod"] for d in docs} == pods
    assert all(d["spec"]["run"] == run.id and d["name"] for d in docs)
