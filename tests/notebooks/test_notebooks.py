"""The example notebooks run headless (nbclient) with a user's defaults: the quickstart against a fresh local core
of its own (a new user's first run), the others one after the other against one more core that the first of them
starts (a user who goes on to the next notebook; each uses a project of its own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dhhera_jupyter.core import control
from tests.support import cell_output_text, code_cell_index

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: Variables that would point the kernel at another backend (the session's core, a platform), and a preload choice
#: of the caller's: a notebook runs with a user's defaults.
_BACKEND_VARS = ("DHCORE_", "DH_", "AWS_", "S3_", "DHHERA_HOME", "DHHERA_PRELOAD")


def run_notebook(name: str, home: Path, workdir: Path, stop: bool = True) -> nbformat.NotebookNode:
    """Execute notebook ``name`` in a fresh kernel with ``DHHERA_HOME=home``; stop the core there after it unless told
    not to."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_BACKEND_VARS)}
    env["DHHERA_HOME"] = str(home)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=600, store_widget_state=True, resources={"metadata": {"path": str(workdir)}}
    )
    try:
        client.execute(env=env)
    finally:
        if stop:
            control.stop(home)
    return nb


@pytest.fixture(scope="module")
def user_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data folder of a user who runs one notebook after the other (its core is stopped after the last)."""
    home = tmp_path_factory.mktemp("notebooks-user") / "home"
    yield home
    control.stop(home)


#: All text of one cell's outputs, and the first code cell starting with some text (tests/support.py).
outputs = cell_output_text
cell_index = code_cell_index


@pytest.mark.slow
def test_quickstart_runs_the_whole_loop_on_a_fresh_local_core(tmp_path: Path) -> None:
    nb = run_notebook("quickstart", tmp_path / "home", tmp_path)
    run_cell = cell_index(nb, "%hera run")
    kinds = {k for out in nb.cells[run_cell].outputs for k in getattr(out, "data", {})}
    assert "application/vnd.jupyter.widget-view+json" in kinds  # the live panel
    assert "succeeded · 3 succeeded of 3 steps" in outputs(nb, run_cell)  # the final text table
    assert outputs(nb, run_cell + 2).startswith("COMPLETED")
    assert "x2" in outputs(nb, run_cell + 2, "text/html")
    assert "total: 55" in outputs(nb, run_cell + 3)
    assert "'COMPLETED'" in outputs(nb, cell_index(nb, "import dhhera_jupyter"))
    assert "succeeded" in outputs(nb, cell_index(nb, "%hera runs"))
    assert nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]


@pytest.mark.slow
def test_etl_notebook_downloads_then_processes_the_dataset_in_two_steps(tmp_path: Path, user_home: Path) -> None:
    nb = run_notebook("etl", user_home, tmp_path, stop=False)
    run_cell = cell_index(nb, "%hera run")
    assert "succeeded · 3 succeeded of 3 steps" in outputs(nb, run_cell)
    text = outputs(nb, run_cell + 1)
    assert text.startswith("COMPLETED") and "dataset" in text and "spire" in text and "measures" in text
    assert "spire-1" in outputs(nb, run_cell + 2, "text/html")
    assert "mean" in outputs(nb, run_cell + 3)


def printed(nb: nbformat.NotebookNode, index: int, start: str) -> str:
    """The line a cell printed that starts with ``start`` (the SDK's log lines share the output)."""
    text = outputs(nb, index)
    return next((line for line in text.splitlines() if line.startswith(start)), f"<no line {start!r} in {text!r}>")


@pytest.mark.slow
def test_etl_serve_notebook_runs_jobs_a_service_and_a_pipeline_ending_in_a_serve_step(
    tmp_path: Path, user_home: Path
) -> None:
    nb = run_notebook("etl_serve", user_home, tmp_path, stop=False)
    jobs = printed(nb, cell_index(nb, "import time"), "COMPLETED COMPLETED two jobs in ")
    seconds = float(jobs.split(" in ")[1].split(" s")[0])
    # The fast wait is in use in this kernel: the SDK's own wait looks at a run, then sleeps 5 s, so two runs that
    # have not ended at the first look take 10 s at the least (the fast one takes about 1 s, more under load).
    assert seconds < 10
    served = cell_index(nb, "service_run = api.run")
    assert printed(nb, served, "RUNNING 127.0.0.1:")[0] != "<"
    assert printed(nb, served, "page 1 of ")[0] != "<"
    pipeline = cell_index(nb, "print(etl_run.state)")
    assert printed(nb, pipeline, "COMPLETED") == "COMPLETED"
    assert printed(nb, pipeline, "RUNNING at http://127.0.0.1:")[0] != "<"
    assert printed(nb, pipeline, "rows ['spire-")[0] != "<"
    assert printed(nb, cell_index(nb, "service.stop()"), "STOPPED") == "STOPPED"


@pytest.mark.slow
def test_debug_loop_notebook_fails_debugs_fixes_and_retries_only_the_failed_step(
    tmp_path: Path, user_home: Path
) -> None:
    nb = run_notebook("debug_loop", user_home, tmp_path, stop=False)
    failed = outputs(nb, cell_index(nb, "print(failed.state"))
    assert failed.startswith("ERROR") and "'clean': 'failed'" in failed and "'report': 'omitted'" in failed
    debug = outputs(nb, cell_index(nb, "%hera debug"))
    assert "dh.get_function('store://debug-loop-demo/function/python/clean:" in debug
    reproduced = cell_index(nb, "from dhhera_jupyter.platform.step_debug")
    assert "reproduced in the kernel: 1 negative reading(s) in the table" in outputs(nb, reproduced)
    assert "-7" in outputs(nb, reproduced, "text/html")
    steps = outputs(nb, cell_index(nb, "from dhhera_jupyter.status import step_label"))
    assert steps.startswith("COMPLETED")
    lines = {line.split()[0]: line for line in steps.splitlines()[1:]}
    assert "reused from run" in lines["make"] and "reused from run" in lines["count"]
    assert "ran again" in lines["clean"] and "ran again" in lines["report"]
    assert "total 10" in outputs(nb, cell_index(nb, 'print(retried.logs("report"))'))  # 0+1+2+3+4
    assert "(retry of" in outputs(nb, cell_index(nb, "%hera runs"))
