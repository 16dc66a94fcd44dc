"""Every notebook flow in platform mode: ``%hera use <endpoint>`` with a workspace's credentials, against a
core standing in for DHCore (both profiles where the behaviour differs, the dhcore profile otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from panel_pipelines import DIAMOND, add_workflow, wait_for

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.magics.run import attach, run
from dhhera_jupyter.status import step_label
from dhhera_jupyter.widgets.run_panel import RunPanel
from tests.platform_mode.conftest import Platform, new_project

STEPS = ("a", "b", "c", "d")


@pytest.fixture()
def project(sdk: Any, request: pytest.FixtureRequest) -> Any:
    return new_project(sdk, request)


@pytest.fixture()
def diamond(project: Any) -> Any:
    return add_workflow(project, "diamond", DIAMOND)


def ids_by_label(panel: RunPanel) -> dict[str, str]:
    return {step_label(n.name): n.id for n in panel.graph.nodes}


def colours(panel: RunPanel) -> dict[str, str]:
    """What the DAG widget shows, by step name."""
    return {name: panel.dag.node_states[node_id] for name, node_id in ids_by_label(panel).items()}


def test_status_names_the_platform_not_the_local_core(shell: Any, on_platform: Platform, capsys: Any) -> None:
    shell.run_line_magic("hera", "status")
    out = capsys.readouterr().out
    assert f"platform: {on_platform.endpoint}" in out and "local core" not in out


def test_pipeline_build_then_run_wait_then_outputs_and_step_logs(
    shell: Any, project: Any, on_platform: Platform
) -> None:
    from panel_pipelines import FUNCTIONS

    for fn in ("make", "use", "done"):
        project.new_function(name=fn, kind="python", code=FUNCTIONS, handler=fn, python_version="PYTHON3_11")
    built = shell.run_cell_magic("hera_pipeline", f"diamond --project {project.name} --build", DIAMOND)
    assert built.build_run.status.state == "COMPLETED"
    handle = shell.run_line_magic("hera", f"run diamond --project {project.name} -p n=4 --wait")
    assert handle.state == "COMPLETED"
    assert handle.nodes == dict.fromkeys(STEPS, "succeeded")
    assert handle.outputs["a"]["dataset"].startswith(f"store://{project.name}/dataitem/table/dataset:")
    # The step's logs come from its child run, found through step_of when the nodes do not name it.
    assert "rows 4" in handle.logs("b") and "rows 4" in handle.logs("c") and "all done" in handle.logs("d")
    steps = {step_label(s.step): s for s in handle.steps}
    assert steps["b"].run_id != steps["c"].run_id or on_platform.profile == "dhcore"


def test_panel_run_goes_green_with_full_progress(project: Any, diamond: Any, on_platform: Platform) -> None:
    panel = run("diamond", {"n": "3"}, project=project.name, panel=True)
    try:
        panel.wait(120)
        assert panel.state == "COMPLETED"
        assert colours(panel) == dict.fromkeys(STEPS, "succeeded")
        assert "4 succeeded" in panel.progress.value and "of 4 steps" in panel.progress.value
        assert "succeeded" in panel.title.value and panel.banner.value == ""
    finally:
        panel.close()


def test_failed_step_is_named_in_the_banner_from_stale_nodes(
    project: Any, diamond: Any, on_platform: Platform, tmp_path: Path
) -> None:
    """Under DHCore the nodes stop at the last RUNNING refresh: b still shows Running when the run is ERROR."""
    gate = tmp_path / "gate"
    panel = run("diamond", {"fail": "yes", "gate": str(gate)}, project=project.name, panel=True)
    try:
        wait_for(lambda: panel.nodes.get("b") == "running", 120, "step b to run")
        gate.touch()
        panel.wait(120)
        assert panel.state == "ERROR"
        assert panel.nodes["b"] == "failed", panel.nodes
        assert panel.nodes["a"] == "succeeded"
        assert panel.nodes["d"] in ("omitted", "skipped")
        assert colours(panel) == panel.nodes
        assert "Step &#x27;b&#x27; failed" in panel.banner.value or "Step 'b' failed" in panel.banner.value
        assert "1 failed" in panel.progress.value
    finally:
        gate.touch()
        panel.close()


def test_step_table_and_details_show_logs_of_each_step(project: Any, diamond: Any, on_platform: Platform) -> None:
    panel = run("diamond", {"n": "4"}, project=project.name, panel=True)
    try:
        panel.wait(120)
        ids = ids_by_label(panel)
        panel.table._buttons[ids["c"]].click()
        assert panel.details.layout.display == ""
        assert "dataitem/table/dataset:" in panel.details.info.value
        assert "rows 4" in panel.details.log_view.text
        panel.table._buttons[ids["d"]].click()
        assert "all done" in panel.details.log_view.text
    finally:
        panel.close()


def test_stop_mid_run_ends_stopped(project: Any, diamond: Any, on_platform: Platform, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    panel = run("diamond", {"gate": str(gate)}, project=project.name, panel=True)
    try:
        wait_for(lambda: panel.nodes.get("b") == "running", 120, "step b to run")
        panel.stop_button.click()
        panel.confirm_yes.click()
        panel.wait(120)
        assert panel.state == "STOPPED"
        assert panel.nodes["b"] == "stopped" and panel.nodes["d"] in ("omitted", "stopped", "skipped")
        with pytest.raises(DhheraError, match="already finished"):
            panel.stop()
    finally:
        gate.touch()
        panel.close()


DHCORE_ONLY = pytest.mark.parametrize("any_platform", ["dhcore"], indirect=True)


@DHCORE_ONLY
def test_attach_from_a_new_kernel_then_rerun(project: Any, diamond: Any, on_platform: Platform, tmp_path: Path) -> None:
    from dhhera_jupyter.runs import poller as poller_module

    gate = tmp_path / "gate"
    first = run("diamond", {"gate": str(gate)}, project=project.name, panel=True)
    run_id = first.run_id
    first.close()
    poller_module._poller = None  # a new kernel: nothing in memory
    panel = attach(run_id, project=project.name, panel=True)
    try:
        assert panel.run_id == run_id and sorted(ids_by_label(panel)) == list(STEPS)
        gate.touch()
        panel.wait(120)
        assert colours(panel) == dict.fromkeys(STEPS, "succeeded")
        panel.rerun_button.click()
        assert len(panel.runs) == 2 and panel.run_id != run_id
        panel.wait(120)
        assert panel.state == "COMPLETED" and panel.run.snapshot.parameters["gate"] == str(gate)
    finally:
        gate.touch()
        panel.close()


@DHCORE_ONLY
def test_run_of_an_unbuilt_workflow_is_refused_with_the_next_step(project: Any, on_platform: Platform) -> None:
    add_workflow(project, "raw", DIAMOND, build=False)
    with pytest.raises(DhheraError, match="has never been built"):
        run("raw", {}, project=project.name, panel=True)


@DHCORE_ONLY
def test_hera_attach_magic_follows_a_run_started_elsewhere(
    shell: Any, project: Any, diamond: Any, on_platform: Platform, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    started = diamond.run(action="pipeline", parameters={"gate": str(gate)}, log_info=False)  # e.g. the console
    try:
        handle = shell.run_line_magic("hera", f"attach {started.id} --project {project.name}")
        assert handle.run_id == started.id
        wait_for(lambda: handle.nodes.get("b") == "running", 120, "step b to run")
        gate.touch()
        handle.wait(120)
        assert handle.state == "COMPLETED" and handle.nodes == dict.fromkeys(STEPS, "succeeded")
        listing = shell.run_line_magic("hera", f"runs diamond --project {project.name}")
        assert started.id[:8] in repr(listing) and "succeeded" in repr(listing)
    finally:
        gate.touch()
