"""One pipeline run at one moment: overall state, every step's state, progress, outputs."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.keys import parse_exec
from dhhera_jupyter.graph.model import PipelineGraph
from dhhera_jupyter.status import phases
from dhhera_jupyter.status.mapping import NodeMapper, is_step_type, workflow_name_of
from dhhera_jupyter.status.names import step_label


@dataclass(frozen=True)
class StepStatus:
    """One step of a pipeline run (a graph node; fan-out items and retries folded into it).

    Attributes
    ----------
    id : str
        Graph node id (the task/step name; ``outer/inner`` for a duplicated nested name), or the
        ``/``-joined task path when there is no graph.
    step : str
        The task or step name.
    function, action : str or None
        DigitalHub function name and action the step runs.
    state : str
        One of :data:`dhhera_jupyter.status.phases.NODE_STATES`.
    phase : str or None
        The Argo phase as reported (``Running``, ``Failed``...), None before the step started.
    start, end : str or None
        ISO-8601 times; ``end`` only once the step finished.
    duration : float or None
        Seconds from start to end, once finished.
    inputs, outputs : tuple of (name, value)
        Parameters going in and coming out (outputs of DigitalHub steps are entity keys).
    run_id : str or None
        The child run that executed the step (the latest one for retries and fan-outs).
    run_ids : tuple of str
        Every child run of the step (one per fan-out item or attempt).
    message : str or None
        Why the step failed or was skipped, when the backend says.
    exit_code : str or None
        Container exit code.
    items, items_done : int
        Fan-out items and how many have finished (0 and 0 without a fan-out).
    """

    id: str
    step: str
    function: str | None = None
    action: str | None = None
    state: str = phases.PENDING
    phase: str | None = None
    start: str | None = None
    end: str | None = None
    duration: float | None = None
    inputs: tuple[tuple[str, str], ...] = ()
    outputs: tuple[tuple[str, str], ...] = ()
    run_id: str | None = None
    run_ids: tuple[str, ...] = ()
    message: str | None = None
    exit_code: str | None = None
    items: int = 0
    items_done: int = 0

    @property
    def finished(self) -> bool:
        """Whether the step reached a final state."""
        return self.state in phases.FINAL_NODE_STATES

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (outputs and inputs as ``{name: value}``)."""
        return {
            "id": self.id,
            "step": self.step,
            "function": self.function,
            "action": self.action,
            "state": self.state,
            "phase": self.phase,
            "start": self.start,
            "end": self.end,
            "duration": self.duration,
            "inputs": dict(self.inputs),
            "outputs": dict(self.outputs),
            "run_id": self.run_id,
            "run_ids": list(self.run_ids),
            "message": self.message,
            "exit_code": self.exit_code,
            "items": self.items,
            "items_done": self.items_done,
        }


