"""`dhhera lab` (the README's main command): the local core plus JupyterLab opened directly on the user's copy of
the quickstart; stopping JupyterLab stops the core it started and keeps one that was already running."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dhhera_jupyter.core import control
from tests.browser_harness import CHROMIUM, free_port
from tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECKOUT_QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
TOKEN = "lab-test-token"


class DhheraLab:
    """A ``dhhera lab`` process in a terminal-like process group."""

    def __init__(self, tmp_path: Path) -> None:
        self.home, self.notebooks, self.port = tmp_path / "core", tmp_path / "my-notebooks", free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_"))}
        env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
        env["DHHERA_POOL"] = "cold"  # its cores run no step: no warm process importing the SDK (~2.5 CPU s) each
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [
            sys.executable, "-m", "dhhera_jupyter.cli", "--home", str(self.home), "lab",
            "--notebooks", str(self.notebooks), "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            f"--ServerApp.token={TOKEN}", "--allow-root",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # as in a terminal: a test runner started in the background inherits an ignored SIGINT
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        wait_until(self._answers, timeout=120, interval=0.2, what="JupyterLab to answer")

    def _answers(self) -> bool:
        assert self.proc is not None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={TOKEN}", timeout=2):
                return True
        except OSError:
            assert self.proc.poll() is None, self.proc.stdout.read().decode(errors="replace")[-3000:]  # type: ignore[union-attr]
            return False

    def interrupt(self) -> str:
        """Ctrl-C in the terminal (SIGINT to the whole process group); returns what dhhera printed."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, _ = self.proc.communicate()
            raise AssertionError(
                "dhhera lab did not end after Ctrl-C:\n" + out.decode(errors="replace")[-3000:]
            ) from None
        return out.decode(errors="replace")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture()
def dhhera_lab(tmp_path: Path) -> Iterator[DhheraLab]:
    lab = DhheraLab(tmp_path)
    try:
        yield lab
    finally:
        lab.kill()
        control.stop(lab.home)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dhhera_lab_opens_a_copy_of_the_quickstart_and_stops_the_core_it_started(
    dhhera_lab: DhheraLab, browser: Any
) -> None:
    before = _digest(CHECKOUT_QUICKSTART)
    dhhera_lab.start()
    copy = dhhera_lab.notebooks / "quickstart.ipynb"
    assert copy.is_file() and _digest(copy) == before
    assert control.find(dhhera_lab.home) is not None

    assert Path(CHROMIUM).exists()
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{dhhera_lab.port}/?token={TOKEN}")
        # Straight to the notebook, not the Launcher.
        expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
        expect(page.locator(".lm-TabBar-tab.lm-mod-current[data-type='document-title']")).to_contain_text("quickstart")
        expect(page.locator(".jp-Launcher")).to_have_count(0)
    finally:
        context.close()

    printed = dhhera_lab.interrupt()
    assert "stopped the local core that dhhera lab started" in printed, printed
    assert control.find(dhhera_lab.home) is None
    assert _digest(CHECKOUT_QUICKSTART) == before


def test_dhhera_lab_keeps_a_core_that_was_already_running(dhhera_lab: DhheraLab) -> None:
    info, started = control.start(dhhera_lab.home)
    assert started
    dhhera_lab.start()
    printed = dhhera_lab.interrupt()
    assert "left the local core running" in printed, printed
    still = control.find(dhhera_lab.home)
    assert still is not None and still.pid == info.pid
