"""The TypeScript unit tests (vitest), type check and lint of labextension/, run from the one test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LABEXT = Path(__file__).resolve().parents[2] / "labextension"


def _jlpm(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    jlpm = shutil.which("jlpm")
    assert jlpm, "jlpm (from jupyterlab / jupyter-builder) is not installed"
    assert (LABEXT / "node_modules").is_dir(), "run `pip install -e .` (or `jlpm install` in labextension/) first"
    return subprocess.run([jlpm, *args], cwd=LABEXT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("script", ["test", "typecheck", "lint"])
def test_labextension_script_passes(script: str) -> None:
    result = _jlpm(script)
    assert result.returncode == 0, f"jlpm {script} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
