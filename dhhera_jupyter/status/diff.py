"""What changed between two snapshots of a run: only that is sent to the widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.status.snapshot import RunSnapshot, StepStatus


@dataclass(frozen=True)
class RunDiff:
    """The changes from one snapshot to the next; every field is empty when that part did not change.

    Attributes
    ----------
    state : str or None
        The new run state.
    message : str or None
        The new run message (``""`` when it was cleared).
    node_states : dict
        Graph node id -> new node state, for the nodes whose state changed.
    steps : dict
        Step id -> new :class:`StepStatus`, for the steps with any change.
    removed : tuple of str
        Steps that were listed and are not any more.
    progress : tuple of (done, total) or None
        New progress.
    times : tuple of (started, finished) or None
        New run start/end times.
    failed_step : str or None
        Newly failed step (``""`` when none any more).
    results : dict or None
        New ``status.results``.
    """

    state: str | None = None
    message: str | None = None
    node_states: dict[str, str] = field(default_factory=dict)
    steps: dict[str, StepStatus] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    progress: tuple[int, int] | None = None
    times: tuple[str | None, str | None] | None = None
    failed_step: str | None = None
    results: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return (
            self.state is None
            and self.message is None
            and not self.node_states
            and not self.steps
            and not self.removed
            and self.progress is None
            and self.times is None
            and self.failed_step is None
            and self.results is None
        )

    def __bool__(self) -> bool:
        return not self.empty


def diff(old: RunSnapshot | None, new: RunSnapshot) -> RunDiff:
    """Return what changed from ``old`` to ``new``; with no ``old``, everything in ``new``.

    Parameters
    ----------
    old : RunSnapshot or None
        The previous snapshot of the same run.
    new : RunSnapshot
        The current one.

    Returns
    -------
    RunDiff
        Empty (falsy) when the two snapshots show the same thing.
    """
    if old is None or old.run_id != new.run_id:
        return RunDiff(
            state=new.state,
            message=new.message or "",
            node_states=dict(new.node_states),
            steps={s.id: s for s in new.steps},
            progress=(new.done, new.total),
            times=(new.started, new.finished),
            failed_step=new.failed_step or "",
            results=dict(new.results),
        )
    old_steps = {s.id: s for s in old.steps}
    new_ids = {s.id for s in new.steps}
    return RunDiff(
        state=new.state if new.state != old.state else None,
        message=(new.message or "") if new.message != old.message else None,
        node_states={k: v for k, v in new.node_states.items() if old.node_states.get(k) != v},
        steps={s.id: s for s in new.steps if old_steps.get(s.id) != s},
        removed=tuple(sid for sid in old_steps if sid not in new_ids),
        progress=(new.done, new.total) if (new.done, new.total) != (old.done, old.total) else None,
        times=(new.started, new.finished) if (new.started, new.finished) != (old.started, old.finished) else None,
        failed_step=(new.failed_step or "") if new.failed_step != old.failed_step else None,
        results=dict(new.results) if dict(new.results) != dict(old.results) else None,
    )
