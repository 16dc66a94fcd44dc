"""A real IPython shell with the extension loaded, talking to the session's local core; pipeline cells."""

from __future__ import annotations

import textwrap

import pytest

from tests.support import ipython_shell

PIPELINE_HEADER = """\
from hera.workflows import Workflow, DAG
from digitalhub_runtime_hera.dsl import step
"""

#: Two steps, f1 then f2, in the form the installed runtime expects (inputs={name: value}).
PIPELINE = (
    PIPELINE_HEADER
    + """
def pipeline():
    with Workflow(entrypoint="dag", arguments={"x": "1"}) as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"x": "{{workflow.parameters.x}}"}},
                     function="f1", outputs=["out"])
            b = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                     function="f2", inputs={"di": a.get_parameter("out")})
            a >> b
    return w
"""
)


def pipeline_cell(body: str) -> str:
    """The imports plus ``body`` (dedented)."""
    return PIPELINE_HEADER + "\n" + textwrap.dedent(body)


@pytest.fixture(scope="session")
def shell(core):
    """IPython's InteractiveShell (no kernel: the magics answer in text) with ``%load_ext dhhera_jupyter``."""
    return ipython_shell()


@pytest.fixture()
def functions(project):
    """Python functions f1 and f2 in the test's project, as the pipelines' steps name them."""
    f1 = project.new_function(
        name="f1", kind="python", code="def f1(x):\n    return int(x) + 1\n", handler="f1", python_version="PYTHON3_11"
    )
    f2 = project.new_function(
        name="f2", kind="python", code="def f2(di):\n    return di\n", handler="f2", python_version="PYTHON3_11"
    )
    return f1, f2


@pytest.fixture()
def versions(dh, project):
    """Number of versions of a workflow in the test's project, counted through the SDK."""

    def count(name: str) -> int:
        try:
            return len(dh.get_workflow_versions(name, project=project.name))
        except Exception as exc:  # the SDK raises when the name is unknown
            if "No object found" in str(exc) or type(exc).__name__ == "EntityNotExistsError":
                return 0
            raise

    return count