@dataclass(frozen=True)
class RunSnapshot:
    """A pipeline run as the panel shows it.

    Attributes
    ----------
    run_id : str
        The pipeline run id.
    state : str
        DigitalHub run state (``RUNNING``, ``COMPLETED``...).
    message : str or None
        ``status.message`` (names the failed step when the run failed).
    project, workflow : str or None
        Project name and workflow name.
    started, finished : str or None
        ISO-8601 times of the run.
    steps : tuple of StepStatus
        The steps (leaves of the graph), in the order they run.
    node_states : dict
        Every graph node id (nested DAG/Steps heads too) -> node state, for the DAG diagram.
    done, total : int
        Finished steps and all steps.
    failed_step : str or None
        Id of the step that failed first.
    parameters : dict
        The run's parameters.
    results : dict
        ``status.results`` of the run.
    """

    run_id: str
    state: str
    message: str | None = None
    project: str | None = None
    workflow: str | None = None
    started: str | None = None
    finished: str | None = None
    steps: tuple[StepStatus, ...] = ()
    node_states: Mapping[str, str] = field(default_factory=dict)
    done: int = 0
    total: int = 0
    failed_step: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        """Whether the run ended (COMPLETED, ERROR or STOPPED)."""
        return phases.run_is_terminal(self.state)

    @property
    def label(self) -> str:
        """Lower-case word for the state (``running``, ``succeeded``, ``failed``...)."""
        return phases.run_label(self.state)

    @property
    def progress(self) -> float:
        """Finished steps / all steps, from 0 to 1 (1 for a finished run without steps)."""
        if self.total:
            return self.done / self.total
        return 1.0 if self.terminal else 0.0

    def step(self, step_id: str) -> StepStatus:
        """Return the step with this id, task name or dsl step name (``extract`` for ``dag-op-extract-1a2b3c4d``).

        Raises
        ------
        KeyError
            If the run has no such step.
        """
        for step in self.steps:
            if step.id == step_id:
                return step
        for step in self.steps:
            if step.step == step_id:
                return step
        for step in self.steps:
            if step_label(step.step) == step_id:
                return step
        raise KeyError(step_id)

    @property
    def outputs(self) -> dict[str, dict[str, str]]:
        """Step id -> {output name: value} for every step that produced outputs."""
        return {s.id: dict(s.outputs) for s in self.steps if s.outputs}

    def elapsed(self, now: datetime | None = None) -> float | None:
        """Seconds the run has been going (until it finished), None before it started."""
        start = parse_time(self.started)
        if start is None:
            return None
        end = parse_time(self.finished) if self.finished else None
        if end is None:
            end = now or datetime.now(timezone.utc)
        return max(0.0, (end - start).total_seconds())


def parse_time(value: object) -> datetime | None:
    """Parse an ISO-8601 time (``Z`` suffix, any fraction digits) as an aware datetime."""
    if not value or not isinstance(value, str):
        return None
    return _parse_text(value)


@functools.lru_cache(maxsize=8192)
def _parse_text(value: str) -> datetime | None:
    # Cached: a 1000-step run repeats the same few node times on every poll of every view.
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _seconds(start: str | None, end: str | None) -> float | None:
    a, b = parse_time(start), parse_time(end)
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds())


