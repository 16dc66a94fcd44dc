"""dhhera-jupyter: the Jupyter front door to DigitalHub's Hera runtime.

Importing this package (and ``%load_ext dhhera_jupyter``) never imports the digitalhub SDK:
that costs seconds and happens on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: Python twins of the magics, by name: the module that holds each, imported on first access
#: (``dhhera_jupyter.build(...)``), so that importing the package stays cheap.
_TWINS = {
    "register": "dhhera_jupyter.magics.twins",
    "build": "dhhera_jupyter.magics.twins",
    "show": "dhhera_jupyter.magics.twins",
    "preview": "dhhera_jupyter.magics.twins",
    "use": "dhhera_jupyter.magics.twins",
    "status": "dhhera_jupyter.magics.twins",
    "run": "dhhera_jupyter.magics.run",
    "attach": "dhhera_jupyter.magics.run",
    "runs": "dhhera_jupyter.magics.run",
    "debug": "dhhera_jupyter.magics.debug",
    "retry": "dhhera_jupyter.magics.retry",
    "push": "dhhera_jupyter.magics.push",
    "stop": "dhhera_jupyter.magics.run_control",
    "logs": "dhhera_jupyter.magics.run_control",
}


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext dhhera_jupyter``: register ``%%hera_pipeline`` and ``%hera``."""
    from dhhera_jupyter.magics import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str) -> Any:
    module = _TWINS.get(name)
    if module is None:
        raise AttributeError(f"module 'dhhera_jupyter' has no attribute '{name}'")
    from importlib import import_module

    return getattr(import_module(module), name)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "static/labextension", "dest": "dhhera-jupyter"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "dhhera_jupyter.server"}]
