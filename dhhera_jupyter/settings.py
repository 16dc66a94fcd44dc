"""Every environment variable, default and timeout of dhhera-jupyter, in one place."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """Data folder of the local core (``DHHERA_HOME``; default under the user's data dir)."""
    env = os.environ.get("DHHERA_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "dhhera"


#: Number of runs the local core executes at once (``DHHERA_WORKERS``; default: number of cores).
def workers() -> int:
    value = os.environ.get("DHHERA_WORKERS")
    if value:
        return max(1, int(value))
    return max(1, os.cpu_count() or 1)


#: Seconds between writes of a running pipeline's node changes (``DHHERA_NODES_CADENCE``, default 1; a crash
#: loses at most this much of them). A DHCore-like profile sets it to DHCore's Argo monitor cadence.
def nodes_cadence() -> float:
    return max(0.0, float(os.environ.get("DHHERA_NODES_CADENCE", "1")))


#: What a GET shows of a running pipeline's nodes (``DHHERA_NODES_VISIBLE``): ``live`` (every change at once) or
#: ``persisted`` (as last written: they move at the cadence, as DHCore's documents move with its monitor).
def nodes_visible() -> str:
    return os.environ.get("DHHERA_NODES_VISIBLE", "live")


#: ``warm`` (fork from a process that already imported the SDK) or ``cold`` (a fresh interpreter per run).
def pool_mode() -> str:
    return os.environ.get("DHHERA_POOL", "warm")


#: Project used by the magics when none is given.
def default_project() -> str:
    return os.environ.get("DHHERA_PROJECT", "dhhera")


#: Image recorded in built pipelines; steps in it are executed by our own step runner locally.
WORKFLOW_IMAGE = "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest"

#: Name of the S3 bucket the local core creates for dataitems and artifacts.
S3_BUCKET = "dhhera"

#: Seconds ``dhhera core start`` waits for the core to answer.
CORE_START_TIMEOUT = float(os.environ.get("DHHERA_CORE_START_TIMEOUT", "60"))

#: Seconds the core waits for its object store (the rclone S3 server) to answer.
S3_START_TIMEOUT = float(os.environ.get("DHHERA_S3_START_TIMEOUT", "60"))


#: Graphviz engine of the DAG diagram (``DHHERA_GRAPHVIZ``): ``auto`` (system ``dot`` when on PATH, else
#: WebAssembly), ``system`` or ``wasm``.
def graphviz_engine() -> str:
    return os.environ.get("DHHERA_GRAPHVIZ", "auto").strip().lower() or "auto"


#: Seconds the system ``dot`` may take to lay out one diagram.
GRAPHVIZ_TIMEOUT = float(os.environ.get("DHHERA_GRAPHVIZ_TIMEOUT", "30"))


#: ``%load_ext dhhera_jupyter`` imports the SDK in a background thread unless ``DHHERA_PRELOAD=0``.
def preload_enabled() -> bool:
    return os.environ.get("DHHERA_PRELOAD", "1").strip().lower() not in ("0", "false", "no", "off")


#: Seconds a build may take before the magics give up waiting (``DHHERA_BUILD_TIMEOUT``).
BUILD_TIMEOUT = float(os.environ.get("DHHERA_BUILD_TIMEOUT", "600"))

#: First and longest interval (s) between two polls of a build run; the interval grows from one to the other.
BUILD_POLL_INTERVAL = (0.1, 1.0)

#: Seconds ``%hera use <endpoint>`` waits for the endpoint to answer before refusing to switch.
PROBE_TIMEOUT = float(os.environ.get("DHHERA_PROBE_TIMEOUT", "5"))

#: Interval (s) between two polls of a watched pipeline run: the first value right after a change, growing up to
#: the second while nothing changes (``DHHERA_POLL_INTERVAL="0.25,1.5"``).
POLL_INTERVAL = tuple(float(v) for v in os.environ.get("DHHERA_POLL_INTERVAL", "0.25,1.5").split(",")[:2])

#: Longest wait (s) between two retries when the backend does not answer a run poll.
POLL_BACKOFF_MAX = float(os.environ.get("DHHERA_POLL_BACKOFF_MAX", "30"))


# -- local core: HTTP limits, logs (issue 11) ------------------------------------------------------------------


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


#: Largest request body (MB) the local core reads (``DHHERA_CORE_MAX_BODY_MB``); bigger ones get 413.
def core_max_body() -> int:
    return int(_env_float("DHHERA_CORE_MAX_BODY_MB", 32) * 1024 * 1024)


#: Seconds a connection to the local core may stay idle, or take to send its headers or body, before it is closed.
def core_idle_timeout() -> float:
    return _env_float("DHHERA_CORE_IDLE_TIMEOUT", 30)


#: Requests the local core handles at once (``DHHERA_CORE_THREADS``); more wait in a queue.
def core_threads() -> int:
    return max(1, int(_env_float("DHHERA_CORE_THREADS", 16)))


#: Open connections the local core accepts at once (``DHHERA_CORE_MAX_CONNECTIONS``); more are closed at once.
def core_max_connections() -> int:
    return max(1, int(_env_float("DHHERA_CORE_MAX_CONNECTIONS", 256)))


#: Largest run log (MB) kept by the local core (``DHHERA_RUN_LOG_MAX_MB``); past it the oldest half is dropped.
def run_log_max() -> int:
    return int(_env_float("DHHERA_RUN_LOG_MAX_MB", 64) * 1024 * 1024)


#: Most bytes of a run log one API call returns (``DHHERA_LOG_READ_MAX_MB``): the tail, unless an offset is given.
def log_read_max() -> int:
    return int(_env_float("DHHERA_LOG_READ_MAX_MB", 4) * 1024 * 1024)


# -- services, environments, waits (local core run kinds) -----------------------------------------


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a whole number; unset it or give e.g. {name}={default}.") from None
    if number < 1:
        raise ValueError(f"{name}={value!r} must be at least 1; unset it or give e.g. {name}={default}.")
    return number


def services() -> int:
    """Services (``python+serve`` runs) the local core keeps running at once (``DHHERA_SERVICES``; default 4);
    they never take one of the ``DHHERA_WORKERS`` job slots."""
    return _positive_int("DHHERA_SERVICES", 4)


def uv_cache() -> Path:
    """Download and wheel cache of the installer (``DHHERA_UV_CACHE``; default ``~/.cache/dhhera/uv``): it outlives
    any one ``DHHERA_HOME`` so that test sessions and CI reuse downloads."""
    env = os.environ.get("DHHERA_UV_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "dhhera" / "uv"


def install_timeout() -> float:
    """Seconds an environment install may take (``DHHERA_INSTALL_TIMEOUT``; default 600)."""
    return float(_positive_int("DHHERA_INSTALL_TIMEOUT", 600))


def fast_wait() -> bool:
    """Whether the SDK's ``Run.wait`` polls the local core quickly in a kernel with the extension loaded
    (``DHHERA_FAST_WAIT``; ``0`` keeps the SDK's 5 s sleeps)."""
    return os.environ.get("DHHERA_FAST_WAIT", "1").strip().lower() not in ("0", "false", "no", "off")


#: Seconds between two refreshes of a run by the fast ``Run.wait`` (the local core answers in about a millisecond).
FAST_WAIT_INTERVAL = 0.1
