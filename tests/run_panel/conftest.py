"""Fixtures of the run panel tests: a built diamond workflow on the real local core, a gate file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ipython_shell

# Sample node lists shared with the status tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "status"))

from panel_pipelines import DIAMOND, add_workflow


@pytest.fixture()
def diamond(project: Any) -> Any:
    """A built diamond workflow ``diamond`` (a -> b, c -> d) in a fresh project."""
    return add_workflow(project, "diamond", DIAMOND)


@pytest.fixture()
def gate(tmp_path: Path) -> Path:
    """A file path steps wait for; create it to let them finish."""
    return tmp_path / "gate"


@pytest.fixture()
def shell_free_magic(core: Any) -> Any:
    """``%hera <line>`` through the dispatcher, as a terminal IPython shell runs it (text, no widgets)."""
    shell = ipython_shell()
    return lambda line: shell.run_line_magic("hera", line)
