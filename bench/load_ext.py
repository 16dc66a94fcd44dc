"""``%load_ext dhhera_jupyter`` time vs ``import digitalhub`` time, each in a fresh interpreter.

Run: ``python bench/load_ext.py [--repeat N]``. Prints the median (and min/max) of N runs of:

- ``%load_ext dhhera_jupyter`` in an IPython shell that already exists (as in a kernel), with the
  background SDK import off (``DHHERA_PRELOAD=0``) and on (platform mode, so that the background
  thread imports the SDK but starts no local core);
- ``import digitalhub``, and ``import digitalhub`` plus the Hera and Python runtimes (what the first
  magic call imports).

Target: load under 0.2 s and at least 10x faster than importing the SDK.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOAD_EXT = """
import time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
t = time.perf_counter()
shell.run_line_magic("load_ext", "dhhera_jupyter")
print(time.perf_counter() - t)
"""

IMPORT_SDK = """
import time
t = time.perf_counter()
import digitalhub
print(time.perf_counter() - t)
"""

IMPORT_SDK_RUNTIMES = """
import time
t = time.perf_counter()
import digitalhub, digitalhub_runtime_hera, digitalhub_runtime_python
from digitalhub_runtime_hera import dsl
print(time.perf_counter() - t)
"""


def measure(code: str, env: dict[str, str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=300
        )
        out.append(float(proc.stdout.strip().splitlines()[-1]))
    return out


def row(label: str, values: list[float]) -> str:
    return (
        f"{label:<52} median {statistics.median(values) * 1000:8.1f} ms   "
        f"min {min(values) * 1000:8.1f}   max {max(values) * 1000:8.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dhhera-bench-") as tmp:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DHCORE_", "DH_", "AWS_", "S3_"))}
        base.update(
            {"PYTHONPATH": str(ROOT), "DHHERA_HOME": str(Path(tmp) / "home"), "DH_CONFIG": str(Path(tmp) / "empty.ini")}
        )
        off = {**base, "DHHERA_PRELOAD": "0"}
        on = {**base, "DHHERA_PRELOAD": "1", "DHCORE_ENDPOINT": "http://127.0.0.1:9"}
        load_off = measure(LOAD_EXT, off, args.repeat)
        load_on = measure(LOAD_EXT, on, args.repeat)
        sdk = measure(IMPORT_SDK, off, args.repeat)
        sdk_rt = measure(IMPORT_SDK_RUNTIMES, off, args.repeat)
    print(f"{args.repeat} runs each, fresh interpreter per run ({sys.executable})")
    print(row("%load_ext dhhera_jupyter (no background import)", load_off))
    print(row("%load_ext dhhera_jupyter (background SDK import)", load_on))
    print(row("import digitalhub", sdk))
    print(row("import digitalhub + hera/python runtimes + dsl", sdk_rt))
    load = statistics.median(load_on)
    ratio = statistics.median(sdk) / max(load, 1e-9)
    verdict = "OK" if load < 0.2 and ratio >= 10 else "MISSED"
    print(f"load_ext is {ratio:.0f}x faster than import digitalhub (target: < 200 ms and >= 10x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
