"""dhhera-jupyter: the Jupyter front door to DigitalHub's Hera runtime.

Importing this package (and ``%load_ext dhhera_jupyter``) never imports the digitalhub SDK:
that costs seconds and happens on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "static/labextension", "dest": "dhhera-jupyter"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "dhhera_jupyter.server"}]
