"""The local S3 store: real SeaweedFS on loopback, with its own credentials, persisting across restarts."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from dhhera_jupyter.core.objects import ObjectStore
from dhhera_jupyter.errors import CoreError
from tests.support import wait_until

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
OWNER_SCRIPT = """
import sys, time
from pathlib import Path
from dhhera_jupyter.core.objects import ObjectStore
ObjectStore(Path(sys.argv[1])).start(60)
print("up", flush=True)
time.sleep(600)
"""


def s3_client(env: dict[str, str], secret: str | None = None):
    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_REGION"],
        config=Config(retries={"max_attempts": 1}),
    )


def listening_addresses(pid: int) -> list[str]:
    """``address:port`` of every TCP socket ``pid`` listens on (from ``ss -ltnp``)."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    return [line.split()[3] for line in out.splitlines() if f"pid={pid}," in line]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return True


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    """One running store shared by the tests that do not restart it."""
    objects = ObjectStore(tmp_path_factory.mktemp("shared") / "objects")
    objects.start(timeout=60)
    yield objects
    objects.stop()


def test_put_get_and_list_work_with_the_generated_credentials(store: ObjectStore) -> None:
    env = store.env()
    assert env["DHCORE_DEFAULT_FILES_STORE"] == "s3://dhhera"
    assert env["AWS_ENDPOINT_URL"] == store.endpoint and store.endpoint.startswith("http://127.0.0.1:")
    client = s3_client(env)
    big = os.urandom(5 * 1024 * 1024 + 17)  # more than one 4 MB chunk
    client.put_object(Bucket="dhhera", Key="p/artifact/big.bin", Body=big)
    client.put_object(Bucket="dhhera", Key="p/dataitem/small.txt", Body=b"hello")
    assert client.get_object(Bucket="dhhera", Key="p/artifact/big.bin")["Body"].read() == big
    keys = [obj["Key"] for obj in client.list_objects_v2(Bucket="dhhera", Prefix="p/")["Contents"]]
    assert sorted(keys) == ["p/artifact/big.bin", "p/dataitem/small.txt"]


def test_every_port_listens_on_loopback_only_and_none_is_8888(store: ObjectStore) -> None:
    assert store.pid is not None
    addresses = listening_addresses(store.pid)
    assert store.endpoint.removeprefix("http://") in addresses
    assert addresses and all(address.startswith("127.0.0.1:") for address in addresses), addresses
    assert not any(address.endswith(":8888") for address in addresses), addresses


def test_wrong_secret_and_unsigned_requests_cannot_read_objects(store: ObjectStore) -> None:
    env = store.env()
    s3_client(env).put_object(Bucket="dhhera", Key="secret.txt", Body=b"top secret")
    with pytest.raises(ClientError) as refused:
        s3_client(env, secret="not-the-secret").get_object(Bucket="dhhera", Key="secret.txt")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    assert store.pid is not None
    for address in listening_addresses(store.pid):  # S3, filer, volume, master, admin, and their gRPC ports
        for path in ("/dhhera/secret.txt", "/buckets/dhhera/secret.txt"):
            try:
                with urllib.request.urlopen(f"http://{address}{path}", timeout=3) as response:
                    body = response.read()
            except (urllib.error.URLError, OSError):
                continue
            assert b"top secret" not in body, f"{address}{path} served the object without credentials"


def test_credentials_are_private_and_survive_a_restart_with_the_objects(tmp_path: Path) -> None:
    data_dir = tmp_path / "objects"
    first = ObjectStore(data_dir)
    first.start(timeout=60)
    try:
        env = first.env()
        s3_client(env).put_object(Bucket="dhhera", Key="kept.txt", Body=b"still here")
    finally:
        first.stop()
    for name in ("s3-credentials.json", "s3-identities.json"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700

    second = ObjectStore(data_dir)
    second.start(timeout=60)
    try:
        again = second.env()
        assert again["AWS_ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY_ID"]
        assert again["AWS_SECRET_ACCESS_KEY"] == env["AWS_SECRET_ACCESS_KEY"]
        assert s3_client(again).get_object(Bucket="dhhera", Key="kept.txt")["Body"].read() == b"still here"
    finally:
        second.stop()


def test_stop_ends_the_process_and_is_idempotent(tmp_path: Path) -> None:
    objects = ObjectStore(tmp_path / "objects")
    objects.stop()  # never started: nothing to do
    objects.start(timeout=60)
    pid = objects.pid
    assert pid is not None
    objects.stop()
    wait_until(lambda: gone(pid), 15, what="weed to exit")
    assert objects.pid is None
    objects.stop()
    with pytest.raises(CoreError):
        objects.env()


def weed_processes_on(data_dir: Path) -> list[int]:
    """Pids of live ``weed`` processes whose command line names ``data_dir``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            args
            and args[0].endswith(b"weed")
            and str(data_dir).encode() in b" ".join(args)
            and not gone(int(proc.name))
        ):
            pids.append(int(proc.name))
    return pids


def test_stop_from_another_thread_during_start_leaves_no_seaweedfs(tmp_path: Path) -> None:
    data_dir = tmp_path / "objects"
    objects = ObjectStore(data_dir)
    errors: list[Exception] = []

    def start() -> None:
        try:
            objects.start(timeout=60)
        except CoreError as exc:
            errors.append(exc)

    starter = threading.Thread(target=start)
    starter.start()
    wait_until((data_dir / "weed.lock").exists, 30, what="start to take the folder lock")
    objects.stop()
    starter.join(30)
    assert [str(e) for e in errors] == ["The local object store was stopped while it was starting."]
    assert weed_processes_on(data_dir) == []
    assert objects.pid is None


def test_a_second_store_on_a_folder_in_use_is_refused(store: ObjectStore) -> None:
    other = ObjectStore(store.data_dir)
    with pytest.raises(CoreError, match="already run by process"):
        other.start(timeout=5)
    other.stop()
    assert store.pid is not None and not gone(store.pid)
    s3_client(store.env()).list_objects_v2(Bucket="dhhera")


def test_seaweedfs_left_behind_by_a_dead_owner_is_replaced(tmp_path: Path) -> None:
    data_dir = tmp_path / "objects"
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            OWNER_SCRIPT,
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "up"
        orphan = json.loads((data_dir / "weed.json").read_text())["pid"]
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert not gone(orphan)

    objects = ObjectStore(data_dir)
    objects.start(timeout=60)
    try:
        assert gone(orphan)
        assert objects.pid not in (None, orphan)
        s3_client(objects.env()).list_objects_v2(Bucket="dhhera")
    finally:
        objects.stop()
