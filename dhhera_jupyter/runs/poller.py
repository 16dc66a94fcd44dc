"""One poller per kernel: follows every watched pipeline run with one GET per run per tick.

It is a single daemon thread, not an asyncio task on the kernel's loop, because

- the SDK is blocking (``requests``, 60 s timeout): on the loop every GET would need an executor
  thread anyway, and a slow backend must never stall the kernel;
- the kernel's loop does not turn while a cell runs, so an asyncio poller would freeze the panels
  during any long cell (``%hera run --wait`` included); a thread keeps them live;
- it works the same in terminal IPython and plain scripts, where no loop runs between prompts.

The thread sleeps on a condition between ticks, starts on the first watch and ends as soon as
nothing is watched, so it costs nothing when idle and never outlives its runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dhhera_jupyter import settings
from dhhera_jupyter.errors import NotFound
from dhhera_jupyter.runs.refresh_clock import RefreshClock
from dhhera_jupyter.status.phases import GONE_RUN_STATES, TERMINAL_RUN_STATES

log = logging.getLogger(__name__)

Fetch = Callable[[str, "str | None"], dict]


class RunListener(Protocol):
    """What the poller calls back (from its thread). Listeners are held weakly."""

    @property
    def active(self) -> bool:
        """False once the listener no longer wants updates (its widget was closed)."""
        ...

    def on_run(self, doc: dict) -> None:
        """The run document changed (or is seen for the first time)."""

    def on_connection(self, problem: str | None, retry_in: float | None) -> None:
        """The backend stopped answering (``problem``, next try in ``retry_in`` s), or answers again (None)."""

    def on_gone(self, message: str) -> None:
        """The run no longer exists; the poller stopped watching it."""


@dataclass
class _Watch:
    run_id: str
    project: str | None
    listeners: list[weakref.ref] = field(default_factory=list)
    interval: float = 0.0
    next_at: float = 0.0
    fingerprint: str | None = None
    #: The document last seen; a conditional read answered ``304`` hands back this very object.
    doc: dict | None = field(default=None, repr=False)
    failures: int = 0
    clock: RefreshClock | None = None  # the backend's refresh passes, when it writes periodically
    polled_at: float | None = None  # wall clock of the last poll that got an answer

    def live(self) -> list[Any]:
        alive = []
        for ref in self.listeners:
            listener = ref()
            if listener is not None and getattr(listener, "active", True):
                alive.append(listener)
        return alive


def fingerprint(doc: dict) -> str:
    """A digest of what a panel shows of a run (its ``status``); equal digests mean nothing to push."""
    status = doc.get("status") if isinstance(doc, dict) else None
    text = json.dumps(status, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _default_fetch(run_id: str, project: str | None) -> dict:
    from dhhera_jupyter.platform.conditional import run_doc  # If-None-Match: an unchanged run costs no body

    return run_doc(run_id, project)


class Poller:
    """Polls watched runs from one daemon thread and calls their listeners only when something changed.

    Parameters
    ----------
    fetch : callable, optional
        ``fetch(run_id, project) -> run JSON``; one call is one GET (default: the facade's ``run_doc``).
    interval : (float, float), optional
        Seconds between polls of a run right after a change, and the most it grows to while nothing
        changes (default ``settings.POLL_INTERVAL``).
    backoff_max : float, optional
        Longest wait between retries while the backend does not answer.
    growth : float
        Factor the interval grows by after each poll that saw no change.
    """

    def __init__(
        self,
        fetch: Fetch | None = None,
        interval: tuple[float, float] | None = None,
        backoff_max: float | None = None,
        growth: float = 1.5,
    ) -> None:
        self._fetch = fetch or _default_fetch
        fast, slow = interval or settings.POLL_INTERVAL
        self.fast, self.slow = float(fast), max(float(fast), float(slow))
        self.backoff_max = settings.POLL_BACKOFF_MAX if backoff_max is None else backoff_max
        self.growth = growth
        self._cond = threading.Condition()
        self._watches: dict[tuple[str | None, str], _Watch] = {}
        self._thread: threading.Thread | None = None
        #: GETs issued so far (one per run per tick).
        self.requests = 0
        #: Ticks so far (passes of the loop that polled at least one run).
        self.ticks = 0
        #: Documents hashed so far (a tick whose read was answered ``304`` hashes none).
        self.hashed = 0

    # -- public --------------------------------------------------------------------------------

    def watch(self, run_id: str, project: str | None, listener: RunListener) -> None:
        """Follow ``run_id``; ``listener`` (held weakly) gets its changes. The first poll is immediate."""
        key = (project, run_id)
        with self._cond:
            watch = self._watches.get(key)
            if watch is None:
                watch = self._watches[key] = _Watch(run_id, project, interval=self.fast)
            if not any(ref() is listener for ref in watch.listeners):
                # The callback wakes the thread when the listener is garbage-collected, so it stops at once.
                watch.listeners.append(weakref.ref(listener, self._collected))
            if watch.fingerprint is not None:
                # A second listener on a run already seen: hand it the last state on the next tick.
                watch.fingerprint = None
            watch.next_at = 0.0
            self._ensure_thread()
            self._cond.notify_all()

    def unwatch(self, run_id: str, project: str | None, listener: RunListener) -> None:
        """Stop sending ``run_id``'s changes to ``listener``; the run is dropped when nobody listens."""
        key = (project, run_id)
        with self._cond:
            watch = self._watches.get(key)
            if watch is None:
                return
            watch.listeners = [ref for ref in watch.listeners if ref() is not None and ref() is not listener]
            if not watch.listeners:
                del self._watches[key]
            self._cond.notify_all()

    def _collected(self, _ref: weakref.ref) -> None:
        with self._cond:  # re-entrant: a collection may happen while this thread holds it
            self._cond.notify_all()

    def poke(self, run_id: str, project: str | None) -> None:
        """Poll ``run_id`` now (after a stop request, say) and go back to the fast interval."""
        with self._cond:
            watch = self._watches.get((project, run_id))
            if watch is not None:
                watch.next_at = 0.0
                watch.interval = self.fast
                self._cond.notify_all()

    def watched(self) -> list[tuple[str | None, str]]:
        """``(project, run_id)`` of the runs being followed."""
        with self._cond:
            return list(self._watches)

    @property
    def thread(self) -> threading.Thread | None:
        """The polling thread while it runs."""
        return self._thread

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end (it ends when nothing is watched); True when it has."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # -- the thread ----------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="dhhera-run-poller", daemon=True)
            self._thread.start()

    def _prune(self) -> None:
        for key, watch in list(self._watches.items()):
            if not watch.live():
                del self._watches[key]

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._prune()
                if not self._watches:
                    self._thread = None
                    return
                now = time.monotonic()
                due = [w for w in self._watches.values() if w.next_at <= now]
                if not due:
                    self._cond.wait(min(w.next_at for w in self._watches.values()) - now)
                    continue
                self.ticks += 1
            for watch in due:
                try:
                    self._poll(watch)
                except Exception:
                    log.exception("polling run %s failed", watch.run_id)
                    watch.next_at = time.monotonic() + self.slow

    def _drop(self, watch: _Watch) -> None:
        with self._cond:
            if self._watches.get((watch.project, watch.run_id)) is watch:
                del self._watches[(watch.project, watch.run_id)]

    def _poll(self, watch: _Watch) -> None:
        listeners = watch.live()
        if not listeners:
            return
        try:
            self.requests += 1
            doc = self._fetch(watch.run_id, watch.project)
        except NotFound as exc:
            self._drop(watch)
            for listener in listeners:
                _call(listener.on_gone, str(exc) or f"Run {watch.run_id} no longer exists.")
            return
        except Exception as exc:  # noqa: BLE001 - connection errors, 5xx: back off and retry
            watch.failures += 1
            delay = min(self.backoff_max, self.slow * 2 ** (watch.failures - 1))
            watch.next_at = time.monotonic() + delay
            for listener in listeners:
                _call(listener.on_connection, str(exc) or type(exc).__name__, delay)
            return
        if watch.failures:
            watch.failures = 0
            for listener in listeners:
                _call(listener.on_connection, None, None)
        state = str((doc.get("status") or {}).get("state") or "").upper()
        # A 304 gives back the document already seen (the same object): nothing to hash, nothing to push.
        unchanged = doc is watch.doc and watch.fingerprint is not None
        if unchanged:
            digest = watch.fingerprint
        else:
            digest = fingerprint(doc)
            self.hashed += 1
        watch.doc = doc
        seen_at, previous_poll, watch.polled_at = time.time(), watch.polled_at, time.time()
        if watch.clock is None:
            watch.clock = RefreshClock(self.slow)
        if digest != watch.fingerprint:
            watch.clock.observe((doc.get("metadata") or {}).get("updated"), seen_at, previous_poll)
            watch.fingerprint = digest
            watch.interval = self.fast
            for listener in listeners:
                _call(listener.on_run, doc)
        else:
            watch.interval = min(self.slow, watch.interval * self.growth)
        if state in TERMINAL_RUN_STATES:
            self._drop(watch)
        elif state in GONE_RUN_STATES:
            self._drop(watch)
            for listener in listeners:
                _call(listener.on_gone, f"Run {watch.run_id} was deleted.")
        watch.next_at = time.monotonic() + watch.interval
        # A backend writing on a monitor's passes (DHCore): also poll right after its next pass.
        window = watch.clock.window(time.time())
        if window is not None:
            now = time.time()
            soon = window[0] - now if now < window[0] else self.fast if now < window[1] else None
            if soon is not None:
                watch.next_at = min(watch.next_at, time.monotonic() + soon)


def _call(method: Callable[..., Any], *args: Any) -> None:
    try:
        method(*args)
    except Exception:
        log.exception("run listener %r failed", method)


_poller: Poller | None = None
_poller_lock = threading.Lock()


def poller() -> Poller:
    """The process-wide poller (one per kernel)."""
    global _poller
    with _poller_lock:
        if _poller is None:
            _poller = Poller()
        return _poller
