"""The run panel's Services box: the services a run's serve steps started, each with its URL, live state and a
"Stop service" action.

A pipeline is COMPLETED as soon as its serve step's service is up, while the service keeps RUNNING: each service is
read from its own run (the step's child run, :mod:`dhhera_jupyter.platform.services`) every
:data:`SERVICE_INTERVAL` seconds until it ends, whatever the pipeline's state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import ipywidgets as w

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.platform import services
from dhhera_jupyter.status import StepStatus, step_label
from dhhera_jupyter.status.phases import NODE_STATES, PENDING
from dhhera_jupyter.widgets.run_table import state_pill

#: Seconds between two reads of a live service.
SERVICE_INTERVAL = 2.0

Read = Callable[[str, str], dict[str, Any]]
Stop = Callable[[str, str], None]


def service_html(label: str, info: dict[str, Any] | None, note: str = "") -> str:
    """One service: the step's label, the state of its run, its URL as a link (http/https only); all escaped."""
    if info is None:
        state, text, url, message = PENDING, "checking…", None, ""
    else:
        state = text = str(info.get("label") or "unknown")
        url = (info.get("service") or {}).get("url")
        message = str(info.get("message") or "") if info.get("state") == "ERROR" else ""
    if note:
        state, text = PENDING, note
    if state not in NODE_STATES:
        state = PENDING  # "queued", "stopping": the palette's neutral colour
    ended = " dhhera-mod-ended" if info is not None and info.get("terminal") else ""
    href = services.service_url(url) if url else None
    link = (
        f"<a class='dhhera-RunPanel-serviceUrl' href='{escape(href, quote=True)}' target='_blank' "
        f"rel='noopener noreferrer' title='Open {escape(href, quote=True)} in a new tab'>{escape(href)}</a>"
        if href
        else "<span class='dhhera-RunPanel-serviceUrl'>no URL yet</span>"
    )
    said = f"<div class='dhhera-RunPanel-message'>{escape(message)}</div>" if message else ""
    return (
        f"<div class='dhhera-RunPanel-service{ended}'><span class='dhhera-RunPanel-serviceName'>{escape(label)}</span>"
        f"{state_pill(state, text)}{link}{said}</div>"
    )


class _ServiceRow(w.HBox):
    """A service, its Stop service button and the inline confirmation."""

    def __init__(self, run_id: str, label: str, on_stop: Callable[[_ServiceRow], None]) -> None:
        self.run_id, self.label = run_id, label
        self.info: dict[str, Any] | None = None
        self.stopping = False
        self.error = ""
        self.html = w.HTML(service_html(label, None))
        self.html.add_class("dhhera-RunPanel-serviceInfo")
        self.stop_button = w.Button(description="Stop service", tooltip=f"Stop the service of {label}…", icon="stop")
        self.stop_button.add_class("dhhera-RunPanel-action")
        self.stop_button.add_class("dhhera-RunPanel-stopService")
        self.stop_button.disabled = True
        yes = w.Button(description="Stop the service", tooltip="Its URL stops answering")
        yes.add_class("dhhera-RunPanel-action")
        yes.add_class("dhhera-RunPanel-stop")
        no = w.Button(description="Cancel", tooltip="Keep the service running")
        no.add_class("dhhera-RunPanel-action")
        self.confirm = w.HBox([w.HTML(f"Stop service {escape(label)}? Its URL stops answering."), yes, no])
        self.confirm.add_class("dhhera-RunPanel-toolbar")
        self.confirm.add_class("dhhera-RunPanel-serviceConfirm")
        self.confirm.layout.display = "none"
        self.stop_button.on_click(lambda _b: self._ask())
        yes.on_click(lambda _b: self._confirmed(on_stop))
        no.on_click(lambda _b: self._hide())
        self._buttons = [yes, no]
        super().__init__([self.html, self.stop_button, self.confirm])
        self.add_class("dhhera-RunPanel-serviceRow")

    @property
    def terminal(self) -> bool:
        return self.info is not None and bool(self.info.get("terminal"))

    def render(self) -> None:
        note = "stopping…" if self.stopping and not self.terminal else ""
        html = service_html(self.label, self.info, note)
        if self.error:
            html += f"<div class='dhhera-RunPanel-message'>{escape(self.error)}</div>"
        self.html.value = html
        stoppable = self.info is not None and bool(self.info.get("stoppable")) and not self.stopping
        self.stop_button.disabled = not stoppable
        if not stoppable:
            self._hide()

    def _confirmed(self, on_stop: Callable[[_ServiceRow], None]) -> None:
        self._hide()
        on_stop(self)

    def _ask(self) -> None:
        self.confirm.layout.display = ""

    def _hide(self) -> None:
        self.confirm.layout.display = "none"

    def close(self) -> None:
        for widget in (self.html, self.stop_button, *self._buttons, *self.confirm.children, self.confirm):
            widget.close()
        super().close()


