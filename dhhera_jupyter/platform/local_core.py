"""The local core's status as the Jupyter-facing parts see it, without importing :mod:`dhhera_jupyter.core`.

Magics and the server extension ask whether the local core runs and what it is doing; they go through this
module, so that ``platform/`` stays their only door to the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LocalCoreStatus:
    """A running local core: where it answers and what it is doing.

    Attributes
    ----------
    endpoint : str
        Base URL of its REST API (loopback).
    pid : int
        Its process id.
    home : Path
        Its data folder.
    runs, active_runs, workers : int or None
        Runs stored, runs not finished, worker processes (None when the core does not say).
    """

    endpoint: str
    pid: int
    home: Path
    runs: int | None
    active_runs: int | None
    workers: int | None

    def describe(self) -> str:
        """One line, as ``%hera status`` prints it."""
        return f"pid {self.pid}, {self.runs} runs ({self.active_runs} active), {self.workers} workers"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def status(home: Path | None = None) -> LocalCoreStatus | None:
    """The local core of data folder ``home`` (default: the user's) if it runs and answers, else None."""
    from dhhera_jupyter.core import control

    info = control.find(home)
    if info is None:
        return None
    st = info.status
    return LocalCoreStatus(
        info.endpoint, info.pid, Path(info.home), _int(st.get("runs")), _int(st.get("active_runs")),
        _int(st.get("workers")),
    )  # fmt: skip


def is_running(home: Path | None = None) -> bool:
    """Whether the local core of ``home`` (default: the user's) runs and answers."""
    return status(home) is not None
