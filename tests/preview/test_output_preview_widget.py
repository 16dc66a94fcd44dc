"""The run panel's output previews (widgets/output_preview.py) on a real step's outputs, and its hook in the panel."""

from __future__ import annotations

from typing import Any

from dhhera_jupyter.widgets.output_preview import OutputPreviews
from dhhera_jupyter.widgets.run_details import StepDetails


def test_outputs_are_listed_with_load_code_and_previewed_only_when_asked(outputs: Any) -> None:
    widget = OutputPreviews()
    widget.set_outputs([("run_id", "abc"), ("n", "3"), *outputs.keys.items()])

    assert [o["name"] for o in widget.outputs] == ["measures", "report", "regressor"]
    assert widget.outputs[0]["load_code"].endswith(".as_df()\ndf.head()")
    assert widget.previews == {}

    widget.request(outputs.keys["measures"], wait=True)
    widget.request("store://elsewhere/dataitem/table/x:1", wait=True)  # not an output shown: ignored

    entry = widget.previews[outputs.keys["measures"]]["preview"]
    assert entry["rows_text"] == "first 10 of 25 rows" and entry["columns"][0]["name"] == "city"
    assert list(widget.previews) == [outputs.keys["measures"]] and widget.loading == []


def test_a_deleted_output_shows_a_sentence_not_a_traceback(project: Any) -> None:
    import pandas as pd

    key = project.log_dataitem(name="gone", kind="table", data=pd.DataFrame({"a": [1]})).key
    project.delete_dataitem(key)
    widget = OutputPreviews()
    widget.set_outputs([("gone", key)])

    widget.request(key, wait=True)

    assert "no longer exists" in widget.previews[key]["error"]


def test_step_details_carry_the_previews_of_the_selected_step(outputs: Any) -> None:
    from dhhera_jupyter import platform
    from dhhera_jupyter.runs.watched import WatchedRun

    details = StepDetails()
    run = WatchedRun(outputs.run_id, outputs.project, doc=platform.run_doc(outputs.run_id, outputs.project))
    step = next(s for s in run.steps if s.outputs)

    details.show(run, step.id)

    assert details.previews in details.children
    assert {o["key"] for o in details.previews.outputs} == set(outputs.keys.values())
    details.close()
