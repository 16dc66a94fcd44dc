"""The local core as a process under attack or accident (issue 11): other local users, stale state, a dying
object store, a deleted database, secrets across restarts, a SIGKILLed core, an old SeaweedFS folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dhhera_jupyter.core import control, state
from tests.core.core_client import api, core_with, job_run, make_project, python_function
from tests.support import wait_until

pytestmark = pytest.mark.slow

#: A fresh interpreter per run: these cores run no job, and they stop in 2 s instead of waiting for a warm pool.
COLD = {"DHHERA_POOL": "cold"}

NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3"]

#: Run as user nobody with the system Python (stdlib only): every listening port gets unauthenticated and
#: falsely signed requests; every answer is reported.
PROBE = textwrap.dedent(
    """
    import http.client, json, os, sys
    ports, home = json.loads(sys.argv[1]), sys.argv[2]
    fake_s3 = ("AWS4-HMAC-SHA256 Credential=DHAAAAAAAAAAAAAAAAAA/20260101/us-east-1/s3/aws4_request, "
               "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
    out = []
    for port in ports:
        for method, path, headers in [
            ("GET", "/", {}), ("GET", "/api/v1/projects", {}), ("GET", "/dhhera/status", {}),
            ("POST", "/dhhera/shutdown", {}), ("DELETE", "/api/v1/projects/victim", {}),
            ("GET", "/api/v1/projects", {"Authorization": "Bearer guess"}),
            ("GET", "/dhhera/", {}), ("GET", "/dhhera/?list-type=2", {"Authorization": fake_s3}),
            ("PUT", "/dhhera/planted.pkl", {}), ("PUT", "/dhhera/planted.pkl", {"Authorization": fake_s3}),
            ("DELETE", "/dhhera/victim.txt", {}), ("PUT", "/newbucket", {}),
        ]:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request(method, path, body=b"x" if method == "PUT" else None, headers=headers)
                resp = conn.getresponse()
                out.append([port, method, path, resp.status, resp.read(300).decode(errors="replace")])
            except OSError as exc:
                out.append([port, method, path, None, type(exc).__name__])
    files = []
    for name in ("token", "core.json", "secrets.key", "core.sqlite", "objects"):
        try:
            open(os.path.join(home, name), "rb").read(1)
            files.append(name)
        except OSError:
            pass
    print(json.dumps({"answers": out, "readable": files}))
    """
)


def tree(pid: int) -> set[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        out.add(p)
        todo.extend(children.get(p, []))
    return out


def listening_ports(pids: set[int]) -> list[int]:
    lines = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout.splitlines()
    ports = set()
    for line in lines:
        if any(f"pid={p}," in line for p in pids):
            ports.add(int(line.split()[3].rsplit(":", 1)[1]))
    return sorted(ports)


def gone(pid: int) -> bool:
    return not state.pid_alive(pid)


def test_another_local_user_can_do_nothing_on_any_port_of_the_core(tmp_path: Path) -> None:
    with core_with(tmp_path / "home", **COLD) as info:
        client = api(info)
        make_project(client, "victim")
        info = control.wait_objects(info, timeout=60)
        s3 = info.status["objects"]
        ports = listening_ports(tree(info.pid))
        assert int(info.endpoint.rsplit(":", 1)[1]) in ports and int(s3["endpoint"].rsplit(":", 1)[1]) in ports
        assert len(ports) == 2, f"the core's process tree listens on {ports}: every port must be accounted for"
        home = str(tmp_path / "home")
        os.chmod(tmp_path, 0o755)  # let nobody reach the folder itself: only its own modes protect it
        out = subprocess.run([*NOBODY, "-c", PROBE, json.dumps(ports), home], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert report["readable"] == []
        answered = [a for a in report["answers"] if a[3] is not None]
        assert len(answered) == len(report["answers"]) == 12 * len(ports)
        for port, method, path, status, body in answered:
            assert 400 <= status < 500, (port, method, path, status, body)
            assert info.token not in body
        assert client.ok("GET", "/api/v1/projects/victim")["name"] == "victim"
        assert not (tmp_path / "home" / "objects" / "buckets" / "dhhera" / "planted.pkl").exists()
        assert not (tmp_path / "home" / "objects" / "buckets" / "newbucket").exists()
        assert state.pid_alive(info.pid)


def test_stop_with_a_stale_state_file_whose_pid_was_reused_kills_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    state.prepare_home(home)
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        state.write_state(
            home,
            {
                "pid": bystander.pid,
                "port": 1,
                "endpoint": "http://127.0.0.1:1",
                "token": "x",
                "started": 1_000_000.0,
                "home": str(home),
            },
        )
        cli = [sys.executable, "-m", "dhhera_jupyter.cli", "--home", str(home), "core", "stop"]
        out = subprocess.run(cli, capture_output=True, text=True, check=True, timeout=60)
        assert "nothing was stopped" in out.stdout and f"process {bystander.pid} is not a local core" in out.stdout
        assert bystander.poll() is None
        assert not (home / "core.json").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_secrets_survive_a_restart_and_are_encrypted_at_rest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    value = "s3cr3t-value-that-must-not-be-on-disk"
    with core_with(home, **COLD) as info:
        client = api(info)
        make_project(client, "vault")
        client.ok("POST", "/api/v1/-/vault/secrets", {"name": "API_KEY", "kind": "secret", "spec": {}})
        client.ok("PUT", "/api/v1/-/vault/secrets/data", {"API_KEY": value})
    with core_with(home, **COLD) as info:
        assert api(info).ok("GET", "/api/v1/-/vault/secrets/data?keys=API_KEY") == {"API_KEY": value}
    assert oct((home / "secrets.key").stat().st_mode & 0o777) == "0o600"
    for path in home.glob("core.sqlite*"):
        assert value.encode() not in path.read_bytes(), path


def test_a_killed_object_store_is_restarted_with_the_same_settings_and_reported(tmp_path: Path) -> None:
    import boto3
    from botocore.config import Config

    home = tmp_path / "home"
    with core_with(home, **COLD) as info:
        info = control.wait_objects(info, timeout=60)
        before = info.status["objects"]
        assert before["state"] == "running" and before["restarts"] == 0
        os.kill(before["pid"], signal.SIGKILL)

        def restarted() -> dict | None:
            doc = api(info).ok("GET", "/dhhera/status")["objects"]
            return doc if doc["restarts"] == 1 and doc["state"] == "running" else None

        after = wait_until(restarted, 30, what="the object store to be restarted")
        assert after["pid"] != before["pid"] and after["endpoint"] == before["endpoint"]
        assert after["last_exit"]["code"] == -signal.SIGKILL
        env = info.env()
        s3 = boto3.client(
            "s3",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_REGION"],
            config=Config(s3={"addressing_style": "path"}),
        )
        s3.put_object(Bucket="dhhera", Key="after-restart.txt", Body=b"ok")
        assert s3.get_object(Bucket="dhhera", Key="after-restart.txt")["Body"].read() == b"ok"
        cli = [sys.executable, "-m", "dhhera_jupyter.cli", "--home", str(home), "core", "status"]
        out = subprocess.run(cli, capture_output=True, text=True, check=True, timeout=60).stdout
        assert "objects:   running at" in out and "restarted 1 time(s)" in out


HOLDER = """
import fcntl, json, os, sys, time
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
fd = os.open(os.path.join(d, "rclone.lock"), os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
open(os.path.join(d, "rclone.json"), "w").write(json.dumps({"pid": os.getpid(), "owner": os.getpid()}))
print("held", flush=True)
time.sleep(120)
"""


def test_runs_fail_with_a_sentence_naming_the_object_store_when_it_cannot_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    state.prepare_home(home)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(home / "objects")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with core_with(home, DHHERA_S3_START_TIMEOUT="2", **COLD) as info:
            client = api(info)
            objects = wait_until(
                lambda: (d := client.ok("GET", "/dhhera/status")["objects"])["state"] == "failed" and d, 30
            )
            assert "already run by process" in objects["error"]
            make_project(client, "nostore")
            fn = python_function(client, "nostore", "f", "def f():\n    return 1\n", "f")
            run = job_run(client, "nostore", fn)
            path = f"/api/v1/-/nostore/runs/{run['id']}"
            done = wait_until(lambda: (r := client.ok("GET", path))["status"]["state"] == "ERROR" and r, 60)
            assert "the local object store (rclone s3 server) is not running" in done["status"]["message"].lower()
    finally:
        holder.kill()
        holder.wait()


def test_a_deleted_or_replaced_database_stops_writes_with_a_clear_error(tmp_path: Path) -> None:
    for how in ("deleted", "replaced"):
        home = tmp_path / how
        with core_with(home, **COLD) as info:
            client = api(info)
            make_project(client, "before")
            db = home / "core.sqlite"
            if how == "deleted":
                db.unlink()
            else:
                db.rename(home / "old.sqlite")
                db.write_bytes(b"")
            status, doc = client.call("POST", "/api/v1/projects", {"name": "after", "kind": "project"})
            assert status == 503, doc
            assert f"the database file {db} was {how}" in doc["message"] and "restart the core" in doc["message"]
            assert client.ok("GET", "/dhhera/status")["database"].startswith("the database file")


def test_a_sigkilled_core_does_not_leave_its_object_store_running(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with core_with(home, **COLD) as info:
        store_pid = control.wait_objects(info, timeout=60).status["objects"]["pid"]
        assert store_pid and not gone(store_pid)
        os.kill(info.pid, signal.SIGKILL)
        wait_until(lambda: gone(info.pid), 10, what="the core to die")
        wait_until(lambda: gone(store_pid), 10, what="the object store to follow its core")


def test_a_seaweedfs_data_folder_is_migrated_to_the_new_store(tmp_path: Path) -> None:
    from dhhera_jupyter.core.objects_supervisor import ObjectsSupervisor
    from dhhera_jupyter.core.seaweed_legacy import SeaweedStore

    data_dir = tmp_path / "objects"
    old = SeaweedStore(data_dir)
    old.start(timeout=60)
    try:
        client = old._client()
        client.put_object(Bucket="dhhera", Key="p/dataitem/table.csv", Body=b"a,b\n1,2\n")
        client.put_object(Bucket="dhhera", Key="top.txt", Body=b"top")
    finally:
        old.stop()
    supervisor = ObjectsSupervisor(data_dir)
    try:
        assert supervisor.ready.wait(120)
        status = supervisor.status()
        assert status["state"] == "running" and status["migrated"] == 2, status
        s3 = supervisor.store.client()
        assert s3.get_object(Bucket="dhhera", Key="p/dataitem/table.csv")["Body"].read() == b"a,b\n1,2\n"
        assert s3.get_object(Bucket="dhhera", Key="top.txt")["Body"].read() == b"top"
        assert (data_dir / "weed-migrated").is_dir() and not (data_dir / "weed").exists()
    finally:
        supervisor.stop()
