"""Pipelines run on the local core through the real SDK (issue: Argo interpreter + step runner)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from dhhera_jupyter.documents.node_fields import NODE_FIELDS, NODE_LABEL_FIELDS
from tests.pipeline import pipeline_code as code
from tests.support import wait_until

pytestmark = pytest.mark.slow

PHASES = {"Pending", "Running", "Succeeded", "Failed", "Error", "Skipped", "Omitted"}
DTO_FIELDS = {*NODE_FIELDS, *NODE_LABEL_FIELDS, "message"}


def _fn(project, name: str, source: str, handler: str | None = None):
    return project.new_function(
        name=name, kind="python", code=source, handler=handler or name, python_version="PYTHON3_11"
    )


def _built(project, name: str, source: str, parameters: dict | None = None):
    wf = project.new_workflow(name=name, kind="hera", code=source, handler="pipeline")
    build = wf.run(action="build", parameters=parameters or {})
    _wait(build)
    assert build.status.state == "COMPLETED", (build.status.to_dict(), _logs(project, build))
    return wf


def _wait(run, states=("COMPLETED", "ERROR", "STOPPED"), timeout: float = 180):
    def done():
        run.refresh()
        return run.status.state in states

    wait_until(done, timeout=timeout, interval=0.1, what=f"run {run.id} to reach {states}")
    return run


def _logs(project, run) -> str:
    from dhhera_jupyter import platform

    return platform.run_logs(run.id, project.name)


def _nodes(run) -> list[dict]:
    return run.to_dict()["status"].get("nodes") or []


def _by_display(run) -> dict[str, dict]:
    return {n["display_name"]: n for n in _nodes(run)}


def _task(nodes: dict[str, dict], prefix: str) -> dict:
    matches = [n for name, n in nodes.items() if name.startswith(prefix)]
    assert len(matches) == 1, (prefix, sorted(nodes))
    return matches[0]


def assert_node_dto(node: dict) -> None:
    assert set(node) <= DTO_FIELDS, set(node) - DTO_FIELDS
    for key in ("id", "name", "display_name", "type", "state"):
        assert isinstance(node[key], str) and node[key], (key, node)
    assert node["state"] in PHASES
    for key in ("inputs", "outputs"):
        for item in node.get(key, []):
            assert set(item) == {"name", "value"} and isinstance(item["value"], str)
    assert all(v not in (None, "", [], {}) for v in node.values()), node


def test_diamond_passes_a_dataitem_from_step_to_step(project, dh) -> None:
    for name, source in (("load", code.LOAD), ("left", code.LEFT), ("right", code.RIGHT), ("join", code.JOIN)):
        _fn(project, name, source)
    wf = _built(project, "diamond", code.DIAMOND)
    run = _wait(wf.run(action="pipeline", parameters={"n": 5}))
    assert run.status.state == "COMPLETED", (run.status.to_dict(), _logs(project, run))
    nodes = _by_display(run)
    root = nodes[run.id]
    assert root["type"] == "DAG" and root["state"] == "Succeeded"
    load, left, right, join = (_task(nodes, f"dag-op-{n}-") for n in ("load", "left", "right", "join"))
    for node in (load, left, right, join):
        assert node["state"] == "Succeeded" and node["type"] == "Pod"
        assert node["action"] == "job" and node["run_id"]
    assert load["function"] == "load"
    # the dataitem key produced by load is what left and right received
    data_key = {o["name"]: o["value"] for o in load["outputs"]}["data"]
    assert data_key.startswith("store://")
    assert {i["name"]: i["value"] for i in left["inputs"]}["di"] == data_key
    # join ran after both branches, with their outputs, and computed on the real data
    assert join["start_time"] >= max(left["end_time"], right["end_time"])
    child = dh.get_run(join["run_id"], project=project.name)
    expected = sum(v * 2 for v in range(5)) + sum(v + 100 for v in range(5))
    assert child.status.results == {"output_0": expected}
    rel = {r["type"]: r["dest"] for r in child.to_dict()["metadata"]["relationships"]}
    assert rel["step_of"].endswith(f"{run.id}:{run.id}") and rel["run_of"].startswith("store://")
    for node in _nodes(run):
        assert_node_dto(node)
    log = _logs(project, run)
    assert "step dag-op-join" in log and "succeeded" in log


def test_steps_pipeline_runs_groups_in_order_with_a_parallel_group(project) -> None:
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "steps", code.STEPS)
    run = _wait(wf.run(action="pipeline", parameters={"who": "team"}))
    assert run.status.state == "COMPLETED", (run.status.to_dict(), _logs(project, run))
    nodes = _by_display(run)
    first, last = (_task(nodes, f"step-op-{n}-") for n in ("first", "last"))
    a, b = nodes["par-a"], nodes["par-b"]
    assert first["end_time"] <= min(a["start_time"], b["start_time"])
    assert last["start_time"] >= max(a["end_time"], b["end_time"])
    child = __import__("digitalhub").get_run(a["run_id"], project=project.name)
    assert child.spec.parameters == {"x": "team-a"}
    assert sum(1 for n in _nodes(run) if n["type"] == "StepGroup") == 3
    for node in _nodes(run):
        assert_node_dto(node)


def test_failing_middle_step_stops_downstream_and_names_the_step(project, dh) -> None:
    _fn(project, "echo", code.ECHO)
    _fn(project, "fail", code.FAIL)
    wf = _built(project, "failing", code.FAILING_MIDDLE)
    run = _wait(wf.run(action="pipeline"))
    assert run.status.state == "ERROR"
    assert "middle" in run.status.message and "middle step exploded" in run.status.message
    nodes = _by_display(run)
    assert _task(nodes, "dag-op-start-")["state"] == "Succeeded"
    middle = _task(nodes, "dag-op-middle-")
    assert middle["state"] == "Failed"
    assert dh.get_run(middle["run_id"], project=project.name).status.state == "ERROR"
    assert not [n for name, n in nodes.items() if name.startswith("dag-op-end-") and n["state"] == "Succeeded"]


def test_stop_mid_run_stops_the_step_and_its_process(project, dh) -> None:
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "slow", code.SLOW_CHAIN)
    run = wf.run(action="pipeline")

    def sleepy_running():
        run.refresh()
        return [n for n in _nodes(run) if n["display_name"].startswith("dag-op-sleepy") and n.get("run_id")]

    node = wait_until(sleepy_running, timeout=120, what="the first step to start")[0]
    pid = wait_until(lambda: _process_in(f"/runs/{node['run_id']}/work"), timeout=60, what="the step's process")
    run.stop()
    _wait(run, states=("STOPPED",), timeout=60)
    child = dh.get_run(node["run_id"], project=project.name)
    _wait(child, states=("STOPPED",), timeout=30)
    from dhhera_jupyter.core.state import pid_alive

    wait_until(lambda: not pid_alive(pid), timeout=15, what="the step's process to end")
    nodes = _by_display(run)
    assert not [n for name, n in nodes.items() if name.startswith("dag-op-after-") and n["state"] == "Succeeded"]
    assert all(n["state"] not in ("Running", "Pending") for n in _nodes(run))


def _process_in(folder: str) -> int | None:
    import os

    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if folder in os.readlink(f"/proc/{entry}/cwd"):
                    return int(entry)
            except OSError:
                continue
    return None


def test_pipeline_without_build_is_refused_like_dhcore(project) -> None:
    _fn(project, "echo", code.ECHO)
    wf = project.new_workflow(name="unbuilt", kind="hera", code=code.STEPS, handler="pipeline")
    run = wf.run(action="pipeline")
    run.refresh()
    assert run.status.state == "ERROR"
    assert "workflowSpec is null" in run.status.message and "build" in run.status.message


def test_parameter_with_no_value_and_no_default_fails_naming_it(project) -> None:
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "needs", code.PARAMETRIZED)
    run = _wait(wf.run(action="pipeline"))
    assert run.status.state == "ERROR" and "needed" in run.status.message
    ok = _wait(wf.run(action="pipeline", parameters={"needed": "yes"}))
    assert ok.status.state == "COMPLETED"


def test_seed_form_binds_build_parameters_to_handler_arguments(project) -> None:
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "seed", code.SEED_FORM, parameters={"greeting": "ciao"})
    run = _wait(wf.run(action="pipeline"))
    assert run.status.state == "COMPLETED"
    greet = _task(_by_display(run), "dag-op-greet-")
    assert {i["value"] for i in greet.get("inputs", [])} <= {"ciao"}
    missing = project.new_workflow(name="seed-missing", kind="hera", code=code.SEED_FORM, handler="pipeline")
    build = _wait(missing.run(action="build"))
    assert build.status.state == "ERROR" and "greeting" in build.status.message


def test_step_whose_function_was_deleted_fails_naming_it(project, dh) -> None:
    fn = _fn(project, "echo", code.ECHO)
    wf = _built(project, "orphan", code.STEPS)
    dh.delete_function(fn.key)
    run = _wait(wf.run(action="pipeline"))
    assert run.status.state == "ERROR"
    assert "echo" in run.status.message and "does not exist" in run.status.message


def _put_build(project, wf, spec: dict) -> None:
    """Store a hand-written Argo spec as the workflow's build (what DHCore does after a build)."""
    import yaml

    from dhhera_jupyter.core import control, entities, store  # noqa: F401

    doc = wf.to_dict()
    doc["spec"]["build"] = {"base64": base64.b64encode(yaml.safe_dump(spec).encode()).decode(), "lang": "yaml"}
    info = control.find()
    import urllib.request

    # PUT keeps the stored spec (as DHCore does), so a raw build is only possible through a build run:
    # emulate DHCore's onComplete by creating a new workflow version carrying the build.
    body = {**doc, "id": None}
    del body["id"]
    req = urllib.request.Request(
        f"{info.endpoint}/api/v1/-/{project.name}/workflows",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {info.token}", "Content-Type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=10).read()


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        (
            {
                "entrypoint": "d",
                "templates": [
                    {
                        "name": "d",
                        "dag": {
                            "tasks": [
                                {"name": "a", "template": "c", "dependencies": ["b"]},
                                {"name": "b", "template": "c", "dependencies": ["a"]},
                            ]
                        },
                    },
                    {"name": "c", "container": {"image": "x"}},
                ],
            },
            "cycle",
        ),
        (
            {
                "entrypoint": "d",
                "templates": [
                    {"name": "d", "dag": {"tasks": [{"name": "a", "template": "c", "depends": "ghost"}]}},
                    {"name": "c", "container": {"image": "x"}},
                ],
            },
            "ghost",
        ),
        (
            {
                "entrypoint": "d",
                "templates": [{"name": "d", "dag": {"tasks": [{"name": "a", "template": "missing-template"}]}}],
            },
            "missing-template",
        ),
        (
            {
                "entrypoint": "d",
                "templates": [
                    {"name": "d", "dag": {"tasks": [{"name": "a", "template": "c"}]}},
                    {"name": "c", "container": {"image": "busybox"}},
                ],
            },
            "platform",
        ),
    ],
    ids=["cycle", "unknown-depends", "missing-template", "foreign-image"],
)
def test_invalid_or_foreign_specs_fail_with_a_message(project, dh, spec: dict, needle: str) -> None:
    _fn(project, "echo", code.ECHO)
    wf = project.new_workflow(name="hand", kind="hera", code=code.STEPS, handler="pipeline")
    _put_build(project, wf, spec)
    wf = dh.get_workflow("hand", project=project.name)
    run = _wait(wf.run(action="pipeline"))
    assert run.status.state == "ERROR"
    assert needle in run.status.message, run.status.message


