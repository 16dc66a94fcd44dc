"""Per-function environments of the local core: a function's ``requirements`` and a build's ``instructions``.

DHCore builds a container image for a python function (``python+build``: base image + instructions +
requirements) and runs the function's jobs and services in it. Locally an environment is a virtualenv made with
``uv`` on top of the core's own interpreter (``--system-site-packages``, so the SDK and the runtimes stay
importable), named after a hash of what it contains (interpreter version, requirements, instructions) and kept
under ``DHHERA_HOME/envs/<hash>``: a second run with the same requirements installs nothing.

- A build run records its environment as the function's ``spec.image`` (``dhhera-env:<hash>``), as DHCore records
  the built image; later runs of the function use it.
- A job or serve run of a function with ``requirements`` and no built image gets the environment of its
  requirements, installed before it starts (the install output goes to the run's log).
- A run executes in its environment by putting the environment's ``site-packages`` first on ``sys.path`` and its
  ``bin`` first on ``PATH`` (:func:`activate`), in the warm worker process: runs stay as fast as plain jobs.
  Packages the warm process already imported (pandas, pyarrow, the SDK...) keep the core's version.

One lock file per environment serialises installs of the same content; different contents use different
folders, so concurrent runs never share a half-made environment. A folder without its ``.complete`` marker is
unfinished and is made again.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import site
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dhhera_jupyter.core.run_kinds import RunCallbacks

#: Prefix of the ``spec.image`` a local build records in its function.
IMAGE_PREFIX = "dhhera-env:"
#: Environment variable telling a run process which environment to activate.
ENV_VAR = "DHHERA_FUNCTION_ENV"
#: Environment variable telling the worker pool to run a run cold with this interpreter (a ``python_version``
#: other than the core's, found on the machine with the SDK and runtime importable).
PYTHON_VAR = "DHHERA_RUN_PYTHON"
_PYTHON_VERSION = re.compile(r"PYTHON(\d+)_(\d+)")
#: What a run process imports: an interpreter without them cannot execute a run.
_RUN_IMPORTS = "import digitalhub, digitalhub_runtime_python, nuclio_sdk"
_COMPLETE = ".complete"
_KEY = re.compile(r"[0-9a-f]{16}")


class InstallError(RuntimeError):
    """An environment could not be made (the message names the requirement or instruction and the error)."""


def _requirements(spec: Mapping[str, Any]) -> list[str]:
    value = spec.get("requirements") or []
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    return sorted({str(r).strip() for r in value if str(r).strip() and not str(r).strip().startswith("#")})


def _instructions(spec: Mapping[str, Any]) -> list[str]:
    return [str(i) for i in (spec.get("instructions") or []) if str(i).strip()]


def _uv() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise InstallError(
        "InstallError: the installer 'uv' is not available to the local core; install it with `pip install uv`."
    )


def _error_line(output: str) -> str:
    """The installer's most useful error line (uv prints the reason after ``╰─▶`` or ``error:``)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for marker in ("╰─▶", "error:", "ERROR:", "Error"):
        hits = [line for line in lines if marker in line]
        if hits:
            return hits[-1].replace("╰─▶", "").strip()[:400]
    return (lines[-1] if lines else "no output")[:400]


def _core_python() -> tuple[str, str]:
    return sys.executable, f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"


