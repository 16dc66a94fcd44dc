"""The run panel against the real local core through the real SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from panel_pipelines import wait_for

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.magics.run import attach, run
from dhhera_jupyter.widgets.run_panel import RunPanel

STEPS = ("a", "b", "c", "d")


def ids_by_label(panel: RunPanel) -> dict[str, str]:
    from dhhera_jupyter.status import step_label

    return {step_label(n.name): n.id for n in panel.graph.nodes}


def colours(panel: RunPanel) -> dict[str, str]:
    """What the DagWidget shows, by step name."""
    ids = ids_by_label(panel)
    return {name: panel.dag.node_states[node_id] for name, node_id in ids.items()}


def test_successful_diamond_run_ends_all_succeeded_with_full_progress_and_outputs(project: Any, diamond: Any) -> None:
    panel = run("diamond", {"n": "4"}, project=project.name, panel=True)
    try:
        panel.wait(120)
        assert panel.state == "COMPLETED"
        assert set(panel.dag.node_states.values()) == {"succeeded"}
        assert len(panel.dag.node_states) == 4
        assert "4 succeeded" in panel.progress.value and "of 4 steps" in panel.progress.value
        assert panel.nodes == dict.fromkeys(STEPS, "succeeded")
        dataset = panel.outputs["a"]["dataset"]
        assert dataset.startswith(f"store://{project.name}/dataitem/table/dataset:")
        assert dataset in panel.results_pane.value
        assert "succeeded" in panel.title.value and panel.banner.value == ""
        assert panel.stop_button.disabled and not panel.rerun_button.disabled
    finally:
        panel.close()


def test_failing_step_is_named_in_the_banner_and_downstream_does_not_run(project: Any, diamond: Any) -> None:
    panel = run("diamond", {"fail": "yes"}, project=project.name, panel=True)
    try:
        panel.wait(120)
        assert panel.state == "ERROR"
        assert colours(panel) == panel.nodes
        assert panel.nodes["b"] == "failed"
        assert panel.nodes["d"] in ("omitted", "skipped")
        assert panel.nodes["a"] == "succeeded"
        assert "Step &#x27;b&#x27; failed" in panel.banner.value or "Step 'b' failed" in panel.banner.value
        assert "1 failed" in panel.progress.value and "4 succeeded" not in panel.progress.value
    finally:
        panel.close()


def test_stop_mid_run_asks_for_confirmation_and_ends_stopped(project: Any, diamond: Any, gate: Path) -> None:
    panel = run("diamond", {"gate": str(gate)}, project=project.name, panel=True)
    try:
        wait_for(lambda: panel.nodes.get("b") == "running", 120, "step b to run")
        panel.stop_button.click()
        assert panel.confirm.layout.display == "" and panel.state == "RUNNING"
        panel.confirm_yes.click()
        panel.wait(120)
        assert panel.state == "STOPPED"
        assert colours(panel)["b"] == panel.nodes["b"] == "stopped"
        assert panel.nodes["d"] in ("omitted", "stopped", "skipped")
        assert panel.stop_button.disabled
        with pytest.raises(DhheraError, match="already finished"):
            panel.stop()
    finally:
        gate.touch()
        panel.close()


def test_attach_after_a_kernel_restart_shows_the_same_run(project: Any, diamond: Any, gate: Path) -> None:
    from dhhera_jupyter.runs import poller as poller_module

    first = run("diamond", {"gate": str(gate)}, project=project.name, panel=True)
    run_id = first.run_id
    first.close()
    poller_module._poller = None  # a new kernel has a new poller and nothing in memory
    panel = attach(run_id, project=project.name, panel=True)
    try:
        assert panel.run_id == run_id and panel.graph is not None
        assert sorted(ids_by_label(panel)) == list(STEPS)
        gate.touch()
        panel.wait(120)
        assert colours(panel) == dict.fromkeys(STEPS, "succeeded")
        assert "4 succeeded" in panel.progress.value
        assert panel.workflow == "diamond"
    finally:
        gate.touch()
        panel.close()


def test_clicking_a_step_shows_its_inputs_outputs_and_log_tail(project: Any, diamond: Any) -> None:
    panel = run("diamond", {"n": "4"}, project=project.name, panel=True)
    try:
        panel.wait(120)
        ids = ids_by_label(panel)
        panel.table._buttons[ids["b"]].click()
        assert panel.dag.selected == ids["b"]
        assert panel.details.layout.display == ""
        assert "<code>di</code>" in panel.details.info.value and "dataitem/table/dataset:" in panel.details.info.value
        assert "rows 4" in panel.details.log_view.text
        panel.dag.selected = ids["a"]  # a click in the diagram, synced back from the browser
        assert panel.selected_step == ids["a"]
        assert "<code>dataset</code>" in panel.details.info.value
        assert "dhhera-selected" in panel.table._rows[ids["a"]]._dom_classes
        assert "dhhera-selected" not in panel.table._rows[ids["b"]]._dom_classes
        assert "rows 4" in panel.logs("b") and "all done" in panel.logs("d")
    finally:
        panel.close()


def test_run_button_and_rerun_add_runs_to_the_same_panel(project: Any, diamond: Any) -> None:
    panel = run("diamond", {"n": "2"}, project=project.name, panel=True)
    try:
        first = panel.wait(120).run_id
        panel.form.fields["n"].value = "5"
        panel.form.run_button.click()
        assert panel.alert.value == "" and len(panel.runs) == 2 and panel.run_id != first
        panel.wait(120)
        assert panel.run.snapshot.parameters["n"] == "5"
        # The run picker appears in place (it was hidden, never removed: the toolbar does not move).
        assert "dhhera-hidden" not in panel.history._dom_classes and len(panel.history.options) == 2
        assert panel.toolbar.children == (
            panel.stop_button,
            panel.rerun_button,
            *panel.retry_action.widgets,
            panel.history,
        )
        panel.rerun_button.click()
        assert len(panel.runs) == 3
        panel.wait(120)
        assert panel.run.snapshot.parameters["n"] == "5" and panel.state == "COMPLETED"
        panel.history.value = 0  # back to the first run: the panel shows it again
        assert panel.run_id == first and panel.form.fields["n"].value == "2"
        panel.form.fields["n"].value = ""  # "n" has a default: a blank field means the default
        panel.form.fields["gate"].value = "none"
        panel.form.run_button.click()
        assert len(panel.runs) == 4 and panel.alert.value == ""
        panel.wait(120)
    finally:
        panel.close()


def test_task_options_reach_the_run(shell_free_magic: Any, project: Any, diamond: Any, dh: Any) -> None:
    handle = shell_free_magic(
        f"run diamond --project {project.name} --env LOG=debug --env MODE=x --secret s3cret --profile small "
        '--resources {"cpu":"1","mem":"1Gi"} --volumes [{"volume_type":"empty_dir","name":"v","mount_path":"/v"}] '
        "--wait"
    )
    spec = dh.get_run(handle.run_id, project=project.name).spec.to_dict()
    assert spec["envs"] == [{"name": "LOG", "value": "debug"}, {"name": "MODE", "value": "x"}]
    assert spec["secrets"] == ["s3cret"] and spec["profile"] == "small"
    assert spec["resources"]["cpu"] == "1" and spec["volumes"][0]["mount_path"] == "/v"


def test_interrupting_wait_stops_waiting_not_the_run(project: Any, diamond: Any, gate: Path, capsys: Any) -> None:
    import _thread
    import threading

    from dhhera_jupyter.magics.run import _wait

    handle = run("diamond", {"gate": str(gate)}, project=project.name, panel=False)
    try:
        wait_for(lambda: handle.nodes.get("b") == "running", 120, "step b to run")
        threading.Timer(0.5, _thread.interrupt_main).start()
        _wait(handle, handle, timeout=60)  # Ctrl-C after 0.5 s
        assert "Stopped waiting" in capsys.readouterr().err
        assert handle.state == "RUNNING"
        gate.touch()
        assert handle.wait(120).state == "COMPLETED"
    finally:
        gate.touch()
        handle.close()
