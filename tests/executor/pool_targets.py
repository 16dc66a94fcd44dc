"""Run targets for the worker pool tests, called as ``f(run_id, project)`` in a run process.

Targets that report something write JSON to ``$POOL_TEST_OUT/<run_id>.json``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

#: Pid of the process that imported this module: the warm process when it is preloaded.
IMPORTED_IN_PID = os.getpid()


def _report(run_id: str, **data: object) -> None:
    out = Path(os.environ["POOL_TEST_OUT"]) / f"{run_id}.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(out)


def record(run_id: str, project: str) -> None:
    """Report what the run process sees: pid, cwd, environment, where this module was imported."""
    _report(
        run_id,
        pid=os.getpid(),
        pgid=os.getpgid(0),
        sid=os.getsid(0),
        cwd=os.getcwd(),
        env=dict(os.environ),
        imported_in_pid=IMPORTED_IN_PID,
        args=[run_id, project],
        started=time.time(),
    )


def record_modules(run_id: str, project: str) -> None:
    """Report which heavy modules were already imported when the target started."""
    names = ["digitalhub", "digitalhub_runtime_python", "digitalhub_runtime_hera", "pandas", "pyarrow", "boto3"]
    loaded = {name: name in sys.modules for name in names}
    import pandas  # noqa: F401  - what a run would do next

    _report(run_id, loaded=loaded, pid=os.getpid(), imported_in_pid=IMPORTED_IN_PID)


def hello(run_id: str, project: str) -> None:
    """Write to stdout and stderr from Python, from a C-level write, and from a subprocess."""
    print(f"hello stdout {run_id} {project}")
    print(f"hello stderr {run_id}", file=sys.stderr)
    os.write(1, b"raw fd write\n")
    subprocess.run([sys.executable, "-c", "print('from a subprocess')"], check=True)


def noop(run_id: str, project: str) -> None:
    """Do nothing (overhead measurements)."""


def fail(run_id: str, project: str) -> None:
    """Raise: the run exits with code 1 after printing the traceback."""
    raise RuntimeError(f"boom in {run_id}")


def exit_3(run_id: str, project: str) -> None:
    """Leave through sys.exit(3)."""
    sys.exit(3)


def sleep_forever(run_id: str, project: str) -> None:
    """Report the pid, then sleep until killed."""
    _report(run_id, pid=os.getpid(), started=time.time())
    while True:
        time.sleep(0.2)


def sleep_ignoring_term(run_id: str, project: str) -> None:
    """Ignore SIGTERM, report the pid, then sleep until SIGKILL."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _report(run_id, pid=os.getpid())
    while True:
        time.sleep(0.2)


def spawn_child_and_sleep(run_id: str, project: str) -> None:
    """Start a grandchild that sleeps, report both pids, then sleep until killed."""
    child = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(0.2)"])
    _report(run_id, pid=os.getpid(), child_pid=child.pid)
    while True:
        time.sleep(0.2)


def spawn_child_and_return(run_id: str, project: str) -> None:
    """Start a grandchild that would sleep forever, report its pid, and return at once."""
    child = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(0.2)"])
    _report(run_id, pid=os.getpid(), child_pid=child.pid)


def wait_for_release(run_id: str, project: str) -> None:
    """Report the start, then wait until the test creates ``$POOL_TEST_OUT/<run_id>.release``."""
    _report(run_id, pid=os.getpid(), started=time.time())
    release = Path(os.environ["POOL_TEST_OUT"]) / f"{run_id}.release"
    while not release.exists():
        time.sleep(0.02)


def finish_in_background(run_id: str, project: str) -> None:
    """Return while a non-daemon thread still works and an atexit handler is pending."""
    import atexit
    import threading

    atexit.register(lambda: print("atexit handler ran", flush=True))

    def late() -> None:
        time.sleep(0.3)
        print("non-daemon thread finished", flush=True)

    threading.Thread(target=late).start()