def test_output_that_is_never_produced_fails_the_step(project) -> None:
    _fn(project, "echo", code.ECHO)
    source = code.STEPS.replace('function="echo", name="first")', 'function="echo", name="first", outputs=["nothing"])')
    assert source != code.STEPS
    wf = _built(project, "noout", source)
    run = _wait(wf.run(action="pipeline"))
    assert run.status.state == "ERROR"
    assert "nothing" in run.status.message and "never produced" in run.status.message


def test_twenty_pipelines_at_once_all_finish(project) -> None:
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "many", code.FAILING_MIDDLE.replace('function="fail"', 'function="echo"'))
    runs = [wf.run(action="pipeline") for _ in range(20)]
    for run in runs:
        _wait(run, timeout=600)
    assert [r.status.state for r in runs] == ["COMPLETED"] * 20


def test_pipeline_run_spec_validates_against_the_recorded_schema(project, fixtures_dir: Path) -> None:
    import jsonschema

    fixture = fixtures_dir / "schema-hera_pipeline_run.json"
    schema = json.loads(fixture.read_text())
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "schema", code.STEPS)
    run = _wait(wf.run(action="pipeline", parameters={"who": "x"}))
    jsonschema.validate(run.to_dict()["spec"], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"parameters": {}}, schema)  # the schema does reject a spec without a task
