"""Every environment variable, default and timeout of dhhera-jupyter, in one place.

Values are read when used, never at import: a bad value must not break ``%load_ext dhhera_jupyter``;
it raises :class:`~dhhera_jupyter.errors.SettingError` with one sentence naming the variable and
what it takes. The upper-case names (``settings.BUILD_TIMEOUT``...) are read the same way, on access.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dhhera_jupyter.errors import SettingError


def _number(name: str, default: float, minimum: float = 0.0, unit: str = "seconds") -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value >= minimum:  # also refuses nan
        raise SettingError(f"{name} is '{raw}'; set it to a number of {unit} of at least {minimum:g}, or unset it.")
    return value


def _integer(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} is '{raw}'; set it to a whole number of at least {minimum}, or unset it.") from None
    if value < minimum:
        raise SettingError(f"{name} is '{raw}'; set it to a whole number of at least {minimum}, or unset it.")
    return value


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise SettingError(f"{name} is '{value}'; set it to one of {', '.join(choices)}, or unset it.")
    return value


# -- backend -----------------------------------------------------------------------------------


def dhcore_endpoint() -> str:
    """A real DigitalHub's URL (``DHCORE_ENDPOINT``), or ``""``: then the local core is used."""
    return os.environ.get("DHCORE_ENDPOINT", "").strip()


def default_project() -> str:
    """Project used by the magics when none is given (``DHHERA_PROJECT``)."""
    return os.environ.get("DHHERA_PROJECT", "").strip() or "dhhera"


#: Image recorded in built pipelines; steps in it are executed by our own step runner locally.
WORKFLOW_IMAGE = "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest"

#: Seconds the sidebar's health check waits for the backend (it runs on every refresh, so shorter than
#: ``PROBE_TIMEOUT``).
STATUS_PROBE_TIMEOUT = 3.0


# -- local core --------------------------------------------------------------------------------


def home() -> Path:
    """Data folder of the local core (``DHHERA_HOME``; default under the user's data dir)."""
    env = os.environ.get("DHHERA_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "dhhera"


def workers() -> int:
    """Number of runs the local core executes at once (``DHHERA_WORKERS``; default: number of cores)."""
    return _integer("DHHERA_WORKERS", max(1, os.cpu_count() or 1), 1)


def nodes_cadence() -> float:
    """Seconds between writes of a running pipeline's node changes (``DHHERA_NODES_CADENCE``, default 1; a crash
    loses at most this much of them). A DHCore-like profile sets it to DHCore's Argo monitor cadence."""
    return _number("DHHERA_NODES_CADENCE", 1.0, 0.0)


def nodes_visible() -> str:
    """What a GET shows of a running pipeline's nodes (``DHHERA_NODES_VISIBLE``): ``live`` (every change at once)
    or ``persisted`` (as last written: they move at the cadence, as DHCore's documents move with its monitor)."""
    return _choice("DHHERA_NODES_VISIBLE", "live", ("live", "persisted"))


def pool_mode() -> str:
    """``warm`` (fork from a process that already imported the SDK) or ``cold`` (``DHHERA_POOL``)."""
    return _choice("DHHERA_POOL", "warm", ("warm", "cold"))


def core_port() -> int:
    """TCP port of the local core (``DHHERA_CORE_PORT``; 0: any free port)."""
    return _integer("DHHERA_CORE_PORT", 0, 0)


def log_level() -> str:
    """Log level of the local core's process (``DHHERA_LOG_LEVEL``)."""
    return _choice("DHHERA_LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")).upper()


#: Name of the S3 bucket the local core creates for dataitems and artifacts.
S3_BUCKET = "dhhera"


# -- notebook ----------------------------------------------------------------------------------


def graphviz_engine() -> str:
    """Graphviz engine of the DAG diagram (``DHHERA_GRAPHVIZ``): ``auto`` (system ``dot`` when on PATH, else
    WebAssembly), ``system`` or ``wasm``."""
    # Checked where it is used (graph.render), which names the three choices.
    return os.environ.get("DHHERA_GRAPHVIZ", "auto").strip().lower() or "auto"


def preload_enabled() -> bool:
    """``%load_ext dhhera_jupyter`` imports the SDK in a background thread unless ``DHHERA_PRELOAD=0``."""
    return os.environ.get("DHHERA_PRELOAD", "1").strip().lower() not in ("0", "false", "no", "off")


def poll_interval() -> tuple[float, float]:
    """First and longest interval (s) between two polls of a watched run (``DHHERA_POLL_INTERVAL="0.25,1.5"``):
    the first value right after a change, growing up to the second while nothing changes."""
    raw = os.environ.get("DHHERA_POLL_INTERVAL", "").strip()
    if not raw:
        return (0.25, 1.5)
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != 2 or not 0 < values[0] <= values[1]:
        raise SettingError(
            f"DHHERA_POLL_INTERVAL is '{raw}'; set it to the fastest and slowest poll interval in seconds, "
            "like 0.25,1.5, or unset it."
        )
    return (values[0], values[1])


