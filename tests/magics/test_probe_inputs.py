"""Bad input a new user types, found by walking the product (see the probe findings): each answer is one
UsageError sentence naming the object and the next step, and nothing is half-written on the session's core."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from tests.magics.conftest import PIPELINE, pipeline_cell

#: A handler that takes a build parameter as its argument, as in DigitalHub's reference document.
WITH_ARGUMENT = pipeline_cell(
    """
    def pipeline(x):
        with Workflow(entrypoint="dag") as w:
            with DAG(name="dag"):
                step(template={"action": "job", "parameters": {"x": x}}, function="f1", name="one")
        return w
    """
)

EMPTY_DAG = pipeline_cell(
    """
    def pipeline():
        with Workflow(entrypoint="dag") as w:
            with DAG(name="dag"):
                pass
        return w
    """
)


def usage_error(run) -> str:
    """The message of exactly a UsageError (IPython prints it as one line, no traceback)."""
    with pytest.raises(UsageError) as info:
        run()
    assert type(info.value) is UsageError
    return str(info.value)


def workflow_names(dh, project) -> list[str]:
    return [w.name for w in dh.list_workflows(project=project.name)]


def test_a_workflow_name_with_a_path_gets_the_backends_sentence_not_its_json(shell, dh, project, functions):
    message = usage_error(lambda: shell.run_cell_magic("hera_pipeline", f"../evil --project {project.name}", PIPELINE))

    assert "Invalid workflow name '../evil'" in message
    assert "Response:" not in message and "{" not in message
    assert workflow_names(dh, project) == []


def test_a_workflow_name_with_html_is_one_sentence_not_a_pydantic_traceback(shell, dh, project, functions):
    line = f"<script>alert(1)</script> --project {project.name}"
    message = usage_error(lambda: shell.run_cell_magic("hera_pipeline", line, PIPELINE))

    assert message.startswith("The DigitalHub SDK refused the name '<script>alert(1)</script>'")
    assert "change it and try again" in message
    assert workflow_names(dh, project) == []


def test_runs_of_a_project_that_does_not_exist_name_it(shell, core):
    message = usage_error(lambda: shell.run_line_magic("hera", "runs --project no-such-project-probe"))

    assert message.startswith("Project 'no-such-project-probe' does not exist on the backend")
    assert "Response:" not in message


def test_a_handler_argument_without_a_value_says_which_p_to_give(shell, project, functions, versions):
    line = f"args --project {project.name}"
    message = usage_error(lambda: shell.run_cell_magic("hera_pipeline", line, WITH_ARGUMENT))

    assert "takes required arguments (x)" in message and "-p x=VALUE" in message
    assert "nothing was registered" in message and versions("args") == 0


def test_p_values_are_bound_to_the_handler_and_not_sent_to_the_run(shell, dh, project, functions):
    from dhhera_jupyter import platform

    line = f"args --project {project.name} --run --wait -p x=41"

    run = shell.run_cell_magic("hera_pipeline", line, WITH_ARGUMENT)

    assert run.state == "COMPLETED" and run.nodes == {"one": "succeeded"}
    built = platform.built_spec(dh.get_workflow("args", project=project.name))
    assert '"parameters": {"x": "41"}' in str(built)  # the build bound -p x=41 to the handler's argument


def test_an_empty_dag_is_refused_in_the_kernel(shell, project, versions):
    message = usage_error(lambda: shell.run_cell_magic("hera_pipeline", f"empty --project {project.name}", EMPTY_DAG))

    assert message.startswith("Template 'dag' has nothing to run")
    assert "nothing was registered" in message and versions("empty") == 0


@pytest.mark.parametrize(
    ("call", "start"),
    [
        (lambda sh: sh.run_line_magic("hera", "run"), "%hera run: the following arguments are required: name"),
        (lambda sh: sh.run_line_magic("hera", "use"), "%hera use: the following arguments are required: target"),
        (lambda sh: sh.run_cell_magic("hera_pipeline", "", "x = 1\n"), "%%hera_pipeline: the following arguments"),
    ],
)
def test_a_missing_argument_names_the_magic_and_its_help(shell, call, start):
    message = usage_error(lambda: call(shell))

    assert message.startswith(start) and message.endswith("? for its usage.")


def test_runs_limit_below_one_is_refused(shell, core):
    message = usage_error(lambda: shell.run_line_magic("hera", "runs --limit 0"))

    assert "must be at least 1, not 0" in message


def test_status_says_when_the_local_core_is_not_running(shell, core, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DHHERA_HOME", str(tmp_path / "no-core-here"))

    shell.run_line_magic("hera", "status")

    assert "core:     not running; start it with `%hera use local`" in capsys.readouterr().out


def test_a_wait_that_times_out_in_a_terminal_says_how_to_follow_the_run(shell, project, functions, capsys):
    shell.run_cell_magic("hera_pipeline", f"slow --project {project.name} --build", PIPELINE)
    capsys.readouterr()

    run = shell.run_line_magic("hera", f"run slow --project {project.name} --wait --timeout 0.001")

    err = capsys.readouterr().err
    assert f"follow it with %hera attach {run.run_id} --wait" in err and "panel" not in err
    run.wait(60)


def test_a_step_using_an_undeclared_workflow_parameter_is_refused_in_the_kernel(shell, project, functions, versions):
    cell = PIPELINE.replace("{{workflow.parameters.x}}", "{{workflow.parameters.nope}}")

    message = usage_error(lambda: shell.run_cell_magic("hera_pipeline", f"undecl --project {project.name}", cell))

    assert "uses {{workflow.parameters.nope}}, but the workflow declares no parameter 'nope' (its parameters: x)" in (
        message
    )
    assert "nothing was registered" in message and versions("undecl") == 0


def test_a_p_that_nothing_reads_is_refused(shell, project, functions, versions):
    line = f"typo --project {project.name} --build -p zzz=1"

    message = usage_error(lambda: shell.run_cell_magic("hera_pipeline", line, PIPELINE))

    assert message.startswith(
        "-p zzz=… names neither an argument of the handler 'pipeline' nor a parameter of the workflow "
        "(its parameters: x)"
    )
    assert versions("typo") == 0
