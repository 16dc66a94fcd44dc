"""DAG and Steps templates: when each task or step starts, and the phase the template ends in, as Argo decides.

A runner lives in the thread of its DAG/Steps node and runs with the engine lock held, releasing it
only while it waits for a child to change.
"""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.depends import TaskRef, evaluate_depends
from dhhera_jupyter.executor.argo_engine import Call, Engine, Handle
from dhhera_jupyter.executor.argo_nodes import FAILED, FULFILLED
from dhhera_jupyter.executor.argo_spec import continue_on, unsupported
from dhhera_jupyter.executor.argo_template import UnresolvedVariable, as_param_string, substitute

NOT_STARTED = ""  # phase of a task whose node was never created (stop, or fail-fast before a worker was free)


@dataclass
class TaskRun:
    """One DAG task or step: its handles (one, or one per item) and, once settled, its phase and outputs."""

    handles: list[Handle]
    expanded: bool = False
    group_id: str | None = None
    phase: str | None = None
    node_id: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    aggregate: str | None = None
    result: str | None = None
    exit_code: str | None = None
    child_phases: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.phase is None

    def settle(self, engine: Engine, handled: set[str]) -> bool:
        """Once every handle is done: take phase and outputs, close the TaskGroup; ``True`` if it settled now."""
        if self.phase is not None or not all(h.done for h in self.handles):
            return False
        for handle in self.handles:
            engine.record_failure(handle, handle.phase in handled)
        if not self.expanded:
            first = self.handles[0]
            self.phase = first.phase or NOT_STARTED
            self.node_id, self.outputs, self.result = first.node_id, first.outputs, first.result
            self.exit_code = first.exit_code
            return True
        # Items never started only when stopping; their group cannot have succeeded.
        self.child_phases = [h.phase or "Failed" for h in self.handles]
        self.phase = next((p for p in reversed(self.child_phases) if p in FAILED), "Succeeded")
        names = dict.fromkeys(name for h in self.handles for name in h.outputs)
        self.outputs = {n: json.dumps([h.outputs[n] for h in self.handles if n in h.outputs]) for n in names}
        self.aggregate = json.dumps([h.outputs for h in self.handles if h.outputs])
        results = [h.result for h in self.handles if h.result is not None]
        self.result = json.dumps(results) if results else None
        self.node_id = self.group_id
        if self.group_id is not None:
            engine.store.finish(self.group_id, self.phase)
        return True

    def scope(self, prefix: str) -> dict[str, str]:
        """``tasks.<name>.*`` or ``steps.<name>.*`` variables of a settled run."""
        values = {f"{prefix}.status": self.phase or ""}
        if self.node_id:
            values[f"{prefix}.id"] = self.node_id
        if self.exit_code:
            values[f"{prefix}.exitCode"] = self.exit_code
        values.update({f"{prefix}.outputs.parameters.{k}": v for k, v in self.outputs.items()})
        if self.aggregate is not None:
            values[f"{prefix}.outputs.parameters"] = self.aggregate
        if self.result is not None:
            values[f"{prefix}.outputs.result"] = self.result
        return values


def template_outputs(template: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, str]:
    """Output parameters of a DAG/Steps template, from ``valueFrom.parameter`` (or ``value``, or the default).

    Raises
    ------
    ValueError
        When an output cannot be resolved and has no default.
    """
    outputs: dict[str, str] = {}
    for param in (template.get("outputs") or {}).get("parameters") or []:
        name, value_from = str(param.get("name")), param.get("valueFrom") or {}
        if value_from.get("expression"):
            raise ValueError(unsupported("output valueFrom.expression"))
        source, default = value_from.get("parameter", param.get("value")), value_from.get("default")
        try:
            if source is None:
                raise UnresolvedVariable(name, f"output parameter '{name}' has no valueFrom.parameter")
            outputs[name] = substitute(as_param_string(source), values, True)
        except UnresolvedVariable as exc:
            if default is None:
                raise ValueError(f"output parameter '{name}' of template '{template.get('name')}': {exc}") from exc
            outputs[name] = as_param_string(default)
    return outputs


def _conclude(engine: Engine, template: Mapping[str, Any], phase: str, scope: Mapping[str, str]) -> tuple:
    if phase != "Succeeded":
        return phase, {}, ""
    try:
        return phase, template_outputs(template, {**engine.globals, **scope}), ""
    except ValueError as exc:
        return "Error", {}, str(exc)


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


