"""Progress counted by outcome: a failed, stopped or unfinished run never shows a full bar."""

from __future__ import annotations

from dhhera_jupyter.runs.progress import counts_line, progress_of
from dhhera_jupyter.status import RunSnapshot, StepStatus


def _snap(state: str, *step_states: str) -> RunSnapshot:
    steps = tuple(StepStatus(id=f"s{i}", step=f"s{i}", state=s) for i, s in enumerate(step_states))
    return RunSnapshot(run_id="r", state=state, steps=steps, total=len(steps))


def test_a_failed_run_with_an_omitted_step_counts_each_outcome_and_is_not_full() -> None:
    snap = _snap("ERROR", "succeeded", "failed", "omitted")
    assert counts_line(snap) == "1 succeeded · 1 failed · 1 omitted of 3 steps"
    assert not progress_of(snap).full
    assert sum(share for _, share in progress_of(snap).segments()) < 1


def test_a_stopped_run_counts_the_steps_it_never_ran() -> None:
    snap = _snap("STOPPED", "succeeded", "stopped", "pending", "running")
    assert counts_line(snap) == "1 succeeded · 1 stopped · 2 not run of 4 steps"
    assert [state for state, _ in progress_of(snap).segments()] == ["succeeded"]


def test_a_running_run_is_never_full_and_a_finished_one_is() -> None:
    assert not progress_of(_snap("RUNNING", "succeeded", "running")).full
    assert progress_of(_snap("COMPLETED", "succeeded", "skipped")).full
    assert counts_line(_snap("COMPLETED")) == "no steps"
