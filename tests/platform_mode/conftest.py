"""Platform mode: a "platform" (a local core started with a profile, in a data folder of its own) and the
extension pointed at it as a DigitalHub workspace points a kernel at DHCore.

A workspace gives the kernel ``DHCORE_ENDPOINT`` and ``DHCORE_ACCESS_TOKEN`` (and the S3 settings of the
platform's store) in the environment, or a ``~/.dhcore.ini`` profile; the extension is then switched with
``%hera use <endpoint>``. Nothing here is local mode: the session's local core is never started by these
tests, and the platform core is never the one the extension would start itself.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import ipython_shell

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "run_panel"))

#: Seconds between two passes of the dhcore profile's Argo monitor in the tests (DHCore's default is 10 s;
#: the behaviour is the same, the suite is faster).
TEST_REFRESH = 1.5

#: Variables a workspace sets (and this module changes); restored after each platform.
_WORKSPACE_VARS = ("DHCORE_", "DH_CONFIG", "DH_NAME", "AWS_", "S3_")


@dataclass
class Platform:
    """A core standing in for DHCore: where it answers, its token, its store, and its profile."""

    profile: str
    endpoint: str
    token: str
    home: Path
    s3: dict[str, str]
    reject: Path
    refresh: float | None

    def workspace_env(self) -> dict[str, str]:
        """The variables a DigitalHub workspace gives its kernels."""
        return {"DHCORE_ENDPOINT": self.endpoint, "DHCORE_ACCESS_TOKEN": self.token, **self.s3}


def start_platform(profile: str, root: Path) -> Platform:
    """Start a core with ``profile`` in ``root/home`` (its own data folder and object store)."""
    from dhhera_jupyter.core import control

    home = root / "home"
    reject = root / "reject-token"
    saved = dict(os.environ)
    os.environ.update(
        {
            "DHHERA_CORE_PROFILE": profile,
            "DHHERA_CORE_REFRESH": str(TEST_REFRESH),
            "DHHERA_CORE_TEST_REJECT_WHILE": str(reject),
        }
    )
    try:
        info = control.wait_objects(control.ensure_running(home), timeout=120)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Platform(
        profile,
        info.endpoint,
        info.token,
        home,
        dict(info.status.get("s3") or {}),
        reject,
        TEST_REFRESH if profile == "dhcore" else None,
    )


@pytest.fixture(scope="session")
def dhcore_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The DHCore-profile core, once per session."""
    from dhhera_jupyter.core import control

    platform = start_platform("dhcore", tmp_path_factory.mktemp("platform-dhcore"))
    yield platform
    control.stop(platform.home)


@pytest.fixture(scope="session")
def local_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A core with the default (helpful) profile used as a platform, for the tests run on both profiles."""
    from dhhera_jupyter.core import control

    platform = start_platform("local", tmp_path_factory.mktemp("platform-local"))
    yield platform
    control.stop(platform.home)


@pytest.fixture(params=["dhcore", "local"])
def any_platform(request: pytest.FixtureRequest) -> Platform:
    """Each profile in turn (for the flows whose behaviour differs between them)."""
    return request.getfixturevalue(f"{request.param}_platform")


def _workspace(platform: Platform, tmp_path: Path) -> Iterator[Platform]:
    """Point this process at ``platform`` as a workspace does, ``%hera use`` it, and undo it all afterwards."""
    backend = importlib.import_module("dhhera_jupyter.platform.backend")

    saved = {k: v for k, v in os.environ.items() if k.startswith(_WORKSPACE_VARS)}
    for key in saved:
        del os.environ[key]
    # A workspace kernel starts with no backend switch behind it: an earlier test's `%hera use local` (tests/magics)
    # left the variables it changed on record, and `use` would put the local core's token back for the platform.
    backend._backend = None
    backend._changed.clear()
    ini = tmp_path / "workspace.ini"
    ini.write_text("[DEFAULT]\n")  # a workspace user's own ini, without a profile: credentials come from env
    os.environ.update(platform.workspace_env())
    os.environ["DH_CONFIG"] = str(ini)
    user = backend.record_user_config(backend.UserConfig(str(ini)))  # what %load_ext records in such a kernel
    try:
        backend.use(platform.endpoint)
        assert backend.backend().mode == "platform"
        yield platform
    finally:
        for key in [k for k in os.environ if k.startswith(_WORKSPACE_VARS)]:
            del os.environ[key]
        os.environ.update(saved)
        backend._backend = None  # the next test folder configures its own backend
        backend._changed.clear()
        backend.record_user_config(user)
        backend._reset_sdk_client()


@pytest.fixture()
def on_dhcore(dhcore_platform: Platform, tmp_path: Path) -> Iterator[Platform]:
    """This process in platform mode against the DHCore-profile core."""
    yield from _workspace(dhcore_platform, tmp_path)


@pytest.fixture()
def on_platform(any_platform: Platform, tmp_path: Path) -> Iterator[Platform]:
    """This process in platform mode against each profile's core in turn."""
    yield from _workspace(any_platform, tmp_path)


@pytest.fixture()
def sdk(on_platform: Platform) -> Any:
    """The real digitalhub SDK, pointed at the platform."""
    from dhhera_jupyter.platform.backend import sdk

    return sdk()


@pytest.fixture()
def dh_sdk(on_dhcore: Platform) -> Any:
    from dhhera_jupyter.platform.backend import sdk

    return sdk()


def new_project(dh: Any, request: pytest.FixtureRequest) -> Any:
    name = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower())[:36].strip("-") or "p"
    return dh.get_or_create_project(f"pm-{name}-{os.urandom(2).hex()}")


@pytest.fixture()
def shell(on_platform: Platform) -> Any:
    """IPython's InteractiveShell with the extension loaded (text answers, no kernel)."""
    return ipython_shell()
