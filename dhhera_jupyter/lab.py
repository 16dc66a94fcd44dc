"""``dhhera lab``: the local core plus JupyterLab, opened directly on the quickstart notebook.

The notebook is a copy in the user's notebook folder (``~/dhhera-notebooks`` unless ``--notebooks`` says
otherwise), made once and never overwritten, so running it never edits the checkout or the installed package.
A core that ``dhhera lab`` started is stopped when JupyterLab ends; a core that was already running is kept.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from importlib import resources
from pathlib import Path

from dhhera_jupyter.core import control

#: Where ``dhhera lab`` keeps the notebooks it gives the user.
DEFAULT_NOTEBOOKS = Path("~/dhhera-notebooks")

QUICKSTART = "quickstart.ipynb"


def _source_notebook() -> Path | None:
    """The quickstart shipped with this install: the checkout's (editable install), else the packaged one."""
    checkout = Path(__file__).resolve().parents[1] / "notebooks" / QUICKSTART
    return checkout if checkout.is_file() else None


def quickstart_notebook(folder: Path) -> tuple[Path, bool]:
    """The user's copy of the quickstart in ``folder``, copied there first if it is not there yet.

    Returns
    -------
    (Path, bool)
        The notebook, and whether this call copied it.
    """
    folder = folder.expanduser()
    target = folder / QUICKSTART
    if target.exists():
        return target, False
    folder.mkdir(parents=True, exist_ok=True)
    source = _source_notebook()
    if source is not None:
        shutil.copyfile(source, target)
    else:
        packaged = resources.files("dhhera_jupyter") / "notebooks" / QUICKSTART
        with resources.as_file(packaged) as src:
            shutil.copyfile(src, target)
    return target, True


def launch(home: Path | None = None, extra: list[str] | None = None, notebooks: Path | None = None) -> int:
    """Start (or reuse) the local core, then JupyterLab on the quickstart; stop the core afterwards if we started it.

    Returns
    -------
    int
        JupyterLab's exit code.
    """
    info, started = control.start(home)
    print(f"local core {'started' if started else 'already running'} at {info.endpoint} (data in {info.home})")
    notebook, copied = quickstart_notebook(notebooks or DEFAULT_NOTEBOOKS)
    print(f"{'copied the quickstart to' if copied else 'opening your copy of the quickstart:'} {notebook}", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={notebook.parent}",
        f"--LabApp.default_url=/lab/tree/{notebook.name}",
        *(extra or []),
    ]
    env = {k: v for k, v in os.environ.items() if k != "RUN_ID"}
    env["DHHERA_HOME"] = str(info.home)
    proc = subprocess.Popen(cmd, cwd=notebook.parent, env=env)
    try:
        code = _wait(proc)
    finally:
        if started:
            stopped = control.stop(info.home)
            print(
                f"stopped the local core that dhhera lab started (pid {info.pid}) and its object store and workers"
                if stopped
                else "the local core that dhhera lab started had already stopped",
                flush=True,
            )
        else:
            print(f"left the local core running (it was running before dhhera lab; pid {info.pid})", flush=True)
    return code


#: Seconds JupyterLab gets to end after Ctrl-C before it is killed.
STOP_GRACE = 15.0


def _wait(proc: subprocess.Popen[bytes]) -> int:
    """Wait for JupyterLab; Ctrl-C (which it receives too) ends it without its "Shut down?" prompt, bounded."""
    try:
        return proc.wait()
    except KeyboardInterrupt:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(STOP_GRACE)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            # It shut its kernels down first; what still holds it (a blocked thread) must not keep the core up.
            proc.kill()
            return proc.wait()
