"""``/dhhera/runs/<id>``: live state with ETags, the DAG, logs, stop and re-run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sidebar_pipelines import WIDE, add_workflow, start_run, wait_for, wait_state

from dhhera_jupyter.status import step_label


@pytest.fixture()
def chain(project: Any) -> Any:
    return add_workflow(project, "chain")


@pytest.fixture()
def gate(tmp_path: Path) -> Path:
    return tmp_path / "gate"


def states_by_step(view: dict) -> dict[str, str]:
    return {s["label"]: s["state"] for s in view["steps"]}


def test_running_run_reports_node_states_and_progress_then_all_green(api, project, chain, gate) -> None:
    run = start_run(chain, gate=str(gate))
    held = wait_for(
        lambda: (v := api.get(f"runs/{run.id}", project=project.name).data)["node_states"] and "running" in
        v["node_states"].values() and v, what="a running step")  # fmt: skip

    gate.touch()
    wait_state(run, ("COMPLETED",))
    done = api.get(f"runs/{run.id}", project=project.name).data

    assert held["state"] == "RUNNING" and held["terminal"] is False
    assert held["total"] == 3 and held["done"] < 3 and held["graph"]
    assert states_by_step(held)["last"] == "pending"
    assert done["label"] == "succeeded" and (done["done"], done["total"]) == (3, 3)
    assert set(done["node_states"].values()) == {"succeeded"}
    assert len(done["node_states"]) == 3


def test_unchanged_run_is_a_304_and_a_change_a_200(api, project, chain, gate) -> None:
    run = start_run(chain, gate=str(gate))
    wait_for(lambda: api.get(f"runs/{run.id}", project=project.name).data["state"] == "RUNNING", what="RUNNING")
    first = api.get(f"runs/{run.id}", project=project.name)
    while True:  # the run may move between two reads: ask until two in a row agree
        again = api.get(f"runs/{run.id}", headers={"If-None-Match": first.headers["Etag"]}, project=project.name)
        if again.status == 304:
            break
        first = again

    gate.touch()
    wait_state(run, ("COMPLETED",))
    changed = api.get(f"runs/{run.id}", headers={"If-None-Match": first.headers["Etag"]}, project=project.name)

    assert again.size == 0
    assert changed.status == 200 and changed.data["state"] == "COMPLETED"


def test_unknown_run_is_a_404_naming_it(api, project, chain) -> None:
    for path in ("runs/nope", "runs/nope/graph", "runs/nope/logs"):
        reply = api.get(path, project=project.name)

        assert reply.status == 404, path
        assert reply.data["message"] == f"Run 'nope' does not exist in project '{project.name}'."


def test_graph_is_the_graphviz_svg_with_one_node_per_step_and_revalidates_as_304(api, project, dh) -> None:
    wide = add_workflow(project, "wide", WIDE.format(width=10))
    run = start_run(wide)

    graph = api.get(f"runs/{run.id}/graph", project=project.name)
    again = api.get(f"runs/{run.id}/graph", headers={"If-None-Match": graph.headers["Etag"]}, project=project.name)

    assert graph.status == 200 and graph.data["node_count"] == 10
    assert len(re.findall(r'<g id="[^"]*" class="node[ "]', graph.data["svg"])) == 10
    assert sorted(step_label(n) for n in graph.data["nodes"]) == sorted(f"s{i}" for i in range(10))
    assert {n["function"] for n in graph.data["nodes"].values()} == {"hold"}
    assert again.status == 304 and again.size == 0
    wait_state(run, ("COMPLETED",))


def test_step_logs_are_the_logs_of_the_child_run_of_that_step(api, project, chain) -> None:
    run = start_run(chain, text="hello-from-first")
    wait_state(run, ("COMPLETED",))

    logs = api.get(f"runs/{run.id}/logs", project=project.name, step="first")
    missing = api.get(f"runs/{run.id}/logs", project=project.name, step="nope")

    assert logs.status == 200 and "step says hello-from-first" in logs.data["text"]
    assert logs.data["run_id"] and logs.data["run_id"] != run.id
    assert missing.status == 404 and missing.data["message"] == f"Run {run.id} has no step 'nope'."


def test_stop_stops_a_running_run_and_a_second_stop_is_a_409(api, project, chain, gate) -> None:
    run = start_run(chain, gate=str(gate))
    wait_for(lambda: api.get(f"runs/{run.id}", project=project.name).data["state"] == "RUNNING", what="RUNNING")

    stopped = api.post(f"runs/{run.id}/stop", project=project.name)
    wait_state(run, ("STOPPED",))
    again = api.post(f"runs/{run.id}/stop", project=project.name)

    assert stopped.status == 200
    assert again.status == 409 and again.data["message"] == (
        f"Run {run.id} already finished (STOPPED); there is nothing to stop."
    )
    gate.touch()


def test_rerun_runs_the_same_version_with_the_same_parameters(api, project, chain, dh) -> None:
    run = start_run(chain, text="twice")
    wait_state(run, ("COMPLETED",))

    reply = api.post(f"runs/{run.id}/rerun", project=project.name)

    assert reply.status == 201
    second = dh.get_run(reply.data["run_id"], project=project.name)
    assert second.spec.parameters == {"text": "twice"}
    assert second.spec.workflow == run.spec.workflow
    wait_state(second, ("COMPLETED",))


def test_failure_message_with_markup_comes_back_verbatim_as_data(api, project, chain) -> None:
    run = start_run(chain, text="fail")
    wait_state(run, ("ERROR",))

    view = api.get(f"runs/{run.id}", project=project.name).data

    failed = [s for s in view["steps"] if s["state"] in ("failed", "error")]
    assert failed and view["failed_step"] == failed[0]["id"]
    logs = api.get(f"runs/{run.id}/logs", project=project.name, step=failed[0]["label"]).data["text"]
    assert "<script>alert('step')</script>" in logs


def test_a_fan_out_wider_than_the_sidebar_draws_is_folded_and_its_node_shows_its_steps_state(
    api, project, gate
) -> None:
    from dhhera_jupyter.server.graphs import SIDEBAR_MAX_NODES

    width = SIDEBAR_MAX_NODES + 10
    wide = add_workflow(project, "wide", WIDE.format(width=width))
    run = start_run(wide, gate=str(gate))
    held = wait_for(
        lambda: "running" in (v := api.get(f"runs/{run.id}", project=project.name).data)["node_states"].values()
        and v, what="the folded node running")  # fmt: skip
    graph = api.get(f"runs/{run.id}/graph", project=project.name).data

    gate.touch()
    wait_state(run, ("COMPLETED",), timeout=240)
    done = api.get(f"runs/{run.id}", project=project.name).data

    assert graph["node_count"] == width
    assert len(re.findall(r'<g id="[^"]*" class="node[ "]', graph["svg"])) == 1
    (folded,) = graph["nodes"].values()
    assert len(folded["members"]) == width
    assert list(held["node_states"].values()) == ["running"] and len(held["steps"]) == width
    assert done["node_states"] == {next(iter(graph["nodes"])): "succeeded"}
    assert len(done["steps"]) == width and {s["state"] for s in done["steps"]} == {"succeeded"}
