"""The poller's model of a backend that writes a run only on its monitor's passes (DHCore, every 10 s)."""

from __future__ import annotations

from datetime import datetime, timezone

from dhhera_jupyter.runs.refresh_clock import MARGIN, RefreshClock


def stamp(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_writes_as_things_happen_are_not_periodic() -> None:
    clock = RefreshClock(longest_wait=1.5)
    for seen, written in ((100.2, 100.1), (100.6, 100.5), (103.0, 102.9)):
        clock.observe(stamp(written), seen, seen - 0.25)
    assert clock.period is None and clock.window(103.1) is None


def test_monitor_passes_give_the_period_and_a_window_right_after_the_next_pass() -> None:
    # Server clock 3 s ahead of ours; passes at server times 1000, 1010, 1030 (nothing changed at 1020).
    clock = RefreshClock(longest_wait=1.5)
    clock.observe(stamp(1000.0), seen_at=997.4, previous_poll=996.0)
    clock.observe(stamp(1010.0), seen_at=1008.2, previous_poll=1006.8)
    clock.observe(stamp(1030.0), seen_at=1027.1, previous_poll=1026.9)
    assert clock.period == 10.0
    earliest, latest = clock.window(now=1028.0)
    # The pass at server time 1040 is our 1037; the polls bound the offset to [2.9, 3.1] s.
    assert abs(earliest - 1036.9) < 1e-6 and abs(latest - (1037.1 + MARGIN)) < 1e-6
    assert earliest <= 1037.0 <= latest
    # Later, the window moves on by whole periods.
    later = clock.window(now=1050.0)
    assert abs(later[1] - latest - 20.0) < 1e-6


def test_the_window_never_opens_earlier_than_the_longest_poll_wait() -> None:
    clock = RefreshClock(longest_wait=1.5)
    clock.observe(stamp(0.0), seen_at=10.0, previous_poll=None)  # the first poll: no lower bound of the write
    clock.observe(stamp(10.0), seen_at=19.0, previous_poll=None)
    earliest, latest = clock.window(now=20.0)
    assert latest - earliest == 1.5
