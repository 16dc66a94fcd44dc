"""IPython magics: ``%%hera_pipeline`` and ``%hera <subcommand>``, plus their Python twins.

Loading them (``%load_ext dhhera_jupyter``) imports neither the SDK nor Hera nor the widgets; the SDK
import starts in a background thread (unless ``DHHERA_PRELOAD=0``).
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on ``ipython`` and start importing the SDK in the background."""
    from dhhera_jupyter import settings
    from dhhera_jupyter.magics.hera import HeraMagics
    from dhhera_jupyter.magics.pipeline import PipelineMagics

    ipython.register_magics(PipelineMagics)
    ipython.register_magics(HeraMagics)
    from dhhera_jupyter.platform import fast_wait, record_user_config

    record_user_config()  # the user's DH_CONFIG, before a backend points it elsewhere (%hera use PROFILE reads it)

    fast_wait.install()  # the SDK's Run.wait polls the local core every 0.1 s (DHHERA_FAST_WAIT=0: off)
    if settings.preload_enabled():
        from dhhera_jupyter.platform import backend_pending, preload

        preload()
        if backend_pending():
            ipython.events.register("pre_run_cell", _BackendGate(ipython))


#: Seconds the next cell waits at most for the local core that ``%load_ext`` started.
BACKEND_WAIT = 120.0


class _BackendGate:
    """Before the next cell runs, wait for the backend the preload is starting, so that the cell's own
    ``import digitalhub`` and SDK calls find the environment pointed at it (one progress line, bounded)."""

    def __init__(self, ipython: Any) -> None:
        self.ipython = ipython

    def __call__(self, info: Any = None) -> None:
        import sys

        from dhhera_jupyter.platform import wait_for_backend

        self.ipython.events.unregister("pre_run_cell", self)
        shown = False

        def progress(waited: float) -> None:
            nonlocal shown
            shown = True
            print(f"\rStarting the local DigitalHub core for this kernel… {waited:.0f} s", end="", flush=True)

        ready = wait_for_backend(BACKEND_WAIT, progress)
        if shown:
            print("\r" + ("The local DigitalHub core is ready." if ready else "") + " " * 20, flush=True)
        if not ready:
            print(
                f"The local DigitalHub core did not answer within {BACKEND_WAIT:.0f} s; run %hera status to see why.",
                file=sys.stderr,
            )
            return
        # The preload ended; if it failed (the core did not start, say), choose the backend here so that this
        # cell's own SDK calls find it, or say why not in one sentence instead of the SDK's missing-key error.
        from dhhera_jupyter.errors import DhheraError
        from dhhera_jupyter.platform.backend import backend

        try:
            backend()
        except DhheraError as exc:
            print(f"No DigitalHub backend for this kernel: {exc}", file=sys.stderr)


def unload_ipython_extension(ipython: Any) -> None:
    """Nothing to release: the SDK stays imported, the local core keeps running for other kernels."""
