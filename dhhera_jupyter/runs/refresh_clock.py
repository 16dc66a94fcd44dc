"""When a backend that refreshes a run only periodically will next write it (DHCore's Argo monitor).

DHCore writes a pipeline run's ``status.nodes`` only on the passes of its Argo monitor, every
``MONITORS_DELAY`` seconds (10 by default). A poller that has slowed down to its longest interval
then shows each change up to that interval late. The run's ``metadata.updated`` gives the time of
each pass on the server's clock; from the changes seen, this clock learns the period (the shortest
gap between two writes, when it is long enough to be a monitor's) and the offset between the
server's clock and ours (bounded by the polls before and at each change), and tells the poller the
window in which the next pass lands, so it can poll right after it.

A backend that writes at once (the local core's default profile) shows short gaps and is never
treated as periodic.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime

#: Gaps shorter than this (s) mean the backend writes as things happen, not on a monitor's passes.
MIN_PERIOD = 2.0

#: Seconds polled after the latest moment the next pass can land (the write itself takes a moment).
MARGIN = 0.15


def _epoch(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


class RefreshClock:
    """Learns the period and phase of a backend's periodic writes of one run.

    Parameters
    ----------
    longest_wait : float
        The poller's longest interval: the window before a pass is never longer.
    """

    def __init__(self, longest_wait: float) -> None:
        self.longest_wait = longest_wait
        self._writes: deque[float] = deque(maxlen=8)
        self._offset_low = -math.inf  # server clock - our clock, at least
        self._offset_high = math.inf  # ... and at most

    def observe(self, updated: object, seen_at: float, previous_poll: float | None) -> None:
        """A poll at ``seen_at`` (our wall clock) saw a write stamped ``updated``, unseen at ``previous_poll``."""
        stamp = _epoch(updated)
        if stamp is None or (self._writes and stamp <= self._writes[-1]):
            return
        self._writes.append(stamp)
        low = stamp - seen_at
        high = stamp - previous_poll if previous_poll is not None else math.inf
        self._offset_low, self._offset_high = max(self._offset_low, low), min(self._offset_high, high)
        if self._offset_low > self._offset_high:  # the clocks moved: trust this observation only
            self._offset_low, self._offset_high = low, high

    @property
    def period(self) -> float | None:
        """Seconds between two passes, once two writes were seen at least :data:`MIN_PERIOD` apart (or None)."""
        writes = list(self._writes)
        gaps = [b - a for a, b in zip(writes, writes[1:], strict=False)]
        return min(gaps) if gaps and min(gaps) >= MIN_PERIOD else None

    def window(self, now: float) -> tuple[float, float] | None:
        """``(earliest, latest)`` of our wall clock for the next pass after ``now`` (None: not periodic)."""
        period = self.period
        if period is None or math.isinf(self._offset_low):
            return None
        last = self._writes[-1]
        latest = last - self._offset_low + MARGIN
        steps = max(1, math.ceil((now - latest) / period)) if now >= latest else 1
        latest += steps * period
        earliest = latest - MARGIN - (self._offset_high - self._offset_low)
        return max(earliest, latest - self.longest_wait), latest
