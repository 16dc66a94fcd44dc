"""What one sidebar refresh costs with 50 workflows and 500 runs: server time and bytes on the wire.

Run: ``python bench/sidebar_refresh.py [--workflows 50] [--runs 500] [--requests 200]``.

A private local core (temporary data folder) gets one really built workflow, 49 more workflows carrying the
same build, one build run each and ``--runs`` pipeline runs spread over them (client-driven runs taken through
CREATED -> BUILT -> READY -> RUNNING -> COMPLETED/ERROR with a 4-node ``status.nodes``, the shape DHCore
lists). A real ``jupyter server`` with the dhhera extension then serves ``GET /dhhera/workflows``:

* full refresh: a GET without ETag (what the panel sends first, and after a change);
* unchanged refresh: a GET with ``If-None-Match`` (what the panel sends every 1.5-3 s) -> 304;
* server time: tornado's own request time of each request (the server's debug access log);
* bytes: request and response exactly as sent on the socket (status line, headers, body), with the
  username cookie a browser holds, on one keep-alive connection as a browser uses;
* background read: ``load_summary`` (the project read the server does once per 1-3 s while a panel
  looks, whatever the number of panels) timed in this process against the same core.

Targets: an unchanged refresh under 1 KB and under 20 ms of server time.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "server"))
from harness import isolated_local_core, stop_server_and_core  # noqa: E402

PROJECT = "bench-sidebar"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Core:
    """Raw calls to the local core's REST API (for building the data set quickly)."""

    def __init__(self, info: Any) -> None:
        self.info = info

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.info.token}", "Content-Type": "application/json"}
        req = urllib.request.Request(self.info.endpoint + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read() or b"null")

    def client_run(
        self, kind: str, task: str, workflow: str, states: list[str], nodes: list[dict], params: dict
    ) -> str:
        body = {
            "kind": kind,
            "project": PROJECT,
            "spec": {"task": task, "workflow": workflow, "local_execution": True, "parameters": params},
        }
        run = self.call("POST", f"/api/v1/-/{PROJECT}/runs", body)
        for state in states:
            run["status"] = {"state": state, "nodes": nodes}
            run = self.call("PUT", f"/api/v1/-/{PROJECT}/runs/{run['id']}", run)
        return str(run["id"])


def nodes_of(run_name: str, steps: list[str], phase: str) -> list[dict]:
    root = {"id": run_name, "name": run_name, "display_name": run_name, "type": "DAG", "state": phase}
    out = [root]
    for i, step in enumerate(steps):
        out.append(
            {
                "id": f"{run_name}-{i}",
                "name": f"{run_name}.{step}",
                "display_name": step,
                "type": "Pod",
                "state": phase,
                "start_time": "2026-01-01T10:00:00Z",
                "end_time": "2026-01-01T10:00:05Z",
                "inputs": [{"name": "gate", "value": "none"}],
                "outputs": [{"name": "run_id", "value": secrets.token_hex(16)}],
            }
        )
    return out


def make_data(core: Core, workflows: int, runs: int) -> None:
    import digitalhub as dh
    from sidebar_pipelines import add_workflow

    project = dh.get_or_create_project(PROJECT)
    first = add_workflow(project, "wf00")
    doc = core.call("GET", f"/api/v1/-/{PROJECT}/workflows/{first.id}")
    spec = doc["spec"]
    steps = [t["name"] for t in yaml_tasks(spec)]
    ids = {"wf00": first.id}
    for i in range(1, workflows):
        name = f"wf{i:02d}"
        made = core.call("POST", f"/api/v1/-/{PROJECT}/workflows", {"kind": "hera", "name": name, "spec": spec})
        ids[name] = made["id"]
    for name, wid in ids.items():
        if name != "wf00":
            core.client_run(
                "hera+build:run", f"hera+build://{PROJECT}/{wid}", f"hera://{PROJECT}/{name}:{wid}",
                ["BUILT", "READY", "RUNNING", "COMPLETED"], [], {},
            )  # fmt: skip
    names = list(ids)
    for k in range(runs):
        name = names[k % len(names)]
        wid = ids[name]
        failed = k % 7 == 3
        states = ["BUILT", "READY", "RUNNING", "ERROR" if failed else "COMPLETED"]
        core.client_run(
            "hera+pipeline:run", f"hera+pipeline://{PROJECT}/{wid}", f"hera://{PROJECT}/{name}:{wid}",
            states, nodes_of(f"r{k}", steps, "Failed" if failed else "Succeeded"), {"gate": "none"},
        )  # fmt: skip


def yaml_tasks(spec: dict) -> list[dict]:
    import yaml

    built = yaml.safe_load(base64.b64decode(spec["build"]["base64"]))
    dag = next(t for t in built["templates"] if "dag" in t)
    return dag["dag"]["tasks"]


