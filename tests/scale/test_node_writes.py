"""Node updates of a running pipeline are not written into its run document (issue 13: O(1) per update)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.run_reads import etag_matches
from tests.scale.core_parts import PROJECT, fan_spec, make_core, start_pipeline
from tests.support import wait_until


@pytest.fixture()
def core(tmp_path: Path):
    parts = make_core(tmp_path)
    yield parts
    parts.close()


def _finished(core, run_id: str) -> dict:
    return wait_until(
        lambda: (doc := core.store.get("run", run_id))["status"]["state"] in ("COMPLETED", "ERROR") and doc,
        timeout=120,
        what=f"pipeline {run_id} to end",
    )


def test_a_pipeline_writes_its_document_a_fixed_number_of_times_whatever_its_width(core) -> None:
    sizes = {}
    for width in (10, 200):
        run = start_pipeline(core, fan_spec(width, core.function_key))
        done = _finished(core, run["id"])
        assert done["status"]["state"] == "COMPLETED", done["status"].get("message")
        assert len(done["status"]["nodes"]) == width + 3  # the DAG, start, the middle steps, end
        sizes[width] = core.store.writes_of("run", run["id"])
    # created, READY, RUNNING, COMPLETED with the final nodes: the same count at 10 and 200 steps
    assert len(sizes[200]) == len(sizes[10]) <= 5, sizes
    # bytes written for the document: a few copies of it, where one copy per node update made it O(N²)
    assert sum(sizes[200]) < 5 * sizes[200][-1]


def test_every_node_change_is_persisted_at_most_once_per_cadence(core) -> None:
    started = time.monotonic()
    run = start_pipeline(core, fan_spec(50, core.function_key))
    _finished(core, run["id"])
    cadences = (time.monotonic() - started) / core.nodes.cadence  # more on a loaded machine, where the run is slower
    # 53 nodes, each written at least once when it changed; coalescing keeps it to one statement per cadence (plus
    # the first and the final write), where one statement per update would make ~150
    assert 0 < core.nodes.statements <= cadences + 2, (core.nodes.statements, cadences)
    assert core.nodes.rows_written <= 3 * 53
    assert core.nodes.persisted() == {}  # a finished pipeline's rows are gone: its document holds the list


def test_get_of_a_running_pipeline_shows_live_nodes_with_an_etag_that_moves_with_them(core) -> None:
    core.pool.held.add("end")
    run = start_pipeline(core, fan_spec(20, core.function_key))
    wait_until(core.pool.waiting.is_set, timeout=60, what="the end step to start")
    reply = wait_until(
        lambda: (r := core.reads.get(PROJECT, run["id"])) and len(r.json()["status"].get("nodes") or []) == 23 and r,
        timeout=30,
        what="the running end step to be visible",
    )
    doc = reply.json()
    stored = core.store.get("run", run["id"])
    assert "nodes" not in stored["status"]  # the document itself was not rewritten with the nodes
    assert doc["status"]["state"] == "RUNNING" and doc["spec"] == stored["spec"]
    by_name = {n["display_name"]: n for n in doc["status"]["nodes"]}
    assert by_name["end"]["state"] == "Running" and by_name["m7"]["state"] == "Succeeded"
    assert reply.reply(reply.etag) == (304, b"")
    assert reply.reply(None)[0] == 200
    core.pool.release.set()
    done = _finished(core, run["id"])
    final = core.reads.get(PROJECT, run["id"])
    assert final.etag != reply.etag and not etag_matches(reply.etag, final.etag)
    assert json.loads(final.body()) == done  # a finished run is sent as stored
    assert final.body() == json.dumps(done, separators=(",", ":")).encode()


def test_node_rows_are_written_incrementally_and_coalesced(tmp_path: Path) -> None:
    nodes = RunNodes(tmp_path / "n.sqlite", cadence=30)  # the flusher never fires within this test
    first = [{"id": f"n{i}", "state": "Running"} for i in range(100)]
    for _ in range(50):
        nodes.update("r", first)
    nodes.flush()
    assert (nodes.statements, nodes.rows_written) == (1, 100)
    second = [*first[:99], {"id": "n99", "state": "Succeeded"}]
    nodes.update("r", second)
    nodes.flush()
    assert (nodes.statements, nodes.rows_written) == (2, 101)  # one changed node: one row
    assert nodes.persisted()["r"] == second
    nodes.stop()


def test_the_flusher_writes_pending_changes_within_one_cadence(tmp_path: Path) -> None:
    nodes = RunNodes(tmp_path / "n.sqlite", cadence=0.05)
    nodes.update("r", [{"id": "a", "state": "Running"}])
    wait_until(lambda: nodes.persisted().get("r"), timeout=10, what="the flusher to write")
    nodes.stop()


def test_persisted_visibility_shows_nodes_only_once_written(tmp_path: Path) -> None:
    nodes = RunNodes(tmp_path / "n.sqlite", cadence=30, visible="persisted")
    nodes.update("r", [{"id": "a", "state": "Running"}])
    assert nodes.current("r") is None  # like DHCore before its monitor wrote: the document's own list
    nodes.flush()
    version, listed = nodes.current("r")
    nodes.update("r", [{"id": "a", "state": "Succeeded"}])
    assert nodes.current("r") == (version, listed)
    nodes.flush()
    assert nodes.current("r")[1] == [{"id": "a", "state": "Succeeded"}]
    nodes.stop()


def test_a_restarted_core_puts_persisted_nodes_into_in_flight_runs_only(core, tmp_path: Path) -> None:
    running = core.entities.create(PROJECT, "run", {"kind": "hera+pipeline:run", "status": {"state": "RUNNING"}})
    finished = core.entities.create(PROJECT, "run", {"kind": "hera+pipeline:run", "status": {"state": "COMPLETED"}})
    finished["status"]["nodes"] = [{"id": "x", "state": "Succeeded"}]
    core.store.put("run", finished)
    before = RunNodes(tmp_path / "restart.sqlite", cadence=0)
    before.update(running["id"], [{"id": "a", "state": "Succeeded"}, {"id": "b", "state": "Running"}])
    before.update(finished["id"], [{"id": "x", "state": "Running"}])
    before.stop()  # the core dies; the rows stay

    after = RunNodes(tmp_path / "restart.sqlite", cadence=0)
    assert after.recover_into(lambda i: core.store.get("run", i), lambda doc: core.store.put("run", doc)) == 1
    assert [n["id"] for n in core.store.get("run", running["id"])["status"]["nodes"]] == ["a", "b"]
    assert core.store.get("run", finished["id"])["status"]["nodes"] == [{"id": "x", "state": "Succeeded"}]
    assert after.persisted() == {}
    after.stop()
