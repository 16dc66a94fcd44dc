"""Latency from a step finishing at the backend to its node turning green in the run panel's widget state.

Run: ``python bench/run_panel_latency.py [--runs 5]``. Starts a fresh local core in a temporary folder, builds a
one-step pipeline whose step waits for a file, and for each run:

1. waits until the panel shows the step running, then stays quiet a random 0.5-3 s (so the poller has slowed
   down, the worst case), then creates the file;
2. an observer thread reads the run every 20 ms straight from the core and notes when the node turns
   ``Succeeded`` there (the backend moment);
3. a trait observer on the DagWidget notes when its ``node_states`` turns the node ``succeeded``.

Prints both latencies (file -> backend, backend -> widget) per run and their median/max.
Target: backend -> widget under 2 s (the SDK's own ``wait()`` polls every 5 s, the DigitalHub console every 5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from harness import wait_widget, watch_panel_step

STEP = """
import os
import time


def hold(gate: str):
    while not os.path.exists(gate):
        time.sleep(0.01)
    return "ok"
"""

PIPELINE = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag", arguments=[Parameter(name="gate")]) as w:
        with DAG(name="dag"):
            step(template={"action": "job", "parameters": {"gate": "{{workflow.parameters.gate}}"}},
                 function="hold", name="hold")
    return w
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dhhera-latency-"))
    for key in [k for k in os.environ if k.startswith(("DHCORE_", "DH_", "AWS_"))]:
        del os.environ[key]
    os.environ["DHHERA_HOME"] = str(tmp / "home")

    from dhhera_jupyter import platform, settings
    from dhhera_jupyter.core import control
    from dhhera_jupyter.magics.run import run
    from dhhera_jupyter.platform.runs import run_doc

    dh = platform.sdk()  # starts the local core
    try:
        project = dh.get_or_create_project("latency")
        project.new_function(name="hold", kind="python", code=STEP, handler="hold", python_version="PYTHON3_11")
        wf = project.new_workflow(name="hold", kind="hera", code=PIPELINE, handler="pipeline")
        platform.build(wf)
        print(
            f"poll interval {settings.POLL_INTERVAL[0]}-{settings.POLL_INTERVAL[1]} s; "
            f"{args.runs} runs of a one-step pipeline on the local core"
        )
        to_backend, to_widget = [], []
        for i in range(args.runs):
            gate = tmp / f"gate-{i}"
            panel = run("hold", {"gate": str(gate)}, project="latency", panel=True)
            node_id = panel.graph.nodes[0].id
            seen = watch_panel_step(panel, node_id, "hold")

            def watch_backend(run_id: str = panel.run_id, seen: dict = seen) -> None:
                while "backend" not in seen:
                    nodes = run_doc(run_id, "latency")["status"].get("nodes") or []
                    if any(
                        n.get("display_name", "").startswith("dag-op-hold") and n.get("state") == "Succeeded"
                        for n in nodes
                    ):
                        seen["backend"] = time.perf_counter()
                    time.sleep(0.02)

            observer = threading.Thread(target=watch_backend, daemon=True)
            observer.start()
            opened = time.perf_counter()
            gate.touch()
            panel.wait(120)
            observer.join(10)
            wait_widget(seen)
            to_backend.append(seen["backend"] - opened)
            to_widget.append(seen["widget"] - seen["backend"])
            print(f"run {i + 1}: file -> backend {to_backend[-1]:.2f} s, backend -> widget green {to_widget[-1]:.2f} s")
            panel.close()
        print(
            f"backend -> widget: median {statistics.median(to_widget):.2f} s, max {max(to_widget):.2f} s "
            f"(file -> backend median {statistics.median(to_backend):.2f} s)"
        )
    finally:
        control.stop(tmp / "home")


if __name__ == "__main__":
    main()
