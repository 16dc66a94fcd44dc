"""The local core against Kubeflow Pipelines' local runner (``kfp.local``), side by side, with the floor.

Run: ``python bench/vs_kfp_local.py [sizes...] [--repeat R]`` (default 10 50 500, R=3; ten minutes or more). In
one run, on this machine, in R interleaved rounds (the load of a shared machine drifts: medians are printed and
every round is shown), it measures the same shape on both engines — a fan-out/fan-in ``start → N parallel
trivial python steps → end`` — and the floor our per-step cost is compared with:

- **local core**: a fresh core in a temporary folder (warm pool, ``DHHERA_WORKERS`` workers, default: cores);
  the pipeline is registered, built and run through the real SDK; wall time from ``run(action="pipeline")``
  to COMPLETED (the build is not counted; kfp compiles in the timed call, which costs it a few ms).
- **kfp.local**: ``SubprocessRunner(use_venv=False)``, components with ``install_kfp_package=False`` (no
  per-task pip install); wall time of the pipeline call. kfp needs versions of ``requests``/``urllib3`` other
  than the SDK's, so it is best kept in a virtualenv of its own: ``python -m venv /opt/kfp-venv &&
  /opt/kfp-venv/bin/pip install kfp`` and ``DHHERA_KFP_PYTHON=/opt/kfp-venv/bin/python``. Without it (and
  without ``kfp`` importable here, e.g. from the ``bench`` extra) the kfp column is skipped with a message.
- **floor**: the SDK running the same python job in this process (``local_execution=True``, median of 10), the
  pool's warm no-op run (fork + exit), and the resulting target: per-step wall time with W workers at most
  1.5 × (in-process SDK time ÷ W).

Targets (issue 13): ≥ 2× faster than kfp.local at N=50 and N=500; per-step wall ≤ 1.5 × floor ÷ workers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import built_fan, local_core, sdk_on_local_core  # noqa: E402 (after the sys.path setup above)

# Executed by the kfp interpreter: prints {"N": seconds, ...} as JSON on its last line.
KFP_SCRIPT = r"""
import json, sys, tempfile, time
from kfp import dsl, local

local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=tempfile.mkdtemp(prefix="kfp-bench-"))

@dsl.component(install_kfp_package=False, base_image="python:3.11")
def noop(x: str) -> str:
    return x

def shape(n):
    @dsl.pipeline(name=f"fan-{n}")
    def fan():
        start = noop(x="start")
        middle = [noop(x=f"m{i}").after(start) for i in range(n)]
        noop(x="end").after(*middle)
    return fan

figures = {}
for n in [int(a) for a in sys.argv[1:]]:
    pipeline = shape(n)
    began = time.perf_counter()
    pipeline()
    figures[n] = time.perf_counter() - began
