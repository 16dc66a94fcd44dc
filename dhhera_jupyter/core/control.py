"""Start, find, query and stop the local core from any process (CLI, kernels, the Jupyter server).

Only the standard library is imported here: the magics call :func:`ensure_running` and must stay
fast.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.core import state as statefiles
from dhhera_jupyter.errors import CoreError

#: Variables never passed from the caller's environment into the core (they would attach runs or
#: send platform credentials to it).
_SCRUBBED = ("RUN_ID", "PROJECT_NAME", "DHCORE_", "DH_CONFIG", "DH_NAME", "AWS_", "S3_")


@dataclass
class CoreInfo:
    """Where a running local core answers, and how to talk to it."""

    endpoint: str
    token: str
    pid: int
    home: Path
    dh_config: str
    started: float
    status: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """Variables that point the digitalhub SDK at this core (no ``RUN_ID``, ever)."""
        out = {
            "DHCORE_ENDPOINT": self.endpoint,
            "DHCORE_ACCESS_TOKEN": self.token,
            "DH_CONFIG": self.dh_config,
            "DHHERA_HOME": str(self.home),
        }
        out.update(self.status.get("s3") or {})
        return out


def _request(endpoint: str, token: str, path: str, timeout: float = 2.0, method: str = "GET") -> dict[str, Any]:
    req = urllib.request.Request(endpoint + path, headers={"Authorization": f"Bearer {token}"}, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback endpoint of our own
        return json.loads(resp.read() or b"{}")


def find(home: Path | None = None) -> CoreInfo | None:
    """The core running on ``home`` if it answers; a stale state file (dead pid) is removed."""
    home = (home or settings.home()).expanduser()
    st = statefiles.read_state(home)
    if not st:
        return None
    if not statefiles.pid_alive(st.get("pid")):
        statefiles.remove_state(home)
        return None
    try:
        status = _request(st["endpoint"], st["token"], "/dhhera/status")
    except (OSError, ValueError):
        return None
    return CoreInfo(st["endpoint"], st["token"], st["pid"], home, st.get("dh_config", ""), st["started"], status)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def start(home: Path | None = None, *, timeout: float | None = None, port: int = 0) -> tuple[CoreInfo, bool]:
    """Start the core in the background, or reuse the one already running.

    Returns
    -------
    (CoreInfo, bool)
        The core, and whether this call started it.
    """
    home = statefiles.prepare_home((home or settings.home()).expanduser().resolve())
    running = find(home)
    if running:
        return running, False
    timeout = settings.CORE_START_TIMEOUT if timeout is None else timeout
    log_path = home / "core.log"
    cmd = [sys.executable, "-m", "dhhera_jupyter.core", "--home", str(home)]
    if port:
        cmd += ["--port", str(port)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=_child_env(),
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = find(home)
        if info:
            return info, info.pid == proc.pid
        code = proc.poll()
        if code is not None and code != 3:  # 3: another core won the race; wait for it
            raise CoreError(
                f"The local core exited at start (code {code}); its log {log_path} ends with:\n{_tail(log_path)}"
            )
        time.sleep(0.05)
    raise CoreError(f"The local core did not answer within {timeout:.0f} s; see {log_path}.")


def ensure_running(home: Path | None = None) -> CoreInfo:
    """Endpoint and token of the local core, starting it if needed (what the magics and server call)."""
    return start(home)[0]


def wait_objects(info: CoreInfo, timeout: float | None = None) -> CoreInfo:
    """Wait until the core's object store is up, so that ``info.env()`` carries the S3 settings."""
    deadline = time.monotonic() + (settings.S3_START_TIMEOUT if timeout is None else timeout)
    while not info.status.get("s3"):
        if info.status.get("s3_error"):
            raise CoreError(
                f"The local object store (rclone S3 server) failed to start: {info.status['s3_error']}; "
                f"see {info.home / 'objects' / 'rclone.log'}."
            )
        if time.monotonic() > deadline:
            raise CoreError(f"The local object store did not start in time; see {info.home / 'objects'}.")
        time.sleep(0.1)
        info.status = _request(info.endpoint, info.token, "/dhhera/status")
    return info


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), from ``/proc``; ``None`` if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        btime = next(
            int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime ")
        )
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def is_this_core(pid: int, home: Path, started: float) -> str | None:
    """Why process ``pid`` is not the core of ``home`` that wrote ``started`` in its state file (``None``: it is).

    Its command line must be ``... -m dhhera_jupyter.core --home HOME`` and it must have started shortly before
    ``started`` (the core records that time after its imports): a pid reused by another process after a reboot
    or a crash fails one test or the other.
    """
    try:
        args = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return f"process {pid} cannot be inspected"
    shown = " ".join(args)[:120] or "?"
    if "dhhera_jupyter.core" not in args or "--home" not in args:
        return f"process {pid} is not a local core (its command line is: {shown})"
    i = args.index("--home")
    if i + 1 >= len(args) or Path(args[i + 1]).resolve() != home.resolve():
        return f"process {pid} is the local core of another data folder ({shown})"
    began = process_start_time(pid)
    if began is None or not (-2 <= started - began <= _START_WINDOW):
        return f"process {pid} started at another time than the core recorded in its state file"
    return None


#: Longest time (s) between the core process starting and it recording its start (imports on a busy machine).
_START_WINDOW = 300.0


def stop_with_reason(home: Path | None = None, timeout: float = 20.0) -> tuple[bool, str]:
    """Stop the core of ``home``: ask it through its authenticated API, else signal it once its identity is checked.

    Returns
    -------
    (bool, str)
        Whether a core was stopped, and a sentence saying what happened.
    """
    home = (home or settings.home()).expanduser().resolve()
    st = statefiles.read_state(home)
    if not st or not statefiles.pid_alive(st.get("pid")):
        statefiles.remove_state(home)
        return False, "no local core is running"
    pid = int(st["pid"])
    try:
        _request(st["endpoint"], st["token"], "/dhhera/shutdown", method="POST")
        asked = True
    except (OSError, ValueError, KeyError):
        asked = False
    problem = is_this_core(pid, home, float(st.get("started") or 0))
    if not asked and problem:
        statefiles.remove_state(home)
        return False, (
            f"no local core is running: the state file {statefiles.state_path(home)} was stale and {problem}; "
            "nothing was stopped and the stale file was removed"
        )
    if not asked:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while statefiles.pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if statefiles.pid_alive(pid) and not is_this_core(pid, home, float(st.get("started") or 0)):
        os.kill(pid, signal.SIGKILL)
    statefiles.remove_state(home, pid)
    return True, "local core stopped"


def stop(home: Path | None = None, timeout: float = 20.0) -> bool:
    """Stop the core cleanly (see :func:`stop_with_reason`); False if none was running."""
    return stop_with_reason(home, timeout)[0]


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
