"""Browser-test harness: a real JupyterLab server and headless Chromium driven by Playwright.

Fixtures
--------
lab_server
    One ``jupyter lab`` per session in a temporary root folder, with isolated settings, user
    settings and workspaces (the "Jupyter news" toast is switched off there, nothing global changes).
browser
    One headless Chromium per session (Debian's ``/usr/bin/chromium``; no ``playwright install``).
lab
    A fresh browser context per test, wrapped in :class:`LabPage` (open Lab, write and open
    notebooks, run cells reliably, read outputs).

Mark tests that use them ``@pytest.mark.browser``; ``pytest -m "not browser"`` leaves them out.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import nbformat
import pytest

from tests.support import wait_until

CHROMIUM = os.environ.get("DHHERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The news toast covers the notebook toolbar; the command-line flag does not remove it.
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
LAB_START_TIMEOUT = 90.0
REPO = Path(__file__).resolve().parents[1]
KERNEL_TIMEOUT = 60.0

T = TypeVar("T")


def poll(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.1) -> T:
    """Call ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    return wait_until(predicate, timeout=timeout, interval=interval, what=what)  # type: ignore[return-value]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it answers and where its files live."""

    base_url: str
    token: str
    root_dir: Path
    log_path: Path

    def url(self, path: str = "lab") -> str:
        """Absolute URL of ``path`` with the token attached."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path.lstrip('/')}{separator}token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server log (for failure messages)."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _status_ok(server: LabServer, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"jupyter lab exited with {process.returncode}:\n{server.log_tail()}")
    try:
        with urllib.request.urlopen(server.url("api/status"), timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """``jupyter lab`` on a free loopback port with a random token, stopped at session end."""
    base = tmp_path_factory.mktemp("lab")
    root_dir, settings_dir = base / "root", base / "app-settings"
    root_dir.mkdir()
    settings_dir.mkdir()
    (settings_dir / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES), encoding="utf-8")

    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
        # The package's default lab settings (labconfig/) as an install puts them in etc/jupyter, from this checkout.
        "JUPYTER_CONFIG_PATH": os.pathsep.join(
            p for p in (str(REPO / "labextension" / "jupyter-config"), os.environ.get("JUPYTER_CONFIG_PATH")) if p
        ),
    }
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.port_retries=0",
        f"--LabApp.app_settings_dir={settings_dir}",
        f"--LabApp.user_settings_dir={base / 'user-settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: tests switch the theme with its commands
    ]  # fmt: skip
    server = LabServer(f"http://127.0.0.1:{port}/", token, root_dir, base / "lab.log")
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        poll(lambda: _status_ok(server, process), LAB_START_TIMEOUT, "jupyter lab to answer /api/status")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Playwright, system executable)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: `apt-get install -y chromium`, or deselect with -m 'not browser'.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class LabPage:
    """One browser tab on JupyterLab, with the few moves a test needs.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page of a fresh browser context.
    server : LabServer
        The Lab to drive.
    """

    def __init__(self, page: object, server: LabServer) -> None:
        from playwright.sync_api import Page

        assert isinstance(page, Page)
        self.page = page
        self.server = server

    def open_lab(self) -> None:
        """Load the Lab shell and wait until the left sidebar is there."""
        # ?reset: start from an empty workspace, not the notebooks an earlier test left open
        self.page.goto(self.server.url("lab?reset"))
        self.page.locator("#jp-left-stack").wait_for(state="attached", timeout=60_000)
        self.page.locator(".jp-SideBar.jp-mod-left").wait_for(timeout=60_000)

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        """Create ``name`` in the server root with one code cell per source string."""
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = self.server.root_dir / name
        nbformat.write(notebook, path)
        return path

    def open_notebook(self, name: str) -> object:
        """Open a notebook of the server root and wait for its kernel to be idle; return the panel."""
        self.page.goto(self.server.url(f"lab/tree/{name}?reset"))
        panel = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
        panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
        self.wait_for_kernel_idle()
        return panel

    def wait_for_kernel_idle(self, timeout: float = KERNEL_TIMEOUT) -> None:
        """Wait until the status bar says the kernel is idle."""
        from playwright.sync_api import expect

        status = self.page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$"))
        expect(status.first).to_be_visible(timeout=timeout * 1000)

    def cell(self, index: int) -> object:
        """The ``index``-th cell of the open notebook."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)

    def run_cell(self, index: int, timeout: float = KERNEL_TIMEOUT) -> object:
        """Run one cell and wait until it has finished; return its output area.

        Shift+Enter pressed right after the kernel turns idle is sometimes dropped, so the key is
        pressed again until the prompt shows the cell was queued, then the prompt number is awaited.
        """
        cell = self.cell(index)
        prompt = cell.locator(".jp-InputArea-prompt")
        before = prompt.inner_text().strip()

        def started() -> bool:
            current = prompt.inner_text().strip()
            return current != before and current != ""

        deadline = time.monotonic() + timeout
        while True:
            cell.locator(".jp-InputArea-editor").click()
            self.page.keyboard.press("Escape")  # command mode: Shift+Enter runs, never types
            self.page.keyboard.press("Shift+Enter")
            try:
                poll(started, 3.0, f"cell {index} to start")
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
        poll(
            lambda: re.fullmatch(r"\[\d+\]:", prompt.inner_text().strip()),
            timeout,
            f"cell {index} to finish (prompt {prompt.inner_text().strip()!r})",
        )
        return cell.locator(".jp-OutputArea")

    def set_theme(self, dark: bool) -> None:
        """Switch JupyterLab to its dark or light theme and wait until the page has it."""
        theme = "JupyterLab Dark" if dark else "JupyterLab Light"
        self.page.evaluate("theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
        wanted = "false" if dark else "true"
        poll(
            lambda: self.page.evaluate("() => document.body.dataset.jpThemeLight") == wanted,
            30,
            f"the {theme} theme",
        )

    def screenshot(self, name: str, locator: object | None = None) -> Path | None:
        """Save a PNG of the page (or of ``locator``) as ``$DHHERA_SCREENSHOTS/<name>.png`` when that is set."""
        folder = os.environ.get("DHHERA_SCREENSHOTS")
        if not folder:
            return None
        path = Path(folder) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        (locator or self.page).screenshot(path=str(path))
        return path

    def assert_no_errors(self, output: object) -> None:
        """Fail with the traceback text if an output area shows an error."""
        errors = output.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        if errors.count():
            raise AssertionError(errors.all_inner_texts())


def lab_page(browser: object, server: LabServer, width: int, height: int) -> Iterator[LabPage]:
    """A fresh browser context of ``width`` x ``height`` on ``server``'s Lab, closed when the generator ends."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield LabPage(page, server)
    finally:
        context.close()


@pytest.fixture()
def lab(browser: object, lab_server: LabServer) -> Iterator[LabPage]:
    """A fresh 1400x1000 browser context on the session's Lab, closed after the test."""
    yield from lab_page(browser, lab_server, 1400, 1000)


@pytest.fixture()
def laptop(browser: object, lab_server: LabServer) -> Iterator[LabPage]:
    """A fresh 1366x768 browser context (a common laptop screen, the size of the screenshots) on the session's Lab."""
    yield from lab_page(browser, lab_server, 1366, 768)


@pytest.fixture(scope="session")
def jupyter_executable() -> str:
    """The ``jupyter`` command of this Python environment."""
    candidate = Path(sys.executable).with_name("jupyter")
    return str(candidate) if candidate.exists() else (shutil.which("jupyter") or "jupyter")
