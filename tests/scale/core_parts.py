"""The local core's parts assembled in the test process: store, entities, run manager, pipeline runner, node lists.

The pieces are the ones the core process wires together (core/daemon.py); only the worker executor is replaced,
by :class:`InstantWorker`, which ends each child run at once as a run process that succeeded would. That keeps
what these tests measure — what the core writes per node update — free of process start-up and of the SDK,
which the tests through the real core process cover.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from dhhera_jupyter.core import run_kinds
from dhhera_jupyter.core.entities import Entities
from dhhera_jupyter.core.run_kinds import RunCallbacks
from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.run_reads import RunReads
from dhhera_jupyter.core.runs import RunManager
from dhhera_jupyter.core.store import Store
from dhhera_jupyter.executor.pipeline import PipelineRunner
from dhhera_jupyter.executor.run_executors import PipelineExecutor

PROJECT = "scale"


class CountingStore(Store):
    """A store that records the size of every document it writes, by entity type and id."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writes: list[tuple[str, str, int]] = []

    def put(self, type_: str, doc: dict) -> dict:
        self.writes.append((type_, doc["id"], len(json.dumps(doc, separators=(",", ":")))))
        return super().put(type_, doc)

    def writes_of(self, type_: str, id_: str) -> list[int]:
        return [size for t, i, size in self.writes if t == type_ and i == id_]


class InstantWorker:
    """The worker executor, replaced: every child run ends at once with exit code 0, as a run process that
    succeeded would; runs whose ``x`` parameter is in ``held`` wait for ``release`` first."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.held: set[str] = set()
        self.release = threading.Event()
        self.waiting = threading.Event()

    def start(self, run: dict, env: Mapping[str, str], callbacks: RunCallbacks) -> None:
        callbacks.on_start(run["id"])
        stored = self.store.get("run", run["id"]) or {}
        if str(((stored.get("spec") or {}).get("parameters") or {}).get("x")) in self.held:
            self.waiting.set()
            self.release.wait(60)
        callbacks.on_exit(run["id"], 0)

    def stop(self, run_id: str) -> bool:
        return False

    def shutdown(self) -> None:
        self.release.set()


@dataclass
class Core:
    store: CountingStore
    entities: Entities
    manager: RunManager
    runner: PipelineRunner
    nodes: RunNodes
    reads: RunReads
    pool: InstantWorker
    function_key: str = ""
    stopped: list[Any] = field(default_factory=list)

    def close(self) -> None:
        self.manager.shutdown()
        self.nodes.stop()
        self.store.close()


def make_core(home: Path, cadence: float = 1.0, workers: int = 2) -> Core:
    """The core's parts over a fresh data folder, with project ``scale`` and a python function ``noop``."""
    store = CountingStore(home / "core.sqlite")
    entities = Entities(store, "http://127.0.0.1:0")
    pool = InstantWorker(store)
    manager = RunManager(entities, home / "runs", lambda: {})
    nodes = RunNodes(home / "run_nodes.sqlite", cadence=cadence)
    runner = PipelineRunner(manager, SimpleNamespace(size=workers), lambda: {}, nodes=nodes)
    manager.register(run_kinds.WORKER, pool)
    manager.register(run_kinds.PIPELINE, PipelineExecutor(runner))
    entities.create_project({"name": PROJECT})
    fn = entities.create(PROJECT, "function", {"name": "noop", "kind": "python", "spec": {"handler": "noop"}})
    core = Core(store, entities, manager, runner, nodes, RunReads(store, nodes), pool, fn["key"])
    return core


def fan_spec(width: int, function_key: str) -> dict:
    """An Argo WorkflowSpec ``start → width parallel steps → end`` of DigitalHub step containers."""

    def template(x: str) -> dict:
        kwargs = {"action": "job", "parameters": {"x": x}}
        args = ["step.py", "--entity", function_key, "--kwargs", json.dumps(kwargs)]
        return {"name": f"t-{x}", "container": {"image": "dh-step", "command": ["python"], "args": args}}

    middle = [f"m{i}" for i in range(width)]
    tasks = [{"name": "start", "template": "t-start"}]
    tasks += [{"name": m, "template": f"t-{m}", "depends": "start"} for m in middle]
    tasks += [{"name": "end", "template": "t-end", "depends": " && ".join(middle)}]
    templates = [{"name": "dag", "dag": {"tasks": tasks}}] + [template(x) for x in ["start", *middle, "end"]]
    return {"entrypoint": "dag", "templates": templates}


def start_pipeline(core: Core, spec: dict) -> dict:
    """Store a pipeline run of ``spec`` (as the run manager leaves it after BUILD) and hand it to the runner."""
    build = base64.b64encode(yaml.safe_dump(spec).encode()).decode()
    run = core.entities.create(
        PROJECT, "run", {"kind": "hera+pipeline:run", "spec": {"build": {"base64": build}, "parameters": {}}}
    )
    run["status"]["state"] = "READY"
    core.store.put("run", run)
    core.runner.start(run)
    return run
