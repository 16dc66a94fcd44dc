"""The Argo interpreter on Steps templates: sequential groups, parallel steps, fan-out, nesting."""

from __future__ import annotations

import threading

from test_argo_support import Runner, by_display, container, run, states, task


def steps_spec(groups: list[list[dict]], *templates: dict) -> dict:
    names = {t["name"] for t in templates}
    defaults = [] if "c" in names else [container("c")]
    return {"entrypoint": "main", "templates": [{"name": "main", "steps": groups}, *defaults, *templates]}


def test_steps_run_group_after_group_with_the_steps_of_a_group_in_parallel():
    spec = steps_spec(
        [
            [task("a")],
            [task("b"), task("c")],
            [task("d", "echo", args={"m": "{{steps.b.outputs.parameters.o}}|{{steps.a.status}}"})],
        ],
        container("echo", inputs=("m",)),
    )
    runner = Runner(hold={"b", "c"})

    def release_when_both_run():
        runner.wait_started("b")
        runner.wait_started("c")
        runner.release("b")
        runner.release("c")

    threading.Thread(target=release_when_both_run, daemon=True).start()
    outcome, runner, _ = run(spec, runner)

    assert outcome.phase == "Succeeded"
    assert runner.order[0] == "a" and runner.order[-1] == "d" and runner.max_active == 2
    nodes = by_display(outcome)
    assert nodes["d"]["inputs"] == [{"name": "m", "value": "b:o|Succeeded"}]
    assert [nodes[g]["name"] for g in ("[0]", "[1]", "[2]")] == ["wf[0]", "wf[1]", "wf[2]"]
    assert {nodes[g]["type"] for g in ("[0]", "[1]", "[2]")} == {"StepGroup"} and nodes["wf"]["type"] == "Steps"
    assert nodes["b"]["name"] == "wf[1].b"
    # Argo's chain: Steps -> [0] -> a -> [1] -> b, c -> [2] -> d
    assert nodes["wf"]["children"] == [nodes["[0]"]["id"]]
    assert nodes["[0]"]["children"] == [nodes["a"]["id"]]
    assert nodes["a"]["children"] == [nodes["[1]"]["id"]]
    assert nodes["b"]["children"] == nodes["c"]["children"] == [nodes["[2]"]["id"]]


def test_a_failed_step_lets_its_group_finish_and_stops_later_groups():
    spec = steps_spec([[task("a")], [task("bad"), task("fine")], [task("never")]])
    outcome, runner, _ = run(spec, Runner(fail={"bad": "exit 3"}))

    assert sorted(runner.order) == ["a", "bad", "fine"]
    assert states(outcome) == {
        "wf": "Failed",
        "[0]": "Succeeded",
        "a": "Succeeded",
        "[1]": "Failed",
        "bad": "Failed",
        "fine": "Succeeded",
    }
    assert outcome.message == "step 'bad' failed: exit 3"


def test_continue_on_failed_lets_later_groups_run():
    spec = steps_spec([[task("bad", continueOn={"failed": True})], [task("next")]])
    outcome, runner, _ = run(spec, Runner(fail={"bad": "tolerated"}))

    assert runner.order == ["bad", "next"] and outcome.phase == "Succeeded"


def test_steps_fan_out_into_the_group_and_skip_on_when():
    spec = steps_spec(
        [
            [task("gen")],
            [
                task("each", "echo", args={"m": "{{item}}"}, withItems=[1, 2]),
                task("maybe", when="{{steps.gen.outputs.parameters.o}} != gen:o"),
            ],
        ],
        container("echo", inputs=("m",)),
    )
    outcome, _, _ = run(spec)

    nodes = by_display(outcome)
    assert nodes["each(0:1)"]["name"] == "wf[1].each(0:1)"
    expected = {nodes[name]["id"] for name in ("each(0:1)", "each(1:2)", "maybe")}
    assert set(nodes["[1]"]["children"]) == expected, "expanded steps sit directly in their group"
    assert "each" not in nodes, "Steps have no TaskGroup node"
    assert nodes["maybe"]["state"] == "Skipped" and outcome.phase == "Succeeded"


def test_a_dag_nested_in_steps_and_steps_nested_in_a_dag():
    inner_steps = {"name": "inner-steps", "steps": [[task("s1")], [task("s2")]]}
    inner_dag = {"name": "inner-dag", "dag": {"tasks": [task("t1"), task("t2", depends="t1")]}}
    spec = {
        "entrypoint": "main",
        "templates": [
            {"name": "main", "dag": {"tasks": [task("steps", "inner-steps"), task("after", depends="steps")]}},
            {"name": "wrap", "steps": [[task("dag", "inner-dag")]]},
            inner_steps,
            inner_dag,
            container("c"),
        ],
    }
    spec["templates"][0]["dag"]["tasks"].append(task("wrapped", "wrap"))
    outcome, runner, _ = run(spec)

    nodes = by_display(outcome)
    assert outcome.phase == "Succeeded" and len(runner.order) == 5
    assert nodes["steps"]["type"] == "Steps" and nodes["s2"]["name"] == "wf.steps[1].s2"
    assert nodes["s2"]["children"] == [nodes["after"]["id"]], "a DAG dependent attaches to the last step"
    assert nodes["dag"]["type"] == "DAG" and nodes["t2"]["name"] == "wf.wrapped[0].dag.t2"
