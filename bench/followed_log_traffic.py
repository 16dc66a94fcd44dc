"""Bytes a followed step log sends to the frontend, against the floor of sending the appended text alone.

Run: ``python bench/followed_log_traffic.py [--lines 2000]``. No backend: a log of ``--lines`` lines grows by one
line per poll, and :meth:`LogView.follow` is called with the whole log each time, as the run panel's follower
thread does after reading it; every comm message the widget sends (``Widget._send``) is counted with the JSON
size of its content (the Jupyter envelope, ~600 bytes per message, is not included). A poll where the log did
not change must send nothing; a poll that appended one line must send that line plus a small envelope
(the floor is the line as a JSON string), never the log.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import ipywidgets

from dhhera_jupyter.widgets.log_view import LogView

RECORD = "2026-12-01 07:34:54,123 - dhcore./usr/lib/python3.11/site-packages/digitalhub_runtime_python/runtime.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()

    sent: list[int] = []
    original = ipywidgets.Widget._send

    def counted(self: Any, msg: dict, buffers: Any = None) -> None:
        sent.append(len(json.dumps(msg, separators=(",", ":"))))
        original(self, msg, buffers)

    ipywidgets.Widget._send = counted  # type: ignore[method-assign]
    lines = [f"{RECORD} - INFO - step line {i}" if i % 3 else f"user print {i}: {'x' * 40}" for i in range(args.lines)]
    log = "\n".join(lines) + "\n"
    view = LogView()
    sent.clear()
    view.show(log, "log")
    first = sum(sent)
    print(f"log of {args.lines} lines, {len(log) / 1024:.1f} KB; first drawing (its last 500 lines): {first} bytes")

    print(f"{'poll':>16} {'messages':>9} {'bytes':>7} {'floor':>7}")
    for what, extra in (("unchanged", ""), ("1 line appended", "user print: one more line\n"), ("10 lines", "")):
        if what == "10 lines":
            extra = "".join(f"user print {i}\n" for i in range(10))
        log += extra
        sent.clear()
        view.follow(log)
        floor = len(json.dumps(extra)) if extra else 0  # the appended text alone, as a JSON string
        print(f"{what:>16} {len(sent):>9} {sum(sent):>7} {floor:>7}")
    print(f"whole log re-sent instead: {len(json.dumps(log))} bytes per poll")
    ipywidgets.Widget._send = original  # type: ignore[method-assign]
    view.close()


if __name__ == "__main__":
    main()
