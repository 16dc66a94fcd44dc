"""dhhera-jupyter: the Jupyter front door to DigitalHub's Hera runtime.

Importing this package (and ``%load_ext dhhera_jupyter``) never imports the digitalhub SDK:
that costs seconds and happens on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: Python twins of the magics, imported on first access (``dhhera_jupyter.build(...)``).
_TWINS = ("register", "build", "show", "preview", "use", "status")

#: Python twins of the run magics (``dhhera_jupyter.run(...)``), imported on first access.
_RUN_TWINS = ("run", "attach", "runs")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext dhhera_jupyter``: register ``%%hera_pipeline`` and ``%hera``."""
    from dhhera_jupyter.magics import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str) -> Any:
    if name in _TWINS:
        from dhhera_jupyter.magics import twins

        return getattr(twins, name)
    if name in _RUN_TWINS:
        from dhhera_jupyter.magics import run as run_twins

        return getattr(run_twins, name)
    if name == "debug":
        from dhhera_jupyter.magics.debug import debug

        return debug
    if name == "retry":
        from dhhera_jupyter.magics.retry import retry

        return retry
    raise AttributeError(f"module 'dhhera_jupyter' has no attribute '{name}'")


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "static/labextension", "dest": "dhhera-jupyter"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "dhhera_jupyter.server"}]
