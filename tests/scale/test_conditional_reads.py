"""Watching a run costs no body while it does not change: the local core's ETag / 304, and our poller's reads."""

from __future__ import annotations

import os

import pytest
import requests

from dhhera_jupyter.runs.poller import Poller
from tests.support import wait_until

pytestmark = pytest.mark.slow

SLEEPY = """
import time

def sleepy(x: str = "", delay: float = 0):
    time.sleep(float(delay))
    return x
"""

PIPELINE = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step

def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"x": "a", "delay": "0"}}, function="sleepy", name="a")
            b = step(template={"action": "job", "parameters": {"x": "b", "delay": "{{workflow.parameters.d}}"}},
                     function="sleepy", name="b")
            a >> b
    return w
"""


def _url(run) -> str:
    return f"{os.environ['DHCORE_ENDPOINT']}/api/v1/-/{run.project}/runs/{run.id}"


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {os.environ['DHCORE_ACCESS_TOKEN']}"}


@pytest.fixture()
def pipeline(project):
    project.new_function(name="sleepy", kind="python", code=SLEEPY, handler="sleepy", python_version="PYTHON3_11")
    wf = project.new_workflow(name="watched", kind="hera", code=PIPELINE, handler="pipeline")
    build = wf.run(action="build", parameters={"d": "0"})
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), timeout=120, what="the build")
    assert build.status.state == "COMPLETED"
    return wf


class _Listener:
    """A run listener that keeps the documents it is given."""

    active = True

    def __init__(self) -> None:
        self.docs: list[dict] = []

    def on_run(self, doc: dict) -> None:
        self.docs.append(doc)

    def on_connection(self, problem: str | None, retry_in: float | None) -> None:
        pass

    def on_gone(self, message: str) -> None:
        pass


def _state(run) -> str:
    return requests.get(_url(run), headers=_auth(), timeout=10).json()["status"]["state"]


def test_the_core_answers_304_to_the_etag_it_sent_and_the_full_document_otherwise(pipeline) -> None:
    run = pipeline.run(action="pipeline", parameters={"d": "0"})
    wait_until(lambda: _state(run) in ("COMPLETED", "ERROR"), timeout=120, what="the pipeline")
    first = requests.get(_url(run), headers=_auth(), timeout=10)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.json()["status"]["nodes"]
    again = requests.get(_url(run), headers={**_auth(), "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    other = requests.get(_url(run), headers={**_auth(), "If-None-Match": '"something-else"'}, timeout=10)
    assert other.status_code == 200 and other.json() == first.json()
    # the SDK sends no If-None-Match and reads the same document as before
    run.refresh()
    assert run.to_dict()["status"]["nodes"] == first.json()["status"]["nodes"]
    # credentials first: a wrong token gets 401, not a 304 that would confirm the run's version
    stranger = requests.get(_url(run), headers={"Authorization": "Bearer nope", "If-None-Match": etag}, timeout=10)
    assert stranger.status_code == 401


def test_the_poller_reads_pay_a_body_only_when_the_run_changed(pipeline, project) -> None:
    from dhhera_jupyter.platform import conditional

    run = pipeline.run(action="pipeline", parameters={"d": "5"})
    wait_until(
        lambda: any(
            str(n.get("display_name")).startswith("dag-op-b-") and n.get("state") == "Running"
            for n in conditional.run_doc(run.id, project.name)["status"].get("nodes") or []
        ),
        timeout=120,
        what="step b to run",
    )

    def counts() -> dict[str, int]:
        return conditional.stats_of(run.id, project.name)

    before = counts()
    # Counters of this run's reads only (other runs watched in the session do not count).
    # A read of a run that did not change since the last read is a 304 that hands back the document already held.
    # The run is live, so a node update may land between two reads: that pair pays a body, and is tried again.
    for _ in range(5):
        held = conditional.run_doc(run.id, project.name)
        pair = counts()
        same = conditional.run_doc(run.id, project.name)
        if same is held:
            break
        assert counts()["body_bytes"] > pair["body_bytes"], "a new document came without a body"
    assert same is held, "five pairs of reads in a row each saw the run change"
    assert counts()["not_modified"] - pair["not_modified"] == 1
    assert counts()["body_bytes"] == pair["body_bytes"]
    # The poller, on a 304, does no work at all: it hashes the document it first sees (held already, so that read
    # was a 304 too) and then only those that came with a body.
    listener = _Listener()
    poller = Poller(interval=(0.05, 0.05))
    bodies = counts()["requests"] - counts()["not_modified"]
    poller.watch(run.id, project.name, listener)
    wait_until(lambda: poller.requests >= 6, timeout=30, what="six polls")
    poller.unwatch(run.id, project.name, listener)
    assert poller.join(10)
    bodies = counts()["requests"] - counts()["not_modified"] - bodies
    assert poller.hashed == 1 + bodies == len(listener.docs) and poller.hashed < poller.requests
    done = wait_until(
        lambda: (d := conditional.run_doc(run.id, project.name))["status"]["state"] in ("COMPLETED", "ERROR") and d,
        timeout=120,
        what="the pipeline to end",
    )
    assert done["status"]["state"] == "COMPLETED"
    assert counts()["body_bytes"] > before["body_bytes"]
    assert done == requests.get(_url(run), headers=_auth(), timeout=10).json()


def test_a_missing_run_is_one_clear_sentence(project, dh) -> None:
    from dhhera_jupyter.errors import NotFound
    from dhhera_jupyter.platform import conditional

    with pytest.raises(NotFound, match=r"Run 'nope' does not exist in project"):
        conditional.run_doc("nope", project.name)
