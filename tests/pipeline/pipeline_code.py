"""Functions and pipelines used by the pipeline tests (source text registered with the real SDK)."""

LOAD = """
import pandas as pd
from digitalhub_runtime_python import handler

@handler(outputs=["data"])
def load(n: int):
    print("loading", n)
    return pd.DataFrame({"v": list(range(int(n)))})
"""

LEFT = """
from digitalhub_runtime_python import handler

@handler(outputs=["left"])
def left(di):
    df = di.as_df()
    df["v"] = df["v"] * 2
    return df
"""

RIGHT = """
from digitalhub_runtime_python import handler

@handler(outputs=["right"])
def right(di):
    df = di.as_df()
    df["v"] = df["v"] + 100
    return df
"""

JOIN = """
def join(a, b):
    total = int(a.as_df()["v"].sum() + b.as_df()["v"].sum())
    print("total", total)
    return total
"""

ECHO = """
import time

def echo(x: str = "", delay: float = 0):
    time.sleep(float(delay))
    print("echo", x)
    return x
"""

FAIL = """
def fail(x: str = ""):
    raise RuntimeError("middle step exploded")
"""

DIAMOND = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag", arguments={"n": "4"}) as w:
        with DAG(name="dag"):
            load = step(template={"action": "job", "parameters": {"n": "{{workflow.parameters.n}}"}},
                        function="load", outputs=["data"])
            left = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                        function="left", inputs={"di": load.get_parameter("data")}, outputs=["left"])
            right = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                         function="right", inputs={"di": load.get_parameter("data")}, outputs=["right"])
            join = step(template={"action": "job", "inputs": {"a": "{{inputs.parameters.a}}",
                                                              "b": "{{inputs.parameters.b}}"}},
                        function="join", inputs={"a": left.get_parameter("left"), "b": right.get_parameter("right")})
            load >> [left, right]
            [left, right] >> join
    return w
"""

STEPS = """
from hera.workflows import Step, Steps, Workflow
from digitalhub_runtime_hera.dsl import container_template, step

def pipeline():
    with Workflow(entrypoint="main", arguments={"who": "world"}) as w:
        # the dsl's step() cannot be called inside a parallel group: use its container templates there
        par_a = container_template(template={"action": "job", "parameters": {"x": "{{workflow.parameters.who}}-a"}},
                                   function="echo", name="par-a")
        par_b = container_template(template={"action": "job", "parameters": {"x": "{{workflow.parameters.who}}-b"}},
                                   function="echo", name="par-b")
        with Steps(name="main") as s:
            step(template={"action": "job", "parameters": {"x": "first"}}, function="echo", name="first")
            with s.parallel():
                Step(name="par-a", template=par_a)
                Step(name="par-b", template=par_b)
            step(template={"action": "job", "parameters": {"x": "last"}}, function="echo", name="last")
    return w
"""

FAILING_MIDDLE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"x": "a"}}, function="echo", name="start")
            b = step(template={"action": "job", "parameters": {"x": "b"}}, function="fail", name="middle")
            c = step(template={"action": "job", "parameters": {"x": "c"}}, function="echo", name="end")
            a >> b >> c
    return w
"""

SLOW_CHAIN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"x": "a", "delay": "600"}},
                     function="echo", name="sleepy")
            b = step(template={"action": "job", "parameters": {"x": "b"}}, function="echo", name="after")
            a >> b
    return w
"""

PARAMETRIZED = """
from hera.workflows import DAG, Workflow
from hera.workflows.models import Arguments, Parameter
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag", arguments=[Parameter(name="needed")]) as w:
        with DAG(name="dag"):
            step(template={"action": "job", "parameters": {"x": "{{workflow.parameters.needed}}"}},
                 function="echo", name="only")
    return w
"""

SEED_FORM = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline(greeting):
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            step(template={"action": "job", "parameters": {"x": greeting}}, function="echo", name="greet")
    return w
"""

#: start -> WIDTH parallel echo steps -> end: Hera writes end's depends as `m0 && m1 && ...`. Only the first
#: RUN middle steps run (each is a child run); the others are skipped by their `when`, which keeps the test
#: short while the join still waits on WIDTH operands. The join's `when` holds a regex that takes
#: exponential time in a backtracking engine; RE2 answers at once.
WIDE_FAN_IN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

WIDTH = {width}
RUN = {run}

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            start = step(template={{"action": "job", "parameters": {{"x": "s"}}}}, function="echo", name="start")
            middle = [
                step(template={{"action": "job", "parameters": {{"x": str(i)}}}}, function="echo", name=f"m{{i}}")
                for i in range(WIDTH)
            ]
            for i, task in enumerate(middle):
                task.when = f"{{i}} < {{RUN}}"
            end = step(template={{"action": "job", "parameters": {{"x": "e"}}}}, function="echo", name="end")
            end.when = "'" + "a" * 40 + "!' !~ '^(a+)+$'"
            start >> middle
            middle >> end
    return w
"""
