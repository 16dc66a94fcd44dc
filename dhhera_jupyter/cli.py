"""Command line: ``dhhera core start|stop|status|env`` and ``dhhera lab``."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from dhhera_jupyter.core import control
from dhhera_jupyter.errors import DhheraError


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def cmd_start(args: argparse.Namespace) -> int:
    info, started = control.start(args.home)
    print(f"local core {'started' if started else 'already running'} at {info.endpoint} (pid {info.pid})")
    print('point a shell at it with: eval "$(dhhera core env)"')
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    print(control.stop_with_reason(args.home)[1])
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    info = control.find(args.home)
    if info is None:
        print("no local core is running (start one with: dhhera core start)")
        return 1
    st = info.status
    print(f"endpoint:  {info.endpoint}")
    print(f"pid:       {info.pid}")
    print(f"uptime:    {_duration(time.time() - info.started)}")
    print(f"data:      {info.home}")
    print(f"projects:  {st.get('projects')}")
    print(
        f"runs:      {st.get('runs')} ({st.get('active_runs')} active, {st.get('workers')} workers, {st.get('pool')})"
    )
    print(f"objects:   {_objects_line(st)}")
    if st.get("database") not in (None, "ok"):
        print(f"database:  {st['database']} (writes are refused; restart the core)")
    return 0


def _objects_line(st: dict) -> str:
    objects = st.get("objects")
    if not isinstance(objects, dict):  # a core older than the object store supervisor
        s3 = st.get("s3") or {}
        return str(s3.get("AWS_ENDPOINT_URL") or st.get("s3_error") or "starting")
    line = f"{objects.get('state')}"
    if objects.get("endpoint"):
        line += f" at {objects['endpoint']} (pid {objects.get('pid')})"
    if objects.get("restarts"):
        last = objects.get("last_exit") or {}
        line += f", restarted {objects['restarts']} time(s), last exit code {last.get('code')}"
    if objects.get("error") and objects.get("state") != "running":
        line += f": {objects['error']}"
    return line


def cmd_env(args: argparse.Namespace) -> int:
    info = control.wait_objects(control.ensure_running(args.home))
    for key, value in sorted(info.env().items()):
        print(f"export {key}={shlex.quote(value)}")
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    from dhhera_jupyter.lab import launch

    return launch(args.home, extra=args.lab_args, notebooks=args.notebooks)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dhhera", description="dhhera-jupyter: Hera pipelines from Jupyter.")
    parser.add_argument("--home", type=Path, default=None, help="data folder of the local core (DHHERA_HOME)")
    sub = parser.add_subparsers(dest="command", required=True)
    core = sub.add_parser("core", help="manage the local DigitalHub core")
    core_sub = core.add_subparsers(dest="action", required=True)
    core_sub.add_parser("start", help="start the local core in the background (or reuse it)").set_defaults(fn=cmd_start)
    core_sub.add_parser("stop", help="stop the local core").set_defaults(fn=cmd_stop)
    core_sub.add_parser("status", help="endpoint, pid, uptime, data folder, counts").set_defaults(fn=cmd_status)
    core_sub.add_parser("env", help='shell exports for the SDK: eval "$(dhhera core env)"').set_defaults(fn=cmd_env)
    lab = sub.add_parser(
        "lab",
        help="start the local core and JupyterLab on the quickstart notebook "
        "(other arguments go to jupyter lab, e.g. --no-browser --port 8899)",
    )
    lab.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help="folder of your notebooks, where the quickstart is copied once (default: ~/dhhera-notebooks)",
    )
    lab.set_defaults(fn=cmd_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.lab_args = extra
    try:
        return int(args.fn(args) or 0)
    except DhheraError as exc:
        print(f"dhhera: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
