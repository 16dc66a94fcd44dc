"""Fixtures of the preview tests: one finished pipeline whose step logged a table, an artifact and a model.

The route tests (``routes/``) reuse the server tests' Jupyter server fixtures there, apart from the browser tests:
pytest-jupyter's event loop fixture cannot share a session with Playwright's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

from tests.preview.preview_pipeline import run_preview_pipeline


@dataclass
class Outputs:
    """The finished run and the keys of its step's outputs."""

    project: str
    run_id: str
    keys: dict[str, str]


@pytest.fixture(scope="session")
def outputs(dh: Any) -> Outputs:
    """One pipeline run per session (its step takes a few seconds); tests only read it."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.status import snapshot

    project = dh.get_or_create_project(f"t-preview-{os.urandom(2).hex()}")
    run = run_preview_pipeline(project)
    snap = snapshot(platform.run_doc(run.id, project.name))
    step = next(s for s in snap.steps if s.outputs)
    keys = {name: value for name, value in step.outputs if name != "run_id"}
    return Outputs(project.name, run.id, keys)
