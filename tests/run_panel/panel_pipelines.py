"""Pipelines on the real local core for the run panel tests: python step functions and hera workflows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support import add_service_function, build_workflow, wait_until, wide_pipeline

#: Step functions. ``gate`` makes a step wait until a file exists (so a test can hold a run "running" and let
#: it go), ``fail`` makes it raise. Parameter defaults are never empty: DHCore drops empty fields from the build.
FUNCTIONS = """
import os
import time

import pandas as pd


def _hold(gate):
    deadline = time.time() + 120
    while gate not in ("", "none") and not os.path.exists(gate) and time.time() < deadline:
        time.sleep(0.05)


def make(project, n: str = "3"):
    df = pd.DataFrame({"x": list(range(int(n)))})
    return project.log_dataitem(name="dataset", kind="table", data=df)


def use(project, di, gate: str = "", fail: str = ""):
    _hold(gate)
    if fail == "yes":
        raise RuntimeError("use was told to fail")
    print("rows", len(di.as_df()))
    return len(di.as_df())


def done(gate: str = ""):
    _hold(gate)
    print("all done")
    return "ok"


def talk(gate: str = "", fail: str = ""):
    deadline, i = time.time() + 120, 0
    while gate not in ("", "none") and not os.path.exists(gate) and time.time() < deadline:
        print(f"tick {i}", flush=True)
        i += 1
        time.sleep(0.3)
    if fail == "yes":
        raise RuntimeError("talk was told to fail")
    print("talked", flush=True)
    return "ok"
"""

DIAMOND = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    params = [Parameter(name="n", value="3"), Parameter(name="gate", value="none"), Parameter(name="fail", value="no")]
    with Workflow(entrypoint="dag", arguments=params) as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"n": "{{workflow.parameters.n}}"}},
                     function="make", name="a", outputs=["dataset"])
            b = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"},
                               "parameters": {"gate": "{{workflow.parameters.gate}}",
                                              "fail": "{{workflow.parameters.fail}}"}},
                     function="use", name="b", inputs={"di": a.get_parameter("dataset")})
            c = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                     function="use", name="c", inputs={"di": a.get_parameter("dataset")})
            d = step(template={"action": "job"}, function="done", name="d")
            a >> [b, c]
            [b, c] >> d
    return w
"""

#: ``talk`` prints a line every 0.3 s until the gate opens (then fails when told to); ``after`` runs after it.
LIVE = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    params = [Parameter(name="gate", value="none"), Parameter(name="fail", value="no")]
    with Workflow(entrypoint="dag", arguments=params) as w:
        with DAG(name="dag"):
            t = step(template={"action": "job", "parameters": {"gate": "{{workflow.parameters.gate}}",
                                                               "fail": "{{workflow.parameters.fail}}"}},
                     function="talk", name="talker")
            a = step(template={"action": "job"}, function="done", name="after")
            t >> a
    return w
"""

WIDE = wide_pipeline("done")


#: ``make -> serve``: a step with a dataset output, then a serve step whose service outlives the (COMPLETED) run.
SERVING = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job"}, function="make", name="make", outputs=["dataset"])
            b = step(template={"action": "serve", "init_parameters": {"greeting": "from-panel"}},
                     function="api", name="serve")
            a >> b
    return w
"""


def add_serving_workflow(project: Any, name: str = "serving") -> Any:
    """Register the service function ``api`` and the workflow ``make -> serve`` (built)."""
    add_service_function(project)
    return add_workflow(project, name, SERVING)


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Poll ``predicate`` until truthy (no fixed sleeps)."""
    return wait_until(predicate, timeout, what=what)


def add_workflow(project: Any, name: str, source: str, build: bool = True) -> Any:
    """Register the step functions and a hera workflow in ``project``; build it unless told not to."""
    for fn in ("make", "use", "done", "talk"):
        project.new_function(name=fn, kind="python", code=FUNCTIONS, handler=fn, python_version="PYTHON3_11")
    wf = project.new_workflow(name=name, kind="hera", code=source, handler="pipeline")
    return build_workflow(wf) if build else wf
