"""Fixtures of the status tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from status_samples import FIXTURES, diamond_spec

from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.graph.model import PipelineGraph


@pytest.fixture()
def diamond() -> PipelineGraph:
    return from_workflow(diamond_spec())


@pytest.fixture()
def fixture_run() -> dict[str, Any]:
    return json.loads((FIXTURES / "run-hera_pipeline_run.json").read_text())
