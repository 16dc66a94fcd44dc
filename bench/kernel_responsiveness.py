"""Kernel responsiveness while run panels watch pipelines: round trip of a trivial cell in a real kernel.

Run: ``python bench/kernel_responsiveness.py [--runs 5] [--samples 100] [--seconds 20]``. Starts a fresh local core in a
temporary folder and a real IPython kernel (``jupyter_client``) pointed at it. In the kernel: register a
pipeline of 12 short sequential steps, then measure the round trip (execute request -> reply) of the cell
``1`` ``--samples`` times with no run watched, then every 50 ms for ``--seconds`` while ``--runs`` run panels watch
runs whose steps keep changing (so the poller thread polls at its fast interval and pushes widget updates).
IOPub is drained
meanwhile (its message count is the frontend traffic).

With ``--steps N`` (issue 13: ``--steps 1000``) no pipeline runs: one run panel watches a synthetic N-step run whose
poller reads documents in DHCore's shape from memory (``run_panel_traffic.doc``), one more step succeeding on each
poll, so the kernel parses, diffs and draws an N-node run at the poller's fast interval while cells run.

Target: a trivial cell stays under 50 ms while 5 runs are watched, and while a 1000-step run is watched.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client import KernelManager

SETUP = '''
import dhhera_jupyter
from dhhera_jupyter import platform

dh = platform.sdk()  # points the SDK at the backend (here: starts the local core), then imports it

STEP = """
import time


def tick(n: str = "0"):
    time.sleep(0.3)
    return int(n) + 1
"""
PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            previous = None
            for i in range(12):
                current = step(template={"action": "job"}, function="tick", name=f"t{i}")
                if previous is not None:
                    previous >> current
                previous = current
    return w
"""
project = dh.get_or_create_project("responsive")
project.new_function(name="tick", kind="python", code=STEP, handler="tick", python_version="PYTHON3_11")
wf = project.new_workflow(name="ticks", kind="hera", code=PIPELINE, handler="pipeline")
platform.build(wf)
'''

SYNTHETIC = """
import sys
sys.path.insert(0, {bench!r})
from run_panel_traffic import RUN_ID, doc, spec
from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.runs.poller import Poller
from dhhera_jupyter.runs.watched import WatchedRun
from dhhera_jupyter.widgets.run_panel import RunPanel

graph = from_workflow(spec({steps}))
names = [n.id for n in graph.nodes]
states = ["Running"] * len(names)
done = [0]

def fetch(*_):
    # One more step succeeds on every poll: the panel always has a one-step change to draw.
    states[done[0] % len(states)] = "Succeeded" if states[done[0] % len(states)] == "Running" else "Running"
    done[0] += 1
    return doc(names, states)

poller = Poller(fetch=fetch, interval=(0.25, 0.25))
panel = RunPanel(graph, workflow="big")
panel.add_run(WatchedRun(RUN_ID, "demo", graph, poll=poller))
display(panel)
"""

START = """
panels = [dhhera_jupyter.run("ticks", project="responsive") for _ in range({runs})]
for p in panels:
    display(p)
"""


def roundtrips(kc, samples: int, seconds: float = 0.0, gap: float = 0.05) -> list[float]:
    """``samples`` round trips, or as many as fit in ``seconds`` (one every ``gap`` s) when it is given."""
    times: list[float] = []
    until = time.perf_counter() + seconds
    while (len(times) < samples) if not seconds else (time.perf_counter() < until):
        if seconds:
            time.sleep(gap)
        start = time.perf_counter()
        msg_id = kc.execute("1", store_history=False)
        while True:
            reply = kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms"


def run_cell(kc, code: str, timeout: float = 300) -> None:
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"cell failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=100, help="round trips with no run watched")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to sample while runs are watched")
    parser.add_argument("--steps", type=int, default=0, help="watch one synthetic run of this many steps instead")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dhhera-responsive-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "DH_", "AWS_"))}
    env["DHHERA_HOME"] = str(tmp / "home")
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        run_cell(kc, "import dhhera_jupyter" if args.steps else SETUP)
        baseline = roundtrips(kc, args.samples)
        print(f"no run watched (floor): {summary(baseline)}")
        if args.steps:
            run_cell(kc, SYNTHETIC.format(bench=str(Path(__file__).resolve().parent), steps=args.steps))
            watching = f"a {args.steps}-step run watched"
        else:
            run_cell(kc, START.format(runs=args.runs))
            watching = f"{args.runs} runs watched"
        counted = {"iopub": 0, "comm": 0}
        stop = threading.Event()

        def drain() -> None:
            while not stop.is_set():
                try:
                    msg = kc.get_iopub_msg(timeout=0.2)
                except queue.Empty:
                    continue
                counted["iopub"] += 1
                counted["comm"] += msg["msg_type"].startswith("comm_")

        drainer = threading.Thread(target=drain, daemon=True)
        drainer.start()
        started = time.perf_counter()
        watched = roundtrips(kc, 0, seconds=args.seconds)
        elapsed = time.perf_counter() - started
        print(f"{watching}: {summary(watched)} ({len(watched)} cells over {elapsed:.0f} s)")
        print(
            f"  during those {elapsed:.1f} s the frontend got {counted['comm']} widget messages "
            f"({counted['iopub']} IOPub messages in all)"
        )
        stop.set()
        drainer.join()
        if args.steps:
            run_cell(kc, "print(poller.requests, 'polls'); panel.close()")
        else:
            run_cell(kc, "[p.wait(300) for p in panels]")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        from dhhera_jupyter.core import control

        control.stop(tmp / "home")


if __name__ == "__main__":
    main()
