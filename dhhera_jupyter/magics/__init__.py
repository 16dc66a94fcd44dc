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
    from dhhera_jupyter.platform import fast_wait

    fast_wait.install()  # the SDK's Run.wait polls the local core every 0.1 s (DHHERA_FAST_WAIT=0: off)
    if settings.preload_enabled():
        from dhhera_jupyter.platform import preload

        preload()


def unload_ipython_extension(ipython: Any) -> None:
    """Nothing to release: the SDK stays imported, the local core keeps running for other kernels."""
