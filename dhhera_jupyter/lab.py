"""``dhhera lab``: the local core plus JupyterLab, opened on the quickstart notebook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from dhhera_jupyter.core import control


def quickstart_notebook(home: Path) -> Path:
    """The quickstart notebook: the checkout's copy (current folder, or the editable install's), else a copy
    of the packaged one in the data folder."""
    for checkout in (Path.cwd(), Path(__file__).resolve().parents[1]):
        local = checkout / "notebooks" / "quickstart.ipynb"
        if local.exists():
            return local
    target = home / "notebooks" / "quickstart.ipynb"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        packaged = resources.files("dhhera_jupyter") / "notebooks" / "quickstart.ipynb"
        with resources.as_file(packaged) as src:
            shutil.copyfile(src, target)
    return target


def launch(home: Path | None = None, extra: list[str] | None = None) -> int:
    info, started = control.start(home)
    print(f"local core {'started' if started else 'running'} at {info.endpoint} (data in {info.home})", flush=True)
    notebook = quickstart_notebook(info.home)
    cmd = [sys.executable, "-m", "jupyter", "lab", str(notebook.name), *(extra or [])]
    env = {k: v for k, v in os.environ.items() if k != "RUN_ID"}
    env["DHHERA_HOME"] = str(info.home)
    return subprocess.call(cmd, cwd=notebook.parent, env=env)
