"""%%hera_pipeline through a real IPython shell against the real local core."""

from __future__ import annotations

import base64

from tests.magics.conftest import PIPELINE


def test_cell_registers_a_hera_workflow_with_the_cell_source_and_handler(shell, dh, project, functions, versions):
    handle = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)

    workflow = dh.get_workflow("etl", project=project.name)
    assert workflow.kind == "hera"
    assert workflow.spec.source["handler"] == "pipeline"
    assert base64.b64decode(workflow.spec.source["base64"]).decode() == PIPELINE
    assert versions("etl") == 1
    assert handle.workflow.id == workflow.id and handle.created
    assert callable(shell.user_ns["pipeline"])  # the cell ran in the notebook's namespace


def test_unchanged_cell_creates_no_new_version(shell, project, functions, versions):
    first = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)
    again = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)

    assert versions("etl") == 1
    assert again.workflow.id == first.workflow.id
    assert not again.created


def test_changed_cell_creates_a_new_version(shell, project, functions, versions):
    first = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)
    changed = shell.run_cell_magic(
        "hera_pipeline", f"etl --project {project.name}", PIPELINE.replace('"x": "1"', '"x": "2"')
    )

    assert versions("etl") == 2
    assert changed.created and changed.workflow.id != first.workflow.id


def test_new_description_creates_a_new_version_and_omitting_it_keeps_it(shell, dh, project, functions, versions):
    shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)
    shell.run_cell_magic(
        "hera_pipeline", f"etl --project {project.name} --description 'daily ETL' --label etl", PIPELINE
    )
    shell.run_cell_magic("hera_pipeline", f"etl --project {project.name}", PIPELINE)

    assert versions("etl") == 2
    latest = dh.get_workflow("etl", project=project.name)
    assert latest.metadata.description == "daily ETL"
    assert latest.metadata.labels == ["etl"]


def test_preview_draws_the_dag_of_the_workflow_built_in_the_kernel(shell, project, functions):
    handle = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --preview", PIPELINE)

    graph = handle.graph
    assert handle.source == "preview" and handle.build_run is None
    assert sorted(n.function for n in graph.nodes) == ["f1", "f2"]
    first = next(n.id for n in graph.nodes if n.function == "f1")
    second = next(n.id for n in graph.nodes if n.function == "f2")
    assert [tuple(e) for e in graph.edges] == [(first, second)]


def test_build_draws_the_dag_of_the_built_spec(shell, dh, project, functions):
    handle = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --build -p x=5", PIPELINE)

    assert handle.build_run.status.state == "COMPLETED"
    assert handle.source == "build"
    stored = dh.get_workflow("etl", project=project.name).spec.build
    assert stored and stored["lang"] == "yaml"
    steps = [t["name"] for t in handle.spec["templates"][0]["dag"]["tasks"]]
    assert sorted(n.id for n in handle.graph.nodes) == sorted(steps)
    assert sorted(n.function for n in handle.graph.nodes) == ["f1", "f2"]
    assert len(handle.graph.edges) == 1
    assert handle.build_run.spec.parameters == {"x": "5"}


def test_output_option_stores_the_handle_in_the_namespace(shell, project, functions):
    returned = shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --preview -o etl_handle", PIPELINE)

    stored = shell.user_ns["etl_handle"]
    assert stored is returned
    assert stored.workflow.name == "etl" and stored.graph is not None and stored.spec["entrypoint"] == "dag"
    text = repr(stored)
    assert "workflow 'etl'" in text and "2 steps" in text and "f2" in text


def test_named_handler_is_used_among_several_functions(shell, dh, project, functions):
    cell = PIPELINE + "\n\ndef other():\n    with Workflow(entrypoint='x') as w:\n        pass\n    return w\n"

    shell.run_cell_magic("hera_pipeline", f"etl --project {project.name} --handler pipeline", cell)

    assert dh.get_workflow("etl", project=project.name).spec.source["handler"] == "pipeline"


def test_twins_register_build_show_and_preview(shell, project, functions):
    import dhhera_jupyter as dj

    registered = dj.register("etl", PIPELINE, project=project.name)
    built = dj.build("etl", {"x": "3"}, project=project.name)
    shown = dj.show("etl", project=project.name)
    previewed = dj.preview(PIPELINE, project=project.name)

    assert registered.created and not built.created
    assert built.build_run.status.state == "COMPLETED"
    assert sorted(n.id for n in shown.graph.nodes) == sorted(n.id for n in built.graph.nodes)
    assert sorted(n.function for n in previewed.graph.nodes) == ["f1", "f2"] and previewed.workflow is None
