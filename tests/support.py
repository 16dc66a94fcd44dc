"""Helpers shared by the tests (a plain module: conftest.py is imported by pytest, never by tests)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

#: The read-only ``shared/`` folder laid beside the repository (fixtures recorded from DHCore).
SHARED = Path(os.environ.get("DHHERA_SHARED") or Path(__file__).resolve().parents[2] / "shared")
FIXTURES = SHARED / "fixtures" / "dhcore"


def wait_until(
    predicate: Callable[[], object], timeout: float = 60.0, interval: float = 0.05, what: str = ""
) -> object:
    """Poll ``predicate`` until it returns something truthy (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or predicate}")
        time.sleep(interval)
