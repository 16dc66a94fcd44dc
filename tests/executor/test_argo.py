"""The Argo interpreter on DAG templates: order, parallelism, templating, depends, fail-fast, nesting, fan-out."""

from __future__ import annotations

import json
import threading

from test_argo_support import Recorder, Runner, by_display, container, dag_spec, run, states, task

from dhhera_jupyter.executor.argo import ContainerResult, execute


def diamond() -> dict:
    return dag_spec(
        [
            task("A", "echo", args={"m": "{{workflow.parameters.msg}}"}),
            task("B", "echo", "A", args={"m": "{{tasks.A.outputs.parameters.o}}-b"}),
            task("C", "echo", "A", args={"m": "c"}),
            task(
                "D", "echo", "B && C", args={"m": "{{tasks.B.outputs.parameters.o}}+{{tasks.C.outputs.parameters.o}}"}
            ),
        ],
        container("echo", inputs=("m",)),
        params={"msg": "hi"},
    )


def upper(call):
    return {"o": call.inputs["m"].upper()}


def test_diamond_runs_in_dependency_order_and_passes_outputs():
    outcome, runner, _ = run(diamond(), Runner(outputs=upper))

    assert (outcome.phase, outcome.message) == ("Succeeded", "")
    order = runner.order
    assert order[0] == "A" and order[-1] == "D" and set(order[1:3]) == {"B", "C"}
    nodes = by_display(outcome)
    assert nodes["D"]["inputs"] == [{"name": "m", "value": "HI-B+C"}]
    assert nodes["D"]["outputs"] == [{"name": "o", "value": "HI-B+C"}]
    d_call = next(call for call in runner.calls if call.display_name == "D")
    assert d_call.template["container"]["args"] == ["HI-B+C"], "the template reaches the runner substituted"
    assert d_call.node_name == "wf.D" and d_call.node_id == nodes["D"]["id"]
    # Argo's edges: the DAG holds its root tasks, each task the tasks that depend on it.
    assert nodes["wf"]["children"] == [nodes["A"]["id"]]
    assert sorted(nodes["A"]["children"]) == sorted([nodes["B"]["id"], nodes["C"]["id"]])
    assert nodes["B"]["children"] == nodes["C"]["children"] == [nodes["D"]["id"]]
    assert nodes["wf"]["type"] == "DAG" and nodes["A"]["type"] == "Pod" and nodes["A"]["exit_code"] == "0"


def test_node_ids_are_argo_ids_of_the_node_names():
    outcome, _, _ = run(diamond(), workflow_name="dag-diamond-rrfs4")

    # Recorded from a real Argo controller log: node dag-diamond-rrfs4.A has this id.
    assert by_display(outcome)["A"]["id"] == "dag-diamond-rrfs4-3327412467"


def test_parallelism_is_bounded_by_max_parallel_across_nested_dags():
    inner = {"name": "inner", "dag": {"tasks": [task(f"i{n}") for n in range(3)]}}
    spec = dag_spec([task("outer"), task("x1"), task("x2"), task("nested", "inner")], inner)
    runner = Runner(hold={"outer", "i0"})
    seen_while_held: list[int] = []

    def release_when_both_held():
        runner.wait_started("outer")
        runner.wait_started("i0")
        seen_while_held.append(runner.active)
        runner.release("outer")
        runner.release("i0")

    threading.Thread(target=release_when_both_held, daemon=True).start()
    outcome, runner, _ = run(spec, runner, max_parallel=2)

    assert outcome.phase == "Succeeded"
    assert sorted(runner.order) == sorted(["outer", "x1", "x2", "i0", "i1", "i2"])
    assert seen_while_held == [2] and runner.max_active == 2


def test_independent_tasks_run_concurrently_up_to_the_limit():
    spec = dag_spec([task("a"), task("b"), task("c")])
    runner = Runner(hold={"a", "b"})

    def release_once_both_run():
        runner.wait_started("a")
        runner.wait_started("b")
        runner.release("a")
        runner.release("b")

    threading.Thread(target=release_once_both_run, daemon=True).start()
    outcome, runner, _ = run(spec, runner, max_parallel=2)

    assert outcome.phase == "Succeeded"
    assert runner.max_active == 2 and runner.order[2] == "c"


