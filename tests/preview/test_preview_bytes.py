"""A table preview reads a bounded number of bytes of the object store, whatever the table's size (bytes, not time).

Tables are logged with the real SDK on the session's local core: as ``log_dataitem(data=df)`` writes them (snappy,
dictionary pages as large as a megabyte), and as files other writers produce (pyarrow's options), uploaded with
``log_dataitem(source=...)``. The rows must be the file's own first rows, as pyarrow reads them whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dhhera_jupyter.platform.previews import preview_output

#: What a 100-row preview of the tables here may read at most (issue 15: a preview transfers < 100 KB).
BOUND = 100_000


def _expected(path: Path, columns: list[dict[str, str]], rows: int) -> list[list[str]]:
    """The file's first rows, read whole by pyarrow, as the preview's cell text."""
    import pyarrow.parquet as pq

    from dhhera_jupyter.platform.previews import _cell

    records = pq.read_table(path).slice(0, rows).to_pylist()
    return [[_cell(r[c["name"]]) for c in columns] for r in records]


def test_a_large_table_logged_from_a_dataframe_reads_only_the_start_of_its_pages(project: Any, tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    n = 150_000  # distinct ids, floats and labels: each column's dictionary page is about 1 MB (pyarrow's limit)
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "value": np.random.default_rng(3).random(n),
            "label": [f"row-{i}" for i in range(n)],
        }
    )
    item = project.log_dataitem(name="large", kind="table", data=frame)

    preview = preview_output(item.key, rows=100)

    assert preview.source == "parquet" and preview.total_rows == n and preview.notes == []
    assert preview.rows == [[str(i), str(frame.value[i]), f"row-{i}"] for i in range(100)]
    assert 0 < preview.bytes_read < BOUND, preview.bytes_read


def _frame(n: int) -> Any:
    import datetime as dt

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "small": rng.integers(-100, 100, n).astype("int8"),
            "maybe": np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
            "flag": rng.random(n) < 0.5,
            "text": [None if i % 7 == 0 else f"v{i}" for i in range(n)],
            "kind": pd.Categorical(rng.choice(["x", "y", "z"], n)),
            "at": pd.date_range("2024-01-01", periods=n, freq="s", tz="Europe/Rome"),
            "day": [dt.date(2020, 1, 1) + dt.timedelta(days=i % 1000) for i in range(n)],
            "count": pd.array([None if i % 5 == 0 else i for i in range(n)], dtype="Int64"),
            "nothing": [None] * n,
        }
    )


#: pyarrow writer options users' files come with (codecs, page versions, no dictionary, row groups of 40 rows, so
#: 100 rows span three) and the rows of each file (row groups of 40 rows make a footer of 2 KB per group).
SHAPES = {
    "gzip": ({"compression": "gzip"}, 20_000),
    "uncompressed": ({"compression": "none"}, 20_000),
    "pages-v2": ({"data_page_version": "2.0"}, 20_000),
    "plain": ({"use_dictionary": False}, 20_000),
    "row-groups-of-40": ({"row_group_size": 40}, 1_000),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_files_of_other_writers_give_their_first_rows_within_the_bound(
    project: Any, tmp_path: Path, shape: str
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    options, n = SHAPES[shape]
    path = tmp_path / f"{shape}.parquet"
    pq.write_table(pa.Table.from_pandas(_frame(n)), path, **options)
    item = project.log_dataitem(name=f"shape-{shape}", kind="table", source=str(path))

    preview = preview_output(item.key, rows=100)

    assert preview.source == "parquet" and preview.total_rows == n and preview.notes == []
    assert preview.rows == _expected(path, preview.columns, 100)
    assert 0 < preview.bytes_read < BOUND, preview.bytes_read


def test_a_codec_read_only_whole_stays_bounded_and_says_so(project: Any, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dhhera_jupyter.platform.ranged_reads import READ_BUDGET

    path = tmp_path / "zstd.parquet"
    # Row groups of 40 rows: the 100 rows read whole span three of them.
    pq.write_table(pa.Table.from_pandas(_frame(20_000)), path, compression="zstd", row_group_size=40)
    item = project.log_dataitem(name="zstd", kind="table", source=str(path))

    preview = preview_output(item.key, rows=100)

    assert len(preview.rows) == 100 and preview.rows == _expected(path, preview.columns, 100)
    assert preview.bytes_read < READ_BUDGET
    assert any(n.startswith("Its first pages were read whole (ZSTD pages are not read") for n in preview.notes)


def test_a_csv_file_logged_as_source_reads_its_head_and_does_not_claim_a_total(project: Any, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("n,word\n" + "".join(f"{i},w{i}\n" for i in range(50_000)))
    item = project.log_dataitem(name="many-csv", kind="table", source=str(path))

    default, more = preview_output(item.key), preview_output(item.key, rows=100)

    # The SDK stored the 10 rows it read with "rows": 10; that is not the file's row count.
    assert default.rows_text == "first 10 rows (total unknown)" and default.bytes_read == 0
    assert more.source == "csv" and more.rows == [[str(i), f"w{i}"] for i in range(100)]
    assert more.rows_text == "first 100 rows (total unknown)" and 0 < more.bytes_read <= 64_000


def test_a_truncated_parquet_file_ends_in_a_note_not_a_hang(project: Any, tmp_path: Path) -> None:
    import threading

    import pyarrow as pa
    import pyarrow.parquet as pq

    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.Table.from_pandas(_frame(50_000)), whole)
    data = whole.read_bytes()
    footer = data[-(int.from_bytes(data[-8:-4], "little") + 8) :]
    item = project.log_dataitem(name="cut", kind="table", source=str(whole))  # the SDK reads a sample of it
    # Then its object is cut: the first half of its pages, and a footer that points past them.
    from digitalhub.stores.data.api import get_store

    from dhhera_jupyter.platform import ranged_reads

    path = str(item.spec.path)
    bucket, key = ranged_reads.split_s3(path)
    ranged_reads.s3_client(get_store(path)).put_object(Bucket=bucket, Key=key, Body=data[: len(data) // 2] + footer)

    done: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: done.update(preview=preview_output(item.key, rows=100)), daemon=True)
    worker.start()
    worker.join(60)  # a bound on a hang, not a timing target: it answers in well under a second
    assert not worker.is_alive(), "the preview of a truncated file did not return"
    preview = done["preview"]
    assert any(n.startswith("Its parquet file could not be read") for n in preview.notes), preview.notes
    assert preview.bytes_read < BOUND
