"""Previews of a real step's outputs through platform/previews.py (real SDK, real local core)."""

from __future__ import annotations

from typing import Any

import pytest

from dhhera_jupyter.errors import BadRequest, NotFound
from dhhera_jupyter.platform.previews import load_code, preview_output, preview_text
from tests.support import ipython_shell, run_python


def test_table_output_shows_its_schema_and_first_rows_with_the_row_count(outputs) -> None:
    preview = preview_output(outputs.keys["measures"], rows=5)

    assert preview.type == "dataitem" and preview.kind == "table"
    assert [c["name"] for c in preview.columns] == ["city", "pm10", "<b>note</b>"]
    assert preview.columns[1]["type"] == "number"
    assert preview.rows[0] == ["Trento", "10.0", "ok 0"]
    assert len(preview.rows) == 5 and preview.total_rows == 25
    assert preview.rows_text == "first 5 of 25 rows"
    assert preview.source == "entity" and preview.bytes_read == 0
    assert preview.load_code.endswith(f'dh.get_dataitem("{outputs.keys["measures"]}").as_df()\ndf.head()')


def test_more_rows_than_stored_are_read_from_the_parquet_head_with_ranged_reads(outputs) -> None:
    preview = preview_output(outputs.keys["measures"], rows=20)

    assert preview.source == "parquet"
    assert len(preview.rows) == 20 and preview.total_rows == 25
    assert preview.rows[19][0] == ["Trento", "Rovereto", "Bolzano"][19 % 3]
    assert 0 < preview.bytes_read < 20_000


def test_artifact_output_lists_its_files_and_sizes(outputs) -> None:
    preview = preview_output(outputs.keys["report"])

    assert sorted((f["path"], f["size"]) for f in preview.files) == [
        ("report-0.txt", 50),
        ("report-1.txt", 100),
        ("report-2.txt", 150),
    ]
    assert preview.columns == [] and preview.more_files == 0
    assert "dh.get_artifact(" in preview.load_code and ".download()" in preview.load_code


def test_model_output_shows_its_metrics_and_files(outputs) -> None:
    preview = preview_output(outputs.keys["regressor"])

    assert preview.metrics == [{"name": "r2", "value": "0.8125 (last of 3)"}, {"name": "rmse", "value": "1.25"}]
    assert [f["path"] for f in preview.files] == ["weights.json"]
    assert "dh.get_model(" in preview.load_code


def test_terminal_text_holds_rows_and_the_load_code(outputs) -> None:
    text = preview_text(preview_output(outputs.keys["measures"], rows=3))

    assert "Rovereto" in text and "(first 3 of 25 rows)" in text
    assert text.rstrip().endswith(".as_df()\ndf.head()")


def test_a_huge_table_is_bounded_in_rows_and_says_so(project: Any) -> None:
    import pandas as pd

    frame = pd.DataFrame({"n": range(300_000), "text": ["x" * 300] * 300_000})
    key = project.log_dataitem(name="huge", kind="table", data=frame).key

    preview = preview_output(key, rows=10_000)

    assert len(preview.rows) <= 100 and preview.total_rows == 300_000
    assert all(len(cell) <= 200 for row in preview.rows for cell in row)
    assert sum(len(c) for row in preview.rows for c in row) <= 64_000
    assert preview.rows_text.startswith("first ") and preview.rows_text.endswith(" of 300,000 rows")
    assert preview.bytes_read < 4_000_000


def test_a_binary_file_is_not_read_and_the_load_code_is_offered(project: Any, tmp_path) -> None:
    blob = tmp_path / "weights.bin"
    blob.write_bytes(bytes(range(256)) * 40)
    key = project.log_dataitem(name="blob", kind="dataitem", source=str(blob)).key

    preview = preview_output(key)

    assert preview.rows == [] and preview.bytes_read == 0
    assert any("bin file are not previewed" in n for n in preview.notes)
    assert preview.files == [{"path": "weights.bin", "size": 10240}]
    assert preview.load_code.endswith(".download()")


def test_a_deleted_output_says_it_no_longer_exists(project: Any) -> None:
    import pandas as pd

    item = project.log_dataitem(name="gone", kind="table", data=pd.DataFrame({"a": [1]}))
    key = item.key
    project.delete_dataitem(key)

    with pytest.raises(NotFound, match="no longer exists"):
        preview_output(key)


@pytest.mark.parametrize("key", ["store://p/run/python+run/abc", "s3://bucket/file.csv", "store://p/dataitem"])
def test_a_key_that_is_no_output_entity_is_refused(key: str) -> None:
    with pytest.raises(BadRequest, match="only those outputs have a preview"):
        preview_output(key)


def test_load_code_keeps_the_key_a_python_literal() -> None:
    code = load_code('store://p/dataitem/table/a"b:1')

    assert 'dh.get_dataitem("store://p/dataitem/table/a\\"b:1").as_df()' in code


def test_previews_read_at_once_in_a_fresh_process_all_succeed(outputs) -> None:
    # The SDK registers its entity builders on first use, not thread-safely (the sidebar reads previews from a
    # thread pool): without the lock in platform/previews.py two of these fail.
    code = f"""
        import json, threading
        from dhhera_jupyter.platform.previews import preview_output
        keys = {sorted(outputs.keys.values())!r}
        results = {{}}
        def read(key):
            try:
                results[key] = preview_output(key).name
            except Exception as exc:
                results[key] = repr(exc)
        threads = [threading.Thread(target=read, args=(k,)) for k in keys]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print(json.dumps(results))
    """
    results = run_python(code)

    assert sorted(results.values()) == ["measures", "regressor", "report"], results


def test_hera_preview_prints_the_table_head_and_refuses_a_key_that_is_no_output(outputs, capsys) -> None:
    from IPython.core.error import UsageError

    shell = ipython_shell()
    shell.run_line_magic("hera", f"preview {outputs.keys['measures']} --rows 3")
    text = capsys.readouterr().out
    assert "schema: city: string, pm10: number" in text and "first 3 of 25 rows" in text
    assert "Trento" in text and text.rstrip().endswith("df.head()")
    with pytest.raises(UsageError) as refused:
        shell.run_line_magic("hera", "preview store://nowhere/function/python/f:1")
    assert "dataitem, artifact or model" in str(refused.value)
