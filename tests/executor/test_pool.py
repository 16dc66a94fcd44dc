"""The worker pool runs targets in their own processes, warm (forked from a preloaded process) or cold."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dhhera_jupyter.errors import CoreError
from dhhera_jupyter.executor import pool as pool_module
from dhhera_jupyter.executor.pool import DEFAULT_PRELOAD, WorkerPool
from tests.support import wait_until

REPO = Path(__file__).resolve().parents[2]
TARGETS = "tests.executor.pool_targets"
LIGHT_PRELOAD = ["no_such_module_for_dhhera_tests", TARGETS]


class Exits:
    """Collects ``on_exit`` calls; fails the test on a second call for the same run or a call on the caller's thread."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.order: list[str] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, run_id: str, code: int) -> None:
        with self._lock:
            if run_id in self.codes:
                self.errors.append(f"on_exit called twice for {run_id}")
            if threading.current_thread() is threading.main_thread():
                self.errors.append(f"on_exit for {run_id} called on the main thread")
            self.codes[run_id] = code
            self.order.append(run_id)

    def wait(self, run_id: str, timeout: float = 30) -> int:
        wait_until(lambda: run_id in self.codes, timeout, what=f"exit of {run_id}")
        assert not self.errors, self.errors
        return self.codes[run_id]


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


@pytest.fixture()
def make_pool(tmp_path: Path, out: Path) -> Iterator[Callable[..., WorkerPool]]:
    pools: list[WorkerPool] = []

    def make(
        mode: str = "warm", size: int = 2, target: str = "record", base_env: dict | None = None, **kwargs: object
    ) -> WorkerPool:
        env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(REPO),
            "POOL_TEST_OUT": str(out),
            "POOL_TEST_BASE": "base",
            "POOL_TEST_OVERRIDDEN": "base",
            **(base_env or {}),
        }
        kwargs.setdefault("preload", LIGHT_PRELOAD)
        pool = WorkerPool(
            env=env, runs_dir=tmp_path / "runs", size=size, mode=mode, target=f"{TARGETS}:{target}", **kwargs
        )
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.shutdown()


def report(out: Path, run_id: str, timeout: float = 30) -> dict:
    path = out / f"{run_id}.json"
    wait_until(path.exists, timeout, what=f"report of {run_id}")
    return json.loads(path.read_text())