def _params(values: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(values, list):
        return ()
    return tuple((str(p.get("name")), str(p.get("value"))) for p in values if isinstance(p, dict) and "name" in p)


def _exec_name(exec_string: object) -> str | None:
    """``hera://demo/wf:ID`` -> ``wf``."""
    ref = parse_exec(exec_string)
    return ref.name if ref is not None else None


@dataclass
class _Group:
    primary: list[dict[str, Any]] = field(default_factory=list)
    instances: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all(self) -> list[dict[str, Any]]:
        return self.primary + self.instances


def snapshot(
    run: Mapping[str, Any], graph: PipelineGraph | None = None, mapper: NodeMapper | None = None
) -> RunSnapshot:
    """Read a pipeline run document into a :class:`RunSnapshot`.

    Parameters
    ----------
    run : mapping
        The run JSON as the backend returns it (``status.state``, ``status.nodes``...).
    graph : PipelineGraph, optional
        The built pipeline; gives the full list of steps (those not started yet too) and their order.
    mapper : NodeMapper, optional
        Reuse a mapper built for ``graph`` (saves rebuilding its indexes on every poll).

    Returns
    -------
    RunSnapshot
    """
    status = section(run, "status")
    spec = section(run, "spec")
    run_id = str(run.get("id") or "")
    state = str(status.get("state") or "CREATED").upper()
    nodes = [n for n in status.get("nodes") or [] if isinstance(n, dict)]
    if mapper is None or mapper.graph is not graph:
        mapper = NodeMapper(graph)
    workflow_name = workflow_name_of(run_id, nodes)

    groups: dict[str, _Group] = {}
    root: dict[str, Any] | None = None
    for node in nodes:
        if node.get("name") == workflow_name or (node.get("id") == run_id and root is None):
            root = node
        match = mapper.match(node, workflow_name)
        if match is None:
            continue
        group = groups.setdefault(match.step, _Group())
        (group.primary if match.primary else group.instances).append(node)

    if graph is not None:
        order = graph.topological_order()
        templates = {n.id for n in graph.nodes if n.kind in ("dag", "steps")}
        names = {n.id: n.name for n in graph.nodes}
        described = {n.id: (n.function, n.action) for n in graph.nodes}
    else:
        order = list(groups)
        templates = {
            sid
            for sid, g in groups.items()
            if g.primary and not is_step_type(g.primary[0].get("type")) and not g.instances
        }
        names = {sid: sid.rsplit("/", 1)[-1] for sid in order}
        described = {}

    all_steps: dict[str, StepStatus] = {}
    for sid in order:
        function, action = described.get(sid, (None, None))
        all_steps[sid] = _step(sid, names.get(sid, sid), groups.get(sid), function, action)
    _settle(all_steps, state, status.get("message"), _stop_time(status))
    blamed = _blame(all_steps, state, status.get("message"), nodes, mapper, workflow_name)

    steps = tuple(s for sid, s in all_steps.items() if sid not in templates)
    failed = [s for s in steps if s.state in phases.BAD_NODE_STATES]
    failed.sort(key=lambda s: parse_time(s.end) or datetime.max.replace(tzinfo=timezone.utc))
    failed.sort(key=lambda s: s.id != blamed)  # the step the run's message names comes first
    started, finished = _run_times(run, status, root, state)
    results = section(status, "results")
    parameters = section(spec, "parameters")
    return RunSnapshot(
        run_id=run_id,
        state=state,
        message=str(status["message"]) if status.get("message") else None,
        project=str(run.get("project")) if run.get("project") else None,
        workflow=_exec_name(spec.get("workflow")),
        started=started,
        finished=finished,
        steps=steps,
        node_states={sid: s.state for sid, s in all_steps.items()},
        done=sum(1 for s in steps if s.finished),
        total=len(steps),
        failed_step=failed[0].id if failed else None,
        parameters=dict(parameters),
        results=dict(results),
    )


def _step(sid: str, name: str, group: _Group | None, function: str | None, action: str | None) -> StepStatus:
    if group is None or not group.all:
        return StepStatus(id=sid, step=name, function=function, action=action)
    primary = group.primary[0] if group.primary else None
    instances = group.instances
    if primary is not None and primary.get("state"):
        state = phases.node_state(primary.get("state"), primary.get("message"))
    else:
        state = phases.aggregate(phases.node_state(n.get("state"), n.get("message")) for n in instances)
    nodes = group.all
    starts = [n["start_time"] for n in nodes if n.get("start_time")]
    ends = [n["end_time"] for n in nodes if n.get("end_time")]
    start = min(starts, key=lambda t: parse_time(t) or datetime.max.replace(tzinfo=timezone.utc)) if starts else None
    end = None
    if state in phases.FINAL_NODE_STATES and ends:
        end = max(ends, key=lambda t: parse_time(t) or datetime.min.replace(tzinfo=timezone.utc))
    first = primary or instances[0]
    outputs = _params(primary.get("outputs")) if primary is not None else ()
    if not outputs:
        outputs = tuple(p for n in instances for p in _params(n.get("outputs")))
    inputs = _params(first.get("inputs")) or tuple(p for n in instances[:1] for p in _params(n.get("inputs")))
    run_ids = tuple(dict.fromkeys(str(n["run_id"]) for n in nodes if n.get("run_id")))
    if not run_ids:
        run_ids = tuple(dict.fromkeys(v for n in nodes for k, v in _params(n.get("outputs")) if k == "run_id"))
    bad = [n for n in nodes if n.get("message") and phases.node_state(n.get("state")) != phases.SUCCEEDED]
    message_node = bad[-1] if bad else next((n for n in nodes if n.get("message")), None)
    codes = [str(n["exit_code"]) for n in nodes if n.get("exit_code") not in (None, "")]
    items = [n for n in instances if ":" in str(n.get("display_name") or "")]
    return StepStatus(
        id=sid,
        step=name,
        function=first.get("function") or function,
        action=first.get("action") or action,
        state=state,
        phase=str(first.get("state")) if first.get("state") else None,
        start=start,
        end=end,
        duration=_seconds(start, end),
        inputs=inputs,
        outputs=outputs,
        run_id=run_ids[-1] if run_ids else None,
        run_ids=run_ids,
        message=str(message_node["message"]) if message_node is not None else None,
        exit_code=codes[-1] if codes else None,
        items=len(items),
        items_done=sum(1 for n in items if phases.node_state(n.get("state")) in phases.FINAL_NODE_STATES),
    )


def _settle(steps: dict[str, StepStatus], state: str, message: object, stop_at: datetime | None) -> None:
    """Give steps the run cannot move any more a final state.

    DHCore stops refreshing ``status.nodes`` when a run fails, and never lists steps that did not
    start: once the run is over, a step still running was cut short and a step never seen did not run.
    A step that failed once a stop was requested was stopped (Argo reports it Failed).
    """
    if stop_at is not None and state in ("STOP", "STOPPED"):
        since = stop_at.replace(microsecond=0)  # node times have whole seconds
        for sid, step in steps.items():
            end = parse_time(step.end)
            if step.state in phases.BAD_NODE_STATES and (end is None or end >= since):
                steps[sid] = replace(step, state=phases.STOPPED)
    if state not in phases.TERMINAL_RUN_STATES:
        return
    for sid, step in steps.items():
        if step.finished:
            continue
        if step.phase is None:
            steps[sid] = replace(step, state=phases.OMITTED)
        elif state == "STOPPED":
            steps[sid] = replace(step, state=phases.STOPPED)
        elif state == "ERROR":
            new = phases.ERROR if step.state == phases.RUNNING else phases.OMITTED
            steps[sid] = replace(step, state=new, message=step.message or (str(message) if message else None))
        else:
            steps[sid] = replace(step, state=phases.OMITTED)


#: DHCore's message of a failed Argo workflow: ``Job failed: child '<node id>' failed``.
_FAILED_CHILD = re.compile(r"child '(?P<id>[^']+)' failed")


def _blame(
    steps: dict[str, StepStatus],
    state: str,
    message: object,
    nodes: list[dict[str, Any]],
    mapper: NodeMapper,
    workflow_name: str,
) -> str | None:
    """Mark the step a failed run's message names as failed, even when the nodes never said so.

    DHCore does not refresh ``status.nodes`` on the ERROR path: the failed step may still show
    Running, or not be listed at all. Its message names the failed task by Argo node id.
    Returns the id of that step.
    """
    found = _FAILED_CHILD.search(str(message or "")) if state == "ERROR" else None
    if found is None:
        return None
    argo_id = found["id"]
    node = next((n for n in nodes if n.get("id") == argo_id), None)
    match = mapper.match(node, workflow_name) if node is not None else None
    sid = match.step if match is not None else mapper.step_of_argo_id(argo_id, workflow_name)
    step = steps.get(sid) if sid is not None else None
    if sid is None or step is None:
        return None
    if step.state != phases.FAILED:
        steps[sid] = replace(
            step, state=phases.FAILED, phase=step.phase or "Failed", message=step.message or str(message)
        )
    return sid


def _stop_time(status: Mapping[str, Any]) -> datetime | None:
    """When a stop was requested: the time of the STOP (else STOPPED) transition."""
    times = {
        str(t.get("status") or "").upper(): parse_time(t.get("time"))
        for t in status.get("transitions") or []
        if isinstance(t, dict)
    }
    return times.get("STOP") or times.get("STOPPED")


def _run_times(
    run: Mapping[str, Any], status: Mapping[str, Any], root: Mapping[str, Any] | None, state: str
) -> tuple[str | None, str | None]:
    transitions = [t for t in status.get("transitions") or [] if isinstance(t, dict)]
    by_state: dict[str, str] = {}
    for t in transitions:
        if t.get("status") and t.get("time"):
            by_state.setdefault(str(t["status"]).upper(), str(t["time"]))
    started = (root or {}).get("start_time") or by_state.get("RUNNING")
    if not started:
        metadata = section(run, "metadata")
        started = metadata.get("created")
    finished = None
    if state in phases.TERMINAL_RUN_STATES:
        finished = by_state.get(state) or (root or {}).get("end_time")
        if not finished:
            metadata = section(run, "metadata")
            finished = metadata.get("updated")
    return (str(started) if started else None), (str(finished) if finished else None)
