"""Pipelines on the local core: fan-out/fan-in throughput and step-finished → node-Succeeded latency.

Run: ``python bench/pipeline_throughput.py [sizes...]`` (default 1 10 50 100; several minutes). It starts a
fresh local core (warm pool, ``DHHERA_WORKERS`` workers, default: cores) in a temporary folder and, through
the real SDK, builds and runs a pipeline ``start → N parallel trivial python steps → end`` for each N. Prints:

- wall time from ``workflow.run(action="pipeline")`` to COMPLETED;
- per-step time (wall / (N + 2)) and per-step overhead (wall x workers / (N + 2): the cost of one step when
  the pool is kept busy);
- latency from a step's child run turning COMPLETED (its transition time, recorded by the core) to the
  client first seeing the step's node ``Succeeded`` in ``status.nodes`` (polled every 20 ms with one GET).

Targets (issue 3): per-step overhead < 1 s with the warm pool, linear growth; node latency < 1 s.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import built_fan, local_core, sdk_on_local_core  # noqa: E402 (after the sys.path setup above)


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def run_size(dh, project, n: int) -> dict:
    wf = built_fan(project, n)
    from dhhera_jupyter import platform

    t0 = time.perf_counter()
    run = wf.run(action="pipeline")
    seen: dict[str, float] = {}
    while True:
        doc = platform.run_doc(run.id, project.name)
        now = time.time()
        for node in doc["status"].get("nodes") or []:
            if node.get("type") == "Pod" and node["state"] == "Succeeded" and node["id"] not in seen:
                seen[node["id"]] = now
        if doc["status"]["state"] in ("COMPLETED", "ERROR", "STOPPED"):
            break
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    assert doc["status"]["state"] == "COMPLETED", doc["status"].get("message")
    latencies = []
    for node in doc["status"]["nodes"]:
        if node.get("type") != "Pod" or node["id"] not in seen:
            continue
        child = dh.get_run(node["run_id"], project=project.name).to_dict()
        done = next(t["time"] for t in child["status"]["transitions"] if t["status"] == "COMPLETED")
        latencies.append(seen[node["id"]] - _ts(done))
    return {"wall": wall, "latency_median": statistics.median(latencies), "latency_max": max(latencies)}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1, 10, 50, 100]
    from dhhera_jupyter import settings

    with local_core("dhhera-bench-pipeline-") as info:
        dh, project = sdk_on_local_core(info)
        workers = settings.workers()
        print(f"fan-out/fan-in pipelines on the local core, {workers} workers (warm pool)")
        print(f"{'steps':>6} {'wall s':>8} {'s/step':>8} {'overhead s/step':>16} {'node latency med/max s':>24}")
        for n in sizes:
            r = run_size(dh, project, n)
            steps = n + 2
            print(
                f"{steps:6d} {r['wall']:8.2f} {r['wall'] / steps:8.3f} {r['wall'] * workers / steps:16.3f} "
                f"{r['latency_median']:12.3f} / {r['latency_max']:.3f}"
            )


if __name__ == "__main__":
    main()
