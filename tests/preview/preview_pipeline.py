"""A pipeline on the real local core whose first step logs a table, an artifact and a model with metrics (a second
step reads the table, as a downstream step would).

The shapes follow the DigitalHub tutorials (a cleaned table of city measurements, a report folder, a trained model
with its scores), written here in our own words; one cell and one column name carry HTML that must stay text.
"""

from __future__ import annotations

from typing import Any

from tests.support import wait_until

#: The step function: returns the three entities, mapped in order to the step's outputs.
FUNCTIONS = """
import os
import tempfile

import pandas as pd


def train(project, rows: str = "25"):
    n = int(rows)
    frame = pd.DataFrame({
        "city": [["Trento", "Rovereto", "Bolzano"][i % 3] for i in range(n)],
        "pm10": [round(10 + (i * 7) % 30 * 0.5, 1) for i in range(n)],
        "<b>note</b>": ["<img src=x onerror=alert(1)>" if i == 1 else f"ok {i}" for i in range(n)],
    })
    table = project.log_dataitem(name="measures", kind="table", data=frame)
    folder = tempfile.mkdtemp()
    for i in range(3):
        with open(os.path.join(folder, f"report-{i}.txt"), "w") as out:
            out.write("line\\n" * (10 * (i + 1)))
    report = project.log_artifact(name="report", kind="artifact", source=folder + "/")
    with open(os.path.join(folder, "weights.json"), "w") as out:
        out.write('{"w": [0.1, 0.2]}')
    model = project.log_model(name="regressor", kind="model", source=os.path.join(folder, "weights.json"))
    model.log_metrics({"rmse": 1.25, "r2": [0.5, 0.75, 0.8125]})
    return table, report, model


def summary(project, di):
    print("rows", len(di.as_df()))
"""

WORKFLOW = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            train = step(template={"action": "job"}, function="train", name="train",
                         outputs=["measures", "report", "regressor"])
            summary = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                           function="summary", name="summary", inputs={"di": train.get_parameter("measures")})
            train >> summary
    return w
"""


def run_preview_pipeline(project: Any) -> Any:
    """Register, build and run the pipeline in ``project``; the finished pipeline run."""
    for name in ("train", "summary"):
        project.new_function(name=name, kind="python", code=FUNCTIONS, handler=name, python_version="PYTHON3_11")
    workflow = project.new_workflow(name="outputs", kind="hera", code=WORKFLOW, handler="pipeline")
    build = workflow.run(action="build")
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the build")
    assert build.status.state == "COMPLETED", build.status.to_dict()
    run = workflow.run(action="pipeline")
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the pipeline run")
    assert run.status.state == "COMPLETED", run.status.to_dict()
    return run
