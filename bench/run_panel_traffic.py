"""Messages and bytes the run panel sends to the frontend per poll, for a 100-step pipeline.

Run: ``python bench/run_panel_traffic.py [--steps 100]``. No backend: synthetic run documents in DHCore's
``status.nodes`` shape go through the real path a poll takes (``WatchedRun.on_run`` -> snapshot -> diff ->
RunPanel -> widgets), and every comm message a widget sends (``Widget._send``) is counted with the JSON size
of its content. The Jupyter envelope (header, parent header, ~600 bytes per message) is not included.

Cases: a poll where nothing changed, where 1 step changed (running -> succeeded), where 10 changed.
Target: 0 messages when nothing changes; a single-step change under 1 KB.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

import ipywidgets

from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.runs.poller import Poller
from dhhera_jupyter.runs.watched import WatchedRun
from dhhera_jupyter.widgets.run_panel import RunPanel

RUN_ID = "4f1c2a9be0d34c55a0e6b8f1d2c3a4b5"


def spec(steps: int) -> dict[str, Any]:
    """``steps`` DigitalHub steps in a chain of fan-outs (10 wide), named as the dsl names them."""
    tasks, templates = [], []
    for i in range(steps):
        name = f"dag-op-step-{i:03d}-{i * 2654435761 % 2**32:08x}"
        task: dict[str, Any] = {"name": name, "template": f"c{i}"}
        if i >= 10:
            task["depends"] = tasks[(i // 10 - 1) * 10]["name"]
        tasks.append(task)
        templates.append(
            {
                "name": f"c{i}",
                "container": {
                    "image": "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest",
                    "command": ["python"],
                    "args": [
                        "step.py",
                        "--entity",
                        f"store://demo/function/python/fn{i % 7}:abc{i % 7}",
                        "--kwargs",
                        '{"action": "job"}',
                    ],
                },
            }
        )
    return {"entrypoint": "dag", "templates": [{"name": "dag", "dag": {"tasks": tasks}}, *templates]}


def doc(names: list[str], states: list[str]) -> dict[str, Any]:
    nodes = [
        {
            "id": RUN_ID,
            "name": RUN_ID,
            "display_name": RUN_ID,
            "type": "DAG",
            "state": "Running",
            "start_time": "2025-07-30T10:00:00Z",
        }
    ]
    for i, (name, state) in enumerate(zip(names, states, strict=True)):
        node = {
            "id": f"{RUN_ID}-{i}",
            "name": f"{RUN_ID}.{name}",
            "display_name": name,
            "type": "Pod",
            "state": state,
            "start_time": "2025-07-30T10:00:01Z",
            "function": f"fn{i % 7}",
            "action": "job",
            "run_id": f"{i:032x}",
        }
        if state == "Succeeded":
            node.update(
                end_time="2025-07-30T10:00:09Z",
                exit_code="0",
                outputs=[{"name": "dataset", "value": f"store://demo/dataitem/table/dataset:{i:032x}"}],
            )
        nodes.append(node)
    return {
        "id": RUN_ID,
        "kind": "hera+pipeline:run",
        "project": "demo",
        "spec": {"workflow": "hera://demo/big:1"},
        "status": {"state": "RUNNING", "nodes": nodes},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    graph = from_workflow(spec(args.steps))
    names = [n.id for n in graph.nodes]
    sent: list[tuple[str, int, dict]] = []
    original = ipywidgets.Widget._send

    def counted(self: Any, msg: dict, buffers: Any = None) -> None:
        sent.append((type(self).__name__, len(json.dumps(msg, separators=(",", ":"))), msg))
        original(self, msg, buffers)

    ipywidgets.Widget._send = counted  # type: ignore[method-assign]
    states = ["Running"] * len(names)
    panel = RunPanel(graph, workflow="big")
    run = WatchedRun(RUN_ID, "demo", graph, poll=Poller(fetch=lambda *_: doc(names, states)))
    panel.add_run(run)  # the panel's first drawing; not part of a poll
    run.on_run(doc(names, states))
    print(
        f"{args.steps}-step pipeline; first full drawing of a run: {len(sent)} messages, "
        f"{sum(s[1] for s in sent) / 1024:.1f} KB"
    )

    print(f"{'changed steps':>14} {'messages':>9} {'bytes':>8}   by widget (messages)          DagWidget bytes")
    done = 0
    one: list[tuple[str, int]] = []
    for changed in (0, 1, 10):
        for i in range(done, done + changed):
            states[i] = "Succeeded"
        done += changed
        sent.clear()
        run.on_run(doc(names, states))  # exactly what the poller calls after one GET
        by_widget = Counter(name for name, _, _ in sent)
        dag_bytes = sum(size for name, size, _ in sent if name == "DagWidget")
        print(
            f"{changed:>14} {len(sent):>9} {sum(s[1] for s in sent):>8}   "
            f"{', '.join(f'{k} {v}' for k, v in sorted(by_widget.items())) or '-':<30} {dag_bytes}"
        )
        if changed == 1:
            one = [(name, size) for name, size, _ in sent]
    print("one step changed, message by message (widget, bytes):", ", ".join(f"{n} {b}" for n, b in one))
    ipywidgets.Widget._send = original  # type: ignore[method-assign]
    panel.close()


if __name__ == "__main__":
    main()
