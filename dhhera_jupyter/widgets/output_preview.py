"""OutputPreviews: a step's outputs in the run panel, each previewed on a click and loadable by a new cell.

The preview is read only when asked ("Preview"), in a background thread, through
:func:`dhhera_jupyter.platform.previews.preview_output`; the browser renders it (``output_preview`` ESM, the same
rendering as the sidebar's). "Insert code to load" never reaches the kernel: the browser asks the lab extension to
insert the cell, or shows the code to copy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import anywidget
import traitlets

from dhhera_jupyter.documents.keys import parse_key
from dhhera_jupyter.platform.previews import GETTERS, load_code
from dhhera_jupyter.widgets._assets import load_widget_assets


def previewable(value: str) -> bool:
    """Whether an output value is the key of a dataitem, artifact or model."""
    parsed = parse_key(value)
    return parsed is not None and parsed.type in GETTERS


class OutputPreviews(anywidget.AnyWidget):
    """The previewable outputs of one step (:meth:`set_outputs`), their previews once asked for."""

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)

    outputs = traitlets.List(traitlets.Dict()).tag(sync=True)
    previews = traitlets.Dict().tag(sync=True)
    loading = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        assets = load_widget_assets("output_preview")
        super().__init__(_esm=assets.esm, _css=assets.css, **kwargs)
        self._lock = threading.Lock()
        self.on_msg(self._on_message)

    def set_outputs(self, outputs: Iterable[tuple[str, str]]) -> None:
        """Show these ``(name, value)`` outputs (only entity keys that have a preview; others are left out)."""
        items = [{"name": n, "key": v, "load_code": load_code(v)} for n, v in outputs if previewable(v)]
        self.layout.display = "" if items else "none"  # nothing to preview: no empty gap in the step pane
        if items != self.outputs:
            with self.hold_sync():
                self.outputs = items
                self.previews = {k: v for k, v in self.previews.items() if any(i["key"] == k for i in items)}

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "preview" and isinstance(content.get("key"), str):
            self.request(content["key"])

    def request(self, key: str, wait: bool = False) -> None:
        """Read the preview of ``key`` in a background thread (``wait``: in this one) and show it."""
        if not any(i["key"] == key for i in self.outputs):
            return  # only the outputs shown can be asked for
        with self._lock:
            if key in self.loading:
                return
            self.loading = [*self.loading, key]
        if wait:
            self._read(key)
        else:
            threading.Thread(target=self._read, args=(key,), name="dhhera-preview", daemon=True).start()

    def _read(self, key: str) -> None:
        from dhhera_jupyter.errors import DhheraError
        from dhhera_jupyter.platform.previews import preview_output

        try:
            entry: dict[str, Any] = {"preview": preview_output(key).to_dict()}
        except DhheraError as exc:
            entry = {"error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - the panel says what went wrong and lives on
            entry = {"error": f"The preview could not be read ({type(exc).__name__}: {exc})."}
        with self._lock, self.hold_sync():
            self.previews = {**self.previews, key: entry}
            self.loading = [k for k in self.loading if k != key]