@functools.cache
def find_python(version: str) -> tuple[str, str] | None:
    """An interpreter of ``version`` (``"3.12"``) on this machine, as ``(path, full version)``; None without one.

    ``uv python find`` with downloads disabled (``UV_PYTHON_DOWNLOADS=never``): the local core never fetches an
    interpreter. Cached for the life of the core process.
    """
    try:
        uv = _uv()
    except InstallError:
        return None
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    try:
        found = subprocess.run(
            [uv, "python", "find", "--no-project", version],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        path = found.stdout.strip().splitlines()[-1] if found.returncode == 0 and found.stdout.strip() else ""
        if not path:
            return None
        probe = subprocess.run(
            [path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    full = probe.stdout.strip()
    return (path, full) if probe.returncode == 0 and full.startswith(version + ".") else None


@functools.cache
def can_run_sdk(python: str) -> bool:
    """Whether ``python`` imports the SDK and the python runtime (what a run process needs)."""
    try:
        probe = subprocess.run([python, "-c", _RUN_IMPORTS], capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def interpreter_for(spec: Mapping[str, Any], log: Callable[[str], None]) -> tuple[str, str]:
    """The interpreter a run of a function with ``spec`` executes with, as ``(path, full version)``.

    ``python_version`` (``PYTHON3_11``...) is honoured when an interpreter of that version exists on the machine
    and can run the SDK; otherwise the run uses the core's own interpreter and its log says which one was asked
    and which one is used.
    """
    core = _core_python()
    wanted = str(spec.get("python_version") or "")
    match = _PYTHON_VERSION.fullmatch(wanted)
    if not match:
        return core
    version = f"{match[1]}.{match[2]}"
    if core[1].startswith(version + "."):
        log(f"[dhhera] python_version {wanted}: running on Python {core[1]} ({core[0]})")
        return core
    found = find_python(version)
    if found is None:
        log(
            f"[dhhera] python_version {wanted} asked, but no Python {version} interpreter exists on this machine "
            f"(the local core does not download interpreters); this run uses Python {core[1]} ({core[0]}), the "
            "local core's own"
        )
        return core
    if not can_run_sdk(found[0]):
        log(
            f"[dhhera] python_version {wanted} asked: Python {found[1]} exists ({found[0]}) but cannot import the "
            f"digitalhub SDK and python runtime; this run uses Python {core[1]} ({core[0]}), the local core's own"
        )
        return core
    log(f"[dhhera] python_version {wanted}: running on Python {found[1]} ({found[0]})")
    return found


class Environments:
    """Makes and finds per-function environments; also the executor of ``python+build`` runs.

    Parameters
    ----------
    root : Path
        Folder of the environments (``DHHERA_HOME/envs``).
    cache : Path
        The installer's download and wheel cache (shared across homes).
    timeout : float
        Seconds one install may take.
    """

    def __init__(self, root: Path, cache: Path, timeout: float = 600.0) -> None:
        self.root = Path(root)
        self.cache = Path(cache)
        self.timeout = timeout
        self._threads: dict[str, threading.Thread] = {}
        self._cancelled: set[str] = set()
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()

    # -- content ----------------------------------------------------------------------------

    @staticmethod
    def key_of(requirements: list[str], instructions: list[str], python: str | None = None) -> str:
        """The name of the environment of this content; ``python`` is the interpreter's full version (the
        core's by default), so a function asking for another interpreter gets an environment of its own."""
        version = python or _core_python()[1]
        recipe = {"python": [int(p) for p in version.split(".")[:2]], "requirements": requirements}
        recipe["instructions"] = instructions
        return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]

    def path_of(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise InstallError(f"InstallError: '{key}' is not the name of a local environment.")
        return self.root / key

    def image_of(self, run: dict) -> str | None:
        spec = run.get("spec") or {}
        python = interpreter_for(spec, lambda _line: None)[1]
        return IMAGE_PREFIX + self.key_of(_requirements(spec), _instructions(spec), python)

    # -- EnvironmentProvider ---------------------------------------------------------------

    def prepare(self, run: dict, log: Callable[[str], None]) -> dict[str, str]:
        """The environment a job or serve run needs (see the module docstring); ``{}`` when it needs none."""
        spec = run.get("spec") or {}
        python = interpreter_for(spec, log)
        other = {PYTHON_VAR: python[0]} if python[0] != sys.executable else {}
        image = str(spec.get("image") or "")
        if image.startswith(IMAGE_PREFIX):
            key = image.removeprefix(IMAGE_PREFIX)
            path = self.path_of(key)
            if not (path / _COMPLETE).exists():
                raise InstallError(
                    f"InstallError: the function's environment {image} is gone from {self.root}; build the function "
                    'again (function.run("build")).'
                )
            log(f"[dhhera] running in the built environment {image}")
            return self._process_env(path, other)
        requirements = _requirements(spec)
        if not requirements:
            return other
        path = self._ensure(run["id"], requirements, [], log, python)
        return self._process_env(path, other)

    def _process_env(self, path: Path, other: Mapping[str, str]) -> dict[str, str]:
        env = {ENV_VAR: str(path), "VIRTUAL_ENV": str(path), "PATH": f"{path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        if other:
            env[PYTHON_VAR] = str(path / "bin" / "python")  # the environment's own interpreter (made with it)
        return env

    # -- making an environment -------------------------------------------------------------

    def _ensure(
        self,
        run_id: str,
        requirements: list[str],
        instructions: list[str],
        log: Callable[[str], None],
        python: tuple[str, str] | None = None,
    ) -> Path:
        python = python or _core_python()
        key = self.key_of(requirements, instructions, python[1])
        path = self.path_of(key)
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another run installing the same content: wait for it, then reuse
            if (path / _COMPLETE).exists():
                log(f"[dhhera] environment {IMAGE_PREFIX}{key} reused (requirements: {', '.join(requirements) or '-'})")
                return path
            shutil.rmtree(path, ignore_errors=True)  # an unfinished one
            try:
                self._make(run_id, path, requirements, instructions, log, python[0])
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            recipe = {"python": python[1], "requirements": requirements, "instructions": instructions}
            (path / _COMPLETE).write_text(json.dumps(recipe))
            log(f"[dhhera] environment {IMAGE_PREFIX}{key} ready")
            return path

    def _make(
        self,
        run_id: str,
        path: Path,
        requirements: list[str],
        instructions: list[str],
        log: Callable[[str], None],
        python: str,
    ) -> None:
        uv = _uv()
        env = {**os.environ, "UV_CACHE_DIR": str(self.cache), "UV_NO_PROGRESS": "1", "NO_COLOR": "1"}
        env["UV_PYTHON_DOWNLOADS"] = "never"  # the interpreter is one of this machine's (see interpreter_for)
        env.pop("VIRTUAL_ENV", None)
        self._call(
            run_id,
            [uv, "venv", "--quiet", "--system-site-packages", "--python", python, str(path)],
            env,
            log,
            "InstallError: could not create the environment",
        )
        inside = {**env, "VIRTUAL_ENV": str(path), "PATH": f"{path / 'bin'}{os.pathsep}{env['PATH']}"}
        for instruction in instructions:
            log(f"[build] $ {instruction}")
            self._call(
                run_id, ["bash", "-c", instruction], inside, log, f"InstallError: instruction {instruction!r} failed"
            )
        if requirements:
            log(f"[build] installing {' '.join(requirements)}")
            try:
                self._call(
                    run_id,
                    [uv, "pip", "install", "--python", str(path / "bin" / "python"), *requirements],
                    inside,
                    log,
                    "InstallError: installing requirements failed",
                )
            except InstallError as exc:
                named = [
                    r for r in requirements if re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() in str(exc).lower()
                ]
                which = ", ".join(named or requirements)
                raise InstallError(
                    str(exc).replace("installing requirements", f"installing requirement {which}")
                ) from None

    def _call(
        self, run_id: str, command: list[str], env: dict[str, str], log: Callable[[str], None], what: str
    ) -> None:
        with self._lock:
            if run_id in self._cancelled:
                raise InstallError("InstallError: stopped before the install finished")
            proc = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                env=env,
                cwd=str(self.root),
                start_new_session=True,
            )
            self._procs[run_id] = proc
        output: list[str] = []
        timer = threading.Timer(self.timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                output.append(line)
                log(f"[build] {line.rstrip()}")
            code = proc.wait()
        finally:
            timer.cancel()
            with self._lock:
                self._procs.pop(run_id, None)
        if code != 0:
            reason = _error_line("".join(output)) if code > 0 else f"killed (signal {-code})"
            raise InstallError(f"{what} (exit code {code}): {reason}")

    # -- Executor of python+build runs -----------------------------------------------------

    def start(self, run: dict, env: Mapping[str, str], callbacks: RunCallbacks) -> None:
        """Make the environment of a build run's instructions and requirements in a thread of the core."""

        def build() -> None:
            callbacks.on_start(run["id"])

            def log(line: str) -> None:
                callbacks.append_log(run["id"], line)

            spec = run.get("spec") or {}
            code = 0
            try:
                python = interpreter_for(spec, log)
                self._ensure(run["id"], _requirements(spec), _instructions(spec), log, python)
            except InstallError as exc:
                log(str(exc))
                code = 1
            except Exception as exc:  # noqa: BLE001 - the run must end, with the reason in its log
                log(f"InstallError: {exc}")
                code = 1
            finally:
                with self._lock:
                    self._threads.pop(run["id"], None)
                    cancelled = run["id"] in self._cancelled
                    self._cancelled.discard(run["id"])
            callbacks.on_exit(run["id"], -15 if cancelled else code)

        thread = threading.Thread(target=build, name=f"build-{run['id'][:8]}", daemon=True)
        with self._lock:
            self._threads[run["id"]] = thread
        thread.start()

    def stop(self, run_id: str) -> bool:
        with self._lock:
            if run_id not in self._threads:
                return False
            self._cancelled.add(run_id)
            proc = self._procs.get(run_id)
        if proc is not None:
            proc.kill()
        return True

    def shutdown(self) -> None:
        for run_id in list(self._threads):
            self.stop(run_id)


def activate(path: str) -> None:
    """Put the environment at ``path`` first on ``sys.path`` (with its ``.pth`` files) in this run process."""
    root = Path(path)
    before = list(sys.path)
    for candidate in sorted(root.glob("lib/python*/site-packages")):
        site.addsitedir(str(candidate))
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before
