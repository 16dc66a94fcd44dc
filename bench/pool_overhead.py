"""Per-run overhead of the worker pool, warm (forked from a preloaded process) against cold (fresh interpreter).

Run: ``python bench/pool_overhead.py [runs]`` (about a minute). For each mode and target it prints, in seconds:

- ``warm-up``: pool start until the warm process has imported its preload (warm mode only);
- ``latency``: ``submit`` until ``on_exit``, one run at a time (median and max over ``runs``);
- ``batch``: wall time of ``runs`` runs submitted at once to a pool of ``size`` workers, per run.

Targets: ``noop`` (process overhead only) and ``import_sdk`` (imports what ``run_sdk`` needs before its first
HTTP call: the SDK, both runtimes and the entity registry).

:func:`measure_pool_overhead` is the function to call from other benches.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dhhera_jupyter.executor.pool import DEFAULT_PRELOAD, WorkerPool  # noqa: E402 (after the sys.path setup above)


def noop(run_id: str, project: str) -> None:
    """A run that does nothing."""


def import_sdk(run_id: str, project: str) -> None:
    """A run that imports what ``run_sdk`` needs before it talks to the core."""
    import digitalhub
    import digitalhub.entities.builders  # noqa: F401
    import digitalhub_runtime_hera  # noqa: F401
    import digitalhub_runtime_python  # noqa: F401


def measure_pool_overhead(
    mode: str,
    *,
    target: str = "bench.pool_overhead:noop",
    runs: int = 10,
    size: int = 2,
    preload: Sequence[str] = DEFAULT_PRELOAD,
    env: Mapping[str, str] | None = None,
    runs_dir: Path | None = None,
) -> dict[str, float]:
    """Time runs of ``target`` through a :class:`WorkerPool`.

    Parameters
    ----------
    mode : str
        ``"warm"`` or ``"cold"``.
    target : str
        ``module:function`` executed by every run; it must be importable with ``env``.
    runs : int
        Runs timed one at a time, then submitted together.
    size : int
        Pool size for the batch.
    preload : Sequence[str]
        Modules of the warm process.
    env : Mapping[str, str] or None
        Base environment of the runs; default: this process's ``PATH`` plus the repository on ``PYTHONPATH``.
    runs_dir : Path or None
        Where run folders go; default: a temporary folder.

    Returns
    -------
    dict[str, float]
        ``warm_up`` (seconds, 0 in cold mode), ``latency_median``, ``latency_max``, ``batch_per_run``,
        ``failures`` (runs that did not exit with 0).
    """
    import os

    base_env = dict(env) if env is not None else {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="dhhera-pool-bench-") as tmp:
        pool = WorkerPool(
            env=base_env, runs_dir=runs_dir or Path(tmp), size=size, mode=mode, target=target, preload=preload
        )
        codes: dict[str, int] = {}
        done = threading.Condition()

        def on_exit(run_id: str, code: int) -> None:
            with done:
                codes[run_id] = code
                done.notify_all()

        def wait_for(ids: Sequence[str]) -> None:
            with done:
                if not done.wait_for(lambda: all(i in codes for i in ids), timeout=600):
                    raise TimeoutError(f"runs {ids} did not finish")

        try:
            begin = time.perf_counter()
            pool.start()
            warm_up = 0.0
            if mode == "warm":
                if not pool.wait_warm(300):
                    raise RuntimeError(f"warm-up failed: {pool.warm_error}")
                warm_up = time.perf_counter() - begin
            latencies = []
            for i in range(runs):
                run_id = f"single-{i}"
                start = time.perf_counter()
                pool.submit(run_id, "bench", on_exit)
                wait_for([run_id])
                latencies.append(time.perf_counter() - start)
            batch_ids = [f"batch-{i}" for i in range(runs)]
            start = time.perf_counter()
            for run_id in batch_ids:
                pool.submit(run_id, "bench", on_exit)
            wait_for(batch_ids)
            batch = time.perf_counter() - start
        finally:
            pool.shutdown()
    return {
        "warm_up": warm_up,
        "latency_median": statistics.median(latencies),
        "latency_max": max(latencies),
        "batch_per_run": batch / runs,
        "failures": float(sum(1 for code in codes.values() if code != 0)),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print(f"{'mode':5} {'target':11} {'warm-up':>8} {'latency med':>12} {'latency max':>12} {'batch/run':>10} fail")
    for target in ("noop", "import_sdk"):
        for mode in ("warm", "cold"):
            figures = measure_pool_overhead(mode, target=f"bench.pool_overhead:{target}", runs=runs)
            print(
                f"{mode:5} {target:11} {figures['warm_up']:8.2f} {figures['latency_median']:12.3f} "
                f"{figures['latency_max']:12.3f} {figures['batch_per_run']:10.3f} {figures['failures']:4.0f}"
            )


if __name__ == "__main__":
    main()
