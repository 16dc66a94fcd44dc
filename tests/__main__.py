"""``python -m tests``: the whole suite as two pytest processes at once, over disjoint folders.

The suite is mostly waiting (browsers drawing, runs polling, servers starting), so on two cores two processes take
about two thirds of the time of one. Each process is a normal pytest session: its own temporary folders, local core
and JupyterLab (``tests/conftest.py``). Extra arguments go to both (``python -m tests -x -k sidebar``);
``python -m tests --serial`` (or plain ``python -m pytest``) runs everything in one process.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Folders of the first process: the browser and notebook tests (Chromium, JupyterLab, kernels) and the quick pure
#: ones. Every other folder, and the top-level test files, go to the second (a new folder lands there).
FIRST = (
    "browser",
    "run_panel",
    "debug",
    "retry",
    "preview",
    "frontend",
    "notebooks",
    "widgets",
    "graph",
    "status",
    "documents",
)


def shards() -> list[list[str]]:
    """The two lists of test paths (relative to the repository), together every test folder and file once."""
    tests = ROOT / "tests"
    folders = sorted(p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    missing = [name for name in FIRST if name not in folders]
    if missing:
        raise SystemExit(f"tests/__main__.py names test folders that do not exist: {', '.join(missing)}")
    first = [f"tests/{name}" for name in FIRST]
    second = [f"tests/{name}" for name in folders if name not in FIRST]
    second += sorted(f"tests/{p.name}" for p in tests.glob("test_*.py"))
    return [first, second]


#: Seconds between two progress lines while the shards run.
HEARTBEAT = 60.0

_PERCENT = re.compile(rb"\[ *(\d+)%\]")


def _progress(log: Path) -> str:
    """How far a shard is, from the last ``[ 42%]`` pytest wrote to its log."""
    try:
        with log.open("rb") as f:
            f.seek(max(0, log.stat().st_size - 4096))
            tail = f.read()
    except OSError:
        return "starting"
    found = _PERCENT.findall(tail)
    return f"{int(found[-1])}%" if found else "collecting"


def main(argv: list[str]) -> int:
    if "--serial" in argv:
        return subprocess.call([sys.executable, "-m", "pytest", *[a for a in argv if a != "--serial"]], cwd=ROOT)
    logs = Path(tempfile.mkdtemp(prefix="dhhera-tests-"))
    started = time.monotonic()
    running = []
    for number, paths in enumerate(shards(), start=1):
        log = logs / f"shard-{number}.log"
        print(f"shard {number}: {' '.join(paths)} (output: {log})", flush=True)
        out = log.open("w")
        command = [sys.executable, "-m", "pytest", *paths, *argv]
        running.append((number, log, out, subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)))
    codes: dict[int, int] = {}
    beat = time.monotonic()
    while len(codes) < len(running):
        if time.monotonic() - beat >= HEARTBEAT:  # a line a minute, so that a long quiet stretch is not a hang
            beat = time.monotonic()
            states = [f"shard {n}: {'done' if n in codes else _progress(log)}" for n, log, _, _ in running]
            print(f"… {time.monotonic() - started:.0f} s: {' · '.join(states)}", flush=True)
        for number, log, out, process in running:
            if number not in codes and process.poll() is not None:
                out.close()
                codes[number] = process.returncode
                print(
                    f"\n===== shard {number} ended with exit code {process.returncode} "
                    f"after {time.monotonic() - started:.0f} s; its output:",
                    flush=True,
                )
                print(log.read_text(errors="replace"), flush=True)
        time.sleep(1)
    failed = [n for n, code in codes.items() if code != 0]
    summary = "all passed" if not failed else f"shard {', '.join(map(str, failed))} failed"
    print(f"===== {summary} in {time.monotonic() - started:.0f} s (exit codes {codes})", flush=True)
    return max(codes.values(), key=abs) if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
