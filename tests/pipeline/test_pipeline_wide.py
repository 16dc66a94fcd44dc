"""A wide fan-in through the real SDK on the local core: the join's `depends` has one operand per step."""

from __future__ import annotations

import time

import pytest

from dhhera_jupyter.documents.build import build_spec
from tests.pipeline import pipeline_code as code
from tests.pipeline.test_pipeline_core import _built, _by_display, _fn, _logs, _wait

pytestmark = pytest.mark.slow

WIDTH = 600  # past where a recursive depends parser died (about 495 operands on main)
RUN = 6  # middle steps that run as child runs; the others are skipped by their `when`


def test_a_600_wide_fan_in_completes_and_its_join_depends_on_every_step(project) -> None:
    _fn(project, "echo", code.ECHO)
    wf = _built(project, "wide", code.WIDE_FAN_IN.format(width=WIDTH, run=RUN))
    wf.refresh()
    (dag,) = [t for t in build_spec(wf.to_dict())["templates"] if "dag" in t]
    (join,) = [t for t in dag["dag"]["tasks"] if t["name"].startswith("dag-op-end-")]
    assert join["depends"].count("&&") == WIDTH - 1

    run = _wait(wf.run(action="pipeline"), timeout=900)

    assert run.status.state == "COMPLETED", (run.status.to_dict().get("message"), _logs(project, run)[-2000:])
    nodes = _by_display(run)
    middle = [n for name, n in nodes.items() if name.startswith("dag-op-m")]
    assert len(middle) == WIDTH
    assert sorted(n["state"] for n in middle) == ["Skipped"] * (WIDTH - RUN) + ["Succeeded"] * RUN
    assert sum(1 for n in middle if n.get("run_id")) == RUN
    (end,) = [n for name, n in nodes.items() if name.startswith("dag-op-end-")]
    assert end["state"] == "Succeeded" and end.get("run_id")
    latest_middle = max(n["end_time"] for n in middle)
    assert end["start_time"] >= latest_middle, "the join starts after the last of its dependencies"
    # The core answers while and after it evaluated the join's `when` regex.
    started = time.perf_counter()
    run.refresh()
    assert time.perf_counter() - started < 5
