"""``%hera debug``: the generated cells reproduce a step of a real pipeline run on the local core."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError

from dhhera_jupyter.errors import DhheraError, NotFound
from dhhera_jupyter.platform.step_debug import debug_cells
from tests.support import ipython_shell


def test_failed_step_raises_the_same_exception(failed_diamond: Any, run_cells: Any) -> None:
    project = failed_diamond.project
    debug = debug_cells(failed_diamond.id, "b", project)
    assert debug.state == "ERROR" and debug.step == "b"
    assert debug.message is not None and "use was told to fail" in debug.message
    # The cells hold the exact function version and input key the step's run got.
    assert debug.function_key in debug.cells[0] and ":" in debug.function_key.rsplit("/", 1)[-1]
    assert "dh.get_dataitem('store://" in debug.cells[1]
    assert "'fail': 'yes'" in debug.cells[1]
    with pytest.raises(RuntimeError) as raised:
        run_cells(debug.cells)
    assert f"{type(raised.value).__name__}: {raised.value}" == debug.message.splitlines()[0]


def test_succeeded_step_reproduces_its_result(failed_diamond: Any, run_cells: Any, dh: Any) -> None:
    project = failed_diamond.project
    debug = debug_cells(failed_diamond.id, "c", project)
    assert debug.state == "COMPLETED"
    namespace = run_cells(debug.cells)
    child = dh.get_run(debug.child_run, project=project)
    # ``use`` returns the row count of the dataitem step ``a`` made; the runtime logged it as the run's result.
    assert namespace["step_result"] == 3
    assert child.status.to_dict()["state"] == "COMPLETED"
    assert namespace["step_inputs"]["di"].key == child.spec.to_dict()["inputs"]["di"]


def test_step_with_project_argument_gets_the_project(failed_diamond: Any, run_cells: Any) -> None:
    debug = debug_cells(failed_diamond.id, "a", failed_diamond.project)
    namespace = run_cells(debug.cells)
    assert namespace["step_kwargs"]["project"].name == failed_diamond.project
    assert namespace["step_kwargs"]["n"] == "3"
    assert namespace["step_result"].name == "dataset"  # the dataitem ``make`` logs


def test_task_name_and_node_id_are_accepted(failed_diamond: Any) -> None:
    doc = failed_diamond.to_dict()
    node = next(n for n in doc["status"]["nodes"] if "dag-op-b-" in str(n.get("display_name")))
    for name in (node["display_name"], node["id"], node["name"]):
        assert debug_cells(failed_diamond.id, name, failed_diamond.project).step == "b"


def test_unknown_run(failed_diamond: Any) -> None:
    expected = r"^There is no run 'nope' in project '[^']+'; list recent runs with `%hera runs`\.$"
    with pytest.raises(NotFound, match=expected):
        debug_cells("nope", "b", failed_diamond.project)


def test_unknown_step_lists_the_steps(failed_diamond: Any) -> None:
    with pytest.raises(NotFound) as raised:
        debug_cells(failed_diamond.id, "zzz", failed_diamond.project)
    assert str(raised.value) == f"Run {failed_diamond.id} has no step 'zzz'; its steps are: a, b, c, d."


def test_omitted_step_has_nothing_to_reproduce(failed_diamond: Any) -> None:
    with pytest.raises(NotFound) as raised:
        debug_cells(failed_diamond.id, "d", failed_diamond.project)
    text = str(raised.value)
    assert text.startswith("Step 'd' of run ") and "has no run yet (omitted)" in text
    assert "debug a step that ran (a, b, c)" in text


def test_non_pipeline_run(failed_diamond: Any) -> None:
    child = debug_cells(failed_diamond.id, "c", failed_diamond.project).child_run
    with pytest.raises(DhheraError, match=r"is a python\+job:run run, not a pipeline run; %hera debug takes"):
        debug_cells(child, "c", failed_diamond.project)


def test_magic_prints_in_terminal_ipython_and_refuses_in_one_sentence(failed_diamond: Any, capsys: Any) -> None:
    shell = ipython_shell()
    assert shell.run_line_magic("hera", f"debug {failed_diamond.id} b --project {failed_diamond.project}") is None
    out = capsys.readouterr().out
    assert "# ---- cell 1 of 3 ----" in out and "step_call(**step_kwargs)" in out
    with pytest.raises(UsageError, match=r"^Run \S+ has no step 'zzz'; its steps are: a, b, c, d\.$"):
        shell.run_line_magic("hera", f"debug {failed_diamond.id} zzz --project {failed_diamond.project}")


ONE_STEP = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            step(template={"action": "job", "parameters": {"word": "alpha"}}, function="say", name="only")
    return w
"""


def test_function_version_gone_says_which_and_what_to_do(dh: Any) -> None:
    import os

    from tests.support import wait_until

    project = dh.get_or_create_project(f"t-debug-gone-{os.urandom(3).hex()}")
    fn = project.new_function(
        name="say", kind="python", code="def say(word):\n    return word\n", handler="say", python_version="PYTHON3_11"
    )
    wf = project.new_workflow(name="words", kind="hera", code=ONE_STEP, handler="pipeline")
    build = wf.run(action="build", log_info=False)
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the build")
    run = wf.run(action="pipeline", log_info=False)
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the run")
    assert debug_cells(run.id, "only", project.name).state == "COMPLETED"
    dh.delete_function(fn.key, cascade=False)  # the step's run stays, its function version goes
    with pytest.raises(NotFound) as raised:
        debug_cells(run.id, "only", project.name)
    assert str(raised.value) == (
        f"Function 'say' version {fn.id}, which step 'only' ran, no longer exists in project '{project.name}' "
        f"({fn.key}); the step cannot be reproduced with the code it ran. Start a new run on the current version "
        "(`%hera run words --build`) and debug that run's step."
    )


def test_run_panel_action_offers_the_cells_or_says_why_not(failed_diamond: Any) -> None:
    from types import SimpleNamespace

    from dhhera_jupyter.widgets.debug_action import DebugAction

    action = DebugAction()
    run = SimpleNamespace(run_id=failed_diamond.id, project=failed_diamond.project)
    action.show(run, "d")  # type: ignore[arg-type]
    action.insert()
    assert "has no run yet (omitted)" in action.problem.value and not action.inserter.pending
    action.show(run, "b")  # type: ignore[arg-type]
    assert action.problem.value == ""
    action.insert()
    assert action.inserter.pending and action.inserter.cells == debug_cells(failed_diamond.id, "b", run.project).cells
    data = action.inserter._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "step_call(**step_kwargs)" in data["text/plain"]  # what readers without widgets show
    action.close()
