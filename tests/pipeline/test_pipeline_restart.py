"""A local core killed in the middle of a pipeline: after restart the run is ERROR, finished steps keep results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from dhhera_jupyter.core import control, state
from tests.support import wait_until

pytestmark = pytest.mark.slow

CLIENT = textwrap.dedent('''
    import json, sys, time
    import digitalhub as dh
    sys.path.insert(0, {tests!r})
    from pipeline_code import ECHO

    PIPE = """
    from hera.workflows import DAG, Workflow
    from digitalhub_runtime_hera.dsl import step

    def pipeline():
        with Workflow(entrypoint="dag") as w:
            with DAG(name="dag"):
                a = step(template={{"action": "job", "parameters": {{"x": "quick"}}}}, function="echo", name="quick")
                b = step(template={{"action": "job", "parameters": {{"x": "slow", "delay": "600"}}}},
                         function="echo", name="slow")
                a >> b
        return w
    """
    p = dh.get_or_create_project("restart")
    p.new_function(name="echo", kind="python", code=ECHO, handler="echo", python_version="PYTHON3_11")
    wf = p.new_workflow(name="wf", kind="hera", code=PIPE, handler="pipeline")
    b = wf.run(action="build")
    while b.refresh().status.state not in ("COMPLETED", "ERROR"):
        time.sleep(0.05)
    run = wf.run(action="pipeline")
    print(json.dumps({{"run": run.id}}))
''')


def _get(info, path: str) -> dict:
    req = urllib.request.Request(info.endpoint + path, headers={"Authorization": f"Bearer {info.token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_core_killed_mid_pipeline_ends_the_run_error_and_keeps_finished_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kill comes right after the slow step starts, within the default 1 s node cadence: with cadence 0 every
    # node change is written at once, so nothing a finished step did may be lost (tests/scale covers the cadence).
    monkeypatch.setenv("DHHERA_NODES_CADENCE", "0")
    home = tmp_path / "core"
    info = control.wait_objects(control.ensure_running(home), timeout=120)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_", "DH_"))}
        env.update(info.env())
        script = CLIENT.format(tests=str(Path(__file__).parent))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        run_id = json.loads(out.stdout.strip().splitlines()[-1])["run"]

        def slow_running():
            nodes = _get(info, f"/api/v1/-/restart/runs/{run_id}")["status"].get("nodes") or []
            return [n for n in nodes if n["display_name"].startswith("dag-op-slow") and n.get("run_id")]

        wait_until(slow_running, timeout=120, what="the slow step to start")
        os.kill(info.pid, signal.SIGKILL)
        wait_until(lambda: not state.pid_alive(info.pid), timeout=10, what="the core to die")

        info, started = control.start(home)
        assert started
        run = _get(info, f"/api/v1/-/restart/runs/{run_id}")
        assert run["status"]["state"] == "ERROR"
        assert "local core stopped" in run["status"]["message"]
        nodes = {n["display_name"]: n for n in run["status"]["nodes"]}
        quick = next(n for name, n in nodes.items() if name.startswith("dag-op-quick"))
        slow = next(n for name, n in nodes.items() if name.startswith("dag-op-slow"))
        assert quick["state"] == "Succeeded"
        assert slow["state"] == "Error"
        child = _get(info, f"/api/v1/-/restart/runs/{quick['run_id']}")
        assert child["status"]["state"] == "COMPLETED" and child["status"]["results"] == {"output_0": "quick"}
    finally:
        control.stop(home)
