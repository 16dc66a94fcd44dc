"""%hera use|status|register|build|show through a real IPython shell against the real local core."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from tests.magics.conftest import PIPELINE
from tests.support import ipython_shell


def usage_error(shell, line: str) -> str:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("hera", line)
    assert type(info.value) is UsageError
    return str(info.value)


def test_status_names_the_local_backend_project_and_versions(shell, core, capsys):
    shell.run_line_magic("hera", "status")

    out = capsys.readouterr().out
    assert f"local: local core at {core.endpoint}" in out
    assert "project:" in out and "digitalhub 0.15" in out and "hera " in out


def test_use_an_unreachable_endpoint_is_refused_with_the_endpoint_and_the_way_back(shell, core, capsys):
    message = usage_error(shell, "use http://127.0.0.1:9")

    assert "http://127.0.0.1:9 does not answer" in message and "%hera use local" in message
    shell.run_line_magic("hera", "status")
    assert core.endpoint in capsys.readouterr().out  # still on the local core


def test_use_local_reuses_the_running_core(shell, core, capsys):
    shell.run_line_magic("hera", "use local")

    assert f"Using the local core at {core.endpoint}" in capsys.readouterr().out


def test_use_rejects_something_that_is_not_an_endpoint(shell, core):
    assert "neither 'local' nor an http(s):// endpoint" in usage_error(shell, "use ftp://x")


def test_unknown_subcommand_lists_the_subcommands(shell):
    message = usage_error(shell, "frobnicate")

    assert "use, status, register, build, show" in message


def test_register_from_a_file_then_build_then_show(shell, project, functions, tmp_path, versions):
    path = tmp_path / "pipeline.py"
    path.write_text(PIPELINE)

    registered = shell.run_line_magic(
        "hera",
        f"register etl --code-src {path} --handler pipeline --project {project.name} --description 'from a file'",
    )
    built = shell.run_line_magic("hera", f"build etl -p x=7 --project {project.name}")
    shown = shell.run_line_magic("hera", f"show etl --project {project.name}")

    assert registered.created and registered.workflow.spec.source["source"] == str(path)
    assert registered.workflow.metadata.description == "from a file"
    assert built.build_run.status.state == "COMPLETED" and built.build_run.spec.parameters == {"x": "7"}
    assert sorted(n.function for n in shown.graph.nodes) == ["f1", "f2"]
    assert [n.id for n in shown.graph.nodes] == [n.id for n in built.graph.nodes]
    assert versions("etl") == 1


def test_register_a_missing_file_is_rejected(shell, project, versions):
    message = usage_error(shell, f"register etl --code-src /nonexistent/p.py --handler p --project {project.name}")

    assert "'/nonexistent/p.py' does not exist" in message
    assert versions("etl") == 0


def test_build_of_an_unknown_workflow_says_how_to_register_it(shell, project):
    message = usage_error(shell, f"build nope --project {project.name}")

    assert message == (
        f"Workflow 'nope' does not exist in project '{project.name}'; "
        "register it with %%hera_pipeline nope or %hera register."
    )


def test_show_before_any_build_says_to_build(shell, project, functions):
    shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)

    message = usage_error(shell, f"show etl --project {project.name}")

    assert "has never been built" in message and "%hera build etl" in message


def test_build_failing_on_the_backend_shows_its_message_and_log_tail(shell, dh, project, functions, capsys):
    shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)
    dh.delete_function("f2", project=project.name, delete_all_versions=True)  # the build can no longer resolve it

    message = usage_error(shell, f"build etl --project {project.name}")

    assert message.startswith("The build of workflow 'etl' ended ERROR:")
    out = capsys.readouterr().out
    assert "build ERROR" in out and "--- end of the build log ---" in out


def test_help_gives_usage_with_examples(shell):
    hera_doc = shell.find_line_magic("hera").__doc__
    cell_doc = shell.find_cell_magic("hera_pipeline").__doc__

    for sub in ("%hera use", "%hera status", "%hera register", "%hera build", "%hera show"):
        assert sub in hera_doc
    assert "Example: %hera build etl -p url=http://x" in hera_doc
    assert "%%hera_pipeline [--project PROJECT]" in cell_doc and "%%hera_pipeline etl --build" in cell_doc


def test_magic_help_is_plain_text_without_restructuredtext() -> None:
    shell = ipython_shell()
    for doc in (shell.find_line_magic("hera").__doc__, shell.find_cell_magic("hera_pipeline").__doc__):
        assert "%hera" in doc
        assert "``" not in doc and ":class:" not in doc
        assert not [line for line in doc.splitlines() if line.strip().endswith("::")]
