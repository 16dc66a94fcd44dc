"""The interpreter's DAG scheduler at width and depth: nothing in it recurses per task or per operand.

Hera writes the ``depends`` of a join as ``m0 && m1 && ...``; a recursive parser or scheduler fails
near Python's recursion limit (about 1000 frames), so these shapes go well past it.
"""

from __future__ import annotations

import threading

from test_argo_support import Runner, check_nodes, dag_spec, task

from dhhera_jupyter.executor.argo import execute


def _execute(spec: dict, runner: Runner) -> tuple:
    updates: list[int] = []
    outcome = execute(
        spec,
        workflow_name="wf",
        parameters={},
        run_container=runner,
        on_update=lambda nodes: updates.append(len(nodes)),  # the full node check runs once, at the end
        stop_event=threading.Event(),
        max_parallel=8,
    )
    check_nodes(outcome.nodes, "wf")
    return outcome, updates


def test_a_1000_wide_fan_out_and_fan_in_succeeds():
    width = 1000
    middle = [task(f"m{i}", depends="start") for i in range(width)]
    join = " && ".join(f"m{i}" for i in range(width))
    spec = dag_spec([task("start"), *middle, task("end", depends=join)])

    outcome, updates = _execute(spec, Runner())

    assert outcome.phase == "Succeeded", outcome.message
    states = {node["display_name"]: node["state"] for node in outcome.nodes}
    assert states["end"] == "Succeeded" and sum(s == "Succeeded" for s in states.values()) == width + 3
    assert updates[-1] == width + 3


def test_a_1500_deep_chain_runs_in_order_and_a_skipped_chain_inherits_its_branch_phase():
    depth = 1500
    chain = [task("t0")] + [task(f"t{i}", depends=f"t{i - 1}") for i in range(1, depth)]
    runner = Runner()

    outcome, _ = _execute(dag_spec(chain), runner)

    assert outcome.phase == "Succeeded", outcome.message
    assert runner.order == [f"t{i}" for i in range(depth)]

    # Every task after the first is skipped by its `when`: the DAG's phase walks the whole chain back.
    skipped = [task("t0")] + [task(f"t{i}", depends=f"t{i - 1}", when="1 == 2") for i in range(1, depth)]
    failing = Runner(fail={"t0": "boom"})
    spec = dag_spec(
        [{**skipped[0]}, *[{**t, "depends": f"t{i}.Failed || t{i}.Skipped"} for i, t in enumerate(skipped[1:])]]
    )

    outcome, _ = _execute(spec, failing)

    states = {node["display_name"]: node["state"] for node in outcome.nodes}
    assert states["t0"] == "Failed" and states[f"t{depth - 1}"] == "Skipped"
    assert outcome.phase == "Failed", "the failure at the head of a skipped branch decides the DAG's phase"


def _scheduler_work(width: int, monkeypatch) -> dict[str, float]:
    """Work of a fan-out/fan-in of ``width`` instant steps, counted: task settles and node views built."""
    from dhhera_jupyter.executor import argo_composite, argo_nodes

    counts = {"settle": 0, "views": 0}
    settle, view = argo_composite.TaskRun.settle, argo_nodes.NodeStore._view

    def counted_settle(self, *args):
        counts["settle"] += 1
        return settle(self, *args)

    def counted_view(self, nid):
        counts["views"] += 1
        return view(self, nid)

    with monkeypatch.context() as patch:
        patch.setattr(argo_composite.TaskRun, "settle", counted_settle)
        patch.setattr(argo_nodes.NodeStore, "_view", counted_view)
        middle = [task(f"m{i}", depends="start") for i in range(width)]
        spec = dag_spec([task("start"), *middle, task("end", depends=" && ".join(f"m{i}" for i in range(width)))])
        outcome, updates = _execute(spec, Runner())
    assert outcome.phase == "Succeeded", outcome.message
    return {"settle": counts["settle"] / (width + 2), "views": counts["views"] / (width + 2)}


def test_the_scheduler_work_per_step_does_not_grow_with_the_width(monkeypatch):
    small, large = _scheduler_work(100, monkeypatch), _scheduler_work(1000, monkeypatch)
    # Each task is settled once (not re-examined on every round while others run) ...
    assert small["settle"] == large["settle"] == 1
    # ... and each node update rebuilds the views of the nodes it changed only (the node, its parent).
    assert large["views"] <= small["views"] * 1.05 and large["views"] < 8, (small, large)
