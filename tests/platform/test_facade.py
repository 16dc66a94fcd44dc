"""The SDK facade against the real local core: backend, workflows (versions only on change), builds, runs, logs."""

from __future__ import annotations

import pytest

from dhhera_jupyter import platform
from dhhera_jupyter.errors import BackendUnreachable, BuildError, NotFound

PIPELINE = """\
from hera.workflows import Workflow, DAG
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            step(template={"action": "job"}, function="f1")
    return w
"""


@pytest.fixture()
def f1(project):
    return project.new_function(
        name="f1", kind="python", code="def f1():\n    return 1\n", handler="f1", python_version="PYTHON3_11"
    )


def test_backend_is_the_local_core_of_the_session(core):
    backend = platform.backend()

    assert (backend.mode, backend.endpoint) == ("local", core.endpoint)
    assert backend.versions["digitalhub"].startswith("0.15")


def test_register_creates_a_version_only_when_something_changed(project):
    first, created = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)
    same, created_again = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)
    other, created_for_handler = platform.register_workflow(
        "wf", source=PIPELINE, handler="other", project=project.name
    )

    assert (created, created_again, created_for_handler) == (True, False, True)
    assert same.id == first.id and other.id != first.id
    assert [w.id for w in platform.workflow_versions("wf", project.name)] == [other.id, first.id]
    assert platform.workflow_source(other) == PIPELINE


def test_unknown_workflow_is_not_found_with_the_way_to_register_it(project):
    with pytest.raises(NotFound) as info:
        platform.get_workflow("nope", project.name)

    assert str(info.value) == (
        f"Workflow 'nope' does not exist in project '{project.name}'; "
        "register it with %%hera_pipeline nope or %hera register."
    )


def test_build_reports_progress_and_stores_the_built_spec(project, f1):
    workflow, _ = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)
    assert platform.built_spec(workflow) is None
    seen: list[str] = []

    run = platform.build(workflow, {"a": "1"}, on_progress=lambda state, elapsed: seen.append(state))

    assert run.status.state == "COMPLETED" and seen[-1] == "COMPLETED"
    workflow.refresh()
    spec = platform.built_spec(workflow)
    assert spec["entrypoint"] == "dag" and spec == platform.built_manifest(run)


def test_failed_build_raises_with_its_message_and_log_tail(dh, project):
    workflow, _ = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)

    with pytest.raises(BuildError) as info:  # f1 does not exist: the build cannot resolve the step
        platform.build(workflow)

    assert str(info.value).startswith("The build of workflow 'wf' ended ERROR:")
    assert info.value.run.status.state == "ERROR"
    assert info.value.log_tail.strip()


def test_run_doc_reads_the_raw_run_with_one_get(project, f1, monkeypatch):
    from digitalhub.stores.client.http import transport

    workflow, _ = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)
    run = platform.build(workflow)
    calls: list[tuple[str, str]] = []
    real = transport.requests_request

    def counting(method, url, **kwargs):
        calls.append((method, url))
        return real(method, url, **kwargs)

    monkeypatch.setattr(transport, "requests_request", counting)
    doc = platform.run_doc(run.id, project.name)

    assert calls == [("GET", f"{platform.backend().endpoint}/api/v1/-/{project.name}/runs/{run.id}")]
    assert doc["id"] == run.id and doc["status"]["state"] == "COMPLETED" and doc["kind"] == "hera+build:run"


def test_run_logs_are_decoded_text(project, f1):
    workflow, _ = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)
    run = platform.build(workflow)

    text = platform.run_logs(run.id, project.name)

    assert isinstance(text, str) and "build stored in workflow wf" in text


def test_list_runs_of_one_workflow_leaves_out_workflows_whose_name_contains_it(project, f1):
    wf, _ = platform.register_workflow("wf", source=PIPELINE, handler="pipeline", project=project.name)
    wf2, _ = platform.register_workflow("wf2", source=PIPELINE, handler="pipeline", project=project.name)
    run = platform.build(wf)
    run2 = platform.build(wf2)

    assert [r["id"] for r in platform.list_runs(project.name, workflow="wf")] == [run.id]
    assert {r["id"] for r in platform.list_runs(project.name)} == {run.id, run2.id}
    assert sorted(w["name"] for w in platform.list_workflows(project.name)) == ["wf", "wf2"]


def test_connection_errors_become_backend_unreachable_naming_the_endpoint(core):
    error = platform.translate(ConnectionError("Unable to connect to DHCore backend."))

    assert isinstance(error, BackendUnreachable)
    assert core.endpoint in str(error) and "dhhera core start" in str(error)