class DagRun:
    """Dispatch a DAG's tasks as their ``depends`` allow, honouring fail-fast, then assess the DAG phase."""

    def __init__(self, engine: Engine, call: Call, template: dict, node_id: str) -> None:
        self.e = engine
        self.name = call.name
        self.node_id = node_id
        self.template = template
        self.info = engine.analysis.dags[template["name"]]
        self.tasks = {task["name"]: task for task in template["dag"].get("tasks") or []}
        self.runs: dict[str, TaskRun] = {}
        # Kept incrementally so that a round of the loop costs what changed, not the size of the DAG.
        self.unsettled: dict[str, TaskRun] = {}
        # A task is ready when all its dependencies settled fulfilled: counted down, never rescanned.
        self.position = {name: i for i, name in enumerate(self.info.order)}
        self.missing = {name: len(self.info.deps[name]) for name in self.info.order}
        self.dependents: dict[str, list[str]] = {}
        for name in self.info.order:
            for dep in self.info.deps[name]:
                self.dependents.setdefault(dep, []).append(name)
        self.ready = [(self.position[name], name) for name in self.info.order if not self.missing[name]]
        self.scope: dict[str, str] = {}  # tasks.<name>.* of the settled tasks
        self.halted: str | None = None  # the failure phase that stopped new dispatches (fail-fast)
        # Handles report when they are done (Call.on_done): a task is settled when its count reaches its
        # number of handles, so no round rescans the running tasks.
        self.done_handles: dict[str, int] = {}
        self.dispatched: dict[str, int] = {}  # task -> dispatch sequence: tasks settle in dispatch order
        self.all_done: list[str] = []  # tasks whose handles are all done, not yet settled
        self.failed_early = False  # a handle failed unhandled (maybe not settled yet): what fail-fast asks

    def run(self) -> tuple[str, dict[str, str], str]:
        while True:
            changed = self._settle()
            changed = self._dispatch() or changed
            if not changed:
                if not self.unsettled:
                    break
                self.e.wait()
        phase = self._phase()
        leaves = [self.runs[t].node_id for t in self.info.targets if t in self.runs and self.runs[t].node_id]
        self.e.store.outbound[self.node_id] = _unique(
            [o for nid in leaves if nid for o in self.e.store.outbound_of(nid)]
        )
        scope = {k: v for name, run in self.runs.items() for k, v in run.scope(f"tasks.{name}").items()}
        return _conclude(self.e, self.template, phase, scope)

    def _handle_done(self, name: str, handle: Handle) -> None:
        """A handle of task ``name`` is done (engine lock held; maybe before ``start_task`` returned)."""
        if handle.phase in FAILED and handle.phase not in self.info.handled[name]:
            self.failed_early = True
        self.done_handles[name] = self.done_handles.get(name, 0) + 1
        self._check_done(name)

    def _check_done(self, name: str) -> None:
        run = self.runs.get(name)
        if run is not None and self.done_handles.get(name, 0) == len(run.handles):
            self.all_done.append(name)

    def _settle(self) -> bool:
        changed = False
        batch = sorted(self.all_done, key=self.dispatched.__getitem__)
        self.all_done.clear()
        for name in batch:
            run = self.unsettled[name]
            if not run.settle(self.e, self.info.handled[name]):
                continue
            del self.unsettled[name]
            self.scope.update(run.scope(f"tasks.{name}"))
            if run.phase in FULFILLED:
                for dependent in self.dependents.get(name, ()):
                    self.missing[dependent] -= 1
                    if not self.missing[dependent]:
                        heapq.heappush(self.ready, (self.position[dependent], dependent))
            changed = True
            failed = run.phase in FAILED and run.phase not in self.info.handled[name]
            if failed and self.info.fail_fast and self.halted is None:
                self.halted = run.phase
        if changed:
            self.e.store.emit()
        return changed

    def _dispatch(self) -> bool:
        if self.e.stopped():
            return False
        changed = False
        held: list[tuple[int, str]] = []  # ready, but fail-fast holds them back
        while self.ready:
            position, name = heapq.heappop(self.ready)
            tree, call_name = self.info.trees[name], f"{self.name}.{name}"
            on_done = functools.partial(self._handle_done, name)
            if tree is not None and not evaluate_depends(tree, self._result_of):
                call = Call(call_name, name, None, {}, self._parents(name), on_done=on_done)
                handle = self.e.finished_node(call, "Omitted", "omitted: depends condition not met")
                self.runs[name] = TaskRun([handle])
            elif self.halted is None:
                handles, expanded, group_id = self.e.start_task(
                    call_name,
                    name,
                    self.tasks[name],
                    self.scope,
                    self._parents(name),
                    halted=self._halting,
                    group=True,
                    on_done=on_done,
                )
                self.runs[name] = TaskRun(handles, expanded=expanded, group_id=group_id)
            else:
                held.append((position, name))
                continue
            self.unsettled[name] = self.runs[name]
            self.dispatched[name] = len(self.dispatched)
            self._check_done(name)  # the handles that were done before start_task returned
            changed = True
        for item in held:
            heapq.heappush(self.ready, item)
        return changed

    def _halting(self) -> bool:
        """Fail-fast, asked by a queued task as it gets a worker: has an unhandled failure happened yet?

        It asks the handles' reports rather than ``halted`` because the failed task may have finished
        an instant ago, before this DAG's thread took note of it.
        """
        return self.halted is not None or (self.info.fail_fast and self.failed_early)

    def _result_of(self, ref: TaskRef) -> bool:
        run = self.runs[ref.task]
        phase, result = run.phase or "", ref.result
        if result is None:  # Argo: (A.Succeeded || A.Skipped || A.Daemoned), plus what continueOn allows
            return phase in ("Succeeded", "Skipped") or phase in continue_on(self.info.tasks[ref.task])
        if result == "AnySucceeded":
            return any(p == "Succeeded" for p in run.child_phases or [phase])
        if result == "AllFailed":
            return all(p == "Failed" for p in run.child_phases or [phase])
        if result == "Daemoned":  # daemons are not supported, so never daemoned
            return False
        return phase == ("Error" if result == "Errored" else result)

    def _parents(self, name: str) -> list[str]:
        ids = [
            out
            for dep in self.info.deps[name]
            if (nid := self.runs[dep].node_id) is not None
            for out in self.e.store.outbound_of(nid)
        ]
        return _unique(ids) or [self.node_id]

    def _phase(self) -> str:
        """Argo's assessDAGPhase: a target inherits the last completed phase of its branch through Skipped/Omitted."""
        if self.e.stopped():
            return "Failed"
        memo = self._branch_phases()
        for target in self.info.targets:
            phase = memo.get(target)
            if phase is None and self.halted:
                return self.halted
            if phase in FAILED and phase not in continue_on(self.info.tasks[target]):
                return phase
        return self.halted or "Succeeded"

    def _branch_phases(self) -> dict[str, str | None]:
        """Each task's phase, a Skipped/Omitted one replaced by the first failure among its dependencies' phases
        (else Succeeded). Post-order with an explicit stack: a 1000-deep chain of skipped tasks needs no recursion."""
        memo: dict[str, str | None] = {}
        for target in self.info.targets:
            stack = [target]
            while stack:
                name = stack[-1]
                if name in memo:
                    stack.pop()
                    continue
                run = self.runs.get(name)
                phase = run.phase if run is not None else None
                if phase not in ("Skipped", "Omitted"):
                    memo[name] = phase or None
                    stack.pop()
                    continue
                todo = [dep for dep in self.info.deps[name] if dep not in memo]
                if todo:
                    stack.extend(todo)
                    continue
                inherited = (memo[dep] for dep in self.info.deps[name])
                memo[name] = next((p for p in inherited if p in FAILED), "Succeeded")
                stack.pop()
        return memo


