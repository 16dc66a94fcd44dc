"""The worker pool: executes runs the way DHCore launches pods, one process per run.

Each run gets its own process, process group, working directory (``runs_dir/<run_id>/work``) and log
(``runs_dir/<run_id>/run.log``, stdout and stderr at the file-descriptor level). At most ``size`` runs execute at
once; the others wait in a FIFO queue.

- ``warm`` mode forks every run from a warm process (:mod:`dhhera_jupyter.executor.zygote`) that imported the SDK
  and its heavy dependencies once. The warm process is a fresh interpreter started with ``subprocess``: the
  multi-threaded server that owns the pool is never forked itself.
- ``cold`` mode starts ``python -m dhhera_jupyter.executor.entry`` for every run.

When a run's main process ends, whatever it left in its process group is killed, as when a pod terminates.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import site
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhhera_jupyter.core.state import pid_alive
from dhhera_jupyter.errors import CoreError
from dhhera_jupyter.executor.entry import DEFAULT_TARGET
from dhhera_jupyter.executor.zygote import WarmProcess, signal_group

logger = logging.getLogger(__name__)

#: Modules the warm process imports before forking. ``digitalhub`` plus the two runtimes already pull in pandas,
#: pyarrow, polars, boto3, sqlalchemy and hera (about 2,400 modules, 1.5-3 s); ``digitalhub.entities.builders``
#: is the entity registry the SDK loads on its first call (0.15 s). The rest is listed so that the pool stays
#: warm if a later SDK stops importing them eagerly.
DEFAULT_PRELOAD: tuple[str, ...] = (
    "digitalhub",
    "digitalhub.entities.builders",
    "digitalhub_runtime_python",
    "digitalhub_runtime_hera",
    "pandas",
    "pyarrow.parquet",
    "boto3",
    "hera.workflows",
    "dhhera_jupyter.executor.warm_sdk",  # last: fills the SDK's lazy registries, keep-alive HTTP for runs
)

#: Seconds between SIGTERM and SIGKILL when a run is cancelled.
KILL_GRACE_SECONDS = 5.0
#: Seconds the warm process may take to import ``preload`` before runs start cold instead.
WARM_UP_TIMEOUT_SECONDS = 180.0
#: How many times a warm process that died is replaced before runs start cold for good.
MAX_WARM_RESTARTS = 3
#: Exit code reported for a run cancelled before it started.
CANCELLED_EXIT_CODE = -signal.SIGTERM
#: Exit code reported for a run whose warm process died under it (its process was killed).
LOST_EXIT_CODE = -signal.SIGKILL
#: Exit code reported when the run's process could not be started at all (the reason is in its log).
LAUNCH_FAILED_EXIT_CODE = 127

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


@dataclass(eq=False)
class _Run:
    run_id: str
    project: str
    on_exit: Callable[[str, int], None]
    env: dict[str, str]
    log: Path
    cwd: Path
    pid: int | None = None
    zygote: WarmProcess | None = None
    cancelled: bool = False
    kill_timer: threading.Timer | None = field(default=None, repr=False)
    on_start: Callable[[str], None] | None = None
    lane: str = "job"


class WorkerPool:
    """Executes runs in their own processes, at most ``size`` at a time.

    Parameters
    ----------
    env : Mapping[str, str]
        Complete base environment of every run (and of the warm process, before it imports ``preload``).
    runs_dir : Path
        Folder holding one ``<run_id>/`` folder per run (``work/`` and ``run.log``) and ``warm-pool.log``.
    size : int
        Maximum number of job runs executing at once.
    service_size : int
        Maximum number of services (long-running runs, lane ``"service"``) at once; they never take a job slot.
    mode : str
        ``"warm"`` (fork from a process that imported ``preload``) or ``"cold"`` (a fresh interpreter per run).
    target : str
        ``module:function`` each run executes as ``function(run_id, project)``.
    preload : Sequence[str]
        Modules the warm process imports before forking.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        runs_dir: Path,
        size: int,
        service_size: int = 4,
        mode: str = "warm",
        target: str = DEFAULT_TARGET,
        preload: Sequence[str] = DEFAULT_PRELOAD,
    ) -> None:
        if mode not in ("warm", "cold"):
            raise ValueError(f"Pool mode must be 'warm' or 'cold', not {mode!r}.")
        if size < 1 or service_size < 1:
            raise ValueError(f"Pool sizes must be at least 1, not {size} (jobs) and {service_size} (services).")
        if not _TARGET.fullmatch(target):
            raise ValueError(f"Run target {target!r} must be of the form 'package.module:function'.")
        self._env = _with_package_path(dict(env))
        self._runs_dir = Path(runs_dir)
        self._sizes = {"job": size, "service": service_size}
        self._mode = mode
        self._target = target
        self._preload = tuple(preload)
        self._cond = threading.Condition()
        self._queue: deque[_Run] = deque()
        self._running: dict[str, _Run] = {}
        self._started = False
        self._closed = False
        self._shut_down = threading.Event()
        # warm-up state: "off" (cold mode), "idle", "warming", "ready", "failed"
        self._warm_state = "off" if mode == "cold" else "idle"
        self._warm_error = ""
        self._warm_deaths = 0
        self._zygote: WarmProcess | None = None
        self._callbacks: queue.Queue[tuple[_Run, int | None] | None] = queue.Queue()
        self._callback_thread = threading.Thread(target=self._run_callbacks, name="dhhera-pool-exit", daemon=True)

    # ------------------------------------------------------------------ public API

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def warm_pid(self) -> int | None:
        """Pid of the warm process once it is ready, else ``None``."""
        with self._cond:
            zygote = self._zygote
            return zygote.pid if zygote is not None and zygote.ready else None

    @property
    def warm_error(self) -> str:
        """Why runs start cold in warm mode (empty while the warm process is fine)."""
        with self._cond:
            return self._warm_error

    def start(self) -> None:
        """Start the pool without blocking: in warm mode, the warm process begins its imports in the background."""
        with self._cond:
            if self._closed:
                raise CoreError("The worker pool is shut down; create a new one.")
            if self._started:
                return
            self._started = True
            self._runs_dir.mkdir(parents=True, exist_ok=True)
            self._callback_thread.start()
            if self._mode == "warm":
                self._spawn_zygote_locked()

    def submit(
        self,
        run_id: str,
        project: str,
        on_exit: Callable[[str, int], None],
        extra_env: Mapping[str, str] | None = None,
        on_start: Callable[[str], None] | None = None,
        lane: str = "job",
    ) -> None:
        """Queue a run in ``lane`` (``"job"`` or ``"service"``, each with its own bound); ``on_exit(run_id, exitcode)``
        is called once, from a pool thread, after its process ended.

        ``on_start(run_id)``, when given, is called from the same thread when the run leaves the queue
        for a worker (so always before its ``on_exit``; never for a run cancelled while queued).

        Raises
        ------
        ValueError
            If ``run_id`` is not a plain name or is already queued or running.
        CoreError
            If the pool is shut down.
        OSError
            If the run's folder cannot be created (``on_exit`` is then never called).
        """
        if not _RUN_ID.fullmatch(run_id):
            raise ValueError(f"Run id {run_id!r} must be a plain name (letters, digits, '.', '_', '-').")
        if lane not in self._sizes:
            raise ValueError(f"Pool lane must be one of {sorted(self._sizes)}, not {lane!r}.")
        run_dir = self._runs_dir / run_id
        env = {**self._env, **(extra_env or {}), "PROJECT_NAME": project, "RUN_ID": run_id}
        env.setdefault("PYTHONUNBUFFERED", "1")
        run = _Run(
            run_id, project, on_exit, env, log=run_dir / "run.log", cwd=run_dir / "work", on_start=on_start, lane=lane
        )
        with self._cond:
            if self._closed:
                raise CoreError("The worker pool is shut down; create a new one.")
            if self._find_locked(run_id) is not None:
                raise ValueError(f"Run {run_id} is already queued or running.")
            run.cwd.mkdir(parents=True, exist_ok=True)
            run.log.touch()
            self.start()
            self._queue.append(run)
            self._dispatch_locked()

    def cancel(self, run_id: str) -> bool:
        """Cancel a run: a queued one is dropped (``on_exit(run_id, -15)``), a running one gets SIGTERM to its
        whole process group, then SIGKILL after 5 s. Returns whether the run was known (queued or running)."""
        with self._cond:
            for run in self._queue:
                if run.run_id == run_id:
                    self._queue.remove(run)
                    self._callbacks.put((run, CANCELLED_EXIT_CODE))
                    self._cond.notify_all()
                    return True
            running = self._running.get(run_id)
            if running is None:
                return False
            if not running.cancelled:
                running.cancelled = True
                if running.pid is not None:  # else: signalled as soon as the warm process reports the pid
                    self._terminate_locked(running)
            return True

    def is_active(self, run_id: str) -> bool:
        """Whether the run is queued or running."""
        with self._cond:
            return self._find_locked(run_id) is not None

    def active(self) -> list[str]:
        """Ids of the queued and running runs (running first, then the queue in order)."""
        with self._cond:
            return [*self._running, *(run.run_id for run in self._queue)]

    def wait_warm(self, timeout: float) -> bool:
        """Wait until the warm process is ready; False on timeout, in cold mode, or if warm-up failed."""
        if self._mode == "cold":
            return False
        self.start()
        with self._cond:
            self._cond.wait_for(lambda: self._warm_state in ("ready", "failed") or self._closed, timeout)
            return self._warm_state == "ready" and not self._closed

    def shutdown(self) -> None:
        """Cancel every run (``on_exit`` is still called for each), stop the warm process. Idempotent."""
        with self._cond:
            if self._closed:
                first = False
            else:
                first = True
                self._closed = True
                for run in self._queue:
                    self._callbacks.put((run, CANCELLED_EXIT_CODE))
                self._queue.clear()
                for run in self._running.values():
                    run.cancelled = True
                    if run.pid is not None:
                        signal_group(run.pid, signal.SIGTERM)
                self._cond.notify_all()
        on_callback_thread = threading.current_thread() is self._callback_thread
        if not first:
            if not on_callback_thread:
                self._shut_down.wait()
            return
        with self._cond:
            if not self._cond.wait_for(lambda: not self._running, KILL_GRACE_SECONDS):
                for run in self._running.values():
                    if run.pid is not None:
                        signal_group(run.pid, signal.SIGKILL)
            zygote, self._zygote = self._zygote, None
        if zygote is not None:
            zygote.close(timeout=KILL_GRACE_SECONDS + 2)
            if zygote.reader is not None:
                zygote.reader.join(timeout=KILL_GRACE_SECONDS + 2)
        with self._cond:
            self._cond.wait_for(lambda: not self._running, KILL_GRACE_SECONDS)
            for run in list(self._running.values()):
                logger.error("Run %s did not end after SIGKILL; reporting it as lost.", run.run_id)
                self._finish_locked(run, LOST_EXIT_CODE)
        self._callbacks.put(None)
        if self._started and not on_callback_thread:
            self._callback_thread.join()
        self._shut_down.set()

    # ------------------------------------------------------------------ scheduling

    def _find_locked(self, run_id: str) -> _Run | None:
        if run_id in self._running:
            return self._running[run_id]
        return next((run for run in self._queue if run.run_id == run_id), None)

    def _dispatch_locked(self) -> None:
        while not self._closed:
            if self._warm_state in ("idle", "warming"):
                return  # runs wait for the warm process rather than start cold next to its imports
            busy = {lane: 0 for lane in self._sizes}
            for running in self._running.values():
                busy[running.lane] += 1
            run = next((r for r in self._queue if busy[r.lane] < self._sizes[r.lane]), None)
            if run is None:
                return
            self._queue.remove(run)
            self._running[run.run_id] = run
            if run.on_start is not None:
                self._callbacks.put((run, None))
            if self._warm_state == "ready" and self._zygote is not None and "DHHERA_RUN_PYTHON" not in run.env:
                if not self._launch_warm_locked(run):
                    return
            else:
                self._launch_cold_locked(run)

    def _launch_warm_locked(self, run: _Run) -> bool:
        zygote = self._zygote
        assert zygote is not None
        request = {
            "run_id": run.run_id,
            "project": run.project,
            "target": self._target,
            "cwd": str(run.cwd),
            "log": str(run.log),
            "env": run.env,
        }
        try:
            zygote.send(request)
        except OSError:
            # The warm process just died: its reader thread restarts it; the run waits at the head of the queue.
            del self._running[run.run_id]
            self._queue.appendleft(run)
            self._warm_state = "warming"
            return False
        run.zygote = zygote
        return True

    def _launch_cold_locked(self, run: _Run) -> None:
        if self._mode == "warm" and "DHHERA_RUN_PYTHON" not in run.env:
            _append_line(run.log, f"[dhhera] warm pool unavailable ({self._warm_error}); starting a fresh interpreter")
        # A function's python_version other than the core's runs in that interpreter (executor/environments.py).
        python = run.env.get("DHHERA_RUN_PYTHON") or sys.executable
        command = [python, "-m", "dhhera_jupyter.executor.entry", "--target", self._target]
        try:
            with open(run.log, "ab") as log:
                proc = subprocess.Popen(
                    [*command, run.run_id, run.project],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=run.env,
                    cwd=run.cwd,
                    start_new_session=True,
                )
        except OSError as exc:
            logger.error("Could not start run %s: %s", run.run_id, exc)
            _append_line(run.log, f"[dhhera] could not start the run process: {exc}")
            self._finish_locked(run, LAUNCH_FAILED_EXIT_CODE)
            return
        run.pid = proc.pid
        threading.Thread(target=self._wait_cold, args=(run, proc), name=f"dhhera-run-{run.run_id}", daemon=True).start()

    def _wait_cold(self, run: _Run, proc: subprocess.Popen[bytes]) -> None:
        code = proc.wait()
        signal_group(proc.pid, signal.SIGKILL)  # what the run left behind in its group
        with self._cond:
            if self._running.get(run.run_id) is run:
                self._finish_locked(run, code)

    def _terminate_locked(self, run: _Run) -> None:
        assert run.pid is not None
        signal_group(run.pid, signal.SIGTERM)
        timer = threading.Timer(KILL_GRACE_SECONDS, self._kill_after_grace, args=(run,))
        timer.daemon = True
        run.kill_timer = timer
        timer.start()

    def _kill_after_grace(self, run: _Run) -> None:
        with self._cond:
            if self._running.get(run.run_id) is run and run.pid is not None:
                signal_group(run.pid, signal.SIGKILL)

    def _finish_locked(self, run: _Run, code: int) -> None:
        del self._running[run.run_id]
        if run.kill_timer is not None:
            run.kill_timer.cancel()
        self._callbacks.put((run, code))
        self._dispatch_locked()
        self._cond.notify_all()

    def _run_callbacks(self) -> None:
        while True:
            item = self._callbacks.get()
            if item is None:
                return
            run, code = item
            try:
                if code is None:
                    if run.on_start is not None:
                        run.on_start(run.run_id)
                else:
                    run.on_exit(run.run_id, code)
            except Exception:  # a failing callback must not stop the pool
                logger.exception("callback of run %s failed", run.run_id)

    # ------------------------------------------------------------------ the warm process

    def _spawn_zygote_locked(self) -> None:
        self._warm_state = "warming"
        try:
            zygote = WarmProcess(self._env, self._preload, self._runs_dir / "warm-pool.log", self._runs_dir)
        except OSError as exc:
            self._warm_failed_locked(f"could not start the warm process: {exc}")
            return
        self._zygote = zygote
        zygote.reader = threading.Thread(
            target=self._read_events, args=(zygote,), name=f"dhhera-pool-warm-{zygote.pid}", daemon=True
        )
        zygote.reader.start()
        timer = threading.Timer(WARM_UP_TIMEOUT_SECONDS, self._warm_up_timed_out, args=(zygote,))
        timer.daemon = True
        timer.start()

    def _warm_failed_locked(self, reason: str) -> None:
        self._warm_state = "failed"
        self._warm_error = reason
        logger.warning("Warm worker pool unavailable (%s); runs start in a fresh interpreter.", reason)
        self._cond.notify_all()
        self._dispatch_locked()

    def _warm_up_timed_out(self, zygote: WarmProcess) -> None:
        with self._cond:
            if zygote is not self._zygote or zygote.ready:
                return
            self._zygote = None
            self._warm_failed_locked(f"imports took more than {WARM_UP_TIMEOUT_SECONDS:.0f} s")
        zygote.proc.kill()

    def _read_events(self, zygote: WarmProcess) -> None:
        for line in zygote.events:
            try:
                self._on_event(zygote, json.loads(line))
            except Exception:
                logger.exception("Bad event from the warm process: %r", line)
        zygote.events.close()
        zygote.proc.wait()
        self._on_zygote_exit(zygote)

    def _on_event(self, zygote: WarmProcess, event: dict[str, Any]) -> None:
        with self._cond:
            kind = event["event"]
            if kind == "ready":
                self._on_ready_locked(zygote, event)
                return
            run = self._running.get(event["run_id"])
            if run is None or run.zygote is not zygote:
                return
            if kind == "started":
                run.pid = event["pid"]
                if run.cancelled:
                    self._terminate_locked(run)
            elif kind == "exited":
                self._finish_locked(run, event["code"])

    def _on_ready_locked(self, zygote: WarmProcess, event: dict[str, Any]) -> None:
        if zygote is not self._zygote:
            return
        zygote.ready = True
        self._warm_state = "ready"
        self._warm_error = ""
        logger.info("Warm worker pool ready in %.1f s (%d modules).", event["seconds"], event["modules"])
        for name, error in event.get("failed", {}).items():
            logger.warning("The warm pool could not import %s (%s); runs will import it themselves.", name, error)
        self._cond.notify_all()
        self._dispatch_locked()

    def _on_zygote_exit(self, zygote: WarmProcess) -> None:
        """The warm process ended: its runs are killed and reported lost; a new one replaces it if it was ready."""
        with self._cond:
            orphans = [run for run in self._running.values() if run.zygote is zygote]
            current = zygote is self._zygote
            if current:
                self._zygote = None
        for run in orphans:
            if run.pid is not None:
                signal_group(run.pid, signal.SIGKILL)
        deadline = time.monotonic() + KILL_GRACE_SECONDS
        for run in orphans:
            while run.pid is not None and _alive(run.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
        with self._cond:
            for run in orphans:
                if self._running.get(run.run_id) is run:
                    logger.error("The warm process died while run %s was running; the run was killed.", run.run_id)
                    _append_line(run.log, "[dhhera] the warm worker process died; this run was killed")
                    self._finish_locked(run, LOST_EXIT_CODE)
            if not current or self._closed:
                return
            code = zygote.proc.returncode
            self._warm_deaths += 1
            if zygote.ready and self._warm_deaths <= MAX_WARM_RESTARTS:
                logger.warning("The warm worker process exited (code %s); starting a new one.", code)
                self._spawn_zygote_locked()
            elif zygote.ready:
                self._warm_failed_locked(f"the warm process died {self._warm_deaths} times (last exit code {code})")
            else:
                log = self._runs_dir / "warm-pool.log"
                self._warm_failed_locked(f"the warm process exited with code {code} while importing; see {log}")


def _with_package_path(env: dict[str, str]) -> dict[str, str]:
    """Make ``dhhera_jupyter`` importable in run processes when it is used from a source checkout."""
    root = str(Path(__file__).resolve().parents[2])
    installed = {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if root in installed:
        return env
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in parts:
        env["PYTHONPATH"] = os.pathsep.join([root, *parts])
    return env


_alive = pid_alive  # one definition: a zombie counts as dead


def _append_line(path: Path, line: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    except OSError:
        pass