class ServicesBox(w.VBox):
    """The services of the run on display (hidden when it has no serve step).

    Parameters
    ----------
    read, stop : callable, optional
        ``read(run_id, project)`` -> the service view, ``stop(run_id, project)``; the platform's by default.
    """

    def __init__(self, read: Read | None = None, stop: Stop | None = None) -> None:
        self._read: Read = read or services.read_service
        self._stop: Stop = stop or services.stop_service
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._rows: dict[str, _ServiceRow] = {}
        self._project = ""
        self._poller: threading.Thread | None = None
        self._closed = False
        self.title = w.HTML("<div class='dhhera-Label dhhera-RunPanel-servicesTitle'>Services</div>")
        super().__init__([self.title])
        self.add_class("dhhera-RunPanel-services")
        self.layout.display = "none"

    @property
    def rows(self) -> dict[str, _ServiceRow]:
        """Rows by serve run id (for scripts and tests)."""
        return dict(self._rows)

    def show(self, project: str, steps: Iterable[StepStatus]) -> None:
        """Show the serve steps among ``steps`` (another run's rows are dropped); reads each live service."""
        serve = [s for s in steps if services.is_serve_step(s)]
        with self._lock:
            self._project = project
            wanted = {str(s.run_id): s for s in serve}
            for run_id in [r for r in self._rows if r not in wanted]:
                self._rows.pop(run_id).close()
            for run_id, step in wanted.items():
                if run_id not in self._rows:
                    self._rows[run_id] = _ServiceRow(run_id, step_label(step.step), self._on_stop)
            children: list[w.Widget] = [self.title, *(self._rows[r] for r in wanted)]
            current = tuple(getattr(self, "children", ()))
            if list(current) != children:
                self.children = children
            self.layout.display = "" if wanted else "none"
            if any(not r.terminal for r in self._rows.values()):
                self._start_polling()

    def refresh(self) -> None:
        """Read every service that has not ended (one GET each) and show what it says."""
        with self._lock:
            rows, project = [r for r in self._rows.values() if not r.terminal], self._project
        for row in rows:
            try:
                info = self._read(row.run_id, project)
                row.error = ""
            except DhheraError as exc:
                row.error = str(exc)
            else:
                row.info = info
            row.render()

    def _on_stop(self, row: _ServiceRow) -> None:
        row.stopping = True
        row.error = ""
        row.render()
        try:
            self._stop(row.run_id, self._project)
        except DhheraError as exc:
            row.stopping = False
            row.error = str(exc)
            row.render()
        self._start_polling()

    def _start_polling(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self._poller is None:
                self._poller = threading.Thread(target=self._poll, name="dhhera-services", daemon=True)
                self._poller.start()
            self._wake.set()

    def _poll(self) -> None:
        """Read the live services every :data:`SERVICE_INTERVAL` seconds until all of them ended."""
        while not self._closed:
            self._wake.clear()
            self.refresh()
            with self._lock:
                if all(r.terminal for r in self._rows.values()) and not self._wake.is_set():
                    self._poller = None  # under the lock: a later show() or stop starts a new one
                    return
            self._wake.wait(SERVICE_INTERVAL)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        for row in self._rows.values():
            row.close()
        self.title.close()
        super().close()