def test_failed_branch_runs_its_handler_and_omits_the_success_path():
    spec = dag_spec(
        [task("A"), task("handler", depends="A.Failed"), task("B", depends="A"), task("C", depends="B")],
    )
    outcome, runner, _ = run(spec, Runner(fail={"A": "boom"}))

    assert states(outcome) == {
        "wf": "Failed",
        "A": "Failed",
        "handler": "Succeeded",
        "B": "Omitted",
        "C": "Omitted",
    }
    assert by_display(outcome)["B"]["type"] == "Skipped"
    assert outcome.phase == "Failed" and outcome.message == "step 'A' failed: boom"
    assert "B" not in runner.order and "C" not in runner.order


def test_a_failure_handled_by_its_only_dependent_leaves_the_dag_succeeded():
    spec = dag_spec([task("A"), task("recover", depends="A.Failed || A.Errored")])
    outcome, _, _ = run(spec, Runner(fail={"A": "boom"}))

    assert outcome.phase == "Succeeded"
    assert states(outcome) == {"wf": "Succeeded", "A": "Failed", "recover": "Succeeded"}


def test_depends_expressions_combine_results_with_not_and_or():
    spec = dag_spec(
        [
            task("ok"),
            task("bad"),
            task("skip", when="1 > 2"),
            task("both", depends="(ok.Succeeded || bad.Succeeded) && !skip.Failed"),
            task("neither", depends="ok.Failed || (bad.Succeeded && skip.Skipped)"),
            task("skipped-ok", depends="skip && bad.Failed"),
            task("omitted-dep", depends="neither.Omitted"),
        ],
    )
    outcome, _, _ = run(spec, Runner(fail={"bad": "no"}))

    got = states(outcome)
    assert got["skip"] == "Skipped" and by_display(outcome)["skip"]["type"] == "Skipped"
    assert (got["both"], got["neither"], got["skipped-ok"], got["omitted-dep"]) == (
        "Succeeded",
        "Omitted",
        "Succeeded",
        "Succeeded",
    )
    assert outcome.phase == "Succeeded", "bad's failure is handled by a dependent on bad.Failed"


def test_fail_fast_starts_nothing_new_and_lets_running_tasks_finish():
    spec = dag_spec([task("slow"), task("bad"), task("after-slow", depends="slow"), task("after-bad", depends="bad")])
    runner, recorder = Runner(fail={"bad": "broken"}, hold={"slow", "bad"}), Recorder("wf")

    def release_after_failure():
        runner.wait_started("slow")
        runner.wait_started("bad")
        runner.release("bad")
        recorder.wait_state("bad", "Failed")
        runner.release("slow")

    threading.Thread(target=release_after_failure, daemon=True).start()
    outcome, runner, _ = run(spec, runner, max_parallel=2, recorder=recorder)

    assert sorted(runner.order) == ["bad", "slow"]
    assert states(outcome) == {"wf": "Failed", "slow": "Succeeded", "bad": "Failed", "after-bad": "Omitted"}
    assert outcome.message == "step 'bad' failed: broken"


def test_fail_fast_also_cancels_tasks_queued_for_a_worker():
    spec = dag_spec([task("x"), task("y"), task("z")])
    outcome, runner, _ = run(spec, Runner(fail={"x": "first"}), max_parallel=1)

    assert runner.order == ["x"]
    assert states(outcome) == {"wf": "Failed", "x": "Failed"}


def test_fail_fast_false_runs_every_branch():
    spec = dag_spec([task("x"), task("y"), task("z", depends="y")])
    spec["templates"][0]["dag"]["failFast"] = False
    outcome, runner, _ = run(spec, Runner(fail={"x": "first"}), max_parallel=1)

    assert runner.order == ["x", "y", "z"] and outcome.phase == "Failed"


