"""GET of a run from what the core keeps of it: never stale after a write, a delete or a project's removal."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from dhhera_jupyter.core.entities import ApiError
from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.run_reads import RunReads, etag_matches
from dhhera_jupyter.core.store import Store


@pytest.fixture()
def store(tmp_path: Path):
    s = Store(tmp_path / "core.sqlite")
    yield s
    s.close()


def _big_run(run_id: str = "r1", project: str = "scale") -> dict:
    build = base64.b64encode(os.urandom(300_000)).decode()  # the size of a wide pipeline's build spec
    return {
        "id": run_id,
        "project": project,
        "kind": "hera+pipeline:run",
        "spec": {"build": {"base64": build}},
        "status": {"state": "RUNNING"},
    }


def test_a_write_changes_the_etag_and_the_body_at_once(store) -> None:
    reads = RunReads(store)
    doc = store.put("run", _big_run())
    first = reads.get("scale", "r1")
    assert reads.get("scale", "r1").etag == first.etag  # unchanged: the same version
    doc["status"]["state"] = "COMPLETED"
    store.put("run", doc)
    second = reads.get("scale", "r1")
    assert second.etag != first.etag and json.loads(second.body())["status"]["state"] == "COMPLETED"
    assert second.reply(first.etag)[0] == 200 and second.reply(f'W/{second.etag}, "x"') == (304, b"")


def test_a_deleted_run_or_project_is_not_served_from_what_was_kept(store) -> None:
    reads = RunReads(store)
    store.put("run", _big_run("r1"))
    store.put("run", _big_run("r2"))
    reads.get("scale", "r1"), reads.get("scale", "r2")
    store.delete("run", "r1")
    with pytest.raises(ApiError) as gone:
        reads.get("scale", "r1")
    assert gone.value.status == 404 and "No such EntityName" in gone.value.message
    store.delete_where("scale")
    with pytest.raises(ApiError):
        reads.get("scale", "r2")


def test_a_run_of_another_project_is_not_found(store) -> None:
    store.put("run", _big_run())
    with pytest.raises(ApiError) as other:
        RunReads(store).get("elsewhere", "r1")
    assert other.value.status == 404


def test_live_nodes_are_spliced_into_the_document_in_dhcore_shape(store, tmp_path: Path) -> None:
    nodes = RunNodes(None, cadence=0)
    reads = RunReads(store, nodes)
    stored = store.put("run", _big_run())
    listed = [{"id": "r1", "state": "Running"}, {"id": "r1-1", "state": "Succeeded"}]
    nodes.update("r1", listed)
    reply = reads.get("scale", "r1")
    doc = json.loads(reply.body())
    assert doc["status"] == {"state": "RUNNING", "nodes": listed}
    assert doc["spec"] == stored["spec"]  # the stored spec, untouched
    nodes.update("r1", [listed[0], {"id": "r1-1", "state": "Failed"}])
    after = reads.get("scale", "r1")
    assert not etag_matches(reply.etag, after.etag)
    assert json.loads(after.body())["status"]["nodes"][1]["state"] == "Failed"
    nodes.close("r1")
    assert "nodes" not in json.loads(reads.get("scale", "r1").body())["status"]
