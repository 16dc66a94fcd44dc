"""Preview of a 1 M-row table dataitem: time and bytes transferred, against a full ``as_df()`` download.

Run: ``python bench/preview_dataitem.py [--rows 1000000]``. A local core in a fresh folder; the real SDK logs a
table of ``--rows`` rows (id, a float, a city, a label: about 13 MB of parquet), then, in the same process:

- the default preview (10 rows, what "Preview" shows): schema and rows come from the entity;
- a 100-row preview of the parquet file: its footer and the first kilobytes of each column's pages (ranged GETs);
- a 100-row preview of the same table logged as a csv file (its first 64 KB);
- the floor: the parquet file's size and footer only, the least any read of its rows needs;
- the peer: ``dh.get_dataitem(key).as_df()``, the whole table.

Bytes are every byte this process receives over TCP (backend REST and object store alike), counted at the socket,
plus the JSON size of the preview route's answer. Target (issue 15): a preview < 1 s and < 100 KB received, for
the default preview and the 100-row ones.
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


def footer_floor(key: str) -> int:
    """Bytes of the least any read of the parquet file's rows needs: its size (HEAD), its last 8 bytes (the footer's
    length) and its footer, read exactly with raw ranged GETs; returns the bytes of the two GETs' bodies."""
    import digitalhub as dh
    from digitalhub.stores.data.api import get_store

    from dhhera_jupyter.platform import ranged_reads

    path = dh.get_dataitem(key).spec.path
    bucket, object_key = ranged_reads.split_s3(path)
    client = ranged_reads.s3_client(get_store(path))
    size = int(client.head_object(Bucket=bucket, Key=object_key)["ContentLength"])
    tail = client.get_object(Bucket=bucket, Key=object_key, Range=f"bytes={size - 8}-{size - 1}")["Body"].read()
    meta_len = int.from_bytes(tail[:4], "little")
    footer = client.get_object(Bucket=bucket, Key=object_key, Range=f"bytes={size - 8 - meta_len}-{size - 9}")
    return len(tail) + len(footer["Body"].read())


def row(
    label: str, seconds: float, received: int, store: int | None = None, route: int | None = None, tail: str = ""
) -> str:
    store_text = f"{store:>13,}B" if store is not None else f"{'':>14}"
    route_text = f"{route:>11,}B" if route is not None else f"{'':>12}"
    return f"{label:<40}{seconds:>8.3f}s{received:>13,}B{store_text}{route_text}  {tail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    import tempfile
    from pathlib import Path

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
        csv_path = Path(tempfile.mkdtemp(prefix="dhhera-bench-csv-")) / "big.csv"
        frame.to_csv(csv_path, index=False)
        csv_item = project.log_dataitem(name="big-csv", kind="table", source=str(csv_path))
        warm = project.log_dataitem(name="warm", kind="table", data=frame.head(50))
        preview_output(warm.key, rows=20)  # SDK client and S3 client set up once, as in a kernel that ran a step
        _count_socket_reads()

        small, t_small, b_small = measured(lambda: preview_output(item.key))
        big, t_big, b_big = measured(lambda: preview_output(item.key, rows=100))
        csv, t_csv, b_csv = measured(lambda: preview_output(csv_item.key, rows=100))
        floor, t_floor, b_floor = measured(lambda: footer_floor(item.key))
        df, t_full, b_full = measured(lambda: dh.get_dataitem(item.key).as_df())
        expected = frame.head(100).astype(object).values.tolist()
        same = [[str(v) for v in r] for r in expected] == [[str(v) for v in r] for r in big.rows]

    print(f"table: {n:,} rows x {len(frame.columns)} columns, parquet as log_dataitem(data=df) writes it, and csv")
    print(f"{'read':<40}{'time':>9}{'received':>14}{'object store':>14}{'route JSON':>12}")
    for label, p, t, b in (
        ("preview, 10 rows (default), parquet", small, t_small, b_small),
        ("preview, 100 rows, parquet", big, t_big, b_big),
        ("preview, 100 rows, csv", csv, t_csv, b_csv),
    ):
        route = len(json.dumps(p.to_dict()))
        print(row(label, t, b, p.bytes_read, route, f"({p.rows_text}, from the {p.source})"))
    print(row("floor: parquet size + exact footer", t_floor, b_floor, floor))
    print(row("peer: as_df() of the whole table", t_full, b_full, tail=f"({len(df):,} rows)"))
    print(f"100 parquet rows equal df.head(100): {same}")
    for label, t, b in (
        ("default preview", t_small, b_small),
        ("100-row parquet", t_big, b_big),
        ("100-row csv", t_csv, b_csv),
    ):
        ok = t < 1.0 and b < 100_000
        print(f"target ({label} < 1 s and < 100 KB received): {'met' if ok else 'NOT met'}")
    for note in big.notes + csv.notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