def test_nested_dag_gets_its_own_node_inputs_and_outputs():
    inner = {
        "name": "inner",
        "inputs": {"parameters": [{"name": "seed"}]},
        "dag": {
            "tasks": [
                task("i1", "echo", args={"m": "{{inputs.parameters.seed}}"}),
                task("i2", "echo", "i1", args={"m": "{{tasks.i1.outputs.parameters.o}}!"}),
            ]
        },
        "outputs": {"parameters": [{"name": "res", "valueFrom": {"parameter": "{{tasks.i2.outputs.parameters.o}}"}}]},
    }
    spec = dag_spec(
        [
            task("outer", "inner", args={"seed": "s"}),
            task("last", "echo", "outer", args={"m": "{{tasks.outer.outputs.parameters.res}}"}),
        ],
        inner,
        container("echo", inputs=("m",)),
    )
    outcome, _, _ = run(spec, Runner(outputs=upper))

    nodes = by_display(outcome)
    assert outcome.phase == "Succeeded"
    assert nodes["outer"]["type"] == "DAG" and nodes["outer"]["name"] == "wf.outer"
    assert nodes["i1"]["name"] == "wf.outer.i1"
    assert nodes["outer"]["inputs"] == [{"name": "seed", "value": "s"}]
    assert nodes["outer"]["outputs"] == [{"name": "res", "value": "S!"}]
    assert nodes["outer"]["children"] == [nodes["i1"]["id"]]
    assert nodes["i2"]["children"] == [nodes["last"]["id"]], "dependents attach to the nested DAG's leaves"
    assert nodes["last"]["inputs"] == [{"name": "m", "value": "S!"}]


def test_failure_inside_a_nested_dag_fails_the_outer_dag_and_names_the_step():
    inner = {"name": "inner", "dag": {"tasks": [task("deep")]}}
    outcome, _, _ = run(
        dag_spec([task("outer", "inner"), task("next", depends="outer")], inner), Runner(fail={"deep": "x"})
    )

    assert states(outcome) == {"wf": "Failed", "outer": "Failed", "deep": "Failed", "next": "Omitted"}
    assert outcome.message == "step 'deep' failed: x"


def test_when_false_skips_the_node_and_a_plain_dependent_still_runs():
    spec = dag_spec(
        [
            task("flip"),
            task("tails", when="{{tasks.flip.outputs.parameters.o}} == tails"),
            task(
                "heads", when="'{{tasks.flip.outputs.parameters.o}}' == 'heads' && {{tasks.flip.status}} == Succeeded"
            ),
            task("after", depends="tails"),
        ],
    )
    spec["templates"][0]["dag"]["tasks"][1]["depends"] = "flip"
    spec["templates"][0]["dag"]["tasks"][2]["depends"] = "flip"
    outcome, runner, _ = run(spec, Runner(outputs=lambda call: {"o": "heads"}))

    assert states(outcome) == {
        "wf": "Succeeded",
        "flip": "Succeeded",
        "tails": "Skipped",
        "heads": "Succeeded",
        "after": "Succeeded",
    }
    assert "tails" not in runner.order


def test_with_items_fans_out_under_a_task_group_and_aggregates_outputs():
    spec = dag_spec(
        [
            task("scalar", "echo", args={"m": "{{item}}"}, withItems=["a", 2]),
            task("maps", "echo", args={"m": "{{item.x}}/{{item.y}}"}, withItems=[{"y": "q", "x": 1}]),
            task("sum", "echo", "scalar && maps", args={"m": "{{tasks.scalar.outputs.parameters.o}}"}),
        ],
        container("echo", inputs=("m",)),
    )
    outcome, _, _ = run(spec, Runner(outputs=upper))

    nodes = by_display(outcome)
    assert nodes["scalar"]["type"] == "TaskGroup" and nodes["scalar"]["state"] == "Succeeded"
    assert [nodes[n]["name"] for n in ("scalar(0:a)", "scalar(1:2)")] == ["wf.scalar(0:a)", "wf.scalar(1:2)"]
    assert sorted(nodes["scalar"]["children"]) == sorted([nodes["scalar(0:a)"]["id"], nodes["scalar(1:2)"]["id"]])
    assert nodes["maps(0:x:1,y:q)"]["inputs"] == [{"name": "m", "value": "1/q"}]
    assert json.loads(nodes["sum"]["inputs"][0]["value"]) == ["A", "2"]
    assert nodes["scalar(0:a)"]["children"] == [nodes["sum"]["id"]], "dependents attach to every item"


