"""Bad input to %%hera_pipeline: exactly one UsageError sentence, and nothing registered."""

from __future__ import annotations

import textwrap

import pytest
from IPython.core.error import UsageError

from tests.magics.conftest import PIPELINE, pipeline_cell


def in_dag(steps: str) -> str:
    """A cell whose handler builds a Workflow with one DAG holding ``steps`` (lines as in the cells above: the
    first step is on line 8 of the cell)."""
    body = textwrap.indent(textwrap.dedent(steps).strip("\n") + "\n", " " * 12)
    head = '\ndef pipeline():\n    with Workflow(entrypoint="dag") as w:\n        with DAG(name="dag"):\n'
    return pipeline_cell(head + body + "    return w\n")


def fails(shell, line: str, cell: str) -> str:
    """The message of the UsageError (exactly that class: IPython prints it as one line) the magic raises."""
    with pytest.raises(UsageError) as info:
        shell.run_cell_magic("hera_pipeline", line, cell)
    assert type(info.value) is UsageError
    return str(info.value)


@pytest.fixture()
def rejected(shell, project, functions, versions):
    """Run the magic on a bad cell; check that it failed and registered nothing; return the message."""

    def run(cell: str, options: str = "") -> str:
        message = fails(shell, f"bad --project {project.name} {options}", cell)
        assert versions("bad") == 0
        assert "nothing was registered" in message
        return message

    return run


def test_syntax_error_names_the_line_of_the_cell(rejected):
    # line 1 is the %%hera_pipeline line, so the broken def is on line 5
    message = rejected(pipeline_cell("def pipeline(:\n    pass\n"))

    assert "Syntax error at line 5 of the cell" in message


def test_cell_without_function_is_rejected(rejected):
    message = rejected(pipeline_cell("x = 1\n"))

    assert "defines no function" in message


def test_several_candidate_handlers_are_listed(rejected):
    message = rejected(
        PIPELINE + "\n\ndef other():\n    with Workflow(entrypoint='x') as w:\n        pass\n    return w\n"
    )

    assert "pipeline, other" in message and "--handler" in message


def test_unknown_named_handler_is_rejected(rejected):
    message = rejected(PIPELINE, "--handler nope")

    assert "'nope' is not defined in the cell" in message and "pipeline" in message


def test_handler_returning_something_else_than_a_workflow_is_rejected(rejected):
    message = rejected(
        pipeline_cell("""
        def pipeline():
            return {"entrypoint": "dag"}
    """)
    )

    assert "returned a builtins.dict, not a hera.workflows.Workflow" in message


def test_step_outside_a_dag_or_steps_block_is_rejected_with_its_line(rejected):
    message = rejected(
        pipeline_cell("""
        def pipeline():
            with Workflow(entrypoint="dag") as w:
                step(template={"action": "job"}, function="f1")
            return w
    """)
    )

    assert "step() (line 8 of the cell) is called outside a `with DAG(...)` or `with Steps(...)` block" in message


def test_step_naming_a_missing_function_lists_close_matches(rejected):
    message = rejected(
        in_dag("""
        step(template={"action": "job"}, function="f3")
    """)
    )

    assert "names function 'f3', which does not exist in project" in message
    assert "close matches: f2, f1" in message or "close matches: f1, f2" in message


def test_older_step_form_says_which_form_the_installed_runtime_expects(rejected):
    message = rejected(
        in_dag("""
        a = step(template={"action": "job"}, function="f1", outputs=["out"])
        b = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                 function="f2", inputs=["di"], parameters={"di": a.get_parameter("out")})
    """)
    )

    assert "older form inputs=[...] with parameters={...}" in message
    assert "expects inputs={name: value}" in message and "line 10 of the cell" in message


def test_cycle_is_rejected(rejected):
    message = rejected(
        in_dag("""
        a = step(template={"action": "job"}, function="f1")
        b = step(template={"action": "job"}, function="f2")
        a >> b
        b >> a
    """)
    )

    assert "cycle" in message.lower()


def test_handler_with_required_arguments_is_rejected(rejected):
    message = rejected(PIPELINE.replace("def pipeline():", "def pipeline(url):"))

    assert "takes required arguments (url)" in message


def test_error_raised_by_the_cell_names_its_line(rejected):
    message = rejected(pipeline_cell("import no_such_module_here\n"))

    assert "ModuleNotFoundError" in message and "line 5 of the cell" in message


def test_bad_parameter_syntax_is_a_usage_error(shell, project, functions):
    message = fails(shell, f"bad --project {project.name} --build -p novalue", PIPELINE)

    assert "-p expects key=value" in message
