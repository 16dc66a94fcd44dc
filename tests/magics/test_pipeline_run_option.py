"""``%%hera_pipeline NAME --run``: register, build only when needed, run and watch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.magics.conftest import PIPELINE

F1 = """
import pandas as pd
from digitalhub_runtime_python import handler

@handler(outputs=["out"])
def f1(x):
    return pd.DataFrame({"x": [int(x)]})
"""

F2 = """
def f2(di):
    return int(di.as_df()["x"][0]) * 2
"""


@pytest.fixture()
def functions(project):
    """f1 produces the dataitem ``out`` that the pipeline hands to f2."""
    for name, code in (("f1", F1), ("f2", F2)):
        project.new_function(name=name, kind="python", code=code, handler=name, python_version="PYTHON3_11")


def _builds(dh, project, name: str) -> int:
    return sum(1 for r in dh.list_runs(project=project.name) if r.kind == "hera+build:run")


def test_run_option_builds_a_new_cell_then_runs_it_to_completion(shell, dh, project, functions):
    watched = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --run --wait -p x=41", PIPELINE)

    assert watched.state == "COMPLETED"
    assert _builds(dh, project, "etl") == 1
    run = dh.get_run(watched.run_id, project=project.name)
    assert run.spec.parameters == {"x": "41"}
    f2 = next(n for n in run.to_dict()["status"]["nodes"] if n.get("function") == "f2")
    assert dh.get_run(f2["run_id"], project=project.name).status.results == {"output_0": 82}


def test_run_option_reuses_the_build_of_an_unchanged_cell(shell, dh, project, functions):
    shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --run --wait", PIPELINE)
    again = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --run --wait", PIPELINE)

    assert again.state == "COMPLETED"
    assert _builds(dh, project, "etl") == 1
    changed = shell.run_cell_magic(
        "hera_pipeline", f"etl --project {project.name} --run --wait", PIPELINE.replace('"x": "1"', '"x": "2"')
    )
    assert changed.state == "COMPLETED"
    assert _builds(dh, project, "etl") == 2


def _count_calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[tuple[Any, Any]]:
    """Wrap ``module.name`` so that every call's first argument and result are recorded (the call still happens)."""
    calls: list[tuple[Any, Any]] = []
    real = getattr(module, name)

    def counting(first: Any, *args: Any, **kwargs: Any) -> Any:
        result = real(first, *args, **kwargs)
        calls.append((first, result))
        return result

    monkeypatch.setattr(module, name, counting)
    return calls


@pytest.mark.parametrize("changed", [True, False], ids=["new cell", "unchanged cell"])
def test_run_option_decodes_the_build_once_and_draws_each_document_once(
    shell, project, functions, monkeypatch, changed
):
    import dhhera_jupyter.documents.build
    import dhhera_jupyter.graph

    line = f"etl --project {project.name} --run --wait"
    if not changed:
        shell.run_cell_magic("hera_pipeline", line, PIPELINE)  # built and run once before counting
    decodes = _count_calls(monkeypatch, dhhera_jupyter.documents.build, "decode_text")
    graphs = _count_calls(monkeypatch, dhhera_jupyter.graph, "from_workflow")

    watched = shell.run_cell_magic("hera_pipeline", line, PIPELINE)

    assert watched.state == "COMPLETED"
    assert len(decodes) == 1  # the build's spec.build, read once for the graph, the parameters and the run
    # One graph of the cell's own Workflow (the check before registering: Hera names its tasks anew at every
    # call, so it cannot stand for the built DAG) and one of the built spec, which the run panel shows.
    kernel = [graph for doc, graph in graphs if "metadata" in doc]
    built = [graph for doc, graph in graphs if "metadata" not in doc]
    assert (len(kernel), len(built)) == (1, 1)
    assert watched.graph is built[0]