def test_with_param_fans_out_over_an_earlier_json_output():
    spec = dag_spec(
        [
            task("list"),
            task("each", "echo", "list", args={"m": "{{item}}"}, withParam="{{tasks.list.outputs.parameters.o}}"),
            task("bad", "echo", "list", args={"m": "{{item}}"}, withParam="not json"),
        ],
        container("echo", inputs=("m",)),
    )
    spec["templates"][0]["dag"]["failFast"] = False
    runner = Runner(outputs=lambda call: {"o": '["x", "y", "z"]'} if call.display_name == "list" else {"o": "1"})
    outcome, runner, _ = run(spec, runner, node_messages=True)

    nodes = by_display(outcome)
    assert sorted(n for n in runner.order if n.startswith("each")) == ["each(0:x)", "each(1:y)", "each(2:z)"]
    assert nodes["bad"]["state"] == "Error" and "withParam value could not be parsed" in nodes["bad"]["message"]


def test_empty_fan_out_is_skipped():
    outcome, _, _ = run(dag_spec([task("none", withItems=[]), task("after", depends="none")]))

    assert states(outcome) == {"wf": "Succeeded", "none": "Skipped", "after": "Succeeded"}


def test_undeclared_output_fails_the_step():
    spec = dag_spec([task("A")], container("c", outputs=("o", "missing")))
    outcome, _, _ = run(spec, Runner(outputs=lambda call: {"o": "1"}))

    assert states(outcome)["A"] == "Failed"
    assert outcome.message == "step 'A' failed: output parameter 'missing' was never produced"


def test_missing_input_parameter_errors_the_node_naming_it():
    spec = dag_spec([task("A", "echo")], container("echo", inputs=("m",)))
    outcome, runner, _ = run(spec, node_messages=True)

    node = by_display(outcome)["A"]
    assert node["state"] == "Error" and "'m'" in node["message"] and runner.order == []
    assert outcome.phase == "Error" and "input parameter 'm'" in outcome.message


def test_input_default_is_used_and_run_parameters_override_workflow_defaults():
    echo = container("echo", inputs=("m", "n"))
    echo["inputs"]["parameters"][1]["default"] = "dflt"
    spec = dag_spec(
        [task("A", "echo", args={"m": "{{workflow.parameters.url}} {{workflow.parameters.added}} {{workflow.name}}"})],
        echo,
        params={"url": "http://default", "unused": None},
    )
    outcome, runner, _ = run(spec, parameters={"url": "http://run", "unused": "u", "added": "new"})

    assert runner.calls[0].inputs == {"m": "http://run new wf", "n": "dflt"}
    assert outcome.phase == "Succeeded"


def test_unresolvable_variable_errors_the_node():
    outcome, _, _ = run(
        dag_spec(
            [task("A", "echo", args={"m": "{{tasks.nope.outputs.parameters.o}}"})], container("echo", inputs=("m",))
        )
    )

    assert states(outcome)["A"] == "Error" and "{{tasks.nope.outputs.parameters.o}}" in outcome.message


def test_unsupported_features_error_their_node_naming_the_feature():
    resource = {"name": "res", "resource": {"action": "create", "manifest": "kind: ConfigMap"}}
    spec = dag_spec([task("make", "res"), task("ref", templateRef={"name": "x", "template": "y"})], resource)
    spec["templates"][0]["dag"]["failFast"] = False
    spec["onExit"] = "c"
    outcome, runner, _ = run(spec, node_messages=True)

    nodes = by_display(outcome)
    assert nodes["make"]["state"] == "Error" and nodes["make"]["type"] == "Pod"
    assert nodes["make"]["message"].startswith("Argo feature 'resource template' is not supported by the local core")
    assert "'templateRef'" in nodes["ref"]["message"]
    assert nodes["wf.onExit"]["state"] == "Error" and "'onExit handler'" in nodes["wf.onExit"]["message"]
    assert runner.order == [] and outcome.phase == "Error"


