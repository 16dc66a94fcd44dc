"""The Python lint and type gate, run by the README's ``python -m tests`` like the TypeScript one.

ruff and mypy are test extras (``pip install -e '.[test]'``): a missing tool fails here rather
than skipping, so a green run always means the gate ran.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON_TREES = ["dhhera_jupyter", "tests", "bench"]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def _tool(name: str) -> list[str]:
    """The tool as a module of this interpreter, else on PATH; a missing tool is a failure."""
    probe = _run(sys.executable, "-m", name, "--version")
    if probe.returncode == 0:
        return [sys.executable, "-m", name]
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extras: pip install -e '.[test]'")
    return [found]


def test_ruff_check_is_clean():
    result = _run(*_tool("ruff"), "check", *PYTHON_TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(*_tool("ruff"), "format", "--check", *PYTHON_TREES)
    assert result.returncode == 0, "run `ruff format`:\n" + result.stdout + result.stderr


def test_mypy_passes_on_the_package():
    result = _run(*_tool("mypy"))  # files and options: [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
