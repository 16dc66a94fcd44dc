"""How the magics show things: widgets in a notebook kernel, text in terminal IPython (or no kernel)."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

from dhhera_jupyter.errors import DhheraError

log = logging.getLogger(__name__)


def frontend() -> str:
    """``"widgets"`` inside a Jupyter kernel, else ``"text"`` (terminal IPython, plain InteractiveShell, scripts)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return "text"
    shell = get_ipython()
    if shell is None or type(shell).__name__ == "TerminalInteractiveShell" or getattr(shell, "kernel", None) is None:
        return "text"
    return "widgets"


def dag_widget(graph: Any, title: str = "") -> Any:
    """A DagWidget of ``graph``, or None when widgets cannot be built here."""
    try:
        from dhhera_jupyter.widgets.dag import DagWidget
    except ImportError:
        log.debug("DagWidget unavailable", exc_info=True)
        return None
    return DagWidget.from_graph(graph, title=title) if title else DagWidget.from_graph(graph)


def graph_bundle(graph: Any, widget: Callable[[], Any], text: str) -> Any:
    """MIME bundle of a graph: the widget view plus a static SVG (so saved notebooks render), and ``text``."""
    view = None
    try:
        view = widget()
    except DhheraError:
        log.debug("DagWidget could not be built", exc_info=True)
    if view is not None:
        bundle = view._repr_mimebundle_()
        if bundle is not None:
            data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
            data = {**data, "text/plain": text}
            if "image/svg+xml" not in data:
                data["image/svg+xml"] = graph.to_svg()
            return data, metadata
    data = {"text/plain": text}
    try:
        data["image/svg+xml"] = graph.to_svg()
    except DhheraError as exc:
        data["text/plain"] = f"{text}\n(diagram unavailable: {exc})"
    return data


class BuildProgress:
    """Phase and elapsed time of a build: an updating label in a notebook, one line per phase in a terminal.

    Call it as ``progress(state, elapsed)`` (the platform's ``on_progress``), then :meth:`finish`.
    """

    def __init__(self, name: str, mode: str | None = None) -> None:
        self.name = name
        self.mode = mode or frontend()
        self._last: str | None = None
        self._label: Any = None
        if self.mode == "widgets":
            import ipywidgets
            from IPython.display import display

            self._label = ipywidgets.HTML(self._html("submitting", 0.0))
            display(self._label)
        else:
            print(f"building workflow '{name}'...", flush=True)

    def _html(self, state: str, elapsed: float, final: bool = False) -> str:
        icon = "" if not final else ("&#10004; " if state == "COMPLETED" else "&#10008; ")
        verb = "Built" if final and state == "COMPLETED" else "Building"
        return (
            f'<span class="dhhera-BuildProgress">{icon}{verb} workflow <b>{html.escape(self.name)}</b>: '
            f"{html.escape(state)} &middot; {elapsed:.1f} s</span>"
        )

    def __call__(self, state: str, elapsed: float) -> None:
        if self._label is not None:
            self._label.value = self._html(state, elapsed)
        elif state != self._last:
            print(f"  {state} ({elapsed:.1f} s)", flush=True)
        self._last = state

    def finish(self, state: str, elapsed: float) -> None:
        """Show the final state."""
        if self._label is not None:
            self._label.value = self._html(state, elapsed, final=True)
        else:
            print(f"build {state} in {elapsed:.1f} s", flush=True)
