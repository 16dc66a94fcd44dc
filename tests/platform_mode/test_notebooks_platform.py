"""The example notebooks run headless in a kernel configured as a DigitalHub workspace configures it, against the
DHCore-profile core (nodes on the monitor's cadence, no function/run_id in them, child runs only via step_of)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.platform_mode.conftest import Platform
from tests.support import cell_output_text, code_cell_index

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_BACKEND_VARS = ("DHCORE_", "DH_", "AWS_", "S3_", "DHHERA_HOME", "RUN_ID")


def run_in_workspace(name: str, platform: Platform, tmp_path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_BACKEND_VARS)}
    env.update(platform.workspace_env())
    (tmp_path / "user.ini").write_text("[DEFAULT]\n")
    env["DH_CONFIG"] = str(tmp_path / "user.ini")
    env["DHHERA_HOME"] = str(tmp_path / "no-local-core")  # a local core would live here; none is started
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)
    assert not (tmp_path / "no-local-core" / "core.json").exists()  # platform mode: no local core started
    return nb


def text_of(nb: nbformat.NotebookNode, start: str, kind: str = "text/plain") -> str:
    """Every text output of the code cell whose source starts with ``start``."""
    return cell_output_text(nb, code_cell_index(nb, start), kind)


@pytest.mark.slow
def test_quickstart_in_a_workspace(dhcore_platform: Platform, tmp_path: Path) -> None:
    nb = run_in_workspace("quickstart", dhcore_platform, tmp_path)
    assert f"platform: {dhcore_platform.endpoint}" in text_of(nb, "%hera status")
    assert "succeeded · 3 succeeded of 3 steps" in text_of(nb, "%hera run")
    assert text_of(nb, "print(run.state)").startswith("COMPLETED")
    assert "x2" in text_of(nb, "print(run.state)", "text/html")
    assert "total: 55" in text_of(nb, 'print(run.logs("total"))')  # the step's log, found through its child run
    assert "'COMPLETED'" in text_of(nb, "import dhhera_jupyter")


@pytest.mark.slow
def test_etl_in_a_workspace(dhcore_platform: Platform, tmp_path: Path) -> None:
    nb = run_in_workspace("etl", dhcore_platform, tmp_path)
    assert "succeeded · 3 succeeded of 3 steps" in text_of(nb, "%hera run")
    text = text_of(nb, "print(etl_run.state)")
    assert text.startswith("COMPLETED") and "spire" in text and "measures" in text
    assert "spire-1" in text_of(nb, "spire_key", "text/html")
    assert "mean" in text_of(nb, 'print(etl_run.logs("measures"))')
