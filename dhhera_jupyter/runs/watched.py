"""A pipeline run followed by the poller: the handle scripts use and the model the run views draw."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from dhhera_jupyter.documents.build import build_text
from dhhera_jupyter.errors import DhheraError, NotFound
from dhhera_jupyter.graph.model import PipelineGraph
from dhhera_jupyter.runs.poller import Poller, poller
from dhhera_jupyter.runs.text import render_text
from dhhera_jupyter.status import RunDiff, RunSnapshot, StepStatus, diff, snapshot, step_label
from dhhera_jupyter.status.mapping import NodeMapper

if TYPE_CHECKING:
    from dhhera_jupyter.platform.logs import LogTail

log = logging.getLogger(__name__)


class RunView(Protocol):
    """Something that shows a :class:`WatchedRun` (the panel, the terminal table). Held weakly."""

    def run_changed(self, run: WatchedRun, change: RunDiff) -> None:
        """Show ``change`` (called from the poller thread)."""

    def connection_changed(self, run: WatchedRun) -> None:
        """Show ``run.connection`` / ``run.gone``."""


def graph_of_run(doc: Mapping[str, Any]) -> PipelineGraph | None:
    """The pipeline graph of a run document's ``spec.build`` (DHCore copies the build into the run), if any."""
    from dhhera_jupyter.graph import from_workflow

    text = build_text(doc)
    if text is None:
        return None
    try:
        return from_workflow(text)
    except DhheraError:
        log.debug("run %s has an unreadable spec.build", doc.get("id"), exc_info=True)
        return None