print(json.dumps(figures))
"""


def kfp_python() -> str | None:
    """An interpreter that can import kfp, or None."""
    candidates = [os.environ.get("DHHERA_KFP_PYTHON"), sys.executable, "/opt/kfp-venv/bin/python"]
    for python in candidates:
        if not python or not shutil.which(python) and not Path(python).exists():
            continue
        probe = subprocess.run([python, "-c", "import kfp.local"], capture_output=True)
        if probe.returncode == 0:
            return python
    return None


def run_kfp(python: str, sizes: list[int]) -> dict[int, float]:
    """Wall time of each fan-out/fan-in shape on kfp.local (run in ``python``, quietly)."""
    with tempfile.TemporaryDirectory(prefix="kfp-bench-cwd-") as cwd:
        script = Path(cwd) / "kfp_fan.py"  # kfp reads component sources with inspect: they must live in a file
        script.write_text(KFP_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            [python, str(script), *map(str, sizes)], capture_output=True, text=True, cwd=cwd, timeout=7200
        )
    if done.returncode != 0:
        raise RuntimeError(f"kfp.local failed:\n{done.stderr[-2000:]}")
    return {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def run_local_core(project, sizes: list[int], workflows: dict | None = None) -> dict[int, float | str]:
    """Wall time of each shape on the local core, build excluded (built once, reused); a failure as its message."""
    from dhhera_jupyter.platform import conditional

    workflows = {} if workflows is None else workflows
    figures: dict[int, float | str] = {}
    for n in sizes:
        if n not in workflows:
            workflows[n] = built_fan(project, n)
        began = time.perf_counter()
        run = workflows[n].run(action="pipeline")
        while True:
            # conditional reads: polling a big run must not load the core the bench is measuring
            status = conditional.run_doc(run.id, project.name)["status"]
            if status["state"] in ("COMPLETED", "ERROR", "STOPPED"):
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - began
        figures[n] = elapsed if status["state"] == "COMPLETED" else f"{status['state']}: {status.get('message')}"
    return figures


def sdk_in_process(project, runs: int = 10) -> float:
    """Median seconds of the SDK running the trivial job in this process (the per-step floor)."""
    import logging

    logging.disable(logging.WARNING)  # the runtime logs every step at INFO in this process
    function = project.get_function("noop")
    times = []
    for i in range(runs + 1):
        began = time.perf_counter()
        function.run("job", parameters={"x": f"f{i}"}, local_execution=True)
        if i:  # the first one pays the runtime's imports
            times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description="The local core against kfp.local on fan-out/fan-in shapes.")
    parser.add_argument("sizes", type=int, nargs="*", default=[10, 50, 500])
    parser.add_argument("--repeat", type=int, default=3, help="runs of every measurement (medians are printed)")
    args = parser.parse_args()
    sizes, repeat = args.sizes, args.repeat
    from pool_overhead import measure_pool_overhead

    from dhhera_jupyter import settings

    workers = settings.workers()
    python = kfp_python()
    if python is None:
        print("kfp.local: skipped (kfp is not importable here; set DHHERA_KFP_PYTHON, see this script's docstring)")
    kfp: dict[int, list[float]] = {}
    ours: dict[int, list[float]] = {}
    failed: dict[int, str] = {}
    floors: list[float] = []

    with local_core("dhhera-bench-kfp-") as info:
        _, project = sdk_on_local_core(info)
        workflows: dict = {}
        # Interleaved rounds: the machine's load drifts, so each round measures all three under the same load.
        for _ in range(repeat):
            if python is not None:
                for n, seconds in run_kfp(python, sizes).items():
                    kfp.setdefault(n, []).append(seconds)
            for n, result in run_local_core(project, [n for n in sizes if n not in failed], workflows).items():
                if isinstance(result, str):
                    failed[n] = result
                else:
                    ours.setdefault(n, []).append(result)
            floors.append(sdk_in_process(project))
    noop = measure_pool_overhead("warm", target="bench.pool_overhead:noop", runs=10)["latency_median"]

    floor_sdk = statistics.median(floors)
    print(f"fan-out/fan-in of N trivial python steps; local core with {workers} workers (warm pool)")
    print(f"medians of {repeat} interleaved rounds; load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"floor: SDK job in-process {floor_sdk * 1000:.1f} ms (rounds: {_ms(floors)})")
    print(f"pool warm no-op {noop * 1000:.1f} ms")
    target = 1.5 * floor_sdk / workers
    print(f"target per-step wall: 1.5 x floor / workers = {target * 1000:.1f} ms")
    header = f"{'N':>6} {'local core s':>13} {'ms/step':>8} {'vs target':>10} {'kfp.local s':>12} {'kfp/ours':>9}"
    print(f"{header}  rounds (s)")
    for n in sizes:
        if n in failed:
            print(f"{n:6d}  local core failed: {failed[n]}")
            continue
        mine = statistics.median(ours[n])
        per_step = mine / (n + 2)
        theirs = statistics.median(kfp[n]) if n in kfp else None
        kfp_s = f"{theirs:12.2f}" if theirs is not None else f"{'-':>12}"
        ratio = f"{theirs / mine:9.2f}" if theirs is not None else f"{'-':>9}"
        rounds = " ".join(f"{v:.2f}" for v in ours[n]) + (
            " | kfp " + " ".join(f"{v:.2f}" for v in kfp[n]) if n in kfp else ""
        )
        print(f"{n:6d} {mine:13.2f} {per_step * 1000:8.1f} {per_step / target:10.2f} {kfp_s} {ratio}  {rounds}")


def _ms(values: list[float]) -> str:
    return " ".join(f"{v * 1000:.1f}" for v in values)


if __name__ == "__main__":
    main()
