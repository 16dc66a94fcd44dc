"""Fixtures of the step-debug tests: one failed diamond run on the session's local core, shared by the session."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "run_panel"))

from panel_pipelines import DIAMOND, add_workflow


@pytest.fixture(scope="session")
def failed_diamond(dh: Any) -> Any:
    """A diamond run (a -> b, c -> d) whose step ``b`` raised ``RuntimeError('use was told to fail')``.

    ``a`` and ``c`` succeeded, ``d`` was omitted. Returns the finished pipeline run (SDK object).
    """
    project = dh.get_or_create_project(f"t-debug-{os.urandom(3).hex()}")
    wf = add_workflow(project, "diamond", DIAMOND)
    run = wf.run(action="pipeline", parameters={"fail": "yes"}, log_info=False)
    from tests.support import wait_until

    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR", "STOPPED"), 120, what="the pipeline run")
    assert run.status.state == "ERROR", run.status.to_dict()
    return run


@pytest.fixture()
def run_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], dict[str, Any]]:
    """Run generated cells in order in a fresh namespace (as a new kernel would), in a scratch folder."""

    def run(cells: list[str]) -> dict[str, Any]:
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, Any] = {"__name__": "__main__"}
        for i, cell in enumerate(cells):
            exec(compile(cell, f"<debug cell {i + 1}>", "exec"), namespace)
        return namespace

    return run
