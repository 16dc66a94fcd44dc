"""Helpers for the Argo interpreter tests: a scriptable container runner, a node-list checker, spec builders.

The runner is the injected executor of ``execute`` (what the local core passes in), not a mock
of anything: it records calls and concurrency, fails named steps and can hold a step until the
test releases it. This module holds no tests.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.node_fields import NODE_FIELDS, NODE_LABEL_FIELDS
from dhhera_jupyter.executor.argo import ContainerCall, ContainerResult, Outcome, execute

PHASES = {"Pending", "Running", "Succeeded", "Failed", "Error", "Skipped", "Omitted"}
FINAL = {"Succeeded", "Failed", "Error", "Skipped", "Omitted"}
TYPES = {"DAG", "Steps", "StepGroup", "Pod", "Skipped", "TaskGroup", "Suspend", "HTTP", "Plugin"}
DTO_FIELDS = {*NODE_FIELDS, *NODE_LABEL_FIELDS}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
WAIT = 30.0  # generous deadline for anything that should happen "soon"


def check_nodes(nodes: list[dict], workflow_name: str, extra_fields: set[str] = frozenset()) -> None:
    """Assert ``nodes`` is a valid DHCore ``status.nodes`` list (contract §5.3)."""
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids)), f"duplicate node ids in {ids}"
    assert ids and ids[0] == workflow_name, "the root node comes first and is named after the workflow"
    for node in nodes:
        assert set(node) <= DTO_FIELDS | extra_fields, f"unexpected fields {set(node) - DTO_FIELDS} in {node}"
        for key in ("id", "name", "display_name", "type", "state", "start_time"):
            assert isinstance(node.get(key), str) and node[key], f"{key} missing in {node}"
        assert all(value not in (None, "", [], {}) for value in node.values()), f"empty field kept in {node}"
        assert node["state"] in PHASES, node
        assert node["type"] in TYPES, node
        assert TIME.fullmatch(node["start_time"]), node
        if node["state"] in FINAL:
            assert TIME.fullmatch(node.get("end_time", "")), f"finished node without end_time: {node}"
        else:
            assert "end_time" not in node, node
        if node["id"] == workflow_name:
            assert node["name"] == workflow_name and node["display_name"] == workflow_name
        else:
            assert re.fullmatch(re.escape(workflow_name) + r"-\d+", node["id"]), node
            assert node["name"].startswith(workflow_name), node
        for child in node.get("children", []):
            assert child in ids, f"child {child} of {node['name']} is not a node"
        for key in ("inputs", "outputs"):
            for param in node.get(key, []):
                assert set(param) == {"name", "value"} and all(isinstance(v, str) for v in param.values()), node
        if "exit_code" in node:
            assert node["exit_code"] in ("0", "1"), node


class Recorder:
    """``on_update`` that checks every list it receives and notices overlapping calls."""

    def __init__(self, workflow_name: str, extra_fields: set[str] = frozenset()) -> None:
        self.workflow_name = workflow_name
        self.extra_fields = extra_fields
        self.updates: list[list[dict]] = []
        self.overlaps = 0
        self._busy = threading.Lock()

    def state_of(self, display_name: str) -> str | None:
        """The latest reported state of a node, ``None`` before it exists."""
        latest = self.updates[-1] if self.updates else []
        return next((n["state"] for n in latest if n["display_name"] == display_name), None)

    def wait_state(self, display_name: str, state: str) -> None:
        deadline = time.monotonic() + WAIT
        while self.state_of(display_name) != state:
            assert time.monotonic() < deadline, f"{display_name} never became {state}"
            time.sleep(0.01)

    def __call__(self, nodes: list[dict]) -> None:
        if not self._busy.acquire(blocking=False):
            self.overlaps += 1
            return
        try:
            check_nodes(nodes, self.workflow_name, self.extra_fields)
            self.updates.append(nodes)
        finally:
            self._busy.release()


@dataclass
class Runner:
    """The injected ``run_container``: records calls, fails or holds named steps, tracks concurrency.

    Parameters
    ----------
    fail
        Display name -> message (or a full ``ContainerResult``) of steps that fail.
    outputs
        Given a call, the output parameters it produces; by default every declared output gets
        ``"<display>:<name>"``.
    hold
        Display names of steps that wait until :meth:`release` (or the stop event, if given).
    """

    fail: Mapping[str, str | ContainerResult] = field(default_factory=dict)
    outputs: Callable[[ContainerCall], dict[str, str]] | None = None
    hold: set[str] = field(default_factory=set)
    stop_event: threading.Event | None = None
    calls: list[ContainerCall] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    active: int = 0
    max_active: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._gates = {name: threading.Event() for name in self.hold}
        self._started = {name: threading.Event() for name in self.hold}

    def __call__(self, call: ContainerCall) -> ContainerResult:
        with self._lock:
            self.calls.append(call)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if call.display_name in self._gates:
                self._started[call.display_name].set()
                deadline = time.monotonic() + WAIT
                while not self._gates[call.display_name].wait(0.01):
                    if self.stop_event is not None and self.stop_event.is_set():
                        return ContainerResult(ok=False, message="stopped", phase="Failed")
                    assert time.monotonic() < deadline, f"{call.display_name} was never released"
            failure = self.fail.get(call.display_name)
            if isinstance(failure, ContainerResult):
                return failure
            if failure is not None:
                return ContainerResult(ok=False, message=failure)
            if self.outputs is not None:
                return ContainerResult(ok=True, outputs=self.outputs(call))
            declared = (call.template.get("outputs") or {}).get("parameters") or []
            return ContainerResult(ok=True, outputs={p["name"]: f"{call.display_name}:{p['name']}" for p in declared})
        finally:
            with self._lock:
                self.active -= 1
                self.finished.append(call.display_name)

    def wait_started(self, name: str) -> None:
        assert self._started[name].wait(WAIT), f"{name} never started"

    def release(self, name: str) -> None:
        self._gates[name].set()

    @property
    def order(self) -> list[str]:
        return [call.display_name for call in self.calls]


def run(
    spec: dict,
    runner: Runner | None = None,
    *,
    parameters: Mapping[str, str] | None = None,
    workflow_name: str = "wf",
    max_parallel: int = 4,
    stop_event: threading.Event | None = None,
    recorder: Recorder | None = None,
    **kwargs: Any,
) -> tuple[Outcome, Runner, Recorder]:
    """Execute ``spec`` with a runner and a checking recorder; assert the final list is valid too."""
    runner = runner or Runner()
    recorder = recorder or Recorder(workflow_name, {"message"} if kwargs.get("node_messages") else set())
    outcome = execute(
        spec,
        workflow_name=workflow_name,
        parameters=parameters or {},
        run_container=runner,
        on_update=recorder,
        stop_event=stop_event or threading.Event(),
        max_parallel=max_parallel,
        **kwargs,
    )
    check_nodes(outcome.nodes, workflow_name, recorder.extra_fields)
    assert recorder.overlaps == 0, "on_update was called concurrently"
    assert recorder.updates and recorder.updates[-1] == outcome.nodes
    assert all(node["state"] in FINAL for node in outcome.nodes), "a node was left unfinished"
    return outcome, runner, recorder


def by_display(outcome: Outcome) -> dict[str, dict]:
    """Nodes by display name (unique in the small specs of these tests)."""
    return {node["display_name"]: node for node in outcome.nodes}


def states(outcome: Outcome) -> dict[str, str]:
    return {node["display_name"]: node["state"] for node in outcome.nodes}


def container(name: str, inputs: tuple[str, ...] = (), outputs: tuple[str, ...] = ("o",), **extra: Any) -> dict:
    """A container template echoing its inputs, with output parameters read from files as DigitalHub does."""
    template: dict[str, Any] = {
        "name": name,
        "container": {"image": "img", "command": ["echo"], "args": [f"{{{{inputs.parameters.{i}}}}}" for i in inputs]},
        **extra,
    }
    if inputs:
        template["inputs"] = {"parameters": [{"name": i} for i in inputs]}
    if outputs:
        template["outputs"] = {"parameters": [{"name": o, "valueFrom": {"path": f"/tmp/entity_{o}"}} for o in outputs]}
    return template


def task(name: str, template: str = "c", depends: str | None = None, args: Mapping[str, Any] | None = None, **extra):
    """A DAG task (or a step, without ``depends``)."""
    out: dict[str, Any] = {"name": name, "template": template, **extra}
    if depends:
        out["depends"] = depends
    if args:
        out["arguments"] = {"parameters": [{"name": k, "value": v} for k, v in args.items()]}
    return out


def dag_spec(tasks: list[dict], *templates: dict, params: Mapping[str, str | None] | None = None) -> dict:
    """A workflow whose entrypoint ``main`` is a DAG of ``tasks``; template ``c`` is a plain container by default."""
    defaults = [] if any(t["name"] == "c" for t in templates) else [container("c")]
    spec: dict[str, Any] = {
        "entrypoint": "main",
        "templates": [{"name": "main", "dag": {"tasks": tasks}}, *defaults, *templates],
    }
    if params is not None:
        spec["arguments"] = {
            "parameters": [{"name": k, **({"value": v} if v is not None else {})} for k, v in params.items()]
        }
    return spec
