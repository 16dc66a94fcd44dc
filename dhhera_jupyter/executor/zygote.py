"""The warm process of the worker pool: imports the SDK once, then forks one child per run.

:class:`~dhhera_jupyter.executor.pool.WorkerPool` starts it as ``python -m dhhera_jupyter.executor.zygote`` with the
base environment of the runs, so the SDK sees ``DH_CONFIG`` when it is imported here. It never creates the SDK
client and never makes a network call: it only imports modules, then waits for requests.

Both ends of the protocol live here: :class:`WarmProcess` is the pool's handle on the warm process, and
:func:`main` is the warm process. Protocol (one JSON object per line):

- requests on stdin: ``{"run_id", "project", "target", "cwd", "log", "env"}``;
- events on the descriptor given by ``--events-fd``: ``ready`` (after the imports), ``started`` (with the child's
  pid) and ``exited`` (with its exit code, negative when a signal killed it).

End of stdin means the pool is gone: every run is terminated (SIGTERM, then SIGKILL after a grace period) and the
process exits. A forked child leaves the request loop and becomes an ordinary Python process that runs one target,
then exits as the interpreter would (non-daemon threads joined, ``atexit`` handlers run, streams flushed).
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from dhhera_jupyter.executor import entry

#: Seconds a run gets between SIGTERM and SIGKILL when the pool goes away.
TERM_GRACE_SECONDS = 5.0

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_BLOCKED = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}


def main(argv: Sequence[str] | None = None) -> int:
    """Import the preload modules, announce readiness, then serve requests until stdin ends.

    Returns
    -------
    int
        0 for the warm process itself (a forked child never returns: it exits with the code of its run).
    """
    parser = argparse.ArgumentParser(prog="python -m dhhera_jupyter.executor.zygote")
    parser.add_argument("--events-fd", type=int, required=True)
    parser.add_argument("--preload", default="", help="comma-separated modules to import before forking")
    args = parser.parse_args(argv)

    started = time.monotonic()
    failed = _preload([name for name in args.preload.split(",") if name])
    _send(
        args.events_fd,
        {
            "event": "ready",
            "pid": os.getpid(),
            "seconds": round(time.monotonic() - started, 3),
            "modules": len(sys.modules),
            "failed": failed,
        },
    )
    # Objects created by the imports are never collected in the children: keeping them out of the collector
    # avoids copying every page they live on the first time a child runs a collection.
    gc.freeze()
    request = _Server(args.events_fd).serve()
    if request is None:
        return 0
    _exit(_become_run(request))


def _preload(modules: Sequence[str]) -> dict[str, str]:
    """Import ``modules``; a module that fails is reported and skipped (runs then import it themselves)."""
    failed: dict[str, str] = {}
    for name in modules:
        begin = time.monotonic()
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - any import failure only costs speed, never correctness
            failed[name] = f"{type(exc).__name__}: {exc}"
            print(f"[dhhera warm] could not import {name}: {failed[name]}", flush=True)
        else:
            print(f"[dhhera warm] imported {name} in {time.monotonic() - begin:.2f}s", flush=True)
    if threading.active_count() > 1:
        print(f"[dhhera warm] warning: {threading.active_count()} threads alive before forking", flush=True)
    return failed


class _Server:
    """The request loop. Single-threaded on purpose: it forks."""

    def __init__(self, events_fd: int) -> None:
        self.events_fd = events_fd
        self.children: dict[int, str] = {}
        self.stopping = False
        self.buffer = b""
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, _ignore)
        signal.signal(signal.SIGTERM, self._on_term)

    def _on_term(self, signum: int, frame: object) -> None:
        self.stopping = True

    def serve(self) -> dict[str, Any] | None:
        """Fork one child per request; return the request in the child, ``None`` in the parent at the end."""
        while True:
            if self.stopping:
                self._terminate_all()
                return None
            readable, _, _ = select.select([0, self.wake_r], [], [])
            if self.wake_r in readable:
                _drain(self.wake_r)
                self._reap(block=False)
            if 0 not in readable:
                continue
            data = os.read(0, 65536)
            if not data:
                self._terminate_all()
                return None
            self.buffer += data
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if not line.strip():
                    continue
                request = json.loads(line)
                if self._fork(request):
                    return request

    def _fork(self, request: dict[str, Any]) -> bool:
        """Fork a child for ``request``; True in the child."""
        sys.stdout.flush()
        sys.stderr.flush()
        # Signals stay blocked until the child has its own handlers and process group: a cancel that arrives
        # right after the fork is then delivered to the run, not to a copy of this loop.
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            os.close(self.wake_r)
            os.close(self.wake_w)
            os.close(self.events_fd)
            os.setsid()
            _die_with_parent(parent)
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            return True
        self.children[pid] = request["run_id"]
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        _send(self.events_fd, {"event": "started", "run_id": request["run_id"], "pid": pid})
        return False

    def _reap(self, *, block: bool) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run_id = self.children.pop(pid, None)
            # Like a pod: when the main process ends, whatever it left behind in its group ends too.
            signal_group(pid, signal.SIGKILL)
            if run_id is not None:
                code = os.waitstatus_to_exitcode(status)
                _send(self.events_fd, {"event": "exited", "run_id": run_id, "pid": pid, "code": code})

    def _terminate_all(self) -> None:
        for pid in list(self.children):
            signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + TERM_GRACE_SECONDS
        while self.children and time.monotonic() < deadline:
            self._reap(block=False)
            select.select([self.wake_r], [], [], 0.05)
            _drain(self.wake_r)
        for pid in list(self.children):
            signal_group(pid, signal.SIGKILL)
        self._reap(block=True)


class WarmProcess:
    """The pool's handle on one warm process: starts it, sends it requests; the pool reads :attr:`events`."""

    def __init__(self, env: Mapping[str, str], preload: Sequence[str], log_path: Path, cwd: Path) -> None:
        events_r, events_w = os.pipe()
        try:
            with open(log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "dhhera_jupyter.executor.zygote", "--events-fd", str(events_w)]
                    + ["--preload", ",".join(preload)],
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=dict(env),
                    cwd=cwd,
                    pass_fds=(events_w,),
                    start_new_session=True,
                )
        except BaseException:
            os.close(events_r)
            raise
        finally:
            os.close(events_w)
        self.events: IO[bytes] = os.fdopen(events_r, "rb")
        self.ready = False
        self.reader: threading.Thread | None = None
        self._send_lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, request: dict[str, Any]) -> None:
        """Ask the warm process to fork a run; raises OSError if it is gone."""
        assert self.proc.stdin is not None
        with self._send_lock:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()

    def close(self, timeout: float) -> None:
        """End of stdin: the warm process terminates its runs and exits; killed if it does not within ``timeout``."""
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _become_run(request: dict[str, Any]) -> int:
    """In a forked child: take the run's log, directory and environment, then execute its target."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [entry.__file__, "--target", request["target"], request["run_id"], request["project"]]
    _reseed()
    return entry.execute(request["target"], request["run_id"], request["project"])


def _exit(code: int) -> NoReturn:
    """End a run process the way the interpreter would, minus tearing down the thousands of preloaded modules.

    Waiting for non-daemon threads, ``atexit`` handlers and flushed streams are kept; module teardown is skipped
    because it touches every inherited object, copying nearly all the memory shared with the warm process
    (it made a no-op run cost about 0.2 s).
    """
    shutdown_threads = getattr(threading, "_shutdown", None)
    if shutdown_threads is not None:
        shutdown_threads()
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is not None:
        run_exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)


def _reseed() -> None:
    """Give the child its own random state (``random`` reseeds itself at fork; numpy's global state does not)."""
    np_random = sys.modules.get("numpy.random")
    if np_random is not None:
        np_random.seed()


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this run if the warm process dies, so no run outlives its pool."""
    if _LIBC is None:
        return
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the warm process died before the request took effect
        os._exit(128 + signal.SIGKILL)


def signal_group(pid: int, signum: int) -> None:
    """Signal a run's process group, and its main process in case it has not called setsid yet."""
    for send in (os.killpg, os.kill):
        try:
            send(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _send(fd: int, event: dict[str, Any]) -> None:
    data = (json.dumps(event) + "\n").encode()
    try:
        while data:
            data = data[os.write(fd, data) :]
    except OSError:
        pass  # the pool is gone; end of stdin follows


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _ignore(signum: int, frame: object) -> None:
    """SIGCHLD only needs to wake the loop (through the wakeup descriptor)."""


if __name__ == "__main__":
    sys.exit(main())
