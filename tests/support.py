"""Helpers shared by the tests (a plain module: conftest.py is imported by pytest, never by tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The repository (a fresh interpreter imports this checkout from it).
ROOT = Path(__file__).resolve().parents[1]

#: The read-only ``shared/`` folder laid beside the repository (fixtures recorded from DHCore).
SHARED = Path(os.environ.get("DHHERA_SHARED") or Path(__file__).resolve().parents[2] / "shared")
FIXTURES = SHARED / "fixtures" / "dhcore"


def wait_until(
    predicate: Callable[[], object], timeout: float = 60.0, interval: float = 0.05, what: str = ""
) -> object:
    """Poll ``predicate`` until it returns something truthy (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or predicate}")
        time.sleep(interval)


def run_python(code: str, *, drop: tuple[str, ...] = (), timeout: float = 120, **env: str) -> dict:
    """Run ``code`` in a fresh interpreter on this checkout; it prints one JSON line, returned parsed.

    Variables starting with one of ``drop`` are left out of its environment; ``env`` is added to it.
    """
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith(drop)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


_WIDE = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag", arguments=[Parameter(name="gate", value="none")]) as w:
        with DAG(name="dag"):
            for i in range({width}):
                step(template={{"action": "job", "parameters": {{"gate": "{{{{workflow.parameters.gate}}}}"}}}},
                     function="STEP_FUNCTION", name=f"s{{i}}")
    return w
"""


def wide_pipeline(function: str) -> str:
    """The source of a pipeline of ``{width}`` independent steps calling ``function``, each passed the ``gate``
    parameter; fill ``width`` with ``str.format`` (for DAG size tests and benches)."""
    return _WIDE.replace("STEP_FUNCTION", function)


def core_run_logs(project: str, run_id: str) -> str:
    """A run's log text as the backend serves it (``GET .../runs/{id}/logs``, every object decoded and joined)."""
    import base64

    import requests

    answer = requests.get(
        f"{os.environ['DHCORE_ENDPOINT']}/api/v1/-/{project}/runs/{run_id}/logs",
        headers={"Authorization": f"Bearer {os.environ['DHCORE_ACCESS_TOKEN']}"},
        timeout=10,
    )
    answer.raise_for_status()
    return "".join(base64.b64decode(d["content"]).decode() for d in answer.json())


def code_cell_index(nb: Any, start: str) -> int:
    """The index of the first code cell of notebook ``nb`` whose source starts with ``start``."""
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.startswith(start))


def cell_output_text(nb: Any, index: int, kind: str = "text/plain") -> str:
    """All text of one cell's outputs: stream text, the ``kind`` of results and displays, and errors."""
    parts = []
    for out in nb.cells[index].outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(str(out.data.get(kind, "")))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def ipython_shell() -> Any:
    """IPython's shell of this process (no kernel: magics answer in text) with ``%load_ext dhhera_jupyter``.

    The extension is loaded with ``DHHERA_PRELOAD=0`` for the load only: tests import the SDK in the foreground when
    they need it, and the variable must not reach the JupyterLab, kernels and interpreters later tests start (they
    keep a user's default, the preload). The shell is one per process: the first load is the one that counts.
    """
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    saved = os.environ.get("DHHERA_PRELOAD")
    os.environ["DHHERA_PRELOAD"] = "0"
    try:
        shell.run_line_magic("load_ext", "dhhera_jupyter")
    finally:
        if saved is None:
            del os.environ["DHHERA_PRELOAD"]
        else:
            os.environ["DHHERA_PRELOAD"] = saved
    return shell


#: A service (python serve): ``init`` keeps a greeting, every request answers it with the path asked (as JSON).
SERVICE = """
def init(context, greeting="hello"):
    context.greeting = greeting
    print("service ready", greeting, flush=True)


def handler(context, event):
    return {"greeting": context.greeting, "path": event.path}
"""


def add_service_function(project: Any, name: str = "api") -> Any:
    """Register :data:`SERVICE` as the python function ``name`` of ``project`` (for serve steps)."""
    return project.new_function(
        name=name, kind="python", code=SERVICE, handler="handler", init_function="init", python_version="PYTHON3_11"
    )


def build_workflow(workflow: Any, timeout: float = 120.0) -> Any:
    """Build ``workflow`` (an SDK hera workflow) and wait until the build is COMPLETED and stored in it."""
    run = workflow.run(action="build", log_info=False)
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), timeout, what="the build")
    assert run.status.state == "COMPLETED", run.status.to_dict()
    # The local core marks the build COMPLETED a moment before it stores the build in the workflow.
    wait_until(
        lambda: (workflow.refresh().spec.to_dict().get("build") or {}).get("base64"), 30, what="the stored build"
    )
    return workflow


def answers(url: str) -> bool:
    """Whether something answers HTTP at ``url`` (a service that was stopped closes its port)."""
    import requests

    try:
        requests.get(url, timeout=2)
    except requests.ConnectionError:
        return False
    return True