#: First and longest interval (s) between two polls of a build run; the interval grows from one to the other.
BUILD_POLL_INTERVAL = (0.1, 1.0)

# -- local core: HTTP limits, logs --------------------------------------------------------------

_MB = 1024 * 1024


def core_max_body() -> int:
    """Largest request body (bytes) the local core reads (``DHHERA_CORE_MAX_BODY_MB``); bigger ones get 413."""
    return int(_number("DHHERA_CORE_MAX_BODY_MB", 32, 0.001, "MB") * _MB)


def core_idle_timeout() -> float:
    """Seconds a connection to the local core may stay idle, or take to send its headers or body, before it is
    closed (``DHHERA_CORE_IDLE_TIMEOUT``)."""
    return _number("DHHERA_CORE_IDLE_TIMEOUT", 30.0, 0.1)


def core_threads() -> int:
    """Requests the local core handles at once (``DHHERA_CORE_THREADS``); more wait in a queue."""
    return _integer("DHHERA_CORE_THREADS", 16, 1)


def core_max_connections() -> int:
    """Open connections the local core accepts at once (``DHHERA_CORE_MAX_CONNECTIONS``); more are closed at once."""
    return _integer("DHHERA_CORE_MAX_CONNECTIONS", 256, 1)


def run_log_max() -> int:
    """Largest run log (bytes) kept by the local core (``DHHERA_RUN_LOG_MAX_MB``); past it the oldest half is
    dropped."""
    return int(_number("DHHERA_RUN_LOG_MAX_MB", 64, 0.001, "MB") * _MB)


def log_read_max() -> int:
    """Most bytes of a run log one API call returns (``DHHERA_LOG_READ_MAX_MB``): the tail, unless an offset is
    given."""
    return int(_number("DHHERA_LOG_READ_MAX_MB", 4, 0.001, "MB") * _MB)


# -- services, environments, waits (local core run kinds) -----------------------------------------


def services() -> int:
    """Services (``python+serve`` runs) the local core keeps running at once (``DHHERA_SERVICES``; default 4);
    they never take one of the ``DHHERA_WORKERS`` job slots."""
    return _integer("DHHERA_SERVICES", 4, 1)


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
    return _number("DHHERA_INSTALL_TIMEOUT", 600.0, 1.0)


def fast_wait() -> bool:
    """Whether the SDK's ``Run.wait`` polls the local core quickly in a kernel with the extension loaded
    (``DHHERA_FAST_WAIT``; ``0`` keeps the SDK's 5 s sleeps)."""
    return os.environ.get("DHHERA_FAST_WAIT", "1").strip().lower() not in ("0", "false", "no", "off")


#: Seconds between two refreshes of a run by the fast ``Run.wait`` (the local core answers in about a millisecond).
FAST_WAIT_INTERVAL = 0.1


# -- timeouts, read on access (``settings.BUILD_TIMEOUT``) -------------------------------------------

_LAZY: dict[str, Callable[[], Any]] = {
    #: Seconds ``dhhera core start`` waits for the core to answer.
    "CORE_START_TIMEOUT": lambda: _number("DHHERA_CORE_START_TIMEOUT", 60.0),
    #: Seconds the core waits for its object store (the rclone S3 server) to answer.
    "S3_START_TIMEOUT": lambda: _number("DHHERA_S3_START_TIMEOUT", 60.0),
    #: Seconds the system ``dot`` may take to lay out one diagram.
    "GRAPHVIZ_TIMEOUT": lambda: _number("DHHERA_GRAPHVIZ_TIMEOUT", 30.0),
    #: Seconds a build may take before the magics give up waiting.
    "BUILD_TIMEOUT": lambda: _number("DHHERA_BUILD_TIMEOUT", 600.0),
    #: Seconds ``%hera use <endpoint>`` waits for the endpoint to answer before refusing to switch.
    "PROBE_TIMEOUT": lambda: _number("DHHERA_PROBE_TIMEOUT", 5.0),
    #: Longest wait (s) between two retries when the backend does not answer a run poll.
    "POLL_BACKOFF_MAX": lambda: _number("DHHERA_POLL_BACKOFF_MAX", 30.0),
    #: See :func:`poll_interval`.
    "POLL_INTERVAL": poll_interval,
}


def __getattr__(name: str) -> Any:
    """The upper-case settings of :data:`_LAZY`, read from the environment when accessed."""
    if name in _LAZY:
        return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
