"""Build hook: say that the lab extension is being built, where the user sees it.

pip captures a build backend's output and shows only a spinner, so ``pip install -e .`` would build the lab
extension with npm silently for minutes. This hook runs before the jupyter-builder hook and writes one line to
the terminal (``/dev/tty``), or to stderr where there is no terminal (pip shows that with ``-v`` and on errors).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
BUNDLE = ROOT / "dhhera_jupyter" / "static" / "dag_widget.js"
SOURCES = ROOT / "labextension" / "src"


def _needs_npm() -> bool:
    """Whether the jupyter-builder hook will run npm (no bundle yet, or a TypeScript source newer than it)."""
    if not BUNDLE.is_file():
        return True
    built = BUNDLE.stat().st_mtime
    return any(path.stat().st_mtime > built for path in SOURCES.rglob("*.ts"))


def _say(message: str) -> None:
    try:
        with open("/dev/tty", "w", encoding="utf-8") as tty:
            tty.write(message + "\n")
            return
    except OSError:
        pass
    print(message, file=sys.stderr, flush=True)


class AnnounceBuild(BuildHookInterface):
    """Announce the npm build of the lab extension and widget bundles."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if _needs_npm():
            _say(
                "dhhera-jupyter: building the JupyterLab extension and the notebook widgets with npm (jlpm); "
                "this takes a few minutes the first time..."
            )
