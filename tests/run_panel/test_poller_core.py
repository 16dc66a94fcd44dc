"""The poller against the real local core: one GET per run per tick, silence when nothing changes, outages,
deleted runs, and no thread left behind."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import ipywidgets
import pytest
from panel_pipelines import DIAMOND, WIDE, add_workflow, wait_for

from dhhera_jupyter import settings
from dhhera_jupyter.errors import BackendUnreachable, DhheraError, NotFound
from dhhera_jupyter.magics.run import run
from dhhera_jupyter.platform.runs import run_doc
from dhhera_jupyter.runs.poller import Poller
from dhhera_jupyter.runs.watched import WatchedRun
from dhhera_jupyter.widgets.run_panel import RunPanel

WIDTH = 12
#: Steps the local core runs at once (one per worker); the others wait, so nothing moves while gated.
BUSY = min(WIDTH, settings.workers())


class CountingFetch:
    """The real ``run_doc`` (one GET), counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, run_id: str, project: str | None) -> dict:
        self.calls += 1
        return run_doc(run_id, project)


@pytest.fixture()
def sdk_requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Every request the SDK client sends: (thread name, method, api path)."""
    from digitalhub.stores.client.http.handler import HttpRequestHandler

    seen: list[tuple[str, str, str]] = []
    original = HttpRequestHandler.execute_request

    def counted(self: Any, method: str, api: str, **kwargs: Any) -> Any:
        seen.append((threading.current_thread().name, method, api))
        return original(self, method, api, **kwargs)

    monkeypatch.setattr(HttpRequestHandler, "execute_request", counted)
    return seen


def start_gated(project: Any, name: str, gate: Path, poller: Poller) -> WatchedRun:
    wf = add_workflow(project, name, WIDE.format(width=WIDTH))
    doc = wf.run(action="pipeline", parameters={"gate": str(gate)}).to_dict()
    return WatchedRun(doc["id"], project.name, poll=poller).start()


def test_poller_makes_one_get_per_tick_whatever_the_node_count(project: Any, gate: Path, sdk_requests: list) -> None:
    fetch = CountingFetch()
    poller = Poller(fetch=fetch, interval=(0.05, 0.2))
    run_ = start_gated(project, "wide", gate, poller)
    try:
        wait_for(lambda: list(run_.nodes.values()).count("running") == BUSY, 120, "the core's slots to fill")
        polls = poller.requests
        wait_for(lambda: poller.requests >= polls + 8, 30, "eight more polls")
        run_.close()
        assert poller.join(5)  # quiescent: the counters no longer move
        polled = [r for r in sdk_requests if r[0] == "dhhera-run-poller"]
        assert poller.requests == poller.ticks == fetch.calls  # one run watched: one request per tick
        assert len(polled) == fetch.calls  # the SDK sent exactly those GETs, none per node
        assert all(method == "GET" and api.endswith(f"/runs/{run_.run_id}") for _, method, api in polled)
        assert len(run_.doc["status"]["nodes"]) > BUSY
        assert len(run_.nodes) == WIDTH
    finally:
        gate.touch()
        run_.close()


def test_no_widget_message_is_sent_while_nothing_changes(
    project: Any, gate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    original = ipywidgets.Widget._send

    def counted(self: Any, msg: dict, buffers: Any = None) -> None:
        sent.append(f"{type(self).__name__}: {str(msg)[:300]}")
        original(self, msg, buffers)

    monkeypatch.setattr(ipywidgets.Widget, "_send", counted)
    poller = Poller(interval=(0.05, 0.2))
    run_ = start_gated(project, "wide", gate, poller)
    panel = RunPanel(workflow="wide")
    panel.add_run(run_)
    try:
        wait_for(lambda: list(run_.nodes.values()).count("running") == BUSY, 120, "the core's slots to fill")
        # a running step gains its child run id a moment after it appears: that is still a change
        wait_for(
            lambda: sum(1 for n in run_.doc["status"]["nodes"] if n.get("type") == "Pod" and n.get("run_id")) == BUSY,
            30,
            "the running steps' child runs",
        )
        wait_for(lambda: run_.changed_at is not None, 5)
        wait_for(lambda: panel.dag is not None, 30, "the panel to draw the run's DAG")  # its first drawing
        polls = poller.requests
        sent.clear()
        wait_for(lambda: poller.requests >= polls + 6, 30, "six quiet polls")
        assert sent == []
        gate.touch()
        run_.wait(120)
        assert any(m.startswith("DagWidget") for m in sent) and any(
            m.startswith("ProgressView") and "succeeded" in m for m in sent
        )
    finally:
        gate.touch()
        panel.close()


def test_backend_outage_shows_reconnecting_backs_off_and_recovers(project: Any) -> None:
    wf = add_workflow(project, "diamond", DIAMOND)
    outages = [
        BackendUnreachable("The DigitalHub backend does not answer (connection refused)."),
        DhheraError("The DigitalHub backend refused the request: Backend error. 503"),
        BackendUnreachable("The DigitalHub backend does not answer (timed out)."),
    ]
    retries: list[float | None] = []

    def flaky(run_id: str, project_name: str | None) -> dict:
        if outages:
            raise outages.pop(0)
        return run_doc(run_id, project_name)

    poller = Poller(fetch=flaky, interval=(0.05, 0.2), backoff_max=0.4)
    doc = wf.run(action="pipeline", parameters={}).to_dict()
    panel = RunPanel(workflow="diamond")
    watched = WatchedRun(doc["id"], project.name, poll=poller)
    original = watched.on_connection

    def record(problem: str | None, retry_in: float | None) -> None:
        retries.append(retry_in)
        original(problem, retry_in)

    watched.on_connection = record  # type: ignore[method-assign]
    panel.add_run(watched)
    try:
        wait_for(lambda: "Reconnecting" in panel.notice.value, 10, "the reconnecting notice")
        watched.wait(120)
        assert retries == [0.2, 0.4, 0.4, None]
        assert panel.notice.value == "" and panel.state == "COMPLETED"
    finally:
        panel.close()


def test_a_run_deleted_meanwhile_says_it_no_longer_exists(project: Any, gate: Path, dh: Any) -> None:
    poller = Poller(interval=(0.05, 0.2))
    run_ = start_gated(project, "wide", gate, poller)
    panel = RunPanel(workflow="wide")
    panel.add_run(run_)
    try:
        wait_for(lambda: run_.state == "RUNNING", 60)
        dh.delete_run(run_.run_id, project=project.name)
        wait_for(lambda: "no longer exists" in panel.notice.value, 30, "the notice")
        with pytest.raises(NotFound):
            run_.wait(5)
        assert poller.join(5) and poller.thread is None
    finally:
        gate.touch()
        panel.close()


def test_closing_the_panel_ends_polling_and_the_thread(project: Any, gate: Path) -> None:
    poller = Poller(interval=(0.05, 0.2))
    run_ = start_gated(project, "wide", gate, poller)
    panel = RunPanel(workflow="wide")
    panel.add_run(run_)
    try:
        wait_for(lambda: run_.state == "RUNNING", 60)
        assert poller.thread is not None and poller.thread.is_alive()
        panel.close()
        assert poller.join(5) and poller.thread is None and poller.watched() == []
    finally:
        gate.touch()


def test_a_garbage_collected_run_stops_being_polled(project: Any, gate: Path) -> None:
    poller = Poller(interval=(0.05, 0.2))
    run_ = start_gated(project, "wide", gate, poller)
    try:
        wait_for(lambda r=run_: r.state == "RUNNING", 60)  # a default, not a closure: `del` below frees the run
        thread = poller.thread
        assert thread is not None
        del run_
        gc.collect()
        thread.join(5)
        assert not thread.is_alive() and poller.watched() == []
    finally:
        gate.touch()


def test_a_finished_run_is_no_longer_polled(project: Any) -> None:
    add_workflow(project, "diamond", DIAMOND)
    panel = run("diamond", project=project.name, panel=True)
    try:
        panel.wait(120)
        poller = panel.run._poller
        assert poller.join(5)
        assert (project.name, panel.run_id) not in poller.watched()
    finally:
        panel.close()
