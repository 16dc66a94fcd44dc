"""Which DigitalHub backend the SDK talks to, and the SDK itself, imported once and lazily.

Importing ``digitalhub`` costs seconds, and it reads ``DH_CONFIG`` at import: so the environment is
pointed at the backend first (starting the local core when no ``DHCORE_ENDPOINT`` is configured),
then the SDK is imported, once per process, under a lock. Nothing here ever sets ``RUN_ID``.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.errors import BackendUnreachable, DhheraError

log = logging.getLogger(__name__)

#: Distributions whose versions ``%hera status`` reports.
_DISTRIBUTIONS = ("digitalhub", "digitalhub-runtime-hera", "digitalhub-runtime-python", "hera")

#: Platform credentials that would change the SDK's auth mode; never sent to the local core.
_PLATFORM_CREDENTIALS = (
    "DHCORE_REFRESH_TOKEN",
    "DHCORE_PERSONAL_ACCESS_TOKEN",
    "DHCORE_USER",
    "DHCORE_PASSWORD",
    "DHCORE_ISSUER",
    "DHCORE_CLIENT_ID",
    "DH_NAME",
)

_lock = threading.RLock()
_sdk: ModuleType | None = None
_backend: Backend | None = None
_preload: threading.Thread | None = None
#: Variables this module changed, with the value each had before (None: unset), to undo them on a switch.
_changed: dict[str, str | None] = {}


@dataclass(frozen=True)
class UserConfig:
    """The user's own DigitalHub configuration, as it was before this package pointed the SDK at a backend.

    Pointing the SDK at the local core sets ``DH_CONFIG`` to the core's private, empty ini; ``%hera use
    PROFILE`` must still read the profiles of the user's file. So the user's value is recorded once, by
    ``%load_ext dhhera_jupyter`` (:func:`record_user_config`), or else just before this module first changes
    the environment.

    Attributes
    ----------
    dh_config : str or None
        ``DH_CONFIG`` as the user set it (None: unset, the SDK's default ``~/.dhcore.ini``).
    """

    dh_config: str | None

    @classmethod
    def from_environment(cls) -> UserConfig:
        """The configuration the environment names now."""
        return cls(os.environ.get("DH_CONFIG") or None)

    @property
    def ini_path(self) -> Path:
        """The user's ini file (``DH_CONFIG``, else ``~/.dhcore.ini``)."""
        return Path(self.dh_config) if self.dh_config else Path.home() / ".dhcore.ini"


_user_config: UserConfig | None = None


def record_user_config(config: UserConfig | None = None) -> UserConfig | None:
    """Record the user's configuration: ``config``, or (when none is recorded yet) the environment's.

    Returns
    -------
    UserConfig or None
        The configuration recorded before this call (None: none yet), so a caller can put it back.
    """
    global _user_config
    with _lock:
        previous = _user_config
        if config is not None:
            _user_config = config
        elif _user_config is None:
            _user_config = UserConfig.from_environment()
        return previous


def user_config() -> UserConfig:
    """The recorded user configuration (recorded from the environment now when nothing is yet)."""
    record_user_config()
    assert _user_config is not None
    return _user_config


@dataclass
class Backend:
    """The backend in use.

    Attributes
    ----------
    mode : str
        ``"local"`` (the embedded local core) or ``"platform"`` (a DigitalHub at ``endpoint``).
    endpoint : str
        Base URL the SDK talks to.
    project : str
        Project used when none is given (``DHHERA_PROJECT``, default ``dhhera``).
    home : str or None
        Data folder of the local core (local mode only).
    versions : dict[str, str]
        Installed versions of the SDK, the runtimes, Hera and dhhera-jupyter (a property).
    """

    mode: str
    endpoint: str
    project: str
    home: str | None = None

    @property
    def versions(self) -> dict[str, str]:
        """Installed versions (read on first use: it costs tens of milliseconds)."""
        return dict(_versions())

    def describe(self) -> str:
        """Multi-line summary, as ``%hera status`` prints it."""
        where = f"local core at {self.endpoint} (data in {self.home})" if self.mode == "local" else self.endpoint
        lines = [
            f"backend:  {self.mode}: {where}",
            f"project:  {self.project}",
            "versions: " + ", ".join(f"{k} {v}" for k, v in self.versions.items()),
        ]
        return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    from dhhera_jupyter import __version__

    out = {"dhhera-jupyter": __version__}
    for dist in _DISTRIBUTIONS:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _set_env(values: dict[str, str | None]) -> None:
    """Set (or, for None, unset) variables, remembering their first previous value for :func:`_restore_env`."""
    record_user_config()  # before the first change: what the user had
    for key, value in values.items():
        if key == "RUN_ID":  # would attach every SDK call of the kernel to a run
            continue
        _changed.setdefault(key, os.environ.get(key))
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _restore_env() -> None:
    for key, value in _changed.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _changed.clear()


def _local_backend() -> Backend:
    """Start (or reuse) the local core and point the environment at it."""
    from dhhera_jupyter.core import control

    return _point_at(control.wait_objects(control.ensure_running()))


def _point_at(info: Any) -> Backend:
    """Point the environment at the local core ``info`` (a CoreInfo)."""
    _set_env({k: None for k in _PLATFORM_CREDENTIALS})
    _set_env(dict(info.env()))
    if not os.environ.get("DHCORE_WORKFLOW_IMAGE"):
        _set_env({"DHCORE_WORKFLOW_IMAGE": settings.WORKFLOW_IMAGE})
    return Backend("local", info.endpoint, settings.default_project(), str(info.home))


def _running_local_backend() -> Backend | None:
    """The local core as backend if it already runs with its object store up (no start, no wait), else None."""
    from dhhera_jupyter.core import control

    info = control.find()
    if info is None or not info.status.get("s3"):
        return None
    return _point_at(info)


def _local_core_at(endpoint: str) -> str | None:
    """Data folder of the local core answering at ``endpoint``, if it is ours."""
    if not endpoint.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        return None
    from dhhera_jupyter.core import control

    info = control.find()
    if info is not None and info.endpoint.rstrip("/") == endpoint.rstrip("/"):
        return str(info.home)
    return None


def _configured_backend() -> Backend:
    endpoint = settings.dhcore_endpoint()
    if not endpoint:
        return _local_backend()
    if not os.environ.get("DHCORE_WORKFLOW_IMAGE"):
        _set_env({"DHCORE_WORKFLOW_IMAGE": settings.WORKFLOW_IMAGE})
    home = _local_core_at(endpoint)
    mode = "local" if home else "platform"
    return Backend(mode, endpoint.rstrip("/"), settings.default_project(), home)


def backend() -> Backend:
    """The backend in use; on first call, the one configured at kernel start (starting the local core if none)."""
    global _backend
    if _backend is None:
        with _lock:
            if _backend is None:
                _backend = _configured_backend()
    return _backend


def sdk() -> ModuleType:
    """The ``digitalhub`` module, imported on first call after pointing the environment at the backend.

    Thread-safe; also imports the Hera and Python runtimes so that their first use is fast.
    """
    global _sdk
    if _sdk is not None:
        return _sdk
    with _lock:
        if _sdk is None:
            backend()
            import digitalhub
            import digitalhub_runtime_hera  # noqa: F401  (registers the hera kinds)
            import digitalhub_runtime_python  # noqa: F401  (registers the python kinds)

            _sdk = digitalhub
    return _sdk


def sdk_loaded() -> bool:
    """Whether :func:`sdk` has finished importing the SDK."""
    return _sdk is not None


def preload() -> None:
    """Start :func:`sdk` in a background thread (once); errors surface on the next foreground call.

    When no endpoint is configured and the local core already runs, the environment is pointed at it
    right away (milliseconds), so that a notebook's own ``import digitalhub`` in the next cell reads
    the private ``DH_CONFIG`` too.
    """
    global _preload, _backend
    with _lock:
        if _sdk is not None or _preload is not None:
            return
        if _backend is None and not settings.dhcore_endpoint():
            _backend = _running_local_backend()
        _preload = threading.Thread(target=_preload_quietly, name="dhhera-sdk-preload", daemon=True)
        _preload.start()


def backend_pending() -> bool:
    """Whether the background preload is still choosing (or starting) the backend: the environment is not yet
    pointed at it, so an SDK call made now would miss its configuration."""
    return _backend is None and _preload is not None and _preload.is_alive()


def wait_for_backend(timeout: float, on_wait: Any = None, tick: float = 1.0) -> bool:
    """Wait until the background preload has pointed the environment at the backend (bounded).

    Parameters
    ----------
    timeout : float
        Seconds to wait at most.
    on_wait : callable, optional
        Called with the seconds waited so far, about every ``tick`` seconds (a progress line).

    Returns
    -------
    bool
        True when the environment is ready (or nothing was pending), False after ``timeout``.
    """
    import time

    started = time.monotonic()
    while backend_pending():
        waited = time.monotonic() - started
        if waited >= timeout:
            return False
        if on_wait is not None:
            on_wait(waited)
        thread = _preload
        if thread is not None:
            thread.join(min(tick, max(0.0, timeout - waited)))
    return True


def _preload_quietly() -> None:
    try:
        sdk()
    except Exception:  # the foreground call repeats the work and reports the error
        log.debug("background import of the digitalhub SDK failed", exc_info=True)


def probe(endpoint: str, timeout: float | None = None) -> None:
    """Raise :class:`BackendUnreachable` unless something answers HTTP at ``endpoint`` (any status but 502-504)."""
    timeout = settings.PROBE_TIMEOUT if timeout is None else timeout
    try:
        with urllib.request.urlopen(endpoint + "/api/auth", timeout=timeout):
            return
    except urllib.error.HTTPError as exc:
        if exc.code not in (502, 503, 504):  # a gateway answering for a backend that is down
            return
        reason: object = f"HTTP {exc.code}"
        cause: Exception = exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason, cause = getattr(exc, "reason", exc), exc
    raise BackendUnreachable(
        f"The DigitalHub backend at {endpoint} does not answer ({reason}); check the address, "
        "or use the local core with `%hera use local`."
    ) from cause


def _reset_sdk_client() -> None:
    """Make the SDK build a new client (and project contexts) from the current environment."""
    if _sdk is None:
        return  # DH_CONFIG and the endpoint will be read at import
    from digitalhub.context.builder import context_builder
    from digitalhub.stores.client.common.config import ClientConfig, set_client_config

    set_client_config(ClientConfig())  # re-reads DH_CONFIG and resets the client singleton
    context_builder._instances.clear()  # contexts hold the previous client


def user_ini_path() -> Path:
    """The user's own ini file, as recorded (:class:`UserConfig`), not the local core's private one."""
    return user_config().ini_path


def ini_section(name: str, *, what: str, instead: str) -> tuple[Path, dict[str, str]]:
    """Profile ``name`` of the user's ini file (``~/.dhcore.ini`` or ``DH_CONFIG``): its path and its settings.

    Parameters
    ----------
    name : str
        The profile (section) name.
    what : str
        What else ``name`` could have been, for the error (``"'local' nor an http(s):// endpoint"``).
    instead : str
        The next step the error offers (``"use `%hera use https://<endpoint>`"``).

    Raises
    ------
    DhheraError
        When the file cannot be read or has no such profile.
    """
    from configparser import ConfigParser, Error

    path = user_ini_path()
    parser = ConfigParser(interpolation=None)
    try:
        parser.read(path)
    except (Error, OSError) as exc:
        raise DhheraError(f"{path} cannot be read ({exc}); fix it, or {instead}.") from None
    if not name.replace("-", "").replace("_", "").isalnum() or not parser.has_section(name):
        found = ", ".join(parser.sections()) or "none"
        raise DhheraError(
            f"'{name}' is neither {what}, nor a profile of {path} (profiles: {found}); {instead} or a profile name."
        )
    return path, dict(parser[name].items())


def ini_profile(name: str) -> tuple[str, dict[str, str | None]]:
    """The endpoint of profile ``name`` of the user's ``~/.dhcore.ini`` (or ``DH_CONFIG``), and the variables
    that make the SDK read that profile (its credentials come from the file, which wins over the environment).

    Raises
    ------
    DhheraError
        When the file has no such profile, or the profile no ``dhcore_endpoint``.
    """
    path, section = ini_section(
        name,
        what="'local' nor an http(s):// endpoint",
        instead="use `%hera use local`, `%hera use https://<your DigitalHub>`",
    )
    endpoint = (section.get("dhcore_endpoint") or "").strip().rstrip("/")
    if not endpoint.startswith(("http://", "https://")):
        raise DhheraError(f"Profile '{name}' of {path} has no http(s):// DHCORE_ENDPOINT; add one, then retry.")
    return endpoint, {"DH_CONFIG": str(path), "DH_NAME": name}


def use(target: str) -> Backend:
    """Switch the backend: ``"local"`` (start or reuse the local core), an ``http(s)://`` DigitalHub endpoint,
    or the name of a profile of ``~/.dhcore.ini`` (endpoint and credentials from that file).

    An endpoint that does not answer is refused and the backend in use is kept.

    Returns
    -------
    Backend
        The backend now in use.
    """
    global _backend
    target = target.strip()
    with _lock:
        if target == "local":
            _restore_env()
            _backend = _local_backend()
        else:
            profile_env: dict[str, str | None] = {}
            if not target.startswith(("http://", "https://")):
                endpoint, profile_env = ini_profile(target)
            else:
                endpoint = target.rstrip("/")
            probe(endpoint)
            _restore_env()
            _set_env(profile_env)
            from dhhera_jupyter.core import control

            core = control.find()
            if core is not None and core.endpoint.rstrip("/") == endpoint:
                _backend = _local_backend()
            else:
                # The local core's token, private ini and object store settings must not reach a platform.
                local_env = core.env() if core is not None else {}
                drop = {k: None for k, v in local_env.items() if k != "DHHERA_HOME" and os.environ.get(k) == v}
                _set_env({**drop, "DHCORE_ENDPOINT": endpoint})
                if not os.environ.get("DHCORE_WORKFLOW_IMAGE"):
                    _set_env({"DHCORE_WORKFLOW_IMAGE": settings.WORKFLOW_IMAGE})
                _backend = Backend("platform", endpoint, settings.default_project())
        _reset_sdk_client()
        return _backend
