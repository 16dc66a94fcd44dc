"""Generated hostile requests against a real local core (hypothesis): no 5xx, no hang, every entity readable after.

Two families, each counted: well-formed HTTP with hostile content (paths with dots and encoded separators, random
query parameters, bodies of every JSON type, entity-shaped bodies with wrong field types, deep nesting, invalid
bytes, missing or wrong tokens), and malformed HTTP sent on raw sockets (``Content-Length`` of every shape,
broken header lines, bodies shorter than announced).
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.core_client import Api, api, core_with, make_project, python_function

pytestmark = pytest.mark.slow

TIMEOUT = 10  # seconds: an answer slower than this counts as a hang
COUNTS: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()
SEEN_5XX: list[tuple] = []

TYPES = ["function", "workflow", "task", "run", "artifact", "dataitem", "model", "secret", "bogus"]
HOSTILE = ["..", ".", "...", "%2e%2e", "%2E", "a%2Fb", "a%5Cb", "%00", "%ff%fe", "x" * 300, "%C3%BC", "fz", "nope", "-"]
FIELDS = ["id", "name", "kind", "project", "spec", "status", "metadata", "user", "key", "description"]
SUBFIELDS = ["task", "function", "workflow", "local_execution", "state", "labels", "source", "build", "parameters"]
QUERY_KEYS = ["page", "size", "name", "kind", "state", "versions", "q", "task", "function", "workflow", "action"]
QUERY_KEYS += ["tail", "offset", "limit", "keys", "cascade", "user"]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    home = tmp_path_factory.mktemp("fuzz") / "home"
    with core_with(home, DHHERA_CORE_IDLE_TIMEOUT="3", DHHERA_CORE_MAX_BODY_MB="1", DHHERA_POOL="cold") as info:
        client = api(info)
        make_project(client, "fz")
        fn = python_function(client, "fz", "f", "def f():\n    return 1\n", "f")
        ref = f"python://fz/f:{fn['id']}"
        task = client.ok("POST", "/api/v1/-/fz/tasks", {"kind": "python+job", "spec": {"function": ref}})
        run = client.ok(
            "POST",
            "/api/v1/-/fz/runs",
            {"kind": "python+job:run", "spec": {"task": f"python+job://fz/{task['id']}", "local_execution": True}},
        )
        client.ok("POST", "/api/v1/-/fz/artifacts", {"name": "a", "kind": "artifact", "spec": {"path": "s3://x/y"}})
        yield info, client, [fn["id"], task["id"], run["id"], *HOSTILE]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def entity_bodies(draw: st.DrawFn) -> object:
    body = {k: draw(json_values) for k in draw(st.lists(st.sampled_from(FIELDS), max_size=5, unique=True))}
    for key in ("spec", "status", "metadata"):
        if draw(st.booleans()):
            keys = draw(st.lists(st.sampled_from(SUBFIELDS), max_size=4, unique=True))
            body[key] = {k: draw(json_values) for k in keys}
    if draw(st.booleans()):
        body["kind"] = draw(st.sampled_from(["python+job:run", "hera+pipeline:run", "python", "project", "x"]))
    return body


def nested(depth: int) -> bytes:
    return b'{"spec":' * depth + b"1" + b"}" * depth


bodies = st.one_of(
    st.none(),
    json_values.map(lambda v: json.dumps(v).encode()),
    entity_bodies().map(lambda v: json.dumps(v).encode()),
    st.sampled_from([50, 999, 1000, 5000]).map(nested),
    st.binary(max_size=64),
    st.sampled_from([b"{", b'{"a": NaN}', b"\xff\xfe", b'"unterminated', b"[" * 3000, b"null", b"{}" * 3]),
)


@st.composite
def requests(draw: st.DrawFn, ids: list[str]) -> tuple[str, str, bytes | None, str | None]:
    p = draw(st.sampled_from(["fz", "fz", "nope", *HOSTILE]))
    t = draw(st.sampled_from(TYPES))
    i = draw(st.sampled_from(ids))
    path = draw(
        st.sampled_from(
            [
                "/api/v1/projects",
                f"/api/v1/projects/{p}",
                f"/api/v1/-/{p}/{t}s",
                f"/api/v1/-/{p}/{t}s/{i}",
                f"/api/v1/-/{p}/runs/{i}/logs",
                f"/api/v1/-/{p}/runs/{i}/stop",
                f"/api/v1/-/{p}/runs/{i}/metrics",
                f"/api/v1/-/{p}/runs/{i}/metrics/{draw(st.sampled_from(HOSTILE))}",
                f"/api/v1/-/{p}/{t}s/{i}/files/info",
                f"/api/v1/-/{p}/secrets/data",
                "/api/auth",
                "/dhhera/status",
                "/" + draw(st.text(alphabet="abc/.%-_", max_size=30)),
            ]
        )
    )
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), st.text(max_size=12), max_size=3))
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query)
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]))
    auth = draw(st.sampled_from(["good", "good", "good", "none", "wrong"]))
    return method, path, draw(bodies), auth


def record(kind: str, status: int, what: tuple) -> None:
    COUNTS[kind] += 1
    STATUSES[status] += 1
    if status >= 500:
        SEEN_5XX.append((status, *what))


@settings(max_examples=520, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_hostile_requests_get_no_5xx_and_no_hang(target, data: st.DataObject) -> None:
    info, client, ids = target
    method, path, body, auth = data.draw(requests(ids))
    if path.startswith("/dhhera/shutdown"):
        return
    token = {"good": info.token, "none": None, "wrong": "not-the-token"}[auth]
    status, doc = Api(info.endpoint, token).call(method, path, raw=body, timeout=TIMEOUT)  # raises on a hang
    record("well-formed HTTP", status, (method, path, body[:80] if body else body, doc))
    assert status < 500, (method, path, body, doc)
    if auth != "good":
        assert status == 401


HEADER_LINES = st.sampled_from(
    [
        "Content-Length: -1",
        "Content-Length: abc",
        "Content-Length: 1e3",
        "Content-Length: 99999999999999999999999",
        "Content-Length: 5",  # announced, not all sent
        "Content-Length: 2, 3",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: gzip",
        "Content-Length: 3\r\nContent-Length: 4",
        "NoColonHere",
        ": empty-name",
        "X-Long: " + "a" * 70000,
        "Expect: 100-continue",
    ]
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(line=HEADER_LINES, method=st.sampled_from(["GET", "PUT", "POST"]), body=st.binary(max_size=8))
def test_malformed_headers_get_a_4xx_answer_and_no_hang(target, line: str, method: str, body: bytes) -> None:
    info, client, ids = target
    host, port = info.endpoint.removeprefix("http://").split(":")
    request = (
        f"{method} /api/v1/projects/fz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {info.token}\r\n{line}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        try:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)  # nothing more is coming: a core waiting for more must time out itself
        except OSError:
            pass  # closed by the core while sending (a header too long): read its answer
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    record("malformed HTTP", status, (line[:40], method, body, answer[:200]))
    assert 0 < status < 500 or answer == b"", (line[:60], answer[:200])


def test_after_the_fuzzing_every_entity_is_readable_and_the_counts_hold(target) -> None:
    info, client, ids = target
    total = sum(COUNTS.values())
    print(f"\nfuzz: {dict(COUNTS)}; statuses {dict(sorted(STATUSES.items()))}; 5xx: {len(SEEN_5XX)}")
    assert total >= 500, COUNTS
    assert SEEN_5XX == []
    projects = client.ok("GET", "/api/v1/projects?size=1000")["content"]
    assert "fz" in [p["name"] for p in projects]
    read = 0
    for project in projects:
        client.ok("GET", f"/api/v1/projects/{project['name']}")
        for t in TYPES[:-1]:
            for doc in client.ok("GET", f"/api/v1/-/{project['name']}/{t}s?size=1000&versions=all")["content"]:
                assert client.ok("GET", f"/api/v1/-/{project['name']}/{t}s/{doc['id']}")["id"] == doc["id"]
                read += 1
    assert read >= 1
