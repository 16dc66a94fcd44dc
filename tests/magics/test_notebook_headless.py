"""A tiny notebook executed headless with nbclient: %load_ext, a function, %%hera_pipeline --build → a drawn DAG."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]

PIPELINE_CELL = """\
%%hera_pipeline doubler --project {project} --build -o doubler
from hera.workflows import Workflow, DAG
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag", arguments={{"x": "1"}}) as w:
        with DAG(name="dag"):
            a = step(template={{"action": "job", "parameters": {{"x": "{{{{workflow.parameters.x}}}}"}}}},
                     function="double", outputs=["out"])
            b = step(template={{"action": "job", "parameters": {{"x": "{{{{inputs.parameters.x}}}}"}}}},
                     function="double", inputs={{"x": a.get_parameter("out")}})
            a >> b
    return w
"""


def test_notebook_with_build_outputs_the_dag_as_widget_and_svg(core, project):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext dhhera_jupyter"),
        nbformat.v4.new_code_cell(
            "import digitalhub as dh\n"
            f"project = dh.get_or_create_project({project.name!r})\n"
            "project.new_function(name='double', kind='python', code='def double(x):\\n    return int(x) * 2\\n',\n"
            "                     handler='double', python_version='PYTHON3_11');"
        ),
        nbformat.v4.new_code_cell(PIPELINE_CELL.format(project=project.name)),
        nbformat.v4.new_code_cell("print(doubler.build_run.status.state, len(doubler.graph.nodes))"),
    ]

    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(ROOT)}}).execute()

    results = [o for o in nb.cells[2].outputs if o.output_type == "execute_result"]
    assert len(results) == 1
    data = results[0]["data"]
    assert "image/svg+xml" in data and len(re.findall(r'class="node[ "]', data["image/svg+xml"])) == 2
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "workflow 'doubler'" in data["text/plain"]
    assert nb.cells[3].outputs[0]["text"].strip() == "COMPLETED 2"