class RawHttp:
    """One keep-alive HTTP/1.1 connection; counts the exact bytes each way."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buffer = b""

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, int, int]:
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        request = "\r\n".join(lines).encode()
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        got = {}
        for line in header_lines:
            key, _, value = line.partition(":")
            got[key.strip().lower()] = value.strip()
        length = int(got.get("content-length", "0"))
        while len(self.buffer) < length:
            self.buffer += self.sock.recv(65536)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), got, body, len(request), len(head) + 4 + length


def server_times(log: Path, marker: str, status: int) -> list[float]:
    pattern = re.compile(rf"{status} GET {re.escape(marker)}\S* \(.*?\) ([\d.]+)ms")
    return [float(m.group(1)) for m in pattern.finditer(log.read_text(errors="replace"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workflows", type=int, default=50)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="dhhera-bench-sidebar-"))

    info = isolated_local_core(home)
    server = None
    try:
        started = time.perf_counter()
        make_data(Core(info), args.workflows, args.runs)
        print(f"data: {args.workflows} workflows, {args.runs} pipeline runs ({time.perf_counter() - started:.0f} s)")

        port, token = free_port(), secrets.token_hex(16)
        log_path = home / "server.log"
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "jcfg"), "JUPYTER_RUNTIME_DIR": str(home / "jrt")}
        cmd = [
            sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--ServerApp.token={token}", "--ServerApp.port_retries=0", "--allow-root", "--debug",
            '--ServerApp.jpserver_extensions=dhhera_jupyter=True', f"--ServerApp.root_dir={home}",
        ]  # fmt: skip
        with log_path.open("wb") as log:
            server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        http = None
        deadline = time.monotonic() + 60
        while http is None:
            try:
                http = RawHttp(port)
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"jupyter server did not start:\n{log_path.read_text()[-2000:]}") from None
                time.sleep(0.2)
        path = f"/dhhera/workflows?project={PROJECT}"
        auth = {"Authorization": f"token {token}", "Accept": "application/json"}

        t0 = time.perf_counter()
        status, headers, body, _, _ = http.get(path, auth)
        cold = time.perf_counter() - t0
        assert status == 200, (status, body[:300])
        cookie = headers.get("set-cookie", "").split(";", 1)[0]
        browser = {**auth, "Cookie": cookie} if cookie else auth
        summary = json.loads(body)
        print(f"first GET (imports the SDK, reads the project): {cold * 1000:.0f} ms")
        print(f"workflows listed: {len(summary['workflows'])}, runs listed: "
              f"{sum(len(w['runs']) for w in summary['workflows'])} (5 most recent per workflow)")  # fmt: skip

        full_rtt, full_bytes = [], 0
        for _ in range(20):
            t0 = time.perf_counter()
            status, headers, body, sent, received = http.get(path, browser)
            full_rtt.append((time.perf_counter() - t0) * 1000)
            full_bytes = received
        etag = headers["etag"]
        print(f"full refresh (200): response {full_bytes} bytes (body {len(body)}), "
              f"round trip median {statistics.median(full_rtt):.2f} ms")  # fmt: skip

        rtt, sizes = [], set()
        for _ in range(args.requests):
            t0 = time.perf_counter()
            status, headers, body, sent, received = http.get(path, {**browser, "If-None-Match": etag})
            rtt.append((time.perf_counter() - t0) * 1000)
            if status != 304:  # the background read saw a change: take the new ETag
                etag = headers["etag"]
                continue
            sizes.add((sent, received))
        time.sleep(1.0)  # let the log flush
        times_304 = server_times(log_path, "/dhhera/workflows", 304)
        times_200 = server_times(log_path, "/dhhera/workflows", 200)
        sent, received = max(sizes)
        print(f"unchanged refresh (304): request {sent} bytes, response {received} bytes, total {sent + received}")
        print(f"  server time (tornado request time) median {statistics.median(times_304):.2f} ms, "
              f"p95 {sorted(times_304)[int(len(times_304) * 0.95) - 1]:.2f} ms, max {max(times_304):.2f} ms "
              f"over {len(times_304)} requests")  # fmt: skip
        print(f"  client round trip median {statistics.median(rtt):.2f} ms")
        print(f"full refresh server time median {statistics.median(times_200[1:]):.2f} ms")

        from dhhera_jupyter.server.context import load_summary

        load_summary(PROJECT)
        reads = []
        for _ in range(10):
            t0 = time.perf_counter()
            load_summary(PROJECT)
            reads.append((time.perf_counter() - t0) * 1000)
        print(f"background read of the project (3 list calls + summary, in a worker thread, once per 1-3 s "
              f"while any panel looks): median {statistics.median(reads):.0f} ms")  # fmt: skip
        target = "MET" if received + sent < 1024 and statistics.median(times_304) < 20 else "NOT MET"
        print(f"target (unchanged refresh < 1 KB and < 20 ms server time): {target}")
    finally:
        stop_server_and_core(server)


if __name__ == "__main__":
    main()
