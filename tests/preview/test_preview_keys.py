"""Keys and row counts a user types into %hera preview: a key without its version, rows out of range."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from dhhera_jupyter.platform.previews import preview_output
from tests.support import ipython_shell


def test_a_key_without_its_version_previews_the_latest_version(project) -> None:
    import pandas as pd

    first = project.log_dataitem(name="levels", kind="table", data=pd.DataFrame({"v": [1, 2]}))
    second = project.log_dataitem(name="levels", kind="table", data=pd.DataFrame({"v": [3, 4, 5]}))
    assert first.key != second.key

    latest = preview_output(second.key.rpartition(":")[0], rows=3)

    assert latest.key == second.key and latest.rows == [["3"], ["4"], ["5"]]
    assert f'dh.get_dataitem("{second.key}")' in latest.load_code


def test_rows_out_of_range_are_refused_in_one_sentence(outputs) -> None:
    shell = ipython_shell()
    for rows in (0, 1000):
        with pytest.raises(UsageError) as refused:
            shell.run_line_magic("hera", f"preview {outputs.keys['measures']} --rows {rows}")
        assert str(refused.value) == f"The number of table rows to show (--rows) must be 1 to 100, not {rows}."
