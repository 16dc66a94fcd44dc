"""Run documents read into per-step states, progress, outputs and the failed step."""

from __future__ import annotations

from typing import Any

from status_samples import fanout_spec, node, run_doc, steps_spec

from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.status import snapshot

T0, T1, T2, T3 = "2025-07-30T10:00:00Z", "2025-07-30T10:00:05Z", "2025-07-30T10:00:09Z", "2025-07-30T10:00:30Z"


def diamond_nodes(rid: str, b_state: str = "Running", d_state: str | None = None) -> list[dict[str, Any]]:
    nodes = [
        node(rid, rid, rid, "DAG", "Running", start_time=T0),
        node(
            rid,
            f"{rid}.a",
            "a",
            "Pod",
            "Succeeded",
            start_time=T0,
            end_time=T1,
            exit_code="0",
            function="download",
            action="job",
            run_id="child-a",
            inputs=[{"name": "url", "value": "http://x"}],
            outputs=[{"name": "dataset", "value": "store://demo/dataitem/table/dataset:1"}],
        ),
        node(
            rid,
            f"{rid}.b",
            "b",
            "Pod",
            b_state,
            start_time=T1,
            end_time=T2 if b_state != "Running" else None,
            run_id="child-b",
        ),
        node(rid, f"{rid}.c", "c", "Pod", "Succeeded", start_time=T1, end_time=T2, run_id="child-c"),
    ]
    if d_state:
        nodes.append(node(rid, f"{rid}.d", "d", "Pod", d_state, start_time=T2, end_time=T3, run_id="child-d"))
    return nodes


def test_running_diamond_shows_each_step_and_waiting_ones_pending(diamond) -> None:
    snap = snapshot(run_doc("r1", "RUNNING", diamond_nodes("r1")), diamond)
    assert snap.node_states == {"a": "succeeded", "b": "running", "c": "succeeded", "d": "pending"}
    assert (snap.done, snap.total) == (2, 4)
    assert [s.id for s in snap.steps] == ["a", "b", "c", "d"]
    a = snap.step("a")
    assert (a.function, a.action, a.run_id, a.duration) == ("download", "job", "child-a", 5.0)
    assert a.outputs == (("dataset", "store://demo/dataitem/table/dataset:1"),)
    assert a.inputs == (("url", "http://x"),)
    assert snap.step("b").end is None and snap.step("b").duration is None
    assert snap.started == T0 and snap.finished is None and not snap.terminal


def test_completed_diamond_reaches_full_progress_with_outputs(diamond) -> None:
    doc = run_doc(
        "r1",
        "COMPLETED",
        diamond_nodes("r1", "Succeeded", "Succeeded"),
        transitions=[{"status": "COMPLETED", "time": T3}, {"status": "RUNNING", "time": T0}],
    )
    snap = snapshot(doc, diamond)
    assert set(snap.node_states.values()) == {"succeeded"}
    assert snap.progress == 1.0 and snap.terminal and snap.label == "succeeded"
    assert snap.outputs == {"a": {"dataset": "store://demo/dataitem/table/dataset:1"}}
    assert snap.elapsed() == 30.0
    assert snap.workflow == "wf" and snap.parameters == {"url": "http://x"}


def test_failed_step_is_named_and_steps_that_never_ran_are_omitted(diamond) -> None:
    nodes = diamond_nodes("r1", "Failed")
    nodes[2]["message"] = "child run child-b ended in ERROR: boom"
    snap = snapshot(run_doc("r1", "ERROR", nodes, message="step 'b' failed"), diamond)
    assert snap.failed_step == "b"
    assert snap.node_states["b"] == "failed"
    assert snap.node_states["d"] == "omitted"
    assert snap.step("b").message == "child run child-b ended in ERROR: boom"
    assert snap.message == "step 'b' failed" and snap.label == "failed"


def test_a_step_still_running_when_dhcore_reports_error_is_shown_as_error(diamond) -> None:
    # DHCore does not refresh status.nodes on the ERROR path: the list keeps the last RUNNING view.
    snap = snapshot(run_doc("r1", "ERROR", diamond_nodes("r1", "Running"), message="Job failed: b"), diamond)
    assert snap.node_states["b"] == "error"
    assert snap.failed_step == "b"
    assert snap.step("b").message == "Job failed: b"


def test_stopped_run_marks_interrupted_steps_stopped(diamond) -> None:
    nodes = diamond_nodes("r1", "Failed")
    nodes[2]["message"] = "Stopped"
    snap = snapshot(run_doc("r1", "STOPPED", nodes), diamond)
    assert snap.node_states["b"] == "stopped"
    assert snap.node_states["d"] == "omitted"
    assert snap.failed_step is None


def test_fan_out_items_fold_onto_their_task_with_item_counts() -> None:
    graph = from_workflow(fanout_spec())
    rid = "r2"
    nodes = [
        node(rid, rid, rid, "DAG", "Running"),
        node(rid, f"{rid}.split", "split", "Pod", "Succeeded"),
        node(rid, f"{rid}.work", "work", "TaskGroup", "Running"),
        node(rid, f"{rid}.work(0:x)", "work(0:x)", "Pod", "Succeeded", run_id="c0"),
        node(rid, f"{rid}.work(1:y.z)", "work(1:y.z)", "Pod", "Running", run_id="c1"),
        node(rid, f"{rid}.work(2:(w))", "work(2:(w))", "Pod", "Pending"),
    ]
    snap = snapshot(run_doc(rid, "RUNNING", nodes), graph)
    assert snap.node_states == {"split": "succeeded", "work": "running", "join": "pending"}
    work = snap.step("work")
    assert (work.items, work.items_done, work.run_ids) == (3, 1, ("c0", "c1"))


