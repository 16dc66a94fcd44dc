"""LogView: a step's log in the browser, following its tail; after the first lines only appended text is sent."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from dhhera_jupyter.widgets._assets import load_widget_assets

#: Lines sent when a log is first shown (the browser keeps at most 2,000 as it follows).
LOG_TAIL = 500


def tail(text: str, lines: int = LOG_TAIL) -> str:
    """The last ``lines`` lines of ``text``."""
    parts = text.splitlines(keepends=True)
    return "".join(parts[-lines:])


class LogView(anywidget.AnyWidget):
    """The log of one step: the user's prints first, the runtime's records shortened and folded.

    Call :meth:`show` with the whole log when a step is selected, then :meth:`follow` with the whole log again as
    it grows: only the new text goes to the browser.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)

    text = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    following = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        assets = load_widget_assets("log_view")
        super().__init__(_esm=assets.esm, _css=assets.css, **kwargs)
        self._source = ""
        self._size: int | None = None  # bytes of the whole log up to the end of what is shown (bounded reads)

    def show(self, text: str, title: str = "", note: str = "", size: int | None = None) -> None:
        """Show ``text`` (its tail) as the log of a newly selected step; ``size`` is the whole log's bytes when
        ``text`` is only its end (see :meth:`follow_tail`)."""
        self._source = text
        self._size = size
        with self.hold_sync():
            self.title, self.note = title, note
            self.text = tail(text)

    def follow(self, text: str) -> int:
        """Bring the view up to ``text``, the whole log now; returns the characters sent (0 when unchanged).

        Appended text goes as one small custom message; a log that was rewritten (not an extension of the one
        shown) is sent again as a tail.
        """
        if text == self._source:
            return 0
        if not text.startswith(self._source):
            self.show(text, self.title, self.note)
            return len(self.text)
        return self._append(text[len(self._source) :], text)

    def follow_tail(self, text: str, size: int, note: str | None = None) -> int:
        """Bring the view up to a bounded read: ``text`` is the end of a log of ``size`` bytes.

        The bytes the log grew by since the last read are the end of ``text``: only they are sent. A log that
        shrank, or grew by more than ``text`` holds, is shown again as a tail. Returns the characters sent.
        """
        if note is not None and note != self.note:
            self.note = note
        previous, self._size = self._size, size
        if previous is None or size < previous:
            self.show(text, self.title, self.note, size)
            return len(self.text)
        grown = size - previous
        if grown == 0:
            return 0
        data = text.encode("utf-8", errors="replace")
        if grown > len(data):
            self.show(text, self.title, self.note, size)
            return len(self.text)
        return self._append(data[-grown:].decode("utf-8", errors="replace"), text)

    def _append(self, delta: str, source: str) -> int:
        self._source = source
        merged = tail(self.text + delta, 2000)
        with self._lock_property(text=merged):
            self.text = merged  # the browser merges the same text itself: nothing is echoed
        self.send({"type": "append", "text": delta})
        return len(delta)
