"""Bad input to %hera run / attach / runs and their twins: one clear sentence naming the problem."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError
from panel_pipelines import DIAMOND, add_workflow

from dhhera_jupyter.errors import DhheraError, NotFound
from dhhera_jupyter.magics.run import attach, run
from tests.support import ipython_shell


@pytest.fixture(scope="module")
def shell(core: Any) -> Any:
    """A real IPython shell (no kernel: runs come back as text) with the extension loaded."""
    return ipython_shell()


def magic_error(shell: Any, line: str) -> str:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("hera", line)
    return str(info.value)


def test_unknown_workflow_is_named(shell: Any, project: Any) -> None:
    message = magic_error(shell, f"run nope --project {project.name}")
    assert "Workflow 'nope' does not exist" in message
    with pytest.raises(NotFound, match="'nope'"):
        run("nope", project=project.name)


def test_a_workflow_never_built_offers_to_build_it(shell: Any, project: Any) -> None:
    add_workflow(project, "diamond", DIAMOND, build=False)
    message = magic_error(shell, f"run diamond --project {project.name}")
    assert "never been built" in message and "%hera build diamond" in message and "--build" in message


def test_run_with_build_builds_a_workflow_never_built(project: Any) -> None:
    add_workflow(project, "diamond", DIAMOND, build=False)
    handle = run("diamond", project=project.name, build=True, wait=True, timeout=120, panel=False)
    assert handle.state == "COMPLETED"


def test_undeclared_and_badly_typed_parameters_are_named(shell: Any, project: Any) -> None:
    add_workflow(project, "diamond", DIAMOND)
    message = magic_error(shell, f"run diamond --project {project.name} -p colour=red")
    assert "no parameter 'colour'" in message and "n, gate, fail" in message
    with pytest.raises(DhheraError, match="Parameter 'n' .* gets a dict"):
        run("diamond", {"n": {"a": 1}}, project=project.name)
    assert "expects KEY=VALUE" in magic_error(shell, f"run diamond --project {project.name} -p n")
    assert "--resources needs JSON" in magic_error(shell, f"run diamond --project {project.name} --resources {{cpu")


def test_a_required_parameter_missing_is_named(shell: Any, project: Any) -> None:
    required = DIAMOND.replace('Parameter(name="n", value="3")', 'Parameter(name="n")')
    add_workflow(project, "diamond", required)
    message = magic_error(shell, f"run diamond --project {project.name}")
    assert "needs a value for parameter 'n'" in message and "-p n=VALUE" in message


def test_attach_to_an_unknown_run_says_so(shell: Any, project: Any) -> None:
    message = magic_error(shell, f"attach 0123456789abcdef --project {project.name}")
    assert "There is no run '0123456789abcdef'" in message and "%hera runs" in message


def test_stop_on_a_finished_run_says_it_already_finished(project: Any) -> None:
    add_workflow(project, "diamond", DIAMOND)
    handle = run("diamond", project=project.name, wait=True, timeout=120, panel=False)
    assert handle.state == "COMPLETED"
    with pytest.raises(DhheraError, match="already finished"):
        handle.stop()
    reopened = attach(handle.run_id, project=project.name, panel=False)
    reopened.snapshot = None  # as if not polled yet: the backend is asked
    with pytest.raises(DhheraError, match="already finished"):
        reopened.stop()


def test_runs_lists_recent_pipeline_runs_with_state_and_duration(shell: Any, project: Any) -> None:
    add_workflow(project, "diamond", DIAMOND)
    handle = run("diamond", project=project.name, wait=True, timeout=120, panel=False)
    listing = shell.run_line_magic("hera", f"runs diamond --project {project.name}")
    text = repr(listing)
    assert handle.run_id in text and "succeeded" in text and "diamond" in text
    assert handle.run_id in listing._repr_html_()
    assert "does not exist" in magic_error(shell, f"runs nope --project {project.name}")
