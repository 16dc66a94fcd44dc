"""The local core process: ``python -m dhhera_jupyter.core --home DIR``.

Assembles store, API, run manager, worker pool, pipeline runner and object store, writes the
state file and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from dhhera_jupyter import settings
from dhhera_jupyter.core import profile, run_kinds
from dhhera_jupyter.core import state as statefiles
from dhhera_jupyter.core.api import CoreApp, make_server
from dhhera_jupyter.core.entities import Entities
from dhhera_jupyter.core.objects_supervisor import ObjectsSupervisor
from dhhera_jupyter.core.run_nodes import RunNodes
from dhhera_jupyter.core.run_reads import RunReads
from dhhera_jupyter.core.runlogs import LogCap
from dhhera_jupyter.core.runs import RunManager
from dhhera_jupyter.core.store import Store

log = logging.getLogger("dhhera.core")

EXIT_ALREADY_RUNNING = 3

#: Environment variables of the core that its run processes inherit.
_PASSED_ENV = frozenset(
    {
        "PATH",
        "HOME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "USER",
        "LOGNAME",
        "SHELL",
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
        "OPENBLAS_CORETYPE",
        "OPENBLAS_L2_SIZE",
    }
)


class _Status:
    """The local status document served at ``/dhhera/status`` (filled in as the parts come up)."""

    def __init__(
        self, home: Path, started: float, store: Store, objects: ObjectsSupervisor, manager: RunManager
    ) -> None:
        self.home = home
        self.started = started
        self.store = store
        self.objects = objects
        self.manager = manager
        self.endpoint = ""
        self.pool: Any = None
        self.recovered = 0

    def info(self) -> dict[str, Any]:
        s3: dict[str, str] | None = None
        object_store = self.objects.status()
        if object_store["state"] == "running":
            s3 = self.objects.store.env()
        return {
            "endpoint": self.endpoint,
            "pid": os.getpid(),
            "started": self.started,
            "uptime": time.time() - self.started,
            "home": str(self.home),
            "projects": self.store.count("project"),
            "runs": self.store.count("run"),
            "active_runs": len(self.pool.active()) if self.pool is not None else 0,
            "workers": settings.workers(),
            "services": settings.services(),
            "pool": settings.pool_mode(),
            "run_kinds": run_kinds.describe(),
            "s3": s3,
            "s3_error": object_store["error"] if object_store["state"] == "failed" else None,
            "objects": object_store,
            "database": self.store.gone or "ok",
            "recovered": self.recovered,
            "profile": profile.current().name,
        }


def _bind(app: CoreApp, preferred: int) -> Any:
    for port in ([preferred] if preferred else []) + [0]:
        try:
            return make_server(app, port)
        except OSError as exc:
            log.warning("port %s is taken (%s); picking another", port, exc)
    raise RuntimeError("could not bind a port on 127.0.0.1")


def serve(home: Path, port: int = 0) -> int:
    statefiles.prepare_home(home)
    lock = open(home / "core.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log.error("another local core already runs on %s", home)
        return EXIT_ALREADY_RUNNING

    token = statefiles.token(home)
    dh_config = statefiles.private_sdk_config(home)
    store = Store(home / "core.sqlite")
    entities = Entities(store)
    runs_dir = home / "runs"
    runs_dir.mkdir(exist_ok=True)
    started = time.time()
    objects = ObjectsSupervisor(home / "objects")
    manager: RunManager | None = None
    server: Any = None
    # Node lists of running pipelines, apart from their run documents (written at a bounded cadence).
    run_nodes = RunNodes(home / "run_nodes.sqlite", cadence=settings.nodes_cadence(), visible=settings.nodes_visible())
    try:
        # Parts in dependency order: the executors need the endpoint, the endpoint needs the bound server, the
        # server needs the app, the app needs the run manager; executors are registered into the manager last.
        from dhhera_jupyter.executor.environments import Environments
        from dhhera_jupyter.executor.pipeline import PipelineRunner
        from dhhera_jupyter.executor.pool import WorkerPool
        from dhhera_jupyter.executor.run_executors import PipelineExecutor, PoolExecutor

        environments = Environments(home / "envs", settings.uv_cache(), settings.install_timeout())
        manager = RunManager(entities, runs_dir, objects.env, environments)
        status = _Status(home, started, store, objects, manager)
        app = CoreApp(entities, manager, token, status.info)
        previous = statefiles.read_state(home) or {}
        server = _bind(app, port or int(previous.get("port") or 0))
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        entities.endpoint = endpoint
        status.endpoint = endpoint

        # Runs get a clean environment: the basics user code needs, never the caller's SDK settings.
        pool_env = {k: v for k, v in os.environ.items() if k in _PASSED_ENV or k.startswith("LC_")}
        pool_env |= {
            "DHCORE_ENDPOINT": endpoint,
            "DHCORE_ACCESS_TOKEN": token,
            "DH_CONFIG": str(dh_config),
            "DHCORE_WORKFLOW_IMAGE": settings.WORKFLOW_IMAGE,
            "PYTHONUNBUFFERED": "1",
        }
        pool = WorkerPool(
            env=pool_env,
            runs_dir=runs_dir,
            size=settings.workers(),
            service_size=settings.services(),
            mode=settings.pool_mode(),
        )
        status.pool = pool
        manager.register(run_kinds.WORKER, PoolExecutor(pool, "job", owns_pool=True))
        manager.register(run_kinds.SERVICE, PoolExecutor(pool, "service"))
        manager.register(run_kinds.ENVIRONMENT, environments)
        pipelines = PipelineRunner(manager, pool, objects.env, nodes=run_nodes)
        manager.register(run_kinds.PIPELINE, PipelineExecutor(pipelines))
        app.run_reads = RunReads(store, run_nodes)
        run_nodes.recover_into(lambda run_id: store.get("run", run_id), lambda run: store.put("run", run))
        status.recovered = manager.recover()
        LogCap(manager).start()
        pool.start()

        statefiles.write_state(
            home,
            {
                "pid": os.getpid(),
                "port": server.server_address[1],
                "endpoint": endpoint,
                "token": token,
                "started": started,
                "home": str(home),
                "dh_config": str(dh_config),
            },
        )

        def shutdown(signum: int, frame: Any) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        log.info("local core listening on %s (data in %s)", endpoint, home)
        server.serve_forever(poll_interval=0.2)
    finally:
        # Also on a crash during start-up: never leave SeaweedFS or workers behind.
        if manager is not None:
            manager.shutdown()
        run_nodes.stop()
        objects.stop()
        if server is not None:
            server.server_close()
        statefiles.remove_state(home, os.getpid())
        store.close()
        log.info("local core stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dhhera_jupyter.core", description="Run the dhhera local core.")
    parser.add_argument("--home", type=Path, default=settings.home())
    parser.add_argument("--port", type=int, default=settings.core_port())
    parser.add_argument("--log-level", default=settings.log_level())
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        chosen = profile.current()  # a bad DHHERA_CORE_PROFILE/REFRESH fails the start, not the first run
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    if chosen is not profile.LOCAL:
        log.info("core profile %s (nodes refreshed every %s s)", chosen.name, chosen.node_refresh)
    return serve(args.home.expanduser().resolve(), args.port)


if __name__ == "__main__":
    sys.exit(main())
