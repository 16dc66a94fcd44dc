"""The step runner of a retry: reused steps answer with the original run's outputs, the others run again.

:func:`for_run` wraps the pipeline runner's ``run_container`` for a run with ``spec.retry_of``. The
interpreter walks the original's build as usual; when it reaches a step the original completed (and that
depends on nothing that must run again, :func:`~dhhera_jupyter.documents.retry.reusable_steps`), with the
same inputs, the step "succeeds" at once with the original's output parameters, its child run and its
function: no child run is created, and every step downstream resolves exactly the parameters it resolved
in the original. A step that runs again runs the newest version of its function — the fix saved since.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from dhhera_jupyter.core.entities import ApiError, Entities
from dhhera_jupyter.core.runs import RunManager
from dhhera_jupyter.documents.keys import parse_key
from dhhera_jupyter.documents.node_fields import NODE_LABEL_FIELDS
from dhhera_jupyter.documents.retry import REUSED_FROM, parameters_of, relative_name, retry_of, reusable_steps
from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.executor.argo_engine import ContainerCall, ContainerResult

RunContainer = Callable[[ContainerCall], ContainerResult]


def for_run(run: Mapping[str, Any], manager: RunManager, run_step: RunContainer) -> RunContainer:
    """``run_step`` itself for a run that is no retry, else the retry's step runner (see the module)."""
    original_id = retry_of(run)
    if original_id is None:
        return run_step
    entities = manager.entities

    def log(line: str) -> None:
        manager.append_log(str(run["id"]), f"[pipeline] {line}")

    original = entities.store.get("run", original_id) or {}
    reused = reusable_steps((original.get("status") or {}).get("nodes") or [], original_id)
    log(f"retry of run {original_id}: {len(reused)} step(s) that succeeded there are reused")
    return RetrySeed(str(run["id"]), original_id, reused, entities, run_step, log)


@dataclasses.dataclass
class RetrySeed:
    """``run_container`` of a retry (called from the interpreter's worker threads; holds no mutable state)."""

    workflow_name: str
    original_id: str
    reused: Mapping[str, Mapping[str, Any]]
    entities: Entities
    run_step: RunContainer
    log: Callable[[str], None]

    def __call__(self, call: ContainerCall) -> ContainerResult:
        node = self.reused.get(relative_name(call.node_name, self.workflow_name))
        # Same step, same inputs: what it produced then is what it would produce now.
        if node is not None and parameters_of(node.get("inputs")) == dict(call.inputs):
            self.log(f"step {call.display_name} reused from run {self.original_id}")
            # As after ``argo retry``: the step keeps its times in the original (its duration is the real one).
            extra = {k: node[k] for k in (*NODE_LABEL_FIELDS, "start_time", "end_time") if node.get(k)}
            extra.update({REUSED_FROM: self.original_id, "exit_code": "0"})
            return ContainerResult(ok=True, outputs=parameters_of(node.get("outputs")), extra=extra)
        return self.run_step(self._newest_function(call))

    def _newest_function(self, call: ContainerCall) -> ContainerCall:
        """``call`` with its step's entity key moved to the newest version of that function (or workflow)."""
        step = step_call(call.template)
        ref = parse_key(step.key) if step is not None and step.key else None
        if step is None or step.key is None or ref is None or ref.id is None:
            return call
        try:
            newest = self.entities.list(ref.project, ref.type, {"name": ref.name})
        except ApiError:  # the step's own run reports what is wrong with its key
            return call
        key = newest[0].get("key") if newest else None
        if not key or key == step.key:
            return call
        container = dict(call.template.get("container") or {})
        for field in ("command", "args"):
            if isinstance(container.get(field), list):
                container[field] = [str(w).replace(step.key, key) for w in container[field]]
        self.log(f"step {call.display_name} runs the newest version of {ref.type} {ref.name} ({key})")
        return dataclasses.replace(call, template={**call.template, "container": container})
