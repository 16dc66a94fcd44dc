"""Fast ``wait=True`` on the local core: the SDK's ``Run.wait`` polls every 0.1 s instead of sleeping 5 s.

The SDK's ``Run.wait`` refreshes the run, then sleeps 5 seconds, until the run ends; a python serve run waits,
the same way, until ``status.service`` is set (or the run fails). Against a cluster that is reasonable; against
the local core, where a run of a trivial function takes a fraction of a second, every ``run(..., wait=True)``
costs at least 5 s. In a kernel where ``%load_ext dhhera_jupyter`` ran, :func:`install` replaces both waits with
the same loops that refresh every :data:`~dhhera_jupyter.settings.FAST_WAIT_INTERVAL` seconds — only while the
SDK talks to a local core (a platform endpoint keeps the SDK's own wait), with the SDK's semantics and return
values. ``DHHERA_FAST_WAIT=0`` turns it off. Scripts outside Jupyter keep the SDK's behaviour.

The SDK may be imported before or after :func:`install`: a module that is already imported is patched at once,
one that is not yet imported is patched right after its import (an import hook for exactly those two modules).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import os
import sys
import time
import urllib.request
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from dhhera_jupyter import settings

log = logging.getLogger(__name__)

_BASE_MODULE = "digitalhub.entities.run._base.entity"
_PYTHON_MODULE = "digitalhub_runtime_python.entities.run._base.entity"
_TERMINAL = ("STOPPED", "ERROR", "COMPLETED")
#: How long a serve run waits for its service (the SDK's own timeout).
SERVE_TIMEOUT = 300.0

_originals: dict[str, Any] = {}
_local_endpoints: dict[str, bool] = {}


def is_local_core(endpoint: str | None = None) -> bool:
    """Whether the SDK's endpoint (``DHCORE_ENDPOINT``) is a dhhera local core (asked once per endpoint)."""
    endpoint = (endpoint if endpoint is not None else os.environ.get("DHCORE_ENDPOINT", "")).rstrip("/")
    if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
        return False
    if endpoint not in _local_endpoints:
        request = urllib.request.Request(
            f"{endpoint}/dhhera/status",
            headers={"Authorization": f"Bearer {os.environ.get('DHCORE_ACCESS_TOKEN', '')}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.PROBE_TIMEOUT) as response:
                _local_endpoints[endpoint] = response.status == 200
        except OSError:
            return False  # not cached: the core may come up later
    return _local_endpoints[endpoint]


def _fast_run_wait(self: Any, log_info: bool = True) -> Any:
    """``Run.wait`` of the SDK, refreshing every 0.1 s on the local core."""
    if not (settings.fast_wait() and is_local_core()):
        return _originals["run"](self, log_info=log_info)
    logger = _sdk_logger()
    start = time.time()
    if log_info:
        logger.info(f"Waiting for run {self.id} to finish...")
    while True:
        self.refresh()
        if self.status.state in _TERMINAL:
            if log_info:
                logger.info(f"Run {self.id} finished in {time.time() - start:.2f} seconds.")
            return self
        time.sleep(settings.FAST_WAIT_INTERVAL)


def _fast_python_wait(self: Any, log_info: bool = True) -> Any:
    """``RunBaseRun.wait`` of the python runtime: a serve run waits for its service, others as ``Run.wait``."""
    if not (settings.fast_wait() and is_local_core()):
        return _originals["python"](self, log_info=log_info)
    from digitalhub.factory.entity import entity_factory

    task_kind = self.spec.task.split("://")[0]
    if entity_factory.get_action_from_task_kind(self.kind, task_kind) != "serve":
        return _fast_run_wait(self, log_info=log_info)
    logger = _sdk_logger()
    if log_info:
        logger.info(f"Waiting for run {self.id} to deploy service.")
    start = time.time()
    while time.time() - start < SERVE_TIMEOUT:
        self.refresh()
        if self.status.service is not None:
            if log_info:
                logger.info(f"Run {self.id} service deployed.")
            return self
        if self.status.state == "ERROR":
            if log_info:
                logger.info(f"Run {self.id} serving failed.")
            return self
        time.sleep(settings.FAST_WAIT_INTERVAL)
    if log_info:
        logger.info(f"Waiting for run {self.id} service timed out. Check logs for more information.")
    return self


def _sdk_logger() -> Any:
    from digitalhub.utils.logger.logger import get_logger

    return get_logger(sys.modules[_BASE_MODULE].__file__)  # the SDK's own logger name


def _patch(module: ModuleType) -> None:
    if module.__name__ == _BASE_MODULE and "run" not in _originals:
        _originals["run"] = module.Run.wait
        module.Run.wait = _fast_run_wait
    elif module.__name__ == _PYTHON_MODULE and "python" not in _originals:
        _originals["python"] = module.RunBaseRun.wait
        module.RunBaseRun.wait = _fast_python_wait


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Patches the two run modules right after they are imported."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname not in (_BASE_MODULE, _PYTHON_MODULE):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module: ModuleType) -> None:
            exec_module(module)
            _patch(module)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def install() -> bool:
    """Make the SDK's waits fast on the local core in this process (idempotent). False when turned off."""
    if not settings.fast_wait():
        return False
    for name in (_BASE_MODULE, _PYTHON_MODULE):
        if name in sys.modules:
            _patch(sys.modules[name])
    if len(_originals) < 2 and not any(isinstance(f, _PatchAfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchAfterImport())
    return True


def uninstall() -> None:
    """Give the SDK its own waits back (benches measure both)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PatchAfterImport)]
    if "run" in _originals and _BASE_MODULE in sys.modules:
        sys.modules[_BASE_MODULE].Run.wait = _originals.pop("run")
    if "python" in _originals and _PYTHON_MODULE in sys.modules:
        sys.modules[_PYTHON_MODULE].RunBaseRun.wait = _originals.pop("python")
