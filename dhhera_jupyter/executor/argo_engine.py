"""The machinery behind :func:`dhhera_jupyter.executor.argo.execute`: calls, handles, the worker pool.

One :class:`Engine` per execution holds one re-entrant lock. Node changes, ``on_update`` calls and
scheduling decisions all happen under it; container calls run outside it in a pool of
``max_parallel`` threads, and each DAG or Steps node waits for its children in a thread of its own.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections import ChainMap
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from dhhera_jupyter.documents.when import evaluate_when
from dhhera_jupyter.errors import ExpressionError
from dhhera_jupyter.executor.argo_nodes import FAILED, NodeStore
from dhhera_jupyter.executor.argo_spec import (
    LEAF_KINDS,
    UNSUPPORTED_KINDS,
    Analysis,
    task_problem,
    template_kind,
    template_problem,
    unsupported,
)
from dhhera_jupyter.executor.argo_template import (
    UnresolvedVariable,
    as_param_string,
    item_label,
    item_values,
    substitute_all,
)

log = logging.getLogger(__name__)


def _sequence(spec: Mapping[str, Any]) -> list[str]:
    """Items of ``withSequence``: ``count`` or ``end`` (inclusive) from ``start``, printf ``format``."""
    try:
        start = int(spec.get("start") or 0)
        if spec.get("count") is not None:
            numbers = list(range(start, start + int(spec["count"])))
        else:
            end = int(spec.get("end") or 0)
            numbers = list(range(start, end + 1)) if end >= start else list(range(start, end - 1, -1))
        fmt = spec.get("format")
        return [fmt % n if fmt else str(n) for n in numbers]
    except (TypeError, ValueError) as exc:
        raise NodeError(f"withSequence {dict(spec)} is invalid: {exc}") from exc


STOP_NODE_MESSAGE = "workflow shutdown with strategy: Stop"
STOP_MESSAGE = "Stopped with strategy 'Stop'"
MAX_DEPTH = 100  # nesting levels of DAG/Steps templates, as Argo caps recursive templates


@dataclass
class ContainerCall:
    """One container or script node to run, with every ``{{...}}`` of its template resolved."""

    node_id: str
    node_name: str
    display_name: str
    template: dict
    inputs: dict[str, str]
    #: Adds fields to the running node at once (e.g. ``run_id`` as soon as a child run exists).
    annotate: Callable[[Mapping[str, Any]], None] = field(default=lambda extra: None, repr=False)


@dataclass
class ContainerResult:
    """What ``run_container`` reports; ``phase`` may force ``"Error"`` or ``"Stopped"`` (default ``"Failed"``)."""

    ok: bool
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    phase: str | None = None


@dataclass
class Call:
    """A request to run one template as one node (a DAG task, a step, a fan-out item or the root)."""

    name: str
    display: str
    template: str | None
    args: dict[str, str]
    parents: list[str]
    task: Mapping[str, Any] | None = None
    halted: Callable[[], bool] = lambda: False
    #: Told (lock held) when a handle of this call is done: how a DAG or Steps runner counts its children
    #: down without rescanning them.
    on_done: Callable[[Handle], None] | None = None


@dataclass
class Handle:
    """The progress of one :class:`Call`; ``phase`` stays ``None`` when the node never started."""

    display: str
    done: bool = False
    phase: str | None = None
    node_id: str | None = None
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    result: str | None = None
    exit_code: str | None = None
    on_done: Callable[[Handle], None] | None = field(default=None, repr=False)


class NodeError(Exception):
    """A node cannot start (missing input, bad argument); it becomes an Error node with this message."""


class Runner(Protocol):
    """A DAG or Steps runner: built for one node, ``run()`` (lock held) returns its phase, outputs and message."""

    def __init__(self, engine: Engine, call: Call, template: dict, node_id: str) -> None: ...

    def run(self) -> tuple[str, dict[str, str], str]: ...


class Engine:
    """The state of one execution; every method is called with ``self.lock`` held unless it says otherwise."""

    def __init__(
        self,
        analysis: Analysis,
        workflow_name: str,
        run_container: Callable[[ContainerCall], ContainerResult],
        store: NodeStore,
        stop_event: threading.Event,
        max_parallel: int,
        runners: Mapping[str, type[Runner]],
    ) -> None:
        self.analysis = analysis
        self.runners = runners
        self.workflow_name = workflow_name
        self.run_container = run_container
        self.store = store
        self.stop_event = stop_event
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.pool = ThreadPoolExecutor(max_parallel, thread_name_prefix="argo-node")
        self.globals = {"workflow.name": workflow_name}
        self.globals.update({f"workflow.parameters.{k}": v for k, v in analysis.parameters.items()})
        self.failures: list[tuple[bool, str, str]] = []  # (handled, display name, message), in order

    def stopped(self) -> bool:
        return self.stop_event.is_set()

    def wait(self) -> None:
        """Wait for any node to change (the timeout only guards against a lost notification)."""
        self.cond.wait(timeout=1.0)

    def record_failure(self, handle: Handle, handled: bool) -> None:
        if handle.phase in FAILED and handle.message and handle.message != STOP_NODE_MESSAGE:
            self.failures.append((handled, handle.display, handle.message))

    def finish_handle(self, handle: Handle, phase: str | None, message: str = "") -> Handle:
        first = not handle.done
        handle.done, handle.phase, handle.message = True, phase, message
        if first and handle.on_done is not None:
            handle.on_done(handle)
        self.cond.notify_all()
        return handle

    def fail_now(self, call: Call, node_type: str, message: str, inputs: Mapping[str, str] | None = None) -> Handle:
        """Create ``call``'s node directly in phase Error and return its finished handle."""
        handle = Handle(call.display, on_done=call.on_done)
        handle.node_id = self.store.create(
            call.name, call.display, node_type, "Error", parents=call.parents, inputs=inputs, message=message
        )
        self.store.emit()
        return self.finish_handle(handle, "Error", message)

    def finished_node(self, call: Call, phase: str, message: str) -> Handle:
        """A ``Skipped`` node (type Skipped) in ``phase`` Skipped or Omitted, which ran nothing."""
        handle = Handle(call.display, on_done=call.on_done)
        handle.node_id = self.store.create(
            call.name, call.display, "Skipped", phase, parents=call.parents, message=message
        )
        self.store.emit()
        return self.finish_handle(handle, phase)

    def _inputs(self, template: Mapping[str, Any], args: Mapping[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for param in (template.get("inputs") or {}).get("parameters") or []:
            name = str(param.get("name"))
            value = args.get(name, param.get("value", param.get("default")))
            if value is None and param.get("valueFrom"):
                raise NodeError(unsupported("input parameter valueFrom"))
            if value is None:
                raise NodeError(f"input parameter '{name}' of template '{template.get('name')}' was not supplied")
            values[name] = as_param_string(value)
        return values

    def call_args(self, task: Mapping[str, Any]) -> dict[str, str]:
        """The argument parameters a task or step passes to its template (those without a value pass nothing)."""
        args: dict[str, str] = {}
        for param in (task.get("arguments") or {}).get("parameters") or []:
            if param.get("valueFrom"):
                raise NodeError(unsupported("argument valueFrom"))
            if param.get("value") is not None:
                args[str(param.get("name"))] = as_param_string(param["value"])
        return args

    def expand(self, task: Mapping[str, Any]) -> list[Any] | None:
        """The items of a ``withItems``/``withParam``/``withSequence`` task, ``None`` when it does not fan out."""
        if task.get("withItems") is not None:
            return list(task["withItems"])
        if task.get("withParam") is not None:
            text = task["withParam"]
            try:
                items = text if isinstance(text, list) else json.loads(text)
            except ValueError:
                items = None
            if not isinstance(items, list):
                raise NodeError(f"withParam value could not be parsed as a JSON list: {str(text).strip()}")
            return items
        if task.get("withSequence") is not None:
            return _sequence(task["withSequence"])
        return None

    def start_task(
        self,
        name: str,
        display: str,
        task: Mapping[str, Any],
        scope: dict[str, str],
        parents: list[str],
        *,
        halted: Callable[[], bool],
        group: bool,
        on_done: Callable[[Handle], None] | None = None,
    ) -> tuple[list[Handle], bool, str | None]:
        """Start a DAG task or a step: one node, or one per item under a TaskGroup node (``group``) or ``parents``.

        Returns the handles, whether the task fanned out, and the TaskGroup node id (or ``None``); ``on_done``
        is told about each handle as it is done (also those done before this returns).
        """
        call = Call(name, display, None, {}, parents, task, halted, on_done)
        if problem := task_problem(task):
            return [self.fail_now(call, "Skipped", problem)], False, None
        try:
            # A view, not a copy: a task of a 1000-wide DAG must not copy the scope of all the others.
            values = ChainMap(scope, self.globals)
            partial = substitute_all(task, values, ("tasks.", "steps.", "inputs.", "workflow."))
            items = self.expand(partial)
        except (UnresolvedVariable, NodeError) as exc:
            return [self.fail_now(call, "Skipped", str(exc))], False, None
        if items is None:
            return [self._start_one(call, partial, {})], False, None
        if not items:
            return [self.finished_node(call, "Skipped", "Skipped, empty params")], False, None
        # Each item resolves its own copy of the task: without the (possibly long) item list.
        partial = {k: v for k, v in partial.items() if k not in ("withItems", "withParam", "withSequence")}
        group_id = None
        if group:
            group_id = self.store.create(name, display, "TaskGroup", "Running", parents=parents)
            parents = [group_id]
        handles = []
        for index, item in enumerate(items):
            label = f"({index}:{item_label(item)})"
            item_call = Call(name + label, display + label, None, {}, parents, task, on_done=on_done)
            handles.append(self._start_one(item_call, partial, item_values(item)))
        self.store.emit()
        return handles, True, group_id

    def _start_one(self, call: Call, task: Mapping[str, Any], item: Mapping[str, str]) -> Handle:
        try:
            resolved = substitute_all(task, item, True)
            call.task, call.template = resolved, resolved.get("template")
            when = resolved.get("when")
            if when not in (None, "") and not evaluate_when(as_param_string(when)):
                return self.finished_node(call, "Skipped", f"when '{when}' evaluated false")
            call.args = self.call_args(resolved)
        except (UnresolvedVariable, ExpressionError, NodeError) as exc:
            return self.fail_now(call, "Skipped", str(exc))
        return self.invoke(call)

    def invoke(self, call: Call) -> Handle:
        """Start ``call``: a container or script goes to the worker pool, a DAG or Steps gets its own thread."""
        template = self.analysis.templates.get(call.template or "")
        problem = task_problem(call.task) if call.task is not None else None
        if problem is None and template is None:
            problem = f"template '{call.template}' does not exist"
        if problem is not None or template is None:
            return self.fail_now(call, "Skipped", problem or "")
        kind = template_kind(template)
        if call.name.count(".") > MAX_DEPTH:
            return self.fail_now(
                call, "Skipped", f"maximum template nesting depth ({MAX_DEPTH}) exceeded: a recursion?"
            )
        if problem := template_problem(template):
            return self.fail_now(call, UNSUPPORTED_KINDS.get(kind, "Skipped"), problem)
        inputs: dict[str, str] = {}
        try:
            inputs = self._inputs(template, call.args)
            values = {**self.globals, **{f"inputs.parameters.{k}": v for k, v in inputs.items()}}
            strict: bool | tuple[str, ...] = True if kind in LEAF_KINDS else ("inputs.", "workflow.")
            resolved = substitute_all(template, values, strict)
        except (NodeError, UnresolvedVariable) as exc:
            return self.fail_now(call, "Skipped", f"{exc} (template '{template.get('name')}')", inputs)
        handle = Handle(call.display, on_done=call.on_done)
        if kind in LEAF_KINDS:
            self.pool.submit(self._guard, self._run_leaf, call, resolved, inputs, handle)
            return handle
        node_type = "DAG" if kind == "dag" else "Steps"
        handle.node_id = self.store.create(
            call.name, call.display, node_type, "Running", parents=call.parents, inputs=inputs
        )
        self.store.emit()
        runner = self.runners[kind]
        thread = threading.Thread(
            target=self._guard,
            args=(self._run_composite, runner, call, resolved, handle),
            name=f"argo-{node_type.lower()}",
            daemon=True,
        )
        thread.start()
        return handle

    def _guard(self, body: Callable[..., None], *args: Any) -> None:
        """Run ``body`` in a worker; an unexpected exception errors the node instead of hanging the run."""
        handle: Handle = args[-1]
        try:
            body(*args)
        except Exception as exc:  # reported on the node, the run goes on
            log.exception("Argo interpreter error")
            with self.lock:
                message = f"local core error: {type(exc).__name__}: {exc}"
                if handle.node_id is not None and self.store.nodes[handle.node_id]["state"] not in ("Failed", "Error"):
                    self.store.finish(handle.node_id, "Error", message=message)
                    self.store.emit()
                if not handle.done:
                    self.finish_handle(handle, "Error", message)

    def _run_leaf(self, call: Call, template: dict, inputs: dict[str, str], handle: Handle) -> None:
        with self.lock:
            if self.stopped() or call.halted():
                self.finish_handle(handle, None)
                return
            handle.node_id = self.store.create(
                call.name, call.display, "Pod", "Running", parents=call.parents, inputs=inputs
            )
            self.store.emit()
        request = ContainerCall(
            handle.node_id,
            call.name,
            call.display,
            template,
            dict(inputs),
            annotate=functools.partial(self._annotate, handle.node_id),
        )
        try:
            result = self.run_container(request)
        except Exception as exc:  # a crashing runner is that step's error
            log.exception("run_container failed for %s", call.name)
            result = ContainerResult(ok=False, message=f"{type(exc).__name__}: {exc}", phase="Error")
        with self.lock:
            phase, message = self._leaf_phase(result)
            outputs: dict[str, str] = {}
            for param in (template.get("outputs") or {}).get("parameters") or []:
                name = str(param.get("name"))
                value = result.outputs.get(name, (param.get("valueFrom") or {}).get("default"))
                if value is not None:
                    outputs[name] = as_param_string(value)
                elif phase == "Succeeded":
                    phase, message = "Failed", f"output parameter '{name}' was never produced"
            handle.outputs, handle.exit_code = outputs, "0" if result.ok else "1"
            if "result" in result.outputs and "result" not in outputs:
                handle.result = result.outputs["result"]
            self.store.finish(
                handle.node_id, phase, message=message, outputs=outputs, exit_code=handle.exit_code, extra=result.extra
            )
            self.store.emit()
            self.finish_handle(handle, phase, message)

    def _annotate(self, node_id: str, extra: Mapping[str, Any]) -> None:
        with self.lock:
            self.store.annotate(node_id, extra)
            self.store.emit()

    def _leaf_phase(self, result: ContainerResult) -> tuple[str, str]:
        if result.phase == "Stopped" or (not result.ok and self.stopped()):
            return "Failed", STOP_NODE_MESSAGE
        if result.ok:
            return "Succeeded", ""
        return ("Error" if result.phase == "Error" else "Failed"), result.message or "step failed"

    def _run_composite(self, runner: type[Runner], call: Call, template: dict, handle: Handle) -> None:
        with self.lock:
            assert handle.node_id is not None
            phase, handle.outputs, message = runner(self, call, template, handle.node_id).run()
            self.store.finish(handle.node_id, phase, message=message, outputs=handle.outputs)
            self.store.emit()
            self.finish_handle(handle, phase, message)

    def run_root(self, spec: Mapping[str, Any]) -> tuple[str, str]:
        """Run the entrypoint (and report an ``onExit`` handler); return the workflow phase and message."""
        root = Call(self.workflow_name, self.workflow_name, self.analysis.entrypoint, self.analysis.parameters, [])
        with self.lock:
            handle = self.invoke(root)
            while not handle.done:
                self.wait()
        self.pool.shutdown(wait=True)
        with self.lock:
            self.record_failure(handle, False)
            if spec.get("onExit"):
                exit_call = Call(f"{self.workflow_name}.onExit", f"{self.workflow_name}.onExit", None, {}, [])
                exit_handle = self.fail_now(exit_call, "Pod", unsupported("onExit handler"))
                self.record_failure(exit_handle, False)
                if handle.phase == "Succeeded":
                    handle.phase = "Error"
            for nid in self.store.unfinished():
                self.store.finish(nid, "Failed", message=STOP_NODE_MESSAGE if self.stopped() else "never finished")
            self.store.emit()
            phase = handle.phase or "Failed"
            if phase != "Succeeded" and self.stopped():
                return "Stopped", STOP_MESSAGE
            if phase == "Succeeded":
                return phase, ""
            failures = [f for f in self.failures if not f[0]] or self.failures
            if failures:
                return phase, f"step '{failures[0][1]}' failed: {failures[0][2]}"
            return phase, handle.message or f"workflow {phase.lower()}"
