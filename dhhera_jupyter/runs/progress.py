"""Truthful progress of a pipeline run: how many steps ended in each outcome, and what a bar may fill.

A bar fills only with work that finished running (succeeded, skipped, failed); running, omitted, stopped and
never-started steps leave it empty, so an unfinished, failed or stopped run never shows a full green bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from dhhera_jupyter.status import RunSnapshot
from dhhera_jupyter.status.phases import (
    ERROR,
    FAILED,
    OMITTED,
    PENDING,
    RUNNING,
    SKIPPED,
    STOPPED,
    SUCCEEDED,
)

#: The order outcomes are listed in (and drawn in, left to right).
OUTCOMES = (SUCCEEDED, SKIPPED, FAILED, ERROR, RUNNING, OMITTED, STOPPED, PENDING)

#: Outcomes that take room in the bar.
FILLING = frozenset({SUCCEEDED, SKIPPED, FAILED, ERROR})

NOT_RUN = "not run"


@dataclass(frozen=True)
class Progress:
    """Counts of a run's steps by outcome.

    Attributes
    ----------
    counts : tuple of (outcome, count)
        Non-zero counts in :data:`OUTCOMES` order; steps still pending in a finished run count as ``not run``.
    total : int
        All steps.
    """

    counts: tuple[tuple[str, int], ...]
    total: int

    def segments(self) -> list[tuple[str, float]]:
        """``(outcome, fraction of the bar)`` for the outcomes that fill it, in order."""
        if not self.total:
            return []
        return [(state, n / self.total) for state, n in self.counts if state in FILLING]

    @property
    def full(self) -> bool:
        """Whether the bar is full (every step finished running)."""
        return self.total > 0 and sum(n for state, n in self.counts if state in FILLING) == self.total


def progress_of(snap: RunSnapshot) -> Progress:
    """Count the steps of ``snap`` by outcome."""
    counts = dict.fromkeys(OUTCOMES, 0)
    not_run = 0
    for step in snap.steps:
        if snap.terminal and step.state in (PENDING, RUNNING):
            not_run += 1  # the run ended around it (stopped, or failed before it started)
        else:
            counts[step.state] = counts.get(step.state, 0) + 1
    listed = [(state, n) for state, n in counts.items() if n]
    if not_run:
        listed.append((NOT_RUN, not_run))
    return Progress(tuple(listed), len(snap.steps) or snap.total)


def counts_line(snap: RunSnapshot) -> str:
    """``2 succeeded · 1 failed · 1 omitted of 4 steps`` (``no steps`` for an empty run)."""
    progress = progress_of(snap)
    if not progress.total:
        return "no steps"
    parts = " · ".join(f"{n} {state}" for state, n in progress.counts)
    noun = "step" if progress.total == 1 else "steps"
    return f"{parts} of {progress.total} {noun}"
