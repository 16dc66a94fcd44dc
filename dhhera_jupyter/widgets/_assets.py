"""The built widget front ends (ESM + CSS) shipped in ``dhhera_jupyter/static/``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from dhhera_jupyter.errors import WidgetAssetsMissing

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class WidgetAssets:
    """The ESM module and stylesheet of one widget front end."""

    esm: str
    css: str


@functools.cache
def read_static(filename: str) -> str:
    """Read one built front-end file, ``static/<filename>`` (once per process).

    Parameters
    ----------
    filename : str
        File name inside ``static/``, e.g. ``"dag_widget.js"`` or ``"run_panel.css"``.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    WidgetAssetsMissing
        If the package was installed without its built front end.
    """
    path = STATIC_DIR / filename
    if not path.is_file():
        raise WidgetAssetsMissing(
            f"The widget front end {path.name} is missing from {STATIC_DIR}: reinstall dhhera-jupyter "
            "(`pip install dhhera-jupyter`, or `pip install -e .` in a checkout, which needs Node.js), "
            "or build it with `cd labextension && jlpm install && jlpm build`."
        )
    return path.read_text(encoding="utf-8")


def load_widget_assets(name: str) -> WidgetAssets:
    """Read ``static/<name>.js`` and ``static/<name>.css``, the two halves of an anywidget front end.

    Parameters
    ----------
    name : str
        Bundle name, e.g. ``"dag_widget"``.

    Returns
    -------
    WidgetAssets
        The file contents.

    Raises
    ------
    WidgetAssetsMissing
        If the package was installed without its built front end.
    """
    return WidgetAssets(esm=read_static(f"{name}.js"), css=read_static(f"{name}.css"))
