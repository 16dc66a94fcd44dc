"""A small ETL whose cleaning step fails on bad data (a negative reading), and the fix (in the shape of the
DigitalHub tutorials' ETL: make a table, clean it, report on it, and a side branch that only counts rows)."""

MAKE = """
import pandas as pd
from digitalhub_runtime_python import handler

@handler(outputs=["raw"])
def make(n: int):
    values = list(range(int(n))) + [-7]  # one sensor reading is broken
    return pd.DataFrame({"v": values})
"""

CLEAN_BROKEN = """
from digitalhub_runtime_python import handler

@handler(outputs=["clean"])
def clean(di):
    df = di.as_df()
    bad = int((df["v"] < 0).sum())
    if bad:
        raise ValueError(f"{bad} negative reading(s) in the table")
    return df
"""

CLEAN_FIXED = """
from digitalhub_runtime_python import handler

@handler(outputs=["clean"])
def clean(di):
    df = di.as_df()
    return df[df["v"] >= 0]
"""

REPORT = """
def report(di):
    print("total", int(di.as_df()["v"].sum()))
"""

COUNT = """
def count(di):
    print("rows", len(di.as_df()))
"""

FUNCTIONS = {"make": MAKE, "clean": CLEAN_BROKEN, "report": REPORT, "count": COUNT}

#: make -> clean -> report, and make -> count; the build parameter ``side`` drops the count branch.
PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline(side="yes"):
    with Workflow(entrypoint="dag", arguments={"n": "5"}) as w:
        with DAG(name="dag", fail_fast=False):  # count always runs to its end, however busy the workers are
            make = step(template={"action": "job", "parameters": {"n": "{{workflow.parameters.n}}"}},
                        function="make", outputs=["raw"])
            clean = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                         function="clean", inputs={"di": make.get_parameter("raw")}, outputs=["clean"])
            report = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                          function="report", inputs={"di": clean.get_parameter("clean")})
            make >> clean >> report
            if side == "yes":
                count = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                             function="count", inputs={"di": make.get_parameter("raw")})
                make >> count
    return w
"""

#: A quick step, then one that waits for a gate file: a pipeline to stop while it runs, and retry.
QUICK = """
def quick():
    print("quick")
"""

SLOW = """
import os
import time

def slow(gate: str):
    while not os.path.exists(gate):
        time.sleep(0.05)
"""

SLOW_PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag", arguments={"gate": "/nonexistent"}) as w:
        with DAG(name="dag"):
            quick = step(template={"action": "job"}, function="quick")
            slow = step(template={"action": "job", "parameters": {"gate": "{{workflow.parameters.gate}}"}},
                        function="slow")
            quick >> slow
    return w
"""