def gone(pid: int) -> bool:
    """The process has ended (a zombie left to an init that does not reap counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return True


def log_of(pool_dir: Path, run_id: str) -> str:
    return (pool_dir / "runs" / run_id / "run.log").read_text()


MODES = pytest.mark.parametrize("mode", ["warm", "cold"])


@MODES
def test_stdout_stderr_c_writes_and_subprocess_output_land_in_the_run_log(make_pool, tmp_path: Path, mode: str) -> None:
    pool = make_pool(mode, target="hello")
    exits = Exits()
    pool.submit("r1", "proj", exits)
    assert exits.wait("r1") == 0
    log = log_of(tmp_path, "r1")
    for line in ("hello stdout r1 proj", "hello stderr r1", "raw fd write", "from a subprocess"):
        assert line in log, log


@MODES
def test_exit_code_is_0_on_return_1_on_raise_with_traceback_and_sys_exit_code(
    make_pool, tmp_path: Path, mode: str
) -> None:
    exits = Exits()
    for target in ("noop", "fail", "exit_3"):
        make_pool(mode, target=target).submit(target, "proj", exits)
    assert exits.wait("noop") == 0
    assert exits.wait("fail") == 1
    assert exits.wait("exit_3") == 3
    log = log_of(tmp_path, "fail")
    assert "Traceback (most recent call last)" in log and "RuntimeError: boom in fail" in log


@MODES
def test_run_ends_like_an_interpreter_waiting_for_threads_and_running_atexit(
    make_pool, tmp_path: Path, mode: str
) -> None:
    pool = make_pool(mode, target="finish_in_background")
    exits = Exits()
    pool.submit("late", "p", exits)
    assert exits.wait("late") == 0
    log = log_of(tmp_path, "late")
    assert log.index("non-daemon thread finished") < log.index("atexit handler ran"), log


@MODES
def test_run_sees_base_env_extra_env_and_its_own_ids(make_pool, out: Path, mode: str) -> None:
    pool = make_pool(mode)
    exits = Exits()
    pool.submit("run-a", "proj-a", exits, extra_env={"POOL_TEST_EXTRA": "extra", "POOL_TEST_OVERRIDDEN": "extra"})
    assert exits.wait("run-a") == 0
    env = report(out, "run-a")["env"]
    assert env["RUN_ID"] == "run-a" and env["PROJECT_NAME"] == "proj-a"
    assert env["POOL_TEST_BASE"] == "base"
    assert env["POOL_TEST_EXTRA"] == "extra" and env["POOL_TEST_OVERRIDDEN"] == "extra"


def test_each_run_has_its_own_work_dir_and_process_group(make_pool, tmp_path: Path, out: Path) -> None:
    pool = make_pool("warm")
    exits = Exits()
    pool.submit("one", "p", exits)
    pool.submit("two", "p", exits)
    assert exits.wait("one") == 0 and exits.wait("two") == 0
    one, two = report(out, "one"), report(out, "two")
    assert one["cwd"] == str(tmp_path / "runs" / "one" / "work")
    assert two["cwd"] == str(tmp_path / "runs" / "two" / "work")
    for seen in (one, two):
        assert seen["pgid"] == seen["pid"] == seen["sid"]
    assert one["pid"] != two["pid"]


def test_concurrency_is_bounded_by_size_and_the_queue_is_fifo(make_pool, out: Path) -> None:
    pool = make_pool("warm", size=2, target="wait_for_release")
    exits = Exits()
    for name in ("q0", "q1", "q2", "q3"):
        pool.submit(name, "p", exits)
    report(out, "q0"), report(out, "q1")
    assert pool.active() == ["q0", "q1", "q2", "q3"]
    assert not (out / "q2.json").exists() and not (out / "q3.json").exists()

    (out / "q1.release").touch()
    exits.wait("q1")
    report(out, "q2")
    assert not (out / "q3.json").exists()
    assert pool.is_active("q3") and not pool.is_active("q1")

    for name in ("q0", "q2", "q3"):
        (out / f"{name}.release").touch()
    for name in ("q0", "q2", "q3"):
        assert exits.wait(name) == 0
    assert pool.active() == []


def test_cancel_of_a_queued_run_reports_minus_15_and_never_starts_it(make_pool, out: Path) -> None:
    pool = make_pool("warm", size=1, target="wait_for_release")
    exits = Exits()
    pool.submit("first", "p", exits)
    pool.submit("queued", "p", exits)
    report(out, "first")
    assert pool.cancel("queued") is True
    assert exits.wait("queued") == -signal.SIGTERM
    assert not pool.is_active("queued")
    (out / "first.release").touch()
    assert exits.wait("first") == 0
    assert not (out / "queued.json").exists()


@MODES
def test_cancel_of_a_running_run_ends_it_and_every_process_it_spawned(make_pool, out: Path, mode: str) -> None:
    pool = make_pool(mode, target="spawn_child_and_sleep")
    exits = Exits()
    pool.submit("victim", "p", exits)
    seen = report(out, "victim")
    assert pool.cancel("victim") is True
    assert exits.wait("victim") == -signal.SIGTERM
    wait_until(lambda: gone(seen["pid"]) and gone(seen["child_pid"]), 10, what="run and grandchild to end")


def test_cancel_right_after_submit_kills_the_run_before_its_pid_is_known(make_pool) -> None:
    pool = make_pool("warm", target="sleep_forever")
    assert pool.wait_warm(30)
    exits = Exits()
    pool.submit("early", "p", exits)
    assert pool.cancel("early") is True
    assert exits.wait("early") == -signal.SIGTERM


def test_cancel_escalates_to_sigkill_when_the_run_ignores_sigterm(make_pool, out: Path, monkeypatch) -> None:
    monkeypatch.setattr(pool_module, "KILL_GRACE_SECONDS", 0.5)
    pool = make_pool("warm", target="sleep_ignoring_term")
    exits = Exits()
    pool.submit("stubborn", "p", exits)
    report(out, "stubborn")
    assert pool.cancel("stubborn") is True
    assert exits.wait("stubborn") == -signal.SIGKILL


def test_cancel_of_an_unknown_or_finished_run_returns_false(make_pool) -> None:
    pool = make_pool("warm", target="noop")
    exits = Exits()
    pool.submit("done", "p", exits)
    exits.wait("done")
    assert pool.cancel("done") is False
    assert pool.cancel("never-submitted") is False


@MODES
def test_processes_left_behind_by_a_finished_run_are_killed(make_pool, out: Path, mode: str) -> None:
    pool = make_pool(mode, target="spawn_child_and_return")
    exits = Exits()
    pool.submit("leaver", "p", exits)
    assert exits.wait("leaver") == 0
    wait_until(lambda: gone(report(out, "leaver")["child_pid"]), 10, what="left-behind child to end")


def test_warm_runs_fork_from_the_process_that_preloaded_the_target(make_pool, out: Path) -> None:
    pool = make_pool("warm")
    assert pool.wait_warm(30)
    exits = Exits()
    pool.submit("w", "p", exits)
    assert exits.wait("w") == 0
    seen = report(out, "w")
    assert seen["imported_in_pid"] == pool.warm_pid != seen["pid"]


def test_runs_submitted_before_warm_up_wait_for_it_and_run_warm(make_pool, out: Path) -> None:
    pool = make_pool("warm")
    exits = Exits()
    pool.submit("eager", "p", exits)  # no start(), no wait_warm()
    assert exits.wait("eager") == 0
    seen = report(out, "eager")
    assert seen["imported_in_pid"] != seen["pid"]


def test_cold_runs_start_a_fresh_interpreter_each(make_pool, out: Path) -> None:
    pool = make_pool("cold")
    assert pool.wait_warm(1) is False
    exits = Exits()
    pool.submit("c", "p", exits)
    assert exits.wait("c") == 0
    seen = report(out, "c")
    assert seen["imported_in_pid"] == seen["pid"]
    assert pool.warm_pid is None


def test_failed_warm_up_falls_back_to_cold_runs_and_says_why(make_pool, tmp_path: Path, out: Path) -> None:
    pool = make_pool("warm", preload=["tests.executor.pool_exit_on_import"], base_env={"POOL_TEST_EXIT_ON_IMPORT": "1"})
    assert pool.wait_warm(30) is False
    assert "exited with code 3" in pool.warm_error
    exits = Exits()
    pool.submit("fallback", "p", exits)
    assert exits.wait("fallback") == 0
    seen = report(out, "fallback")
    assert seen["imported_in_pid"] == seen["pid"]
    assert "warm pool unavailable" in log_of(tmp_path, "fallback")


def test_a_dead_warm_process_kills_its_runs_and_is_replaced(make_pool, out: Path) -> None:
    pool = make_pool("warm", target="sleep_forever")
    assert pool.wait_warm(30)
    first_warm = pool.warm_pid
    assert first_warm is not None
    exits = Exits()
    pool.submit("orphan", "p", exits)
    orphan_pid = report(out, "orphan")["pid"]

    os.kill(first_warm, signal.SIGKILL)
    assert exits.wait("orphan") == -signal.SIGKILL
    wait_until(lambda: gone(orphan_pid), 10, what="the orphaned run to end")

    assert pool.wait_warm(30)
    assert pool.warm_pid not in (None, first_warm)
    pool.cancel("orphan")
    pool.submit("after", "p", exits)
    after = report(out, "after")
    assert after["pid"] != orphan_pid
    pool.cancel("after")
    assert exits.wait("after") == -signal.SIGTERM


def test_shutdown_reports_every_run_and_leaves_no_process(make_pool, out: Path) -> None:
    pool = make_pool("warm", size=1, target="spawn_child_and_sleep")
    assert pool.wait_warm(30)
    warm_pid = pool.warm_pid
    assert warm_pid is not None
    exits = Exits()
    pool.submit("running", "p", exits)
    pool.submit("waiting", "p", exits)
    seen = report(out, "running")

    pool.shutdown()

    assert exits.codes == {"running": -signal.SIGTERM, "waiting": -signal.SIGTERM}
    assert not exits.errors
    for pid in (seen["pid"], seen["child_pid"], warm_pid):
        wait_until(lambda pid=pid: gone(pid), 10, what=f"process {pid} to end")
    pool.shutdown()  # idempotent
    with pytest.raises(CoreError):
        pool.submit("late", "p", exits)


def test_runs_and_the_warm_process_end_when_the_process_owning_the_pool_dies(tmp_path: Path, out: Path) -> None:
    owner_script = f"""
