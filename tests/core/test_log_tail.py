"""platform.logs.run_log_tail: one bounded request for the end of a run's log, through the real SDK."""

from __future__ import annotations

from pathlib import Path

from dhhera_jupyter.platform.logs import run_log_tail
from tests.core.core_client import Api


def test_the_tail_of_a_long_log_is_read_with_one_bounded_request(core, core_home: Path, project) -> None:
    client = Api(core.endpoint, core.token)
    run = client.ok(
        "POST",
        f"/api/v1/-/{project.name}/runs",
        {"kind": "python+job:run", "spec": {"local_execution": True}, "status": {"state": "CREATED"}},
    )
    log = core_home / "runs" / run["id"] / "run.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"line {i:06d} " + "é" * 20 for i in range(20000)]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")

    tail = run_log_tail(run["id"], project.name, max_bytes=2000)
    assert tail.truncated and tail.size == log.stat().st_size
    assert len(tail.text.encode()) <= 2000
    assert tail.text.endswith(lines[-1] + "\n") and tail.text.startswith("line ")  # whole lines only

    whole = run_log_tail(run["id"], project.name, max_bytes=10**9)
    assert not whole.truncated and whole.text.splitlines() == lines
