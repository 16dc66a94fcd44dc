"""What a pipeline costs the local core as it grows, and what watching a big run costs between kernel and core.

Run: ``python bench/core_scale.py [small] [large] [--repeat R]`` (defaults 100, 1000, R=3; a few minutes). In
one run, on a fresh local core in a temporary folder, with the real SDK:

- **core CPU per step**: CPU time of the core process (all its threads, from ``/proc``) from
  ``run(action="pipeline")`` until the run is COMPLETED, divided by the number of steps, for a fan-out/fan-in of
  ``small`` and of ``large`` trivial python steps (the build is not counted); the ratio large/small says
  whether the core's cost per step depends on the pipeline's size. Median of R runs of each.
- **build time**: registering each workflow and its build run, to COMPLETED (hera, YAML dump, storing the spec);
- **GET of the finished large run**: p50/p90 over 50 reads, through a keep-alive HTTP session (the body as
  bytes: what the core and the wire cost) and through the SDK (``read_object``: plus the client's JSON parse);
  and its floor, the same number of bytes from a bare tornado handler (the wire and the client alone).
- **bytes per watched tick**: every byte between this process and the core counted by a TCP relay, for 20
  polls of the finished large run: our poller's conditional read (``platform.conditional.run_doc``) against
  the unconditional one (``platform.run_doc``, what a tick cost before).

Targets (issue 13): core CPU per step at ``large`` ≤ 1.5 × its value at ``small``; GET of a finished
1000-node run p50 < 10 ms; an unchanged watched 1000-node run < 1 KB per tick.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import FUNC, PIPELINE  # noqa: E402 (after the sys.path setup above)

TERMINAL = ("COMPLETED", "ERROR", "STOPPED")


class Relay:
    """A TCP relay on 127.0.0.1 in front of ``target``, counting the bytes that cross it in both directions."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.sent = 0  # client -> core
        self.received = 0  # core -> client
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.sent = self.received = 0

    def _accept(self) -> None:
        while True:
            client, _ = self._server.accept()
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, "sent"), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "received"), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counter: str) -> None:
        try:
            while data := src.recv(65536):
                with self._lock:
                    setattr(self, counter, getattr(self, counter) + len(data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def built_fan(project, n: int):
    """The fan-out/fan-in workflow of ``n`` middle steps, built (the build is not measured)."""
    wf = project.new_workflow(name=f"fan-{n}", kind="hera", code=PIPELINE.format(n=n), handler="pipeline")
    build = wf.run(action="build")
    while build.refresh().status.state not in TERMINAL:
        time.sleep(0.1)
    if build.status.state != "COMPLETED":
        raise RuntimeError(f"the build of fan-{n} ended {build.status.state}: {build.status.to_dict().get('message')}")
    return wf


def run_pipeline(project, wf, core_pid: int) -> tuple[str, float, float, str]:
    """``(state, wall seconds, core CPU seconds, run id)`` of one pipeline run, polled conditionally."""
    from dhhera_jupyter.platform import conditional

    cpu0, began = cpu_seconds(core_pid), time.perf_counter()
    run = wf.run(action="pipeline")
    while (doc := conditional.run_doc(run.id, project.name))["status"]["state"] not in TERMINAL:
        time.sleep(0.25)
    return doc["status"]["state"], time.perf_counter() - began, cpu_seconds(core_pid) - cpu0, run.id


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def get_latency(endpoint: str, token: str, project: str, run_id: str, reads: int = 50) -> dict[str, float]:
    """p50/p90 (ms) of a GET of the run: raw bytes over a keep-alive session, and the SDK's read_object."""
    import requests

    from dhhera_jupyter import platform

    url = f"{endpoint}/api/v1/-/{project}/runs/{run_id}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    raw, sdk = [], []
    size = len(session.get(url).content)
    for _ in range(reads):
        began = time.perf_counter()
        session.get(url).raise_for_status()
        raw.append((time.perf_counter() - began) * 1e3)
        began = time.perf_counter()
        platform.run_doc(run_id, project)
        sdk.append((time.perf_counter() - began) * 1e3)
    return {
        "bytes": size,
        "raw_p50": percentile(raw, 0.5),
        "raw_p90": percentile(raw, 0.9),
        "sdk_p50": percentile(sdk, 0.5),
        "sdk_p90": percentile(sdk, 0.9),
    }


def transport_floor(size: int, reads: int = 50) -> float:
    """p50 (ms) of a keep-alive GET of ``size`` bytes from a bare tornado handler: what the wire and the client
    cost for a body that big, with no core logic at all (the floor of the GET above, measured in the same run)."""
    import asyncio

    import requests
    from tornado import httpserver, netutil, web
    from tornado.ioloop import IOLoop

    body = b" " * size

    class Handler(web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "application/json")
            self.write(body)

    sockets = netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    loops: list[IOLoop] = []

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        httpserver.HTTPServer(web.Application([(r".*", Handler)])).add_sockets(sockets)
        loops.append(IOLoop.current())
        loops[0].start()

    threading.Thread(target=serve, daemon=True).start()
    session = requests.Session()
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/"
    session.get(url).raise_for_status()
    times = []
    for _ in range(reads):
        began = time.perf_counter()
        session.get(url).raise_for_status()
        times.append((time.perf_counter() - began) * 1e3)
    loops[0].add_callback(loops[0].stop)
    return percentile(times, 0.5)


def tick_bytes(relay: Relay, project: str, run_id: str, ticks: int = 20) -> dict[str, float]:
    """Bytes per poll of an unchanged run, both directions, conditional against unconditional."""
    from dhhera_jupyter import platform
    from dhhera_jupyter.platform import conditional

    out = {}
    conditional.run_doc(run_id, project)  # the watcher's first read carries the body; ticks after it do not
    for name, read in (("conditional", conditional.run_doc), ("unconditional", platform.run_doc)):
        relay.reset()
        for _ in range(ticks):
            read(run_id, project)
        out[name] = (relay.sent + relay.received) / ticks
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Core cost per step against pipeline size; watching cost.")
    parser.add_argument("small", type=int, nargs="?", default=100)
    parser.add_argument("large", type=int, nargs="?", default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    small, large, repeat = args.small, args.large, args.repeat

    from dhhera_jupyter import settings
    from dhhera_jupyter.core import control

    home = Path(tempfile.mkdtemp(prefix="dhhera-bench-scale-"))
    info = control.wait_objects(control.ensure_running(home), timeout=120)
    host, port = info.endpoint.removeprefix("http://").split(":")
    relay = Relay((host, int(port)))
    try:
        env = info.env()
        env["DHCORE_ENDPOINT"] = f"http://127.0.0.1:{relay.port}"  # every SDK call of this process is counted
        os.environ.update(env)
        import digitalhub as dh

        project = dh.get_or_create_project("bench-scale")
        project.new_function(name="noop", kind="python", code=FUNC, handler="noop", python_version="PYTHON3_11")
        per_step: dict[int, list[float]] = {}
        walls: dict[int, list[float]] = {}
        last_run: dict[int, str] = {}
        failures: dict[int, str] = {}
        workflows, build_s = {}, {}
        for n in (small, large):
            began = time.perf_counter()
            workflows[n] = built_fan(project, n)
            build_s[n] = time.perf_counter() - began
        for _ in range(repeat):
            for n in (small, large):
                if n in failures:
                    continue
                state, wall, cpu, run_id = run_pipeline(project, workflows[n], info.pid)
                if state != "COMPLETED":
                    doc = dh.get_run(run_id, project=project.name).to_dict()
                    failures[n] = f"{state}: {doc['status'].get('message')}"
                    continue
                per_step.setdefault(n, []).append(cpu / (n + 2) * 1e3)
                walls.setdefault(n, []).append(wall)
                last_run[n] = run_id
        latency = ticks = None
        if large in last_run:
            latency = get_latency(info.endpoint, info.token, project.name, last_run[large])
            ticks = tick_bytes(relay, project.name, last_run[large])
            latency["floor_p50"] = transport_floor(int(latency["bytes"]))
    finally:
        control.stop(home)

    print(f"fan-out/fan-in of N trivial python steps, {settings.workers()} workers, {repeat} runs each (medians)")
    print(f"{'N':>6} {'core CPU ms/step':>17} {'all runs':>26} {'wall s':>8}")
    for n in (small, large):
        if n in failures:
            print(f"{n:6d}  failed: {failures[n]}")
            continue
        samples = " ".join(f"{v:.2f}" for v in per_step[n])
        print(f"{n:6d} {statistics.median(per_step[n]):17.2f} {samples:>26} {statistics.median(walls[n]):8.2f}")
    print("build (register + build run to COMPLETED): " + ", ".join(f"N={n} {build_s[n]:.1f} s" for n in build_s))
    if small in per_step and large in per_step:
        ratio = statistics.median(per_step[large]) / statistics.median(per_step[small])
        print(f"core CPU per step, {large} vs {small}: {ratio:.2f}x (target <= 1.5)")
    if latency is not None and ticks is not None:
        print(
            f"GET of the finished {large}-node run ({latency['bytes'] / 1024:.0f} KB): "
            f"raw p50 {latency['raw_p50']:.1f} ms (p90 {latency['raw_p90']:.1f}), "
            f"SDK read p50 {latency['sdk_p50']:.1f} ms (p90 {latency['sdk_p90']:.1f}) (target p50 < 10 ms); "
            f"floor (the same bytes from a bare tornado handler) p50 {latency['floor_p50']:.1f} ms"
        )
        print(
            f"bytes per unchanged tick, both directions: conditional {ticks['conditional']:.0f} B "
            f"(target < 1024), unconditional {ticks['unconditional'] / 1024:.0f} KB"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
