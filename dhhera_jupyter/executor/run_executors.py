"""The executors of the run-kind table (:mod:`dhhera_jupyter.core.run_kinds`), over the parts that do the work.

- :class:`PoolExecutor` runs a kind in worker processes of the pool, in a lane (``job`` or ``service``, each with
  its own bound);
- :class:`PipelineExecutor` runs pipelines in the Argo interpreter.

Environments (``python+build``) are executed by :class:`dhhera_jupyter.executor.environments.BuildExecutor`.
"""

from __future__ import annotations

from collections.abc import Mapping

from dhhera_jupyter.core.run_kinds import RunCallbacks
from dhhera_jupyter.executor.pipeline import PipelineRunner
from dhhera_jupyter.executor.pool import WorkerPool


class PoolExecutor:
    """Runs each run in a process of ``pool``, in ``lane``.

    Parameters
    ----------
    pool : WorkerPool
        The worker pool (shared by the lanes: one warm process for all).
    lane : str
        ``"job"`` or ``"service"``.
    owns_pool : bool
        Whether :meth:`shutdown` shuts the pool down (exactly one executor over a pool does).
    """

    def __init__(self, pool: WorkerPool, lane: str, *, owns_pool: bool = False) -> None:
        self.pool = pool
        self.lane = lane
        self.owns_pool = owns_pool

    def start(self, run: dict, env: Mapping[str, str], callbacks: RunCallbacks) -> None:
        self.pool.submit(
            run["id"], run["project"], callbacks.on_exit, extra_env=env, on_start=callbacks.on_start, lane=self.lane
        )

    def stop(self, run_id: str) -> bool:
        return self.pool.cancel(run_id)

    def shutdown(self) -> None:
        if self.owns_pool:
            self.pool.shutdown()


class PipelineExecutor:
    """Runs ``hera+pipeline`` runs in the Argo interpreter (threads of the core; steps are child runs)."""

    def __init__(self, runner: PipelineRunner) -> None:
        self.runner = runner

    def start(self, run: dict, env: Mapping[str, str], callbacks: RunCallbacks) -> None:
        self.runner.start(run)

    def stop(self, run_id: str) -> bool:
        return self.runner.stop(run_id)

    def shutdown(self) -> None:
        self.runner.shutdown()