def test_runner_result_extra_and_phase_are_honoured():
    spec = dag_spec([task("A"), task("B")])
    spec["templates"][0]["dag"]["failFast"] = False
    fail = {"B": ContainerResult(ok=False, message="infra", phase="Error", extra={"run_id": "r2"})}

    def outputs(call):
        return {"o": "v"}

    runner = Runner(fail=fail, outputs=outputs)
    outcome, _, _ = run(spec, runner)

    nodes = by_display(outcome)
    assert nodes["B"]["state"] == "Error" and nodes["B"]["run_id"] == "r2" and nodes["B"]["exit_code"] == "1"
    assert outcome.phase == "Error" and outcome.message == "step 'B' failed: infra"


def test_a_crashing_runner_errors_only_its_step():
    def crash(call):
        if call.display_name == "A":
            raise RuntimeError("worker died")
        return ContainerResult(ok=True, outputs={"o": "1"})

    spec = dag_spec([task("A"), task("B")])
    nodes_seen: list = []
    outcome = execute(
        spec,
        workflow_name="wf",
        parameters={},
        run_container=crash,
        on_update=nodes_seen.append,
        stop_event=threading.Event(),
    )
    assert states(outcome)["A"] == "Error" and outcome.message == "step 'A' failed: RuntimeError: worker died"


def test_on_update_is_never_called_concurrently_and_always_gets_valid_nodes():
    items = [str(n) for n in range(40)]
    spec = dag_spec([task("fan", "echo", args={"m": "{{item}}"}, withItems=items), task("end", depends="fan")])
    spec["templates"].append(container("echo", inputs=("m",)))
    sizes: list[int] = []

    class Slow(Recorder):
        def __call__(self, nodes):
            sizes.append(len(json.dumps(nodes)))  # some work inside the callback widens any overlap window
            super().__call__(nodes)

    slow = Slow("wf")
    outcome, runner, recorder = run(spec, Runner(), max_parallel=4, recorder=slow)

    assert outcome.phase == "Succeeded" and len(runner.calls) == 41 and runner.max_active <= 4
    assert recorder.overlaps == 0 and len(recorder.updates) >= 82, "an update per step start and per step end"
    assert len(outcome.nodes) == 1 + 1 + 40 + 1


def test_with_sequence_fans_out_formatted_numbers():
    spec = dag_spec(
        [task("seq", "echo", args={"m": "{{item}}"}, withSequence={"start": "1", "count": "3", "format": "n%02d"})],
        container("echo", inputs=("m",)),
    )
    outcome, runner, _ = run(spec)

    assert sorted(runner.order) == ["seq(0:n01)", "seq(1:n02)", "seq(2:n03)"] and outcome.phase == "Succeeded"


def test_dag_target_runs_only_the_targets_and_their_ancestors_and_exposes_outputs():
    spec = dag_spec([task("a"), task("b", depends="a"), task("unrelated")])
    spec["templates"][0]["dag"]["target"] = "b"
    spec["templates"][0]["outputs"] = {
        "parameters": [{"name": "final", "valueFrom": {"parameter": "{{tasks.b.outputs.parameters.o}}"}}]
    }
    outcome, runner, _ = run(spec)

    assert runner.order == ["a", "b"]
    assert outcome.outputs == {"final": "b:o"}


def test_endless_template_recursion_errors_instead_of_hanging():
    loop = {"name": "loop", "dag": {"tasks": [task("again", "loop")]}}
    outcome, runner, _ = run(dag_spec([task("start", "loop")], loop))

    assert outcome.phase == "Error" and "maximum template nesting depth" in outcome.message and runner.order == []