import json, os, sys, time
from pathlib import Path
from dhhera_jupyter.executor.pool import WorkerPool
pool = WorkerPool(env={{"PATH": os.environ["PATH"], "PYTHONPATH": {str(REPO)!r}, "POOL_TEST_OUT": {str(out)!r}}},
                  runs_dir=Path({str(tmp_path / "runs")!r}), size=1, target="{TARGETS}:spawn_child_and_sleep",
                  preload=["{TARGETS}"])
assert pool.wait_warm(30)
pool.submit("held", "p", lambda run_id, code: None)
print(pool.warm_pid, flush=True)
time.sleep(600)
"""
    owner = subprocess.Popen(
        [sys.executable, "-c", owner_script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert owner.stdout is not None
        warm_pid = int(owner.stdout.readline())
        seen = report(out, "held")
    finally:
        owner.kill()
        owner.wait()
    for pid in (seen["pid"], seen["child_pid"], warm_pid):
        wait_until(lambda pid=pid: gone(pid), 15, what=f"process {pid} to end")


def test_invalid_mode_size_target_and_run_ids_are_refused(make_pool, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        WorkerPool(env={}, runs_dir=tmp_path, size=1, mode="lukewarm")
    with pytest.raises(ValueError):
        WorkerPool(env={}, runs_dir=tmp_path, size=0)
    with pytest.raises(ValueError):
        WorkerPool(env={}, runs_dir=tmp_path, size=1, target="no-colon")
    pool = make_pool("warm", target="wait_for_release")
    exits = Exits()
    for bad in ("../escape", "a/b", "", "."):
        with pytest.raises(ValueError):
            pool.submit(bad, "p", exits)
    pool.submit("dup", "p", exits)
    with pytest.raises(ValueError):
        pool.submit("dup", "p", exits)
    pool.cancel("dup")
    exits.wait("dup")


@pytest.mark.slow
def test_default_preload_imports_the_sdk_and_its_heavy_dependencies_before_forking(
    make_pool, tmp_path: Path, out: Path
) -> None:
    # A core that would notice any request made by the warm process while it imports the SDK.
    core = socket.create_server(("127.0.0.1", 0))
    core.setblocking(False)
    (tmp_path / "empty.ini").write_text("[DEFAULT]\n")
    sdk_env = {
        "DHCORE_ENDPOINT": f"http://127.0.0.1:{core.getsockname()[1]}",
        "DHCORE_ACCESS_TOKEN": "token",
        "DH_CONFIG": str(tmp_path / "empty.ini"),
    }
    pool = make_pool("warm", target="record_modules", preload=[*DEFAULT_PRELOAD, TARGETS], base_env=sdk_env)
    assert pool.wait_warm(120), pool.warm_error
    with pytest.raises(BlockingIOError):
        core.accept()
    core.close()
    exits = Exits()
    pool.submit("sdk", "p", exits)
    assert exits.wait("sdk") == 0, log_of(tmp_path, "sdk")
    seen = report(out, "sdk")
    assert all(seen["loaded"].values()), seen["loaded"]
    assert seen["imported_in_pid"] == pool.warm_pid != seen["pid"]


def test_on_start_comes_when_a_worker_takes_the_run_before_its_exit_and_never_for_a_cancelled_queued_run(
    make_pool, out: Path
) -> None:
    pool = make_pool("warm", size=1, target="wait_for_release")
    events: list[tuple[str, str]] = []
    exits = Exits()

    def on_exit(run_id: str, code: int) -> None:
        events.append(("exit", run_id))
        exits(run_id, code)

    pool.submit("first", "p", on_exit, on_start=lambda run_id: events.append(("start", run_id)))
    pool.submit("queued", "p", on_exit, on_start=lambda run_id: events.append(("start", run_id)))
    report(out, "first")
    assert events == [("start", "first")]
    pool.cancel("queued")
    exits.wait("queued")
    (out / "first.release").touch()
    exits.wait("first")
    assert events == [("start", "first"), ("exit", "queued"), ("exit", "first")]
