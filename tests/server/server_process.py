"""A Jupyter server (or JupyterLab) in a process of its own, on a local core of its own.

For tests that stop and start the backend: the session's local core, and this test process's SDK
settings for it, stay untouched.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dhhera_jupyter.core import control

#: The "Jupyter news" toast covers the page; off in the private settings.
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Server:
    """Where the server answers, its token, and the data folder of its local core."""

    base_url: str
    token: str
    core_home: Path
    log_path: Path
    process: subprocess.Popen | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """``method <base_url>dhhera/<path>`` with the token; returns status and JSON body."""
        data = json.dumps(body if body is not None else {}).encode() if method == "POST" else None
        request = urllib.request.Request(
            f"{self.base_url}dhhera/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def private_server(base: Path, lab: bool = False) -> Iterator[Server]:
    """Start ``jupyter server`` (or ``jupyter lab``) with the dhhera extension and ``DHHERA_HOME`` in ``base``.

    The local core is started by the server's first sidebar request, and stopped on exit.
    """
    base.mkdir(parents=True, exist_ok=True)
    settings = base / "app-settings"
    settings.mkdir(exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES), encoding="utf-8")
    (base / "empty.ini").write_text("[DEFAULT]\n")
    home = base / "core"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_", "S3_", "DH_"))}
    env.update(
        DHHERA_HOME=str(home),
        DHHERA_POOL="cold",  # its core runs no step: no warm process importing the SDK (~2.5 CPU s) at each start
        DH_CONFIG=str(base / "empty.ini"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab" if lab else "jupyter_server", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", "--allow-root", f"--ServerApp.token={token}", f"--ServerApp.root_dir={base}",
        "--ServerApp.port_retries=0", "--ServerApp.jpserver_extensions=dhhera_jupyter=True",
    ]  # fmt: skip
    if lab:
        command += [
            f"--LabApp.app_settings_dir={settings}",
            f"--LabApp.user_settings_dir={base / 'user-settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}",
        ]
    server = Server(f"http://127.0.0.1:{port}/", token, home, base / "server.log")
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT)
    server.process = process
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited: {server.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{server.base_url}api/status?token={token}", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise AssertionError("the server did not answer within 90 s") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        control.stop(home)
