"""Real pipelines on the local core for the sidebar tests (routes and browser): python steps + hera workflows.

Steps wait for a gate file when given one, so a test can hold a run "running", look at it, and let it go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support import add_service_function, build_workflow, wait_until, wide_pipeline

#: Step functions. Parameter defaults are never empty: DHCore drops empty fields from the build.
FUNCTIONS = """
import os
import time


def hold(gate: str = "none", text: str = "hi"):
    deadline = time.time() + 120
    while gate not in ("", "none") and not os.path.exists(gate) and time.time() < deadline:
        time.sleep(0.05)
    if text == "fail":
        raise RuntimeError("step told to fail: <script>alert('step')</script>")
    print("step says", text)
    return text
"""

#: ``first -> middle -> last``, every step holding on ``gate``.
CHAIN = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    params = [Parameter(name="gate", value="none"), Parameter(name="text", value="hi")]
    with Workflow(entrypoint="dag", arguments=params) as w:
        with DAG(name="dag"):
            job = {"action": "job", "parameters": {"gate": "{{workflow.parameters.gate}}",
                                                   "text": "{{workflow.parameters.text}}"}}
            a = step(template=job, function="hold", name="first")
            b = step(template=job, function="hold", name="middle")
            c = step(template=job, function="hold", name="last")
            a >> b >> c
    return w
"""

#: ``width`` independent steps (for DAG size tests and benches).
WIDE = wide_pipeline("hold")


def wait_for(predicate: Callable[[], Any], timeout: float = 90.0, what: str = "") -> Any:
    """Poll ``predicate`` until truthy (no fixed sleeps)."""
    return wait_until(predicate, timeout, what=what)


def add_functions(project: Any) -> None:
    """Register the step function ``hold``."""
    project.new_function(name="hold", kind="python", code=FUNCTIONS, handler="hold", python_version="PYTHON3_11")


def add_workflow(project: Any, name: str, source: str = CHAIN, build: bool = True) -> Any:
    """Register ``hold`` and a hera workflow ``name``; build it (and wait) unless told not to."""
    add_functions(project)
    workflow = project.new_workflow(name=name, kind="hera", code=source, handler="pipeline")
    return build_workflow(workflow) if build else workflow


def start_run(workflow: Any, **parameters: str) -> Any:
    """Start a pipeline run of ``workflow`` (no waiting)."""
    return workflow.run(action="pipeline", parameters=parameters, log_info=False)


def wait_state(run: Any, states: tuple[str, ...], timeout: float = 120.0) -> str:
    """Wait until the run reaches one of ``states``; returns it."""
    return wait_for(lambda: run.refresh().status.state in states and run.status.state, timeout, f"run in {states}")


#: ``prepare -> serve``: a job, then a serve step whose service outlives the (COMPLETED) pipeline.
SERVE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"text": "ready"}}, function="hold", name="prepare")
            b = step(template={"action": "serve", "init_parameters": {"greeting": "from-sidebar"}},
                     function="api", name="serve")
            a >> b
    return w
"""


def add_serve_workflow(project: Any, name: str = "with-serve") -> Any:
    """Register the service function ``api`` and the workflow ``prepare -> serve`` (built)."""
    add_service_function(project)
    return add_workflow(project, name, SERVE)


#: One step that prints ``lines`` lines of 100 bytes (a log longer than the sidebar reads).
LOUD = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            step(template={"action": "job"}, function="loud", name="loud")
    return w
"""

LOUD_FUNCTION = """
def loud(lines: int = 4000):
    for i in range(int(lines)):
        print(f"line {i:06d} " + "x" * 87, flush=False)
    print("last line", flush=True)
"""


def add_loud_workflow(project: Any, name: str = "loud") -> Any:
    """Register ``loud`` and the one-step workflow that runs it (built)."""
    project.new_function(name="loud", kind="python", code=LOUD_FUNCTION, handler="loud", python_version="PYTHON3_11")
    return add_workflow(project, name, LOUD)
