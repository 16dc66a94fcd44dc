"""Local core run kinds: python services, cached requirements and the fast ``wait=True`` (issue 10).

Run: ``python bench/serve_and_envs.py [N]`` (default N=5; about two minutes). It starts a fresh local core in a
temporary folder, then, in a client process pointing the real SDK at it, measures:

- ``serve start``: ``function.run("serve")`` to the first answered request (warm pool), median of N; the floor
  printed next to it is a trivial ``python+job`` run from ``run()`` to COMPLETED (same pool, same polling);
- ``request p50``: 1000 GETs of a trivial handler (one keep-alive connection), p50 and p99; the peer is the
  local core's own ``GET /runs/{id}`` measured the same way;
- ``cached requirements``: a job of a function with ``requirements`` whose environment is already cached, minus
  a plain job (medians of N); the first, installing run is printed too;
- ``wait=True``: a tutorial-shaped sequence (three jobs and a serve run, each with ``wait=True``) with the SDK's
  own ``Run.wait`` and with the fast wait of :mod:`dhhera_jupyter.platform.fast_wait`.

Targets: serve start < 1 s; request p50 < 5 ms; cached requirements < 0.3 s over a plain job; wait=True >= 5x.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import client_on_fresh_core  # noqa: E402 (after the sys.path setup above)

CODE = """
def noop(x: int = 0):
    return x

def init(context):
    context.n = 0

def hello(context, event):
    return "ok"

def cow():
    import cowsay
    return 1
"""


def _done(run) -> None:
    while True:
        run.refresh()
        if run.status.state in ("COMPLETED", "ERROR", "STOPPED"):
            assert run.status.state == "COMPLETED", run.status.to_dict()
            return
        time.sleep(0.01)


def _fn(project, name: str, handler: str, **kw):
    return project.new_function(name=name, kind="python", code=CODE, handler=handler, python_version="PYTHON3_11", **kw)


def _latency(session, url: str, headers: dict[str, str] | None = None, count: int = 1000) -> tuple[float, float]:
    lat = []
    for _ in range(count):
        t0 = time.perf_counter()
        resp = session.get(url, headers=headers or {})
        lat.append(time.perf_counter() - t0)
        resp.raise_for_status()
    lat.sort()
    return lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3


#: The floor of a request: a bare stdlib HTTP/1.1 server (keep-alive, Nagle off) answering "ok", in its own process.
BARE_SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *a):
        pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

server = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def _bare_latency(session) -> tuple[float, float]:
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", BARE_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        return _latency(session, f"http://127.0.0.1:{port}/")
    finally:
        proc.kill()
        proc.wait()


def client(n: int) -> dict:
    """Runs inside a process whose env points at the core (see :func:`main`)."""
    import digitalhub as dh
    import requests

    from dhhera_jupyter.platform import fast_wait

    project = dh.get_or_create_project("bench-kinds")
    noop = _fn(project, "noop", "noop")
    svc = _fn(project, "svc", "hello", init_function="init")
    cow = _fn(project, "cow", "cow", requirements=["cowsay==6.1"])
    _done(noop.run("job"))  # warm-up of the pool

    jobs = []
    for i in range(n):
        t0 = time.perf_counter()
        _done(noop.run("job", parameters={"x": i}))
        jobs.append(time.perf_counter() - t0)

    starts, services = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        run = svc.run("serve")
        while True:
            run.refresh()
            if run.status.service:
                break
            assert run.status.state != "ERROR", run.status.to_dict()
            time.sleep(0.01)
        requests.get(f"http://{run.status.service['url']}/", timeout=10).raise_for_status()
        starts.append(time.perf_counter() - t0)
        services.append(run)
        if len(services) > 1:
            services.pop(0).stop()  # stay within DHHERA_SERVICES

    session = requests.Session()
    req_p50, req_p99 = _latency(session, f"http://{services[0].status.service['url']}/")
    core_url = f"{os.environ['DHCORE_ENDPOINT']}/api/v1/-/bench-kinds/runs/{services[0].id}"
    core_p50, core_p99 = _latency(session, core_url, {"Authorization": f"Bearer {os.environ['DHCORE_ACCESS_TOKEN']}"})
    bare_p50, bare_p99 = _bare_latency(requests.Session())
    services[0].stop()

    t0 = time.perf_counter()
    _done(cow.run("job"))
    first_install = time.perf_counter() - t0
    cached = []
    for _ in range(n):
        t0 = time.perf_counter()
        _done(cow.run("job"))
        cached.append(time.perf_counter() - t0)

    def tutorial() -> float:
        t0 = time.perf_counter()
        for i in range(3):
            assert noop.run("job", parameters={"x": i}, wait=True).status.state == "COMPLETED"
        served = svc.run("serve", wait=True)
        assert served.status.service
        served.stop()
        return time.perf_counter() - t0

    fast_wait.uninstall()
    sdk_wait = tutorial()
    fast_wait.install()
    fast = tutorial()
    return {
        "job": statistics.median(jobs),
        "serve_start": statistics.median(starts),
        "serve_start_max": max(starts),
        "req_p50": req_p50,
        "req_p99": req_p99,
        "core_p50": core_p50,
        "bare_p50": bare_p50,
        "bare_p99": bare_p99,
        "core_p99": core_p99,
        "first_install": first_install,
        "cached": statistics.median(cached),
        "sdk_wait": sdk_wait,
        "fast_wait": fast,
    }


def main() -> None:
    if sys.argv[1:2] == ["--client"]:
        print(json.dumps(client(int(sys.argv[2]))))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    r = client_on_fresh_core(__file__, n, "dhhera-bench-kinds-")
    print(f"local core run kinds, N={n} (warm pool)")
    print(
        f"serve start to first answer: median {r['serve_start']:.3f} s, max {r['serve_start_max']:.3f} s "
        f"(floor: trivial job {r['job']:.3f} s; target < 1 s)"
    )
    print(
        f"service request: p50 {r['req_p50']:.2f} ms, p99 {r['req_p99']:.2f} ms "
        f"(floor: bare stdlib server p50 {r['bare_p50']:.2f} ms, p99 {r['bare_p99']:.2f} ms; peer: core GET run "
        f"p50 {r['core_p50']:.2f} ms, p99 {r['core_p99']:.2f} ms; target p50 < 5 ms)"
    )
    print(
        f"requirements: first run (install) {r['first_install']:.2f} s; cached {r['cached']:.3f} s vs plain job "
        f"{r['job']:.3f} s -> overhead {r['cached'] - r['job']:+.3f} s (target < 0.3 s)"
    )
    print(
        f"tutorial-shaped wait=True (3 jobs + serve): SDK wait {r['sdk_wait']:.2f} s, fast wait {r['fast_wait']:.2f} s "
        f"-> {r['sdk_wait'] / r['fast_wait']:.1f}x (target >= 5x)"
    )


if __name__ == "__main__":
    main()
