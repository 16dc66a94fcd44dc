"""The local core as a process: start, reuse, stale state, port clash, crash recovery, stop, CLI."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dhhera_jupyter.core import control, state
from tests.core.core_client import call_json
from tests.support import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture()
def home(tmp_path: Path):
    yield tmp_path / "core"
    control.stop(tmp_path / "core")


@pytest.fixture()
def cold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core of a test that runs nothing starts no warm process (it would import the SDK, ~2.5 CPU s, for
    nothing); the tests whose core runs something or stops its children keep the default warm pool."""
    monkeypatch.setenv("DHHERA_POOL", "cold")


@pytest.mark.usefixtures("cold")
def test_start_writes_private_state_and_listens_on_loopback_only(home: Path) -> None:
    info, started = control.start(home)
    assert started
    for name in ("core.json", "token"):
        mode = stat.S_IMODE((home / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert info.endpoint.startswith("http://127.0.0.1:")
    port = int(info.endpoint.rsplit(":", 1)[1])
    out = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout
    listening = [line for line in out.splitlines() if f":{port} " in line]
    assert listening and all("127.0.0.1:" in line for line in listening), listening


@pytest.mark.usefixtures("cold")
def test_second_start_reuses_the_running_core(home: Path) -> None:
    first, started = control.start(home)
    again, started_again = control.start(home)
    assert started and not started_again
    assert again.pid == first.pid and again.endpoint == first.endpoint


@pytest.mark.usefixtures("cold")
def test_stale_state_file_is_cleaned_up(home: Path) -> None:
    state.prepare_home(home)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state.write_state(
        home,
        {"pid": dead.pid, "port": 1, "endpoint": "http://127.0.0.1:1", "token": "x", "started": 0, "home": str(home)},
    )
    assert control.find(home) is None
    assert not (home / "core.json").exists()
    info, started = control.start(home)
    assert started and info.pid != dead.pid


@pytest.mark.usefixtures("cold")
def test_port_taken_picks_another(home: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        info, _ = control.start(home, port=taken)
        assert not info.endpoint.endswith(f":{taken}")


def test_killed_core_recovers_in_flight_runs_as_error_and_keeps_entities(home: Path) -> None:
    info, _ = control.start(home)
    control.wait_objects(info, timeout=120)
    call_json(info, "POST", "/api/v1/projects", {"name": "crash", "kind": "project"})
    code = "import time\ndef slow():\n    print('started', flush=True)\n    time.sleep(600)\n"
    import base64

    fn = call_json(
        info,
        "POST",
        "/api/v1/-/crash/functions",
        {
            "name": "slow",
            "kind": "python",
            "spec": {
                "python_version": "PYTHON3_11",
                "source": {"handler": "slow", "base64": base64.b64encode(code.encode()).decode(), "lang": "python"},
            },
        },
    )
    exec_ref = f"python://crash/slow:{fn['id']}"
    task = call_json(info, "POST", "/api/v1/-/crash/tasks", {"kind": "python+job", "spec": {"function": exec_ref}})
    run = call_json(
        info,
        "POST",
        "/api/v1/-/crash/runs",
        {
            "kind": "python+job:run",
            "spec": {"task": f"python+job://crash/{task['id']}", "function": exec_ref, "local_execution": False},
            "status": {"state": "CREATED"},
        },
    )
    wait_until(
        lambda: call_json(info, "GET", f"/api/v1/-/crash/runs/{run['id']}")["status"]["state"] == "RUNNING",
        timeout=60,
        what="the run to start",
    )
    os.kill(info.pid, signal.SIGKILL)
    wait_until(lambda: not state.pid_alive(info.pid), timeout=10, what="the core to die")

    again, started = control.start(home)
    assert started
    doc = call_json(again, "GET", f"/api/v1/-/crash/runs/{run['id']}")
    assert doc["status"]["state"] == "ERROR"
    assert "local core stopped" in doc["status"]["message"]
    assert call_json(again, "GET", f"/api/v1/-/crash/functions/{fn['id']}")["name"] == "slow"


def test_stop_ends_the_process_and_removes_the_state_file(home: Path) -> None:
    info, _ = control.start(home)
    assert control.stop(home)
    assert not state.pid_alive(info.pid)
    assert not (home / "core.json").exists()
    assert control.stop(home) is False
    with pytest.raises(urllib.error.URLError):
        call_json(info, "GET", "/api/v1/projects")


@pytest.mark.usefixtures("cold")
def test_cli_status_and_env(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_"))}
    env["RUN_ID"] = "must-not-leak"
    cli = [sys.executable, "-m", "dhhera_jupyter.cli", "--home", str(home)]
    out = subprocess.run([*cli, "core", "status"], capture_output=True, text=True, env=env)
    assert out.returncode == 1 and "no local core is running" in out.stdout
    out = subprocess.run([*cli, "core", "start"], capture_output=True, text=True, env=env, check=True)
    assert "started at http://127.0.0.1:" in out.stdout
    out = subprocess.run([*cli, "core", "status"], capture_output=True, text=True, env=env, check=True)
    for field in ("endpoint:", "pid:", "uptime:", "data:", "projects:", "runs:"):
        assert field in out.stdout
    out = subprocess.run([*cli, "core", "env"], capture_output=True, text=True, env=env, check=True, timeout=180)
    exported = dict(line[len("export ") :].split("=", 1) for line in out.stdout.splitlines())
    for key in ("DHCORE_ENDPOINT", "DHCORE_ACCESS_TOKEN", "DH_CONFIG", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"):
        assert key in exported, key
    assert "RUN_ID" not in exported
    # the core itself never got the caller's RUN_ID
    info = control.find(home)
    with open(f"/proc/{info.pid}/environ", "rb") as fh:
        assert b"RUN_ID=must-not-leak" not in fh.read()
    out = subprocess.run([*cli, "core", "stop"], capture_output=True, text=True, env=env, check=True)
    assert "stopped" in out.stdout
