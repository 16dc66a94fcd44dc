"""A run of a kind whose runtime package is not installed here (``dbt+transform:run``, as a pipeline step or another
client would create it through the API) never breaks our run lists: ``%hera runs``, ``platform.list_runs`` and the
sidebar's project summary read the stored documents, they do not build SDK entities (the SDK's own
``project.list_runs()`` raises ``BuilderError`` for such a run, on the local core as on DHCore)."""

from __future__ import annotations

import os
from typing import Any

import requests

from dhhera_jupyter import platform
from dhhera_jupyter.documents.states import PIPELINE_RUN_KIND
from tests.support import ipython_shell


def _post(project: str, collection: str, body: dict) -> dict:
    answer = requests.post(
        f"{os.environ['DHCORE_ENDPOINT']}/api/v1/-/{project}/{collection}",
        headers={"Authorization": f"Bearer {os.environ['DHCORE_ACCESS_TOKEN']}"},
        json={"project": project, **body},
        timeout=10,
    )
    assert answer.ok, answer.text
    return answer.json()


def test_a_run_of_a_kind_without_its_runtime_does_not_break_our_run_lists(project: Any) -> None:
    from dhhera_jupyter.server.context import load_summary

    fn = _post(project.name, "functions", {"name": "model", "kind": "dbt", "spec": {"source": {"code": "select 1"}}})
    task = f"dbt+transform://{project.name}/model:{fn['id']}"
    dbt = _post(
        project.name,
        "runs",
        {"kind": "dbt+transform:run", "spec": {"task": task, "function": f"dbt://{project.name}/model:{fn['id']}"}},
    )
    wf = project.new_workflow(name="flow", kind="hera", code="def pipeline():\n    pass\n", handler="pipeline")
    pipeline = _post(
        project.name, "runs", {"kind": PIPELINE_RUN_KIND, "spec": {"workflow": f"hera://{project.name}/flow:{wf.id}"}}
    )

    listed = {d["id"]: d["kind"] for d in platform.list_runs(project.name)}
    assert listed[dbt["id"]] == "dbt+transform:run" and listed[pipeline["id"]] == PIPELINE_RUN_KIND

    shell = ipython_shell()
    everything = shell.run_line_magic("hera", f"runs --all --project {project.name}")
    assert {r["id"] for r in everything} >= {dbt["id"], pipeline["id"]}
    only_pipelines = shell.run_line_magic("hera", f"runs --project {project.name}")
    assert [r["id"] for r in only_pipelines] == [pipeline["id"]]

    summary = load_summary(project.name)
    assert pipeline["id"] in repr(summary) and "dbt" not in repr(summary)
