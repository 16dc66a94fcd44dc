"""%hera stop and %hera logs: the run panel's Stop button and log box, for terminal IPython."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from tests.support import wait_until

SAY = """
import time

def say(x: str = "", delay: float = 0):
    print(f"saying {x}")
    time.sleep(float(delay))
    return x
"""

PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag", arguments={"d": "0"}) as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"x": "first", "delay": "0"}}, function="say", name="a")
            b = step(template={"action": "job", "parameters": {"x": "second", "delay": "{{workflow.parameters.d}}"}},
                     function="say", name="b")
            a >> b
    return w
"""


def _usage_error(shell, line: str) -> str:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("hera", line)
    return str(info.value)


def test_stop_a_running_pipeline_then_read_its_steps_logs(shell, project, capsys) -> None:
    project.new_function(name="say", kind="python", code=SAY, handler="say", python_version="PYTHON3_11")
    wf = project.new_workflow(name="talk", kind="hera", code=PIPELINE, handler="pipeline")
    build = wf.run(action="build")
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), timeout=120, what="the build")
    run = wf.run(action="pipeline", parameters={"d": "60"})
    wait_until(lambda: "saying second" in _logs(shell, run.id, project.name, "b", capsys), timeout=120, what="b")

    shell.run_line_magic("hera", f"stop {run.id} --project {project.name}")
    said = capsys.readouterr().out
    assert said == f"Asked run {run.id} to stop (it was RUNNING); `%hera attach {run.id}` shows when it has.\n"
    wait_until(lambda: run.refresh().status.state in ("STOPPED", "ERROR", "COMPLETED"), timeout=60, what="the stop")
    assert run.status.state == "STOPPED"
    assert _usage_error(shell, f"stop {run.id} --project {project.name}") == (
        f"Run {run.id} already finished (STOPPED); there is nothing to stop."
    )

    assert "saying first" in _logs(shell, run.id, project.name, "a", capsys)
    assert "saying second" not in _logs(shell, run.id, project.name, "a", capsys)
    one = _logs(shell, run.id, project.name, "a --tail 1", capsys)
    assert one.count("\n") == 1, one
    assert _usage_error(shell, f"logs {run.id} nope --project {project.name}") == (
        f"Run {run.id} has no step 'nope'; its steps are: a, b."
    )
    assert _usage_error(shell, f"logs {run.id} --tail 0 --project {project.name}") == (
        "The number of log lines to show (--tail) must be at least 1, not 0."
    )
    assert _usage_error(shell, f"logs {build.id} a --project {project.name}") == (
        f"Run {build.id} is a hera+build:run run, not a pipeline run, so it has no step 'a'; "
        f"`%hera logs {build.id}` shows its own log."
    )
    assert _usage_error(shell, f"stop no-such-run --project {project.name}") == (
        f"Run 'no-such-run' does not exist in project '{project.name}'; list its runs with `%hera runs --all`."
    )


def _logs(shell, run_id: str, project: str, rest: str, capsys) -> str:
    shell.run_line_magic("hera", f"logs {run_id} {rest} --project {project}")
    return capsys.readouterr().out
