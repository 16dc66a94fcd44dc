"""The local core's API under hostile or careless input (issue 11), against a real core with small limits."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dhhera_jupyter.core.names import inside
from tests.core.core_client import api, core_with, job_run, make_project, python_function
from tests.support import wait_until

LIMITS = {
    "DHHERA_CORE_IDLE_TIMEOUT": "1",
    "DHHERA_CORE_MAX_CONNECTIONS": "20",
    "DHHERA_CORE_MAX_BODY_MB": "1",
    "DHHERA_RUN_LOG_MAX_MB": "0.1",
    "DHHERA_LOG_READ_MAX_MB": "0.05",
}


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    home = tmp_path_factory.mktemp("hard") / "home"
    with core_with(home, **LIMITS) as info:
        client = api(info)
        make_project(client, "alpha")
        make_project(client, "beta")
        yield info, client, home


def raw_exchange(info, request: bytes, timeout: float = 5) -> bytes:
    """Send ``request`` as is on a new connection and return what the core answers before closing or pausing."""
    host, port = info.endpoint.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        out = b""
        while b"\r\n\r\n" not in out or len(out) < out.find(b"\r\n\r\n") + 4 + _length(out):
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
    return out


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


# -- item 1: ids and paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["..", ".", "...", "a/b", "a\\b"])
def test_ids_and_names_of_dots_or_separators_are_refused(hard, bad: str) -> None:
    info, client, home = hard
    for body in ({"id": bad, "kind": "python+job:run", "spec": {}}, {"name": bad, "kind": "python+job:run"}):
        status, doc = client.call("POST", "/api/v1/-/alpha/runs", body)
        assert status == 400, (body, status, doc)
        assert "Invalid run" in doc["message"] and repr(bad) in doc["message"]


def test_dots_or_encoded_separators_in_a_path_are_refused_and_the_data_folder_survives(hard) -> None:
    info, client, home = hard
    for path in (
        "/api/v1/-/alpha/runs/..",
        "/api/v1/-/alpha/runs/.",
        "/api/v1/-/alpha/runs/%2E%2E",
        "/api/v1/-/a%2Fb/runs",
    ):
        for method in ("GET", "DELETE"):
            status, doc = client.call(method, path)
            assert status in (400, 404), (method, path, status)
            if status == 400:
                assert "Invalid identifier" in doc["message"]
    assert (home / "core.sqlite").exists() and (home / "token").exists()
    assert client.ok("GET", "/api/v1/projects/alpha")["name"] == "alpha"


def test_paths_built_from_ids_stay_inside_their_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "abc") == tmp_path.resolve() / "abc"
    (tmp_path / "link").symlink_to("/")
    for bad in ("..", ".", "a/../..", "/etc", "link"):
        with pytest.raises(ValueError):
            inside(tmp_path, bad)


# -- item 3: the HTTP layer ----------------------------------------------------------------------------------


def test_an_unauthenticated_request_is_refused_before_its_body_is_read(hard) -> None:
    info, client, home = hard
    started = time.monotonic()
    head = b"PUT /api/v1/projects/alpha HTTP/1.1\r\nHost: x\r\nContent-Length: 157286400\r\n\r\n"
    answer = raw_exchange(info, head)  # 150 MB announced, none sent: the answer must not wait for them
    assert status_of(answer) == 401 and b"Bearer" in answer
    assert time.monotonic() - started < 3


def test_a_body_over_the_cap_gets_413_and_nothing_is_stored(hard) -> None:
    info, client, home = hard
    head = (
        f"POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {info.token}\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n"
    ).encode()
    assert status_of(raw_exchange(info, head)) == 413
    status, doc = client.call(
        "POST", "/api/v1/projects", raw=json.dumps({"name": "big", "x": "y" * 1_100_000}).encode()
    )
    assert status == 413
    assert client.call("GET", "/api/v1/projects/big")[0] == 404


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "0x10"])
def test_malformed_content_length_gets_400(hard, length: str) -> None:
    info, client, home = hard
    head = (
        f"PUT /api/v1/projects/alpha HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {info.token}\r\n"
        f"Content-Length: {length}\r\n\r\n{{}}"
    ).encode()
    assert status_of(raw_exchange(info, head)) == 400


def test_idle_and_half_sent_requests_are_closed_after_the_timeout(hard) -> None:
    info, client, home = hard
    host, port = info.endpoint.removeprefix("http://").split(":")
    socks = [socket.create_connection((host, int(port)), timeout=10) for _ in range(5)]
    try:
        for sock in socks:
            sock.sendall(b"GET /api/v1/projects HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        started = time.monotonic()
        for sock in socks:
            assert sock.recv(1024) == b""  # closed by the core
        assert time.monotonic() - started < 8
    finally:
        for sock in socks:
            sock.close()


def test_connections_past_the_bound_are_closed_and_the_core_keeps_serving(hard) -> None:
    info, client, home = hard
    host, port = info.endpoint.removeprefix("http://").split(":")
    socks = [socket.create_connection((host, int(port)), timeout=10) for _ in range(40)]
    try:
        closed = 0
        for sock in socks[20:]:
            try:
                closed += sock.recv(1) == b""
            except ConnectionResetError:
                closed += 1
        assert closed >= 15
    finally:
        for sock in socks:
            sock.close()

    def serving() -> bool:
        try:
            return client.call("GET", "/api/v1/projects")[0] == 200
        except OSError:  # still over the bound while the closed sockets drain
            return False

    wait_until(serving, 10, what="the core to serve again")


# -- item 4: validation before storing -----------------------------------------------------------------------


def test_failed_project_update_answers_400_naming_the_field_and_keeps_the_project_readable(hard) -> None:
    info, client, home = hard
    status, doc = client.call("PUT", "/api/v1/projects/alpha", {"spec": "s"})
    assert status == 400 and "'spec' must be a JSON object, not a string" in doc["message"]
    assert client.ok("GET", "/api/v1/projects/alpha")["spec"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "python+job:run", "spec": "x"}, "'spec'"),
        ({"kind": "python+job:run", "spec": {"task": 5}}, "'spec.task'"),
        ({"kind": "python+job:run", "spec": {"local_execution": "yes"}}, "'spec.local_execution'"),
        ({"kind": "python+job:run", "status": {"state": ["RUNNING"]}}, "'status.state'"),
        ({"kind": "python+job:run", "metadata": {"labels": "a"}}, "'metadata.labels'"),
        ({"kind": 3}, "'kind'"),
        ([1, 2], "JSON object"),
        ("run", "JSON object"),
        (7, "JSON object"),
    ],
)
def test_malformed_runs_are_refused_and_listing_still_works(hard, body, field: str) -> None:
    info, client, home = hard
    status, doc = client.call("POST", "/api/v1/-/alpha/runs", body)
    assert status == 400 and field in doc["message"], doc
    listing = client.ok("GET", "/api/v1/-/alpha/runs")
    assert all(isinstance(run["spec"], dict) for run in listing["content"])


def test_json_nested_1000_levels_gets_400(hard) -> None:
    info, client, home = hard
    for depth in (100, 1000, 100_000):
        raw = ("[" * depth + "]" * depth).encode()
        status, doc = client.call("PUT", "/api/v1/projects/alpha", raw=raw)
        assert status == 400, (depth, status)
        status, doc = client.call("POST", "/api/v1/-/alpha/functions", raw=b'{"a":' * depth + b"1" + b"}" * depth)
        assert status == 400, (depth, status)
    assert client.ok("GET", "/api/v1/projects/alpha")["name"] == "alpha"


# -- item 10: cross-project references, pagination in SQL ----------------------------------------------------


def test_a_run_cannot_use_the_task_or_function_of_another_project(hard) -> None:
    info, client, home = hard
    fn = python_function(client, "alpha", "f", "def f():\n    return 1\n", "f")
    ref = f"python://alpha/f:{fn['id']}"
    task = client.ok("POST", "/api/v1/-/alpha/tasks", {"kind": "python+job", "spec": {"function": ref}})
    # beta names alpha's task and function by id, under its own project name and under alpha's
    for spec in (
        {"task": f"python+job://beta/{task['id']}", "function": f"python://beta/f:{fn['id']}"},
        {"task": f"python+job://alpha/{task['id']}", "function": ref},
    ):
        status, doc = client.call("POST", "/api/v1/-/beta/runs", {"kind": "python+job:run", "spec": spec})
        assert status == 400 and "project" in doc["message"], doc
    status, doc = client.call("POST", "/api/v1/-/beta/tasks", {"kind": "python+job", "spec": {"function": ref}})
    assert status == 400
    assert client.ok("GET", "/api/v1/-/beta/runs")["totalElements"] == 0


def test_lists_are_paginated_with_the_latest_version_per_name(hard) -> None:
    info, client, home = hard
    make_project(client, "paged")
    for i in range(23):
        python_function(client, "paged", f"fn{i:02d}", "def f():\n    return 1\n", "f")
    python_function(client, "paged", "fn00", "def f():\n    return 2\n", "f")  # a second version of fn00
    page = client.ok("GET", "/api/v1/-/paged/functions?page=2&size=10")
    assert page["totalElements"] == 23 and page["totalPages"] == 3 and page["numberOfElements"] == 3
    # newest first: fn00 (its second version), fn22 ... fn01; the third page holds the last three
    assert [d["name"] for d in page["content"]] == ["fn03", "fn02", "fn01"]
    first = client.ok("GET", "/api/v1/-/paged/functions?size=1")["content"][0]
    assert first["name"] == "fn00"  # the newest version comes first
    every = client.ok("GET", "/api/v1/-/paged/functions?versions=all&size=100")
    assert every["totalElements"] == 24
    assert client.ok("GET", "/api/v1/-/paged/functions?name=fn00&versions=all")["totalElements"] == 2
    assert client.call("GET", "/api/v1/-/paged/functions?page=x")[0] == 400


# -- item 8: bounded log reads and the per-run cap -----------------------------------------------------------


def test_run_logs_are_capped_and_read_by_their_tail(hard) -> None:
    info, client, home = hard
    code = "def loud():\n    for i in range(7000):\n        print('x' * 50, i)\n"
    fn = python_function(client, "alpha", "loud", code, "loud")
    run = job_run(client, "alpha", fn)
    path = f"/api/v1/-/alpha/runs/{run['id']}"
    wait_until(lambda: client.ok("GET", path)["status"]["state"] in ("COMPLETED", "ERROR"), 90, what="the run")
    assert client.ok("GET", path)["status"]["state"] == "COMPLETED"
    log_file = home / "runs" / run["id"] / "run.log"
    wait_until(lambda: log_file.stat().st_size <= 110_000, 10, what="the log to be capped")
    assert log_file.read_text().startswith("[dhhera] log capped")

    tail = client.ok("GET", f"{path}/logs?tail=1000")[0]
    data = base64.b64decode(tail["content"])
    assert 0 < len(data) <= 1000 and data.endswith(b"\n") and not data.startswith(b" ")
    assert tail["status"]["size"] == log_file.stat().st_size
    assert tail["status"]["offset"] + len(data) == tail["status"]["size"]
    whole = client.ok("GET", f"{path}/logs")[0]  # the SDK's own call: bounded by DHHERA_LOG_READ_MAX_MB
    assert len(base64.b64decode(whole["content"])) <= 0.05 * 1024 * 1024
    head = client.ok("GET", f"{path}/logs?offset=0&limit=200")[0]
    assert base64.b64decode(head["content"]).startswith(b"[dhhera] log capped")
    assert client.call("GET", f"{path}/logs?tail=-5")[0] == 400
