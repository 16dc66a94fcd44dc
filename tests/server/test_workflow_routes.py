"""``/dhhera/workflows``: the project's workflows with their runs, the run dialog's parameters, build and run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sidebar_pipelines import add_workflow, start_run, wait_state


@pytest.fixture()
def chain(project: Any) -> Any:
    return add_workflow(project, "chain")


def test_workflows_lists_a_built_workflow_with_its_last_build_and_recent_runs(api, project, chain) -> None:
    run = start_run(chain)
    wait_state(run, ("COMPLETED",))

    reply = api.get("workflows", project=project.name)

    assert reply.status == 200
    (workflow,) = reply.data["workflows"]
    assert workflow["name"] == "chain" and workflow["built"] is True
    assert workflow["last_build"]["state"] == "COMPLETED" and workflow["last_build"]["kind"] == "build"
    assert workflow["runs"][0]["label"] == "succeeded"
    assert [r["id"] for r in workflow["runs"]] == [run.id]
    assert workflow["runs"][0]["started"] and workflow["runs"][0]["finished"]
    assert reply.data["active"] is False


def test_unchanged_workflows_refresh_is_a_304_without_body(api, project, chain) -> None:
    first = api.get("workflows", project=project.name)
    etag = first.headers["Etag"]

    again = api.get("workflows", headers={"If-None-Match": etag}, project=project.name)

    assert first.status == 200 and first.size > 0
    assert again.status == 304 and again.size == 0 and again.headers["Etag"] == etag


def test_new_run_changes_the_etag_and_shows_up(api, project, chain) -> None:
    first = api.get("workflows", project=project.name)

    started = api.post("workflows/chain/run", {"parameters": {"text": "again"}}, project=project.name)
    after = api.get("workflows", headers={"If-None-Match": first.headers["Etag"]}, project=project.name)

    assert started.status == 201 and started.data["kind"] == "pipeline"
    assert after.status == 200 and after.headers["Etag"] != first.headers["Etag"]
    assert after.data["workflows"][0]["runs"][0]["id"] == started.data["run_id"]


def test_unknown_project_is_a_404_naming_it(api) -> None:
    reply = api.get("workflows", project="no-such-project")

    assert reply.status == 404
    assert reply.data["message"] == (
        "Project 'no-such-project' does not exist on the backend; choose another project in the sidebar."
    )


def test_invalid_project_name_is_a_400_not_a_backend_call(api) -> None:
    reply = api.get("workflows", project="../etc")

    assert reply.status == 400
    assert (
        reply.data["message"]
        == "'../etc' is not a valid project name: use at least 2 characters among a-z, 0-9 and '-'."
    )
    reply = api.get("workflows/..", project="etl")
    assert reply.status == 400
    assert reply.data["message"] == "'..' is not a valid workflow name: it cannot be made of dots only."


def test_workflow_details_give_the_run_dialog_its_parameters(api, project, chain) -> None:
    reply = api.get("workflows/chain", project=project.name)

    assert reply.status == 200 and reply.data["built"] is True
    assert reply.data["parameters"] == {
        "gate": {"default": "none", "enum": None},
        "text": {"default": "hi", "enum": None},
    }


def test_unknown_workflow_is_a_404_with_how_to_register_it(api, project) -> None:
    reply = api.get("workflows/nope", project=project.name)

    assert reply.status == 404 and "Workflow 'nope' does not exist" in reply.data["message"]


def test_run_with_an_unknown_parameter_is_a_400_naming_it(api, project, chain) -> None:
    reply = api.post("workflows/chain/run", {"parameters": {"colour": "red"}}, project=project.name)

    assert reply.status == 400
    assert reply.data["message"] == "Workflow 'chain' has no parameter 'colour' (its parameters: gate, text)."


def test_run_of_a_workflow_never_built_is_a_409_saying_to_build_it(api, project) -> None:
    add_workflow(project, "raw", build=False)

    reply = api.post("workflows/raw/run", project=project.name)

    assert reply.status == 409 and "has never been built" in reply.data["message"]


def test_build_starts_a_build_run_that_completes(api, project, dh) -> None:
    add_workflow(project, "later", build=False)

    reply = api.post("workflows/later/build", project=project.name)

    assert reply.status == 201 and reply.data["kind"] == "build"
    run = dh.get_run(reply.data["run_id"], project=project.name)
    assert wait_state(run, ("COMPLETED", "ERROR")) == "COMPLETED"
    assert api.get("workflows/later", project=project.name).data["built"] is True


def test_script_in_a_parameter_comes_back_as_plain_json_data(api, project, chain, tmp_path: Path) -> None:
    payload = "<script>alert('x')</script>"

    started = api.post("workflows/chain/run", {"parameters": {"text": payload}}, project=project.name)
    run = api.get(f"runs/{started.data['run_id']}", project=project.name)

    assert run.headers["Content-Type"].startswith("application/json")
    assert run.data["parameters"]["text"] == payload
