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


def _request(endpoint: str, token: str, path: str, timeout: float = 2.0) -> dict[str, Any]:
    req = urllib.request.Request(endpoint + path, headers={"Authorization": f"Bearer {token}"})
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
                f"The local object store (SeaweedFS) failed to start: {info.status['s3_error']}; "
                f"see {info.home / 'objects'}."
            )
        if time.monotonic() > deadline:
            raise CoreError(f"The local object store did not start in time; see {info.home / 'objects'}.")
        time.sleep(0.1)
        info.status = _request(info.endpoint, info.token, "/dhhera/status")
    return info


def stop(home: Path | None = None, timeout: float = 20.0) -> bool:
    """Stop the core cleanly (SIGTERM, then SIGKILL after ``timeout``); False if none was running."""
    home = (home or settings.home()).expanduser().resolve()
    st = statefiles.read_state(home)
    if not st or not statefiles.pid_alive(st.get("pid")):
        statefiles.remove_state(home)
        return False
    pid = int(st["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while statefiles.pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if statefiles.pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    statefiles.remove_state(home, pid)
    return True


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
