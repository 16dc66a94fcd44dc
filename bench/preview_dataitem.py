"""Preview of a 1 M-row table dataitem: time and bytes transferred, against a full ``as_df()`` download.

Run: ``python bench/preview_dataitem.py [--rows 1000000]``. A local core in a fresh folder; the real SDK logs a
table of ``--rows`` rows (id, a float, a city, a label: about 13 MB of parquet), then, in the same process:

- the default preview (10 rows, what "Preview" shows): schema and rows come from the entity;
- a 100-row preview: the parquet footer and first pages through ranged GETs;
- the peer: ``dh.get_dataitem(key).as_df()``, the whole table.

Bytes are every byte this process receives over TCP (backend REST and object store alike), counted at the socket,
plus the JSON size of the preview route's answer. Target: the default preview < 1 s and < 100 KB.
"""

from __future__ import annotations

import argparse
import json
import socket
import time
from collections.abc import Callable
from typing import Any

from harness import local_core, sdk_on_local_core

_received = 0


def _count_socket_reads() -> None:
    """Count every byte received through Python sockets (http.client reads with ``recv_into``)."""
    original_recv_into, original_recv = socket.socket.recv_into, socket.socket.recv

    def recv_into(self: socket.socket, buffer: Any, *args: Any) -> int:
        global _received
        n = original_recv_into(self, buffer, *args)
        _received += n
        return n

    def recv(self: socket.socket, *args: Any) -> bytes:
        global _received
        data = original_recv(self, *args)
        _received += len(data)
        return data

    socket.socket.recv_into = recv_into  # type: ignore[method-assign]
    socket.socket.recv = recv  # type: ignore[method-assign]


def measured(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """``fn()``, its wall time and the bytes received meanwhile."""
    before = _received
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start, _received - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    import numpy as np
    import pandas as pd

    from dhhera_jupyter.platform.previews import preview_output

    with local_core("dhhera-bench-preview-") as info:
        dh, project = sdk_on_local_core(info)
        rng = np.random.default_rng(7)
        n = args.rows
        frame = pd.DataFrame(
            {
                "id": np.arange(n),
                "value": rng.random(n),
                "city": rng.choice(["Trento", "Rovereto", "Bolzano", "Merano"], n),
                "label": [f"row-{i}" for i in range(n)],
            }
        )
        item = project.log_dataitem(name="big", kind="table", data=frame)
        warm = project.log_dataitem(name="warm", kind="table", data=frame.head(50))
        preview_output(warm.key, rows=20)  # SDK client and S3 client set up once, as in a kernel that ran a step
        _count_socket_reads()

        small, t_small, b_small = measured(lambda: preview_output(item.key))
        big, t_big, b_big = measured(lambda: preview_output(item.key, rows=100))
        df, t_full, b_full = measured(lambda: dh.get_dataitem(item.key).as_df())
        route_small = len(json.dumps(small.to_dict()))
        route_big = len(json.dumps(big.to_dict()))

    print(f"table: {n:,} rows x {len(frame.columns)} columns")
    print(f"{'read':<34}{'time':>9}{'received':>14}{'object store':>14}{'route JSON':>12}")
    print(
        f"{'preview, 10 rows (default)':<34}{t_small:>8.3f}s{b_small:>13,}B{small.bytes_read:>13,}B"
        f"{route_small:>11,}B  ({small.rows_text}, from the {small.source})"
    )
    print(
        f"{'preview, 100 rows (ranged reads)':<34}{t_big:>8.3f}s{b_big:>13,}B{big.bytes_read:>13,}B"
        f"{route_big:>11,}B  ({big.rows_text}, from the {big.source})"
    )
    print(f"{'peer: as_df() of the whole table':<34}{t_full:>8.3f}s{b_full:>13,}B  ({len(df):,} rows)")
    ok = t_small < 1.0 and b_small < 100_000
    print(f"target (default preview < 1 s and < 100 KB): {'met' if ok else 'NOT met'}")
    for note in big.notes:
        print(f"note (100 rows): {note}")


if __name__ == "__main__":
    main()
