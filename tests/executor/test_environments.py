"""Per-function environments through the real SDK: ``requirements``, ``python+build`` with ``instructions``.

The requirement is ``cowsay`` (a small pure-Python package from PyPI, two versions used); the installer's cache
(``DHHERA_UV_CACHE``, default ``~/.cache/dhhera/uv``) outlives the test session, so after the first session the
installs are served from it.
"""

from __future__ import annotations

import threading

import pytest

from tests.support import core_run_logs, wait_until

pytestmark = pytest.mark.slow

VERSION = """
from importlib.metadata import version

def which():
    import cowsay
    print("cowsay", version("cowsay"), "from", cowsay.__file__, flush=True)
    return version("cowsay")
"""

MARKER = """
import os

def marker():
    path = os.path.join(os.environ["VIRTUAL_ENV"], "marker.txt")
    print("marker:", open(path).read().strip(), flush=True)
"""


def _logs(project, run) -> str:
    """The run's log as the core serves it."""
    return core_run_logs(project.name, run.id)


def _done(run, timeout: float = 300):
    wait_until(
        lambda: (run.refresh(), run.status.state)[1] in ("COMPLETED", "ERROR", "STOPPED"),
        timeout=timeout,
        interval=0.1,
        what=f"run {run.id} to end",
    )
    return run


def _fn(project, name: str, code: str, handler: str, **spec):
    return project.new_function(
        name=name, kind="python", code=code, handler=handler, python_version="PYTHON3_11", **spec
    )


def test_requirements_are_installed_once_and_reused(project) -> None:
    fn = _fn(project, "which", VERSION, "which", requirements=["cowsay==6.1"])
    first = _done(fn.run("job"))
    assert first.status.state == "COMPLETED", first.status.message
    logs = _logs(project, first)
    assert "cowsay 6.1 from" in logs
    assert "dhhera-env:" in logs
    second = _done(fn.run("job"))
    assert second.status.state == "COMPLETED", second.status.message
    again = _logs(project, second)
    assert "reused" in again and "[build] installing" not in again and "cowsay 6.1" in again


def test_two_functions_with_different_requirements_at_once_get_their_own(project) -> None:
    old = _fn(project, "old", VERSION, "which", requirements=["cowsay==6.0"])
    new = _fn(project, "new", VERSION, "which", requirements=["cowsay==6.1"])
    runs: dict[str, object] = {}
    threads = [
        threading.Thread(target=lambda f=f, k=k: runs.__setitem__(k, f.run("job")))
        for k, f in (("6.0", old), ("6.1", new))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for expected, run in runs.items():
        _done(run)
        assert run.status.state == "COMPLETED", run.status.message
        assert f"cowsay {expected} from" in _logs(project, run)


def test_a_requirement_that_does_not_exist_ends_error_naming_it(project) -> None:
    fn = _fn(project, "nope", VERSION, "which", requirements=["dhhera-no-such-package-zz9"])
    run = _done(fn.run("job"))
    assert run.status.state == "ERROR"
    message = run.status.message
    assert "dhhera-no-such-package-zz9" in message and "InstallError" in message
    assert "not found" in message or "No solution" in message or "unsatisfiable" in message, message


def test_build_with_instructions_then_a_job_runs_in_the_built_environment(project) -> None:
    fn = _fn(project, "marked", MARKER, "marker")
    build = _done(fn.run("build", instructions=['echo "built-here" > "$VIRTUAL_ENV/marker.txt"']))
    assert build.status.state == "COMPLETED", build.status.message
    logs = _logs(project, build)
    assert "[build] $ echo" in logs
    image = project.get_function("marked").spec.image
    assert image and image.startswith("dhhera-env:")
    job = _done(project.get_function("marked").run("job"))
    assert job.status.state == "COMPLETED", job.status.message
    assert "marker: built-here" in _logs(project, job)


def test_an_instruction_that_fails_ends_the_build_error_naming_it(project) -> None:
    fn = _fn(project, "broken-build", MARKER, "marker")
    build = _done(fn.run("build", instructions=["echo about to fail; ls /no/such/folder"]))
    assert build.status.state == "ERROR"
    assert "ls /no/such/folder" in build.status.message and "No such file" in build.status.message
    assert not (project.get_function("broken-build").spec.image or "").startswith("dhhera-env:")


WHERE = """
import sys

def where():
    print("interpreter", sys.executable, "%d.%d" % sys.version_info[:2], flush=True)
"""


def test_python_version_of_an_interpreter_on_this_machine_is_honoured(project) -> None:
    import sys

    fn = project.new_function(name="here", kind="python", code=WHERE, handler="where", python_version="PYTHON3_11")
    run = _done(fn.run("job"))
    assert run.status.state == "COMPLETED", run.status.message
    logs = _logs(project, run)
    assert f"python_version PYTHON3_11: running on Python {sys.version.split()[0]} ({sys.executable})" in logs
    assert f"interpreter {sys.executable} 3.11" in logs


def test_python_version_with_no_interpreter_here_says_which_was_asked_and_which_is_used(project) -> None:
    import sys

    from dhhera_jupyter.executor.environments import find_python

    missing = next((v for v in ("3.10", "3.12", "3.13") if find_python(v) is None), None)
    if missing is None:
        pytest.skip("every python_version the SDK knows has an interpreter on this machine")
    wanted = "PYTHON" + missing.replace(".", "_")
    fn = project.new_function(
        name="elsewhere",
        kind="python",
        code=WHERE,
        handler="where",
        python_version=wanted,
        requirements=["cowsay==6.1"],
    )
    run = _done(fn.run("job"))
    assert run.status.state == "COMPLETED", run.status.message
    logs = _logs(project, run)
    assert (
        f"python_version {wanted} asked, but no Python {missing} interpreter exists on this machine (the local core "
        f"does not download interpreters); this run uses Python {sys.version.split()[0]} ({sys.executable})"
    ) in logs
    assert "interpreter " in logs and " 3.11" in logs


def test_environments_are_keyed_by_interpreter_version() -> None:
    from dhhera_jupyter.executor.environments import Environments

    key = Environments.key_of(["cowsay==6.1"], [], "3.11.7")
    assert key == Environments.key_of(["cowsay==6.1"], [], "3.11.2")  # same minor: same environment
    assert key != Environments.key_of(["cowsay==6.1"], [], "3.12.1")
