"""`dhhera lab`: the local core plus JupyterLab on the quickstart notebook (the README's main command)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from dhhera_jupyter.core import control
from tests.support import wait_until

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dhhera_lab_starts_the_core_and_serves_the_quickstart_notebook(tmp_path: Path) -> None:
    home, port, token = tmp_path / "core", _free_port(), "lab-test-token"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_"))}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
    cmd = [
        sys.executable,
        "-m",
        "dhhera_jupyter.cli",
        "--home",
        str(home),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        "--allow-root",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:

        def contents():
            try:
                url = f"http://127.0.0.1:{port}/api/contents?token={token}"
                with urllib.request.urlopen(url, timeout=2) as resp:
                    return json.loads(resp.read())
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
                return None

        listing = wait_until(contents, timeout=120, interval=0.2, what="JupyterLab to answer")
        assert "quickstart.ipynb" in {item["name"] for item in listing["content"]}
        info = control.find(home)
        assert info is not None and info.endpoint.startswith("http://127.0.0.1:")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        control.stop(home)
