"""Retry of a 50-step pipeline with one failed step: what runs again, and how long it takes against a full rerun.

Run: ``python bench/retry_scale.py [--chains C] [--length L] [--fail-chain I] [--fail-at J]`` (defaults 5 chains
of 10 trivial python steps, 50 steps in all; the 6th step of the 3rd chain fails; a minute or two). In one run,
on a fresh local core in a temporary folder, with the real SDK:

1. the pipeline runs and fails at that one step (its function raises);
2. the function is fixed (a new version) and the failed run is retried (``platform.retry.retry``);
3. the workflow is rebuilt (the build pins function versions) and runs again in full
   (``workflow.run(action="pipeline")``), the peer of the retry.

The DAG has ``failFast: false`` so that the other chains run to their end in the failed run (with Argo's
default fail-fast, the steps that had not started when the step failed never run, and a retry runs them too).

It prints, for the retry and the full rerun, the child runs each created (counted from the runs that are
``step_of`` it) and the wall time from submission to COMPLETED. Expected: the retry creates exactly
``L - J + 1`` child runs (the failed step and its downstream in its chain; the other steps are reused) and
the full rerun ``C * L``. Exit status 1 when the retry's count is not the expected one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import local_core  # noqa: E402 (after the sys.path setup above)

NOOP = "def noop(x: str = ''):\n    return x\n"
BROKEN = "def flaky(x: str = ''):\n    raise RuntimeError('bad input ' + x)\n"
FIXED = "def flaky(x: str = ''):\n    return x\n"

#: ``chains`` independent chains of ``length`` steps; step ``fail_at`` of chain ``fail_chain`` runs ``flaky``.
PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag", fail_fast=False):  # the other chains run to their end, as in the test's ETL
            for c in range({chains}):
                previous = None
                for s in range(1, {length} + 1):
                    fn = "flaky" if (c + 1, s) == ({fail_chain}, {fail_at}) else "noop"
                    node = step(template={{"action": "job", "parameters": {{"x": f"c{{c}}s{{s}}"}}}},
                                function=fn, name=f"c{{c}}s{{s}}")
                    if previous is not None:
                        previous >> node
                    previous = node
    return w
"""

TERMINAL = ("COMPLETED", "ERROR", "STOPPED")


def _wait(run_doc: Any, project: str, run_id: str) -> tuple[dict, float]:
    start = time.perf_counter()
    while True:
        doc = run_doc(run_id, project)
        if doc["status"].get("state") in TERMINAL:
            return doc, time.perf_counter() - start
        time.sleep(0.05)


def _children(list_runs: Any, project: str, pipeline_id: str) -> int:
    return sum(
        1
        for r in list_runs(project, limit=10_000)
        if any(
            rel.get("type") == "step_of" and str(rel.get("dest", "")).endswith(f":{pipeline_id}")
            for rel in (r.get("metadata") or {}).get("relationships") or []
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=5)
    parser.add_argument("--length", type=int, default=10)
    parser.add_argument("--fail-chain", type=int, default=3)
    parser.add_argument("--fail-at", type=int, default=6)
    args = parser.parse_args()
    total, expected = args.chains * args.length, args.length - args.fail_at + 1
    with local_core("dhhera-bench-retry-") as info:
        os.environ.update(info.env())
        import digitalhub as dh

        from dhhera_jupyter.platform import list_runs, run_doc
        from dhhera_jupyter.platform.retry import retry

        project = dh.get_or_create_project("bench-retry")
        for name, code in (("noop", NOOP), ("flaky", BROKEN)):
            project.new_function(name=name, kind="python", code=code, handler=name, python_version="PYTHON3_11")
        source = PIPELINE.format(
            chains=args.chains, length=args.length, fail_chain=args.fail_chain, fail_at=args.fail_at
        )
        wf = project.new_workflow(name="chains", kind="hera", code=source, handler="pipeline")
        build, _ = _wait(run_doc, project.name, wf.run(action="build").id)
        assert build["status"]["state"] == "COMPLETED", build["status"]

        failed, t_failed = _wait(run_doc, project.name, wf.run(action="pipeline").id)
        assert failed["status"]["state"] == "ERROR", failed["status"]
        project.new_function(name="flaky", kind="python", code=FIXED, handler="flaky", python_version="PYTHON3_11")

        started = time.perf_counter()
        retried = retry(failed["id"], project.name)
        retried, _ = _wait(run_doc, project.name, retried["id"])
        t_retry = time.perf_counter() - started
        assert retried["status"]["state"] == "COMPLETED", retried["status"]

        # The build pins function versions: a full rerun needs a rebuild to pick up the fix (not timed).
        rebuild, _ = _wait(run_doc, project.name, wf.run(action="build").id)
        assert rebuild["status"]["state"] == "COMPLETED", rebuild["status"]
        started = time.perf_counter()
        full, _ = _wait(run_doc, project.name, wf.run(action="pipeline").id)
        t_full = time.perf_counter() - started
        assert full["status"]["state"] == "COMPLETED", full["status"]

        n_failed = _children(list_runs, project.name, failed["id"])
        n_retry = _children(list_runs, project.name, retried["id"])
        n_full = _children(list_runs, project.name, full["id"])
    reused = sum(1 for n in retried["status"]["nodes"] if n.get("reused_from") == failed["id"])
    print(f"pipeline: {args.chains} chains x {args.length} steps = {total} steps; step {args.fail_at} of chain "
          f"{args.fail_chain} fails (its downstream: {expected - 1} steps)")  # fmt: skip
    print(f"failed run : {n_failed:3d} child runs, {t_failed:6.2f} s (its failed step's downstream omitted)")
    print(f"retry      : {n_retry:3d} child runs, {t_retry:6.2f} s, {reused} steps reused (expected {expected} runs)")
    print(f"full rerun : {n_full:3d} child runs, {t_full:6.2f} s")
    print(f"retry / full rerun: {t_retry / t_full:.2f} of the time, {n_retry / n_full:.2f} of the child runs")
    ok = n_retry == expected and reused == total - expected and n_full == total
    print("OK" if ok else "MISMATCH: the retry did not re-execute exactly the failed step and its downstream")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
