"""``%hera debug`` in platform mode: against the DHCore-profile core (nodes name no child run, as on DigitalHub)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dhhera_jupyter.platform.step_debug import debug_cells
from tests.platform_mode.conftest import dhcore_platform, new_project, on_dhcore  # noqa: F401 (fixtures)
from tests.platform_mode.word_chain import WORDS, add_word_chain
from tests.support import wait_until


@pytest.mark.usefixtures("on_dhcore")
def test_each_step_of_one_function_reproduces_its_own_call(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dhhera_jupyter.platform.backend import sdk

    dh = sdk()
    project = new_project(dh, request)
    wf = add_word_chain(project)
    run = wf.run(action="pipeline", log_info=False)
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the run")
    assert not any(n.get("run_id") for n in run.status.to_dict().get("nodes") or [])  # DHCore names no child
    monkeypatch.chdir(tmp_path)
    for step, word in WORDS.items():
        debug = debug_cells(run.id, step, project.name)
        namespace: dict[str, Any] = {}
        for cell in debug.cells:
            exec(compile(cell, f"<{step}>", "exec"), namespace)
        assert namespace["step_result"] == word