class WatchedRun:
    """One pipeline run, kept current by the kernel's poller.

    Parameters
    ----------
    run_id : str
        Pipeline run id.
    project : str or None
        Project of the run (None: the backend's default project).
    graph : PipelineGraph, optional
        The built pipeline (taken from the run's ``spec.build`` when not given).
    doc : dict, optional
        A run document already read (e.g. the submit response); shown until the first poll.
    poll : Poller, optional
        The poller to use (default: the kernel's).

    Examples
    --------
    >>> run = WatchedRun(run_id, "demo").start()   # doctest: +SKIP
    >>> run.wait().state                           # doctest: +SKIP
    'COMPLETED'
    """

    def __init__(
        self,
        run_id: str,
        project: str | None = None,
        graph: PipelineGraph | None = None,
        doc: Mapping[str, Any] | None = None,
        poll: Poller | None = None,
    ) -> None:
        self.run_id = run_id
        self.project = project
        self.graph = graph
        self._mapper = NodeMapper(graph) if graph is not None else None
        self._poller = poll or poller()
        self._cond = threading.Condition()
        self._views: list[weakref.ref] = []
        self._closed = False
        self._started = False
        self.snapshot: RunSnapshot | None = None
        self.doc: Mapping[str, Any] | None = None
        #: What went wrong reaching the backend (None when it answers).
        self.connection: str | None = None
        #: Seconds until the next retry while the backend does not answer.
        self.retry_in: float | None = None
        #: Why the run is gone (None while it exists).
        self.gone: str | None = None
        #: Monotonic time of the last change seen.
        self.changed_at: float | None = None
        # The snapshot every view has been given: wait() returns only once the views show the end.
        self._shown: RunSnapshot | None = None
        if doc is not None:
            self._apply(doc)
            self._shown = self.snapshot

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> WatchedRun:
        """Start following the run (idempotent); returns itself."""
        if not self._started and not self._closed:
            self._started = True
            self._poller.watch(self.run_id, self.project, self)
        return self

    def close(self) -> None:
        """Stop following the run."""
        self._closed = True
        self._poller.unwatch(self.run_id, self.project, self)
        with self._cond:
            self._cond.notify_all()

    def add_view(self, view: RunView) -> None:
        """Send changes to ``view`` (held weakly)."""
        self._views.append(weakref.ref(view))

    def remove_view(self, view: RunView) -> None:
        """Stop sending changes to ``view``."""
        self._views = [ref for ref in self._views if ref() is not None and ref() is not view]

    # -- RunListener (called from the poller thread) -------------------------------------------

    @property
    def active(self) -> bool:
        """Whether the poller should keep following this run."""
        return not self._closed

    def on_run(self, doc: dict) -> None:
        change = self._apply(doc)
        if change:
            for view in self._live_views():
                view.run_changed(self, change)
        with self._cond:
            self._shown = self.snapshot
            self._cond.notify_all()

    def on_connection(self, problem: str | None, retry_in: float | None) -> None:
        with self._cond:
            self.connection, self.retry_in = problem, retry_in
        for view in self._live_views():
            view.connection_changed(self)

    def on_gone(self, message: str) -> None:
        with self._cond:
            self.gone = message or f"Run {self.run_id} no longer exists."
            self.connection = None
            self._cond.notify_all()
        for view in self._live_views():
            view.connection_changed(self)

    def _live_views(self) -> list[RunView]:
        return [v for v in (ref() for ref in self._views) if v is not None]

    def _apply(self, doc: Mapping[str, Any]) -> RunDiff:
        if self.graph is None:
            self.graph = graph_of_run(doc)
        if self._mapper is None or self._mapper.graph is not self.graph:
            self._mapper = NodeMapper(self.graph)
        new = snapshot(doc, self.graph, self._mapper)
        with self._cond:
            change = diff(self.snapshot, new)
            self.doc, self.snapshot = doc, new
            if change:
                self.changed_at = time.monotonic()
            self._cond.notify_all()
        return change

    # -- the handle ----------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """DigitalHub run state (``RUNNING``, ``COMPLETED``...); ``UNKNOWN`` before the first poll."""
        return self.snapshot.state if self.snapshot is not None else "UNKNOWN"

    @property
    def terminal(self) -> bool:
        """Whether the run ended (or no longer exists)."""
        return self.gone is not None or (self.snapshot is not None and self.snapshot.terminal)

    def _keys(self) -> dict[str, str]:
        """Step id -> the name scripts use: the step's dsl name (``extract`` for ``dag-op-extract-1a2b3c4d``)
        when no two steps share it, else the id."""
        steps = self.snapshot.steps if self.snapshot is not None else ()
        labels = [step_label(s.step) for s in steps]
        return {s.id: (label if labels.count(label) == 1 else s.id) for s, label in zip(steps, labels, strict=True)}

    @property
    def nodes(self) -> dict[str, str]:
        """Step name -> state (``succeeded``, ``running``...); see :meth:`step` for the names accepted."""
        if self.snapshot is None:
            return {}
        keys = self._keys()
        return {keys.get(node_id, node_id): state for node_id, state in self.snapshot.node_states.items()}

    @property
    def steps(self) -> list[StepStatus]:
        """The steps, in the order they run."""
        return list(self.snapshot.steps) if self.snapshot is not None else []

    @property
    def outputs(self) -> dict[str, dict[str, str]]:
        """Step name -> {output name: value (an entity key for DigitalHub outputs)}."""
        if self.snapshot is None:
            return {}
        keys = self._keys()
        return {keys[s.id]: dict(s.outputs) for s in self.snapshot.steps if s.outputs}

    @property
    def results(self) -> dict[str, Any]:
        """The run's ``status.results``."""
        return dict(self.snapshot.results) if self.snapshot is not None else {}

    def step(self, step: str) -> StepStatus:
        """The status of one step, by graph node id or task name.

        Raises
        ------
        NotFound
            If the pipeline has no such step.
        """
        try:
            if self.snapshot is None:
                raise KeyError(step)
            return self.snapshot.step(step)
        except KeyError:
            names = ", ".join(self._keys().values()) or "none yet"  # the names a user types, not Argo's ids
            raise NotFound(f"Run {self.run_id} has no step '{step}'; its steps are: {names}.") from None

    def _shown_terminal(self) -> bool:
        """Whether the run ended and every view was given its final state."""
        return self.gone is not None or (self._shown is not None and self._shown.terminal)

    def wait(self, timeout: float | None = None) -> WatchedRun:
        """Block until the run ends; returns itself.

        Interrupting (Ctrl-C) stops the waiting, never the run.

        Raises
        ------
        NotFound
            If the run was deleted meanwhile.
        TimeoutError
            If it did not end within ``timeout`` seconds.
        """
        self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._shown_terminal() and not self._closed:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"Run {self.run_id} is still {self.state} after {timeout:.0f} s.")
                # Short slices keep Ctrl-C responsive.
                self._cond.wait(0.25 if remaining is None else min(0.25, remaining))
        if self.gone is not None:
            raise NotFound(self.gone)
        return self

    def logs(self, step: str | None = None, tail: int | None = None) -> str:
        """The logs of the pipeline run, or of the child run of ``step`` (all of it: views use :meth:`log_tail`).

        Parameters
        ----------
        step : str, optional
            Step id or task name; None for the pipeline run itself.
        tail : int, optional
            Only the last ``tail`` lines.
        """
        from dhhera_jupyter.platform import pipeline_runs

        target = self._log_target(step)
        text = "" if target is None else pipeline_runs.logs_of(target, self.project)
        if tail is not None:
            text = "\n".join(text.splitlines()[-tail:])
        return text

    def log_tail(self, step: str | None = None, max_bytes: int | None = None) -> LogTail | None:
        """The end of the log of the pipeline run or of ``step``'s child run, read with one bounded request.

        Returns None when the step has no child run yet.
        """
        from dhhera_jupyter.platform.logs import DEFAULT_TAIL, run_log_tail

        target = self._log_target(step)
        return None if target is None else run_log_tail(target, self.project, max_bytes or DEFAULT_TAIL)

    def _log_target(self, step: str | None) -> str | None:
        """The run whose log is ``step``'s: the pipeline run for None, else the step's child run (None before)."""
        from dhhera_jupyter.platform import pipeline_runs

        if step is None:
            return self.run_id
        status = self.step(step)
        return status.run_id or pipeline_runs.child_run_of(
            self.run_id, self.project, status, self.snapshot.steps if self.snapshot else ()
        )

    def stop(self) -> None:
        """Ask the backend to stop the run.

        Raises
        ------
        DhheraError
            If the run already finished.
        """
        from dhhera_jupyter.platform import pipeline_runs

        if self.gone is not None:
            raise NotFound(self.gone)
        if self.snapshot is not None and self.snapshot.terminal:
            raise DhheraError(f"Run {self.run_id} already finished ({self.state}); there is nothing to stop.")
        pipeline_runs.stop_run(self.run_id, self.project)
        self._poller.poke(self.run_id, self.project)

    def __repr__(self) -> str:
        if self.snapshot is None:
            return f"<pipeline run {self.run_id}: {self.gone or 'not read yet'}>"
        return render_text(self)
