"""The prebuilt lab extension is installed where JupyterLab finds it."""

from __future__ import annotations

import re
import subprocess


def test_labextension_list_shows_dhhera_jupyter_enabled_and_ok(jupyter_executable: str) -> None:
    result = subprocess.run(
        [jupyter_executable, "labextension", "list"], capture_output=True, text=True, timeout=120, check=True
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    line = next((row for row in listing.splitlines() if "dhhera-jupyter" in row), None)
    assert line is not None, listing
    assert re.search(r"dhhera-jupyter v\S+ enabled OK", line), line
