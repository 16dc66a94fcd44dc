"""Local core HTTP layer: request latency of the API, against a bare loopback HTTP floor, in the same run.

Run: ``python bench/core_http.py [--compare SRC] [N]`` (default N=1000; about 20 s per core). It starts a
fresh local core in a temporary folder (from this checkout, and with ``--compare SRC`` also from the source
tree ``SRC``, e.g. the main branch before a change), creates a project and a client-driven run, then times:

- ``GET run``: ``GET /api/v1/-/{p}/runs/{id}``, N requests on one keep-alive connection (p50, p99, ms);
- ``PUT run``: ``PUT`` of the same run with a new status field, N requests (p50, p99, ms);
- ``8 threads``: 1000 GETs spread over 8 threads, each with its own connection (p50, p99, ms);
- ``cpu/GET``, ``cpu/PUT``: CPU time the core process spent per request (user + system, all threads; from
  ``/proc``), which a busy machine disturbs much less than wall-clock latency;
- ``floor``: the same GET against a stdlib HTTP server on loopback that answers a fixed 1 KB JSON (what
  a request costs with no core behind it).

Targets (issue 11): GET and PUT p50 at most +1 ms over the code before the change, GET p50 < 5 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1e3


class _Client:
    def __init__(self, endpoint: str, token: str) -> None:
        host, port = endpoint.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> object:
        data = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=data, headers=self.headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {path} -> {resp.status} {raw[:200]!r}")
        return json.loads(raw) if raw else None


def _timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _threads(endpoint: str, token: str, path: str, total: int = 1000, threads: int = 8) -> list[float]:
    lat: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        client = _Client(endpoint, token)
        mine = _timed(lambda: client.call("GET", path), total // threads)
        with lock:
            lat.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return lat


def measure_core(src: Path, n: int) -> dict[str, float]:
    """Start a core from the source tree ``src`` and time its API (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="dhhera-http-bench-") as tmp:
        home = Path(tmp) / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "AWS_", "DH_"))}
        env["PYTHONPATH"] = str(src)
        env["DHHERA_HOME"] = str(home)
        env["DHHERA_WORKERS"] = "1"
        code = (
            "import json,sys; from dhhera_jupyter.core import control; i=control.ensure_running();"
            "print(json.dumps({'endpoint': i.endpoint, 'token': i.token, 'pid': i.pid}))"
        )
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        info = json.loads(out.stdout.strip().splitlines()[-1])
        try:
            client = _Client(info["endpoint"], info["token"])
            client.call("POST", "/api/v1/projects", {"name": "bench", "kind": "project"})
            run = client.call(
                "POST",
                "/api/v1/-/bench/runs",
                {
                    "kind": "python+job:run",
                    "spec": {"task": "python+job://bench/t", "local_execution": True, "parameters": {"x": 1}},
                    "status": {"state": "CREATED"},
                },
            )
            path = f"/api/v1/-/bench/runs/{run['id']}"
            for _ in range(50):  # warm-up
                client.call("GET", path)
            cpu0 = _cpu(info["pid"])
            get = _timed(lambda: client.call("GET", path), n)
            cpu1 = _cpu(info["pid"])
            counter = iter(range(10**9))
            put = _timed(lambda: client.call("PUT", path, {**run, "status": {"note": next(counter)}}), n)
            cpu2 = _cpu(info["pid"])
            par = _threads(info["endpoint"], info["token"], path)
        finally:
            stop = "from dhhera_jupyter.core import control; control.stop()"
            subprocess.run([sys.executable, "-c", stop], env=env, check=False, timeout=60)
    return {
        "get_p50": _pct(get, 0.5),
        "get_p99": _pct(get, 0.99),
        "put_p50": _pct(put, 0.5),
        "put_p99": _pct(put, 0.99),
        "threads_p50": _pct(par, 0.5),
        "threads_p99": _pct(par, 0.99),
        "cpu_get": (cpu1 - cpu0) / n * 1e3,
        "cpu_put": (cpu2 - cpu1) / n * 1e3,
    }


def measure_floor(n: int) -> dict[str, float]:
    """The same GET against a bare stdlib server answering a fixed document."""
    payload = json.dumps({"id": "x" * 32, "spec": {"k": "v" * 900}}).encode()

    class Fixed(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        client = _Client(endpoint, "t")
        get = _timed(lambda: client.call("GET", "/"), n)
        par = _threads(endpoint, "t", "/")
    finally:
        server.shutdown()
    return {"get_p50": _pct(get, 0.5), "get_p99": _pct(get, 0.99), "threads_p99": _pct(par, 0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--compare", type=Path, help="another source tree (e.g. main before the change)")
    args = parser.parse_args()
    rows = [("floor (bare stdlib server)", measure_floor(args.n))]
    if args.compare:
        rows.append((f"core from {args.compare}", measure_core(args.compare.resolve(), args.n)))
    rows.append((f"core from {ROOT}", measure_core(ROOT, args.n)))
    heads = ("GET p50", "GET p99", "PUT p50", "PUT p99", "8thr p50", "8thr p99", "cpu/GET", "cpu/PUT")
    print(f"{'':44} " + " ".join(f"{h:>8}" for h in heads) + "  (ms)")
    keys = ("get_p50", "get_p99", "put_p50", "put_p99", "threads_p50", "threads_p99", "cpu_get", "cpu_put")
    for name, r in rows:
        cells = [r.get(k) for k in keys]
        print(f"{name[:44]:44} " + " ".join(f"{c:8.2f}" if c is not None else f"{'-':>8}" for c in cells))
    print("targets: GET/PUT p50 at most +1 ms over the code before the change; GET p50 < 5 ms")


if __name__ == "__main__":
    main()
