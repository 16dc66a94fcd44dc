"""What the bench scripts share: a local core in a fresh folder, the fan-out pipeline, the run-panel watch.

Imported by the scripts of this folder (``python bench/<script>.py`` puts ``bench/`` on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: The trivial python function every step of the fan-out pipeline runs.
FUNC = "def noop(x: str = ''):\n    return x\n"

#: A fan-out/fan-in pipeline: ``start`` >> ``{n}`` middle steps >> ``end`` (``str.format`` it with ``n``).
PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            start = step(template={{"action": "job", "parameters": {{"x": "start"}}}}, function="noop", name="start")
            middle = [step(template={{"action": "job", "parameters": {{"x": "m{{i}}"}}}},
                           function="noop", name=f"m{{i}}")
                      for i in range({n})]
            end = step(template={{"action": "job", "parameters": {{"x": "end"}}}}, function="noop", name="end")
            start >> middle >> end
    return w
"""


@contextlib.contextmanager
def local_core(prefix: str) -> Iterator[Any]:
    """A local core (and its object store) in a fresh temp folder, stopped on exit; yields its connection info."""
    from dhhera_jupyter.core import control

    home = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield control.wait_objects(control.ensure_running(home), timeout=120)
    finally:
        control.stop(home)


def sdk_on_local_core(info: Any) -> tuple[Any, Any]:
    """Point this process's SDK at ``info``'s core; the ``digitalhub`` module and project ``bench`` with ``noop``."""
    os.environ.update(info.env())
    import digitalhub as dh

    project = dh.get_or_create_project("bench")
    project.new_function(name="noop", kind="python", code=FUNC, handler="noop", python_version="PYTHON3_11")
    return dh, project


def built_fan(project: Any, n: int) -> Any:
    """The fan-out workflow of ``n`` middle steps, registered and built (the build is waited for)."""
    wf = project.new_workflow(name=f"fan-{n}", kind="hera", code=PIPELINE.format(n=n), handler="pipeline")
    build = wf.run(action="build")
    while build.refresh().status.state not in ("COMPLETED", "ERROR"):
        time.sleep(0.05)
    assert build.status.state == "COMPLETED", build.status.to_dict()
    return wf


def client_on_fresh_core(script: str, n: int, prefix: str) -> dict:
    """Run ``script --client n`` in a clean process against a new local core; the JSON of its last line.

    The client gets none of this process's ``DHCORE_``/``AWS_``/``DH_`` variables, only the core's.
    """
    with local_core(prefix) as info:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_", "DH_"))}
        env.update(info.env())
        out = subprocess.run(
            [sys.executable, script, "--client", str(n)], env=env, capture_output=True, text=True, timeout=3600
        )
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        return json.loads(out.stdout.strip().splitlines()[-1])


def isolated_local_core(home: Path) -> Any:
    """Start the default local core with ``home/core`` as its folder and no user SDK config; its connection info.

    This process's environment is pointed at it (``DHHERA_HOME``, an empty ``DH_CONFIG``, the core's variables),
    so a ``jupyter lab`` started from here uses it too.
    """
    os.environ["DHHERA_HOME"] = str(home / "core")
    os.environ["DH_CONFIG"] = str(home / "empty.ini")
    (home / "empty.ini").write_text("[DEFAULT]\n")
    for key in [k for k in os.environ if k.startswith(("DHCORE_", "RUN_ID", "PROJECT_NAME"))]:
        del os.environ[key]
    from dhhera_jupyter.core import control

    info = control.wait_objects(control.ensure_running(), timeout=120)
    os.environ.update(info.env())
    return info


def stop_server_and_core(server: subprocess.Popen | None) -> None:
    """The end of a sidebar bench: stop its Jupyter server (when it started) and the isolated local core."""
    from dhhera_jupyter.core import control

    if server is not None:
        server.terminate()
        server.wait(timeout=20)
    control.stop()


def watch_panel_step(panel: Any, node_id: str, step: str) -> dict[str, float]:
    """Note when ``panel``'s DAG first draws ``node_id`` green, wait until ``step`` runs, then stay quiet a while.

    Returns the dict that gets ``"widget"`` (a ``perf_counter`` time) once the widget shows the node succeeded.
    The quiet time (0.5 to 3 s) lets the poller slow down, as in a notebook left alone.
    """
    seen: dict[str, float] = {}

    def on_states(change: dict) -> None:
        if change["new"].get(node_id) == "succeeded" and "widget" not in seen:
            seen["widget"] = time.perf_counter()

    panel.dag.observe(on_states, names="node_states")
    deadline = time.monotonic() + 120
    while panel.nodes.get(step) != "running":
        if time.monotonic() > deadline:
            raise SystemExit("the step never started")
        time.sleep(0.01)
    time.sleep(random.uniform(0.5, 3.0))
    return seen


def wait_widget(seen: dict[str, float], timeout: float = 10) -> None:
    """Give the widget ``timeout`` seconds more to draw the node green (``seen["widget"]``, see above)."""
    deadline = time.monotonic() + timeout
    while "widget" not in seen and time.monotonic() < deadline:
        time.sleep(0.01)
