"""Start and stop times of the local S3 store (SeaweedFS ``weed mini`` on loopback).

Run: ``python bench/objects_start.py [repeats]`` (about 15 s). Prints, in seconds:

- ``first start``: empty folder until S3 answers and the bucket exists (keys generated, bucket created);
- ``restart``: same folder again (median over ``repeats``);
- ``s3 answers``: part of a restart until the S3 port gives any HTTP answer;
- ``stop``: SIGTERM until the process has exited (median).

:func:`measure_object_store` is the function to call from other benches.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dhhera_jupyter.core import objects


def measure_object_store(repeats: int = 3, data_dir: Path | None = None) -> dict[str, float]:
    """Time a first start, ``repeats`` restarts and stops of :class:`~dhhera_jupyter.core.objects.ObjectStore`.

    Returns
    -------
    dict[str, float]
        ``first_start``, ``restart_median``, ``s3_answers_median``, ``stop_median`` (seconds).
    """
    with tempfile.TemporaryDirectory(prefix="dhhera-objects-bench-") as tmp:
        store = objects.ObjectStore(data_dir or Path(tmp) / "objects")
        answered: list[float] = []
        original = objects._http_answers

        def timed_http_answers(url: str) -> bool:
            ok = original(url)
            if ok and len(answered) < len(starts) + 1:
                answered.append(time.perf_counter())
            return ok

        objects._http_answers = timed_http_answers
        starts: list[float] = []
        durations: list[float] = []
        stops: list[float] = []
        try:
            for _ in range(repeats + 1):
                begin = time.perf_counter()
                starts.append(begin)
                store.start(timeout=120)
                durations.append(time.perf_counter() - begin)
                begin = time.perf_counter()
                store.stop()
                stops.append(time.perf_counter() - begin)
        finally:
            objects._http_answers = original
            store.stop()
    return {
        "first_start": durations[0],
        "restart_median": statistics.median(durations[1:]),
        "s3_answers_median": statistics.median(a - s for a, s in zip(answered[1:], starts[1:], strict=True)),
        "stop_median": statistics.median(stops),
    }


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    figures = measure_object_store(repeats)
    for name, value in figures.items():
        print(f"{name:18} {value:6.2f} s")


if __name__ == "__main__":
    main()
