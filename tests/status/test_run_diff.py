"""Diffs between snapshots carry only what changed."""

from __future__ import annotations

from status_samples import node, run_doc

from dhhera_jupyter.status import diff, snapshot


def nodes(b: str, c: str = "Pending") -> list[dict]:
    return [
        node("r", "r", "r", "DAG", "Running"),
        node("r", "r.a", "a", "Pod", "Succeeded", outputs=[{"name": "dataset", "value": "store://k"}]),
        node("r", "r.b", "b", "Pod", b),
        node("r", "r.c", "c", "Pod", c),
    ]


def test_identical_snapshots_give_an_empty_diff(diamond) -> None:
    old = snapshot(run_doc("r", "RUNNING", nodes("Running")), diamond)
    new = snapshot(run_doc("r", "RUNNING", nodes("Running")), diamond)
    change = diff(old, new)
    assert change.empty and not change


def test_one_step_finishing_yields_only_that_step_and_progress(diamond) -> None:
    old = snapshot(run_doc("r", "RUNNING", nodes("Running")), diamond)
    new = snapshot(run_doc("r", "RUNNING", nodes("Succeeded")), diamond)
    change = diff(old, new)
    assert change.node_states == {"b": "succeeded"}
    assert list(change.steps) == ["b"]
    assert change.progress == (2, 4)
    assert change.state is None and change.message is None and change.results is None
    assert change.failed_step is None and change.times is None


def test_a_failure_reports_state_message_and_failed_step(diamond) -> None:
    old = snapshot(run_doc("r", "RUNNING", nodes("Running")), diamond)
    new = snapshot(run_doc("r", "ERROR", nodes("Failed"), message="step b failed"), diamond)
    change = diff(old, new)
    assert change.state == "ERROR" and change.message == "step b failed" and change.failed_step == "b"
    assert change.node_states == {"b": "failed", "c": "omitted", "d": "omitted"}


def test_first_diff_carries_everything(diamond) -> None:
    new = snapshot(run_doc("r", "RUNNING", nodes("Running")), diamond)
    change = diff(None, new)
    assert change.state == "RUNNING"
    assert change.node_states == dict(new.node_states)
    assert set(change.steps) == {"a", "b", "c", "d"}
    assert change.progress == (1, 4)
