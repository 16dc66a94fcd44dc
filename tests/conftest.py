"""Shared fixtures: a real local core process in a temporary data folder, and the real SDK pointed at it.

The SDK reads ``DH_CONFIG`` when it is imported, so it is set here, before any test imports it: a
user's ``~/.dhcore.ini`` never reaches the tests.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import FIXTURES, wait_until  # noqa: F401  (re-exported for older imports)

# JupyterLab + Chromium fixtures (lab_server, browser, lab): one instance for the whole session, visible to
# every test folder.
pytest_plugins = ("tests.browser_harness",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop on the main thread until the session
    ends, which asyncio-based tests (pytest-jupyter's jp_fetch) cannot share."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


_SESSION_DIR = Path(tempfile.mkdtemp(prefix="dhhera-tests-"))
for _key in [k for k in os.environ if k.startswith(("DHCORE_", "RUN_ID", "PROJECT_NAME", "DH_"))]:
    del os.environ[_key]
os.environ["DH_CONFIG"] = str(_SESSION_DIR / "empty.ini")
(_SESSION_DIR / "empty.ini").write_text("[DEFAULT]\n")
os.environ["DHHERA_HOME"] = str(_SESSION_DIR / "home")
os.environ.setdefault("DHHERA_WORKERS", "2")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``shared/fixtures/dhcore``; a missing folder is an error, not a skip."""
    assert FIXTURES.is_dir(), f"the shared fixtures are missing: {FIXTURES} (set DHHERA_SHARED)"
    return FIXTURES


@pytest.fixture(scope="session")
def core_home() -> Path:
    return Path(os.environ["DHHERA_HOME"])


@pytest.fixture(scope="session")
def core(core_home: Path) -> Iterator[object]:
    """The real local core process, started once per test session; the SDK of this process points at it."""
    from dhhera_jupyter.core import control

    info = control.wait_objects(control.ensure_running(core_home), timeout=120)
    os.environ.update(info.env())
    yield info
    control.stop(core_home)


@pytest.fixture(scope="session")
def dh(core: object):
    """The real digitalhub SDK module, configured for the session's local core."""
    import digitalhub
    from digitalhub.stores.client.base.factory import client_factory  # noqa: F401  (import path check)

    return digitalhub


@pytest.fixture()
def project(dh, request):
    """A fresh project per test, named after it."""
    import re

    name = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower())[:40].strip("-") or "p"
    name = f"t-{name}-{os.urandom(2).hex()}"
    return dh.get_or_create_project(name)
