"""Credentials as a DigitalHub workspace supplies them: a ``~/.dhcore.ini`` profile for ``%hera use``, and a
token rejected while a run is watched (one sentence saying how to renew it, then watching resumes)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from panel_pipelines import DIAMOND, add_workflow

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.runs.poller import Poller
from dhhera_jupyter.runs.watched import WatchedRun
from tests.platform_mode.conftest import Platform, new_project
from tests.support import ipython_shell, wait_until

backend = importlib.import_module("dhhera_jupyter.platform.backend")


def _user_ini(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, ini: Path) -> None:
    """Make ``ini`` the user's own ``DH_CONFIG``: in the environment, and recorded as the user's configuration (as
    ``%load_ext`` records it), so profiles are looked up in the user's file, not in the local core's private one."""
    monkeypatch.setenv("DH_CONFIG", str(ini))
    previous = backend.record_user_config(backend.UserConfig(str(ini)))
    request.addfinalizer(lambda: backend.record_user_config(previous))


def test_use_a_dhcore_ini_profile_takes_endpoint_and_token_from_the_file(
    on_dhcore: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    ini = tmp_path / "dhcore.ini"  # the workspace user's own ini (not the session's shared one)
    _user_ini(request, monkeypatch, ini)
    ini.write_text(
        "[DEFAULT]\ncurrent_environment = other\n\n"
        f"[myplatform]\ndhcore_endpoint = {on_dhcore.endpoint}\ndhcore_access_token = {on_dhcore.token}\n"
    )
    monkeypatch.setenv("DHCORE_ACCESS_TOKEN", "stale-token-of-the-environment")  # the file's credentials win
    monkeypatch.delenv("DHCORE_ENDPOINT")
    shell = ipython_shell()
    shell.run_line_magic("hera", "use myplatform")
    assert backend.backend().mode == "platform" and backend.backend().endpoint == on_dhcore.endpoint
    assert os.environ["DH_NAME"] == "myplatform"
    dh = backend.sdk()
    project = dh.get_or_create_project(f"pm-ini-{os.urandom(2).hex()}")  # a request with the file's token
    assert project.name.startswith("pm-ini-")


def test_use_of_an_unknown_profile_names_the_file_and_its_profiles(
    on_dhcore: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    ini = tmp_path / "dhcore.ini"
    _user_ini(request, monkeypatch, ini)
    ini.write_text(f"[DEFAULT]\n\n[work]\ndhcore_endpoint = {on_dhcore.endpoint}\n")
    with pytest.raises(DhheraError) as err:
        backend.use("holiday")
    assert "nor a profile of" in str(err.value) and str(ini) in str(err.value) and "(profiles: work)" in str(err.value)
    assert backend.backend().endpoint == on_dhcore.endpoint  # still on the platform in use


def test_rejected_token_while_watching_says_how_to_renew_and_resumes(
    on_dhcore: Platform, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dh = backend.sdk()
    project = new_project(dh, request)
    wf = add_workflow(project, "diamond", DIAMOND)
    gate = tmp_path / "gate"
    run = wf.run(action="pipeline", parameters={"gate": str(gate)})
    watched = WatchedRun(run.id, project.name, poll=Poller(interval=(0.2, 0.5), backoff_max=0.5)).start()
    try:
        # Only b (held by the gate, making no requests) is left running: the hook rejects every token.
        wait_until(lambda: watched.nodes.get("b") == "running" and watched.nodes.get("c") == "succeeded", 120)
        on_dhcore.reject.write_text("expired")  # the platform now refuses the kernel's token
        problem = wait_until(lambda: watched.connection, 30, what="the rejected token to show")
        assert "rejected your credentials" in problem and "DHCORE_ACCESS_TOKEN" in problem
        assert "~/.dhcore.ini" in problem and problem.count(". ") == 0 and "Traceback" not in problem
        on_dhcore.reject.unlink()  # the token is valid again
        wait_until(lambda: watched.connection is None, 30, what="watching to resume")
        gate.touch()
        watched.wait(120)
        assert watched.state == "COMPLETED"
    finally:
        gate.touch()
        on_dhcore.reject.unlink(missing_ok=True)
        watched.close()


def test_platform_credentials_never_reach_a_local_core(on_dhcore: Platform) -> None:
    """The platform's token stays in the kernel: the core the extension starts gets its own token only."""
    from dhhera_jupyter.core import control

    assert "DHCORE_ACCESS_TOKEN" in os.environ
    env = control._child_env()
    assert not [k for k in env if k.startswith(("DHCORE_", "DH_CONFIG", "AWS_"))]