class StepsRun:
    """Run step groups one after the other, the steps of a group in parallel; a failed group ends the template."""

    def __init__(self, engine: Engine, call: Call, template: dict, node_id: str) -> None:
        self.e = engine
        self.name = call.name
        self.node_id = node_id
        self.template = template
        self.scope: dict[str, str] = {}
        self.done = 0  # handles of the current group that are done

    def _handle_done(self, _handle: Handle) -> None:
        self.done += 1

    def run(self) -> tuple[str, dict[str, str], str]:
        engine, parents, phase = self.e, [self.node_id], "Succeeded"
        for index, group in enumerate(self.template.get("steps") or []):
            if engine.stopped():
                break
            group_name = f"{self.name}[{index}]"
            group_id = engine.store.create(group_name, f"[{index}]", "StepGroup", "Running", parents=parents)
            runs: list[tuple[dict, TaskRun]] = []
            self.done = 0
            for step in group:
                handles, expanded, _ = engine.start_task(
                    f"{group_name}.{step['name']}",
                    step["name"],
                    step,
                    self.scope,
                    [group_id],
                    halted=lambda: False,
                    group=False,
                    on_done=self._handle_done,
                )
                runs.append((step, TaskRun(handles, expanded=expanded)))
            engine.store.emit()
            total = sum(len(run.handles) for _, run in runs)
            while self.done < total:  # counted by the handles as they finish: no rescan per wake-up
                engine.wait()
            group_phase = "Succeeded"
            for step, run in runs:
                handled = continue_on(step)
                run.settle(engine, handled)
                if run.phase == NOT_STARTED or (run.phase in FAILED and run.phase not in handled):
                    group_phase = run.phase or "Failed"
                self.scope.update(run.scope(f"steps.{step['name']}"))
            if engine.stopped():
                group_phase = "Failed"
            engine.store.finish(group_id, group_phase)
            engine.store.emit()
            children = engine.store.nodes[group_id]["children"]
            parents = _unique([out for child in children for out in engine.store.outbound_of(child)]) or [group_id]
            if group_phase != "Succeeded":
                phase = group_phase
                break
        if engine.stopped():
            phase = "Failed"
        engine.store.outbound[self.node_id] = parents
        return _conclude(engine, self.template, phase, self.scope)
