"""Stopping a running workflow: nothing new starts, running steps end, every open node ends Failed."""

from __future__ import annotations

import threading

from test_argo_support import Recorder, Runner, by_display, container, dag_spec, run, states, task

from dhhera_jupyter.executor.argo import STOP_MESSAGE, STOP_NODE_MESSAGE


def stop_when_started(runner: Runner, stop: threading.Event, *names: str) -> None:
    def body():
        for name in names:
            runner.wait_started(name)
        stop.set()

    threading.Thread(target=body, daemon=True).start()


def test_stop_fails_running_steps_and_starts_nothing_more():
    stop = threading.Event()
    spec = dag_spec([task("running"), task("queued"), task("later", depends="running")])
    runner = Runner(hold={"running"}, stop_event=stop)
    stop_when_started(runner, stop, "running")

    outcome, runner, _ = run(spec, runner, max_parallel=1, stop_event=stop, node_messages=True)

    assert (outcome.phase, outcome.message) == ("Stopped", STOP_MESSAGE)
    assert runner.order == ["running"]
    assert states(outcome) == {"wf": "Failed", "running": "Failed"}
    assert by_display(outcome)["running"]["message"] == STOP_NODE_MESSAGE


def test_a_step_that_completes_during_the_stop_keeps_its_success():
    stop = threading.Event()
    spec = dag_spec([task("a"), task("b"), task("c", depends="a && b")])
    runner = Runner(hold={"a", "b"}, stop_event=stop)
    recorder = Recorder("wf")

    def finish_a_then_stop():
        runner.wait_started("a")
        runner.wait_started("b")
        runner.release("a")
        recorder.wait_state("a", "Succeeded")
        stop.set()

    threading.Thread(target=finish_a_then_stop, daemon=True).start()
    outcome, runner, _ = run(spec, runner, stop_event=stop, recorder=recorder)

    assert outcome.phase == "Stopped"
    assert states(outcome) == {"wf": "Failed", "a": "Succeeded", "b": "Failed"}


def test_stop_inside_steps_and_fan_out_fails_every_open_parent():
    stop = threading.Event()
    inner = {
        "name": "inner",
        "steps": [[task("fan", "echo", args={"m": "{{item}}"}, withItems=["x", "y"])], [task("z")]],
    }
    spec = dag_spec([task("nested", "inner")], inner, container("echo", inputs=("m",)))
    runner = Runner(hold={"fan(0:x)", "fan(1:y)"}, stop_event=stop)
    stop_when_started(runner, stop, "fan(0:x)", "fan(1:y)")

    outcome, runner, _ = run(spec, runner, stop_event=stop)

    assert outcome.phase == "Stopped" and "z" not in runner.order
    assert states(outcome) == {
        "wf": "Failed",
        "nested": "Failed",
        "[0]": "Failed",
        "fan(0:x)": "Failed",
        "fan(1:y)": "Failed",
    }


def test_a_stop_before_the_start_runs_nothing():
    stop = threading.Event()
    stop.set()
    outcome, runner, _ = run(dag_spec([task("a")]), stop_event=stop)

    assert outcome.phase == "Stopped" and runner.order == []
    assert states(outcome) == {"wf": "Failed"}
