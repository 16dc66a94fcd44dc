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
def load_widget_assets(name: str) -> WidgetAssets:
    """Read ``static/<name>.js`` and ``static/<name>.css`` (once per process).

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
    paths = [STATIC_DIR / f"{name}.js", STATIC_DIR / f"{name}.css"]
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise WidgetAssetsMissing(
            f"The widget front end {missing[0].name} is missing from {STATIC_DIR}: reinstall dhhera-jupyter "
            "(`pip install dhhera-jupyter`, or `pip install -e .` in a checkout, which needs Node.js), "
            "or build it with `cd labextension && jlpm install && jlpm build`."
        )
    return WidgetAssets(esm=paths[0].read_text(encoding="utf-8"), css=paths[1].read_text(encoding="utf-8"))


@functools.cache
def load_widget_esm(name: str) -> str:
    """Read ``static/<name>.js`` (once per process), for a widget styled by the run panel's stylesheet.

    Raises
    ------
    WidgetAssetsMissing
        If the package was installed without its built front end.
    """
    path = STATIC_DIR / f"{name}.js"
    if not path.is_file():
        raise WidgetAssetsMissing(
            f"The widget front end {path.name} is missing from {STATIC_DIR}: reinstall dhhera-jupyter "
            "(`pip install -e .` in a checkout, which needs Node.js), or run `cd labextension && jlpm build`."
        )
    return path.read_text(encoding="utf-8")


@functools.cache
def load_stylesheet(name: str) -> str:
    """Read ``static/<name>.css`` (once per process), for widgets made of ipywidgets (the run panel).

    Raises
    ------
    WidgetAssetsMissing
        If the package was installed without its built front end.
    """
    path = STATIC_DIR / f"{name}.css"
    if not path.is_file():
        raise WidgetAssetsMissing(
            f"The stylesheet {path.name} is missing from {STATIC_DIR}: reinstall dhhera-jupyter "
            "(`pip install -e .` in a checkout, which needs Node.js), or run `cd labextension && jlpm build`."
        )
    return path.read_text(encoding="utf-8")