def test_fan_out_without_a_group_node_aggregates_its_items() -> None:
    graph = from_workflow(fanout_spec())
    rid = "r3"
    nodes = [
        node(rid, f"{rid}.work(0:x)", "work(0:x)", "Pod", "Succeeded"),
        node(rid, f"{rid}.work(1:y.z)", "work(1:y.z)", "Pod", "Failed"),
    ]
    assert snapshot(run_doc(rid, "RUNNING", nodes), graph).node_states["work"] == "failed"
    nodes.append(node(rid, f"{rid}.work(2:(w))", "work(2:(w))", "Pod", "Pending"))
    assert snapshot(run_doc(rid, "RUNNING", nodes), graph).node_states["work"] == "running"


def test_steps_workflow_maps_steps_and_ignores_groups() -> None:
    graph = from_workflow(steps_spec())
    rid = "r4"
    nodes = [
        node(rid, rid, rid, "Steps", "Running"),
        node(rid, f"{rid}[0]", "[0]", "StepGroup", "Succeeded"),
        node(rid, f"{rid}[0].first", "first", "Pod", "Succeeded"),
        node(rid, f"{rid}[1]", "[1]", "StepGroup", "Running"),
        node(rid, f"{rid}[1].left", "left", "Pod", "Running"),
        node(rid, f"{rid}[1].right", "right", "Skipped", "Skipped", message="when 'false' evaluated false"),
    ]
    snap = snapshot(run_doc(rid, "RUNNING", nodes), graph)
    assert snap.node_states == {"first": "succeeded", "left": "running", "right": "skipped"}
    assert snap.step("right").message == "when 'false' evaluated false"
    assert (snap.done, snap.total) == (2, 3)


def test_without_a_graph_steps_come_from_the_nodes_seen() -> None:
    rid = "r5"
    nodes = [
        node(rid, rid, rid, "DAG", "Running"),
        node(rid, f"{rid}.a", "a", "Pod", "Succeeded"),
        node(rid, f"{rid}.inner", "inner", "DAG", "Running"),
        node(rid, f"{rid}.inner.a", "a", "Pod", "Running"),
    ]
    snap = snapshot(run_doc(rid, "RUNNING", nodes))
    assert [s.id for s in snap.steps] == ["a", "inner/a"]
    assert snap.node_states == {"a": "succeeded", "inner": "running", "inner/a": "running"}


def test_real_platform_fixture_without_nodes_reads_state_times_and_parameters(fixture_run) -> None:
    snap = snapshot(fixture_run)
    assert snap.state == "RUNNING" and snap.label == "running"
    assert snap.run_id == "213ce83a-8f51-4424-bf56-13ad54595a22"
    assert snap.workflow == "workflow1" and snap.project == "demo-etl"
    assert snap.parameters == {"param1": 100}
    assert snap.started == "2024-11-20T11:15:26.332770676Z"
    assert snap.steps == () and snap.progress == 0.0


def test_real_platform_fixture_with_a_graph_lists_every_step_pending(fixture_run, diamond) -> None:
    snap = snapshot(fixture_run, diamond)
    assert set(snap.node_states.values()) == {"pending"} and snap.total == 4


def test_platform_nodes_without_function_fields_still_map_by_name(diamond) -> None:
    rid = "213ce83a-8f51-4424-bf56-13ad54595a22"
    nodes = [
        {"id": rid, "name": rid, "display_name": rid, "type": "DAG", "state": "Running", "children": [f"{rid}-1"]},
        {
            "id": f"{rid}-1",
            "name": f"{rid}.a",
            "display_name": "a",
            "type": "Pod",
            "state": "Succeeded",
            "exit_code": "0",
            "outputs": [{"name": "run_id", "value": "child-a"}],
        },
    ]
    snap = snapshot(run_doc(rid, "RUNNING", nodes), diamond)
    assert snap.node_states["a"] == "succeeded"
    # Functions come from the built graph; the child run from the run_id output parameter.
    assert snap.step("a").function == "download" and snap.step("a").run_id == "child-a"


def test_steps_failing_once_a_stop_was_requested_are_stopped_not_failed(diamond) -> None:
    # The local core and Argo report a step killed by a stop as Failed, without a message.
    nodes = diamond_nodes("r1", "Failed")
    nodes[2]["end_time"] = "2025-07-30T10:00:20Z"
    transitions = [
        {"status": "STOPPED", "time": "2025-07-30T10:00:21.2Z"},
        {"status": "STOP", "time": "2025-07-30T10:00:20.7Z"},
    ]
    snap = snapshot(run_doc("r1", "STOPPED", nodes, transitions=transitions), diamond)
    assert snap.node_states["b"] == "stopped" and snap.failed_step is None
    nodes[2]["end_time"] = "2025-07-30T10:00:10Z"  # failed on its own, before the stop
    snap = snapshot(run_doc("r1", "STOPPED", nodes, transitions=transitions), diamond)
    assert snap.node_states["b"] == "failed" and snap.failed_step == "b"
