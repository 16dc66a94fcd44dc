"""Local core: run overhead through the real SDK (warm pool vs cold process) and GET run latency.

Run: ``python bench/core_run_overhead.py [N]`` (default N=10; a few minutes). For each pool mode it starts
a fresh local core in a temporary folder (``DHHERA_POOL=warm|cold``), then, in a client process that
points the real SDK at it:

- ``sequential``: N trivial ``python+job`` runs one after the other, each from ``function.run()`` to the
  run being COMPLETED (polled every 10 ms with one GET); median and max seconds per run;
- ``batch``: N runs submitted at once, wall time / N;
- ``overhead``: the sequential median minus the time the function itself takes (~0).

Then the latency of ``GET /api/v1/-/{p}/runs/{id}`` (1000 requests, one keep-alive connection): p50, p99.
Targets (issue 2): warm per-run overhead < 0.25 s and >= 15x less than cold; GET p50 < 5 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import client_on_fresh_core  # noqa: E402 (after the sys.path setup above)

FUNC = "def noop(x: int = 0):\n    return x\n"


def client(n: int) -> dict:
    """Runs inside a process whose env points at the core (see :func:`main`)."""
    import digitalhub as dh
    import requests

    project = dh.get_or_create_project("bench")
    fn = project.new_function(name="noop", kind="python", code=FUNC, handler="noop", python_version="PYTHON3_11")

    def finish(run) -> None:
        while True:
            run.refresh()
            if run.status.state in ("COMPLETED", "ERROR"):
                assert run.status.state == "COMPLETED", run.status.to_dict()
                return
            time.sleep(0.01)

    finish(fn.run(action="job"))  # warm-up: first run pays the pool's own warm-up
    seq = []
    for i in range(n):
        t0 = time.perf_counter()
        finish(fn.run(action="job", parameters={"x": i}))
        seq.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    runs = [fn.run(action="job", parameters={"x": i}) for i in range(n)]
    for run in runs:
        finish(run)
    batch = (time.perf_counter() - t0) / n

    session = requests.Session()
    url = f"{os.environ['DHCORE_ENDPOINT']}/api/v1/-/bench/runs/{runs[0].id}"
    headers = {"Authorization": f"Bearer {os.environ['DHCORE_ACCESS_TOKEN']}"}
    lat = []
    for _ in range(1000):
        t0 = time.perf_counter()
        resp = session.get(url, headers=headers)
        lat.append(time.perf_counter() - t0)
        resp.raise_for_status()
    lat.sort()
    return {
        "seq_median": statistics.median(seq),
        "seq_max": max(seq),
        "batch": batch,
        "get_p50_ms": lat[499] * 1e3,
        "get_p99_ms": lat[989] * 1e3,
    }


def measure(mode: str, n: int) -> dict:
    os.environ["DHHERA_POOL"] = mode
    return client_on_fresh_core(__file__, n, f"dhhera-bench-{mode}-")


def main() -> None:
    if sys.argv[1:2] == ["--client"]:
        print(json.dumps(client(int(sys.argv[2]))))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    results = {mode: measure(mode, n) for mode in ("warm", "cold")}
    print(f"{n} trivial python+job runs through the SDK on the local core (2 workers)")
    print(
        f"{'mode':6} {'seq median s':>13} {'seq max s':>10} {'batch s/run':>12} {'GET p50 ms':>11} {'GET p99 ms':>11}"
    )
    for mode, r in results.items():
        print(
            f"{mode:6} {r['seq_median']:13.3f} {r['seq_max']:10.3f} {r['batch']:12.3f} "
            f"{r['get_p50_ms']:11.2f} {r['get_p99_ms']:11.2f}"
        )
    ratio = results["cold"]["seq_median"] / results["warm"]["seq_median"]
    print(
        f"warm per-run overhead {results['warm']['seq_median']:.3f} s; cold/warm = {ratio:.1f}x "
        f"(targets: < 0.25 s, >= 15x); GET p50 {results['warm']['get_p50_ms']:.2f} ms (target < 5 ms)"
    )


if __name__ == "__main__":
    main()
