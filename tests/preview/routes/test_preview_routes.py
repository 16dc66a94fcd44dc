"""``/dhhera/preview``: the sidebar's preview of a step output, through a real Jupyter server and the local core."""

from __future__ import annotations

from typing import Any


def test_preview_route_gives_the_table_head_bounded_and_json(api: Any, outputs: Any) -> None:
    reply = api.get("preview", key=outputs.keys["measures"], rows="3")

    assert reply.status == 200
    assert reply.data["rows_text"] == "first 3 of 25 rows"
    assert reply.data["rows"][1][2] == "<img src=x onerror=alert(1)>"  # JSON carries text; the page escapes it
    assert reply.data["columns"][2] == {"name": "<b>note</b>", "type": "string"}
    assert reply.data["load_code"].startswith("import digitalhub as dh")
    assert reply.size < 10_000


def test_preview_route_lists_a_models_metrics(api: Any, outputs: Any) -> None:
    reply = api.get("preview", key=outputs.keys["regressor"])

    assert reply.status == 200 and {m["name"] for m in reply.data["metrics"]} == {"r2", "rmse"}


def test_preview_route_refuses_bad_keys_and_rows_and_says_a_deleted_output_is_gone(api: Any, project: Any) -> None:
    import pandas as pd

    key = project.log_dataitem(name="gone", kind="table", data=pd.DataFrame({"a": [1]})).key
    project.delete_dataitem(key)

    gone = api.get("preview", key=key)
    no_key = api.get("preview")
    bad_rows = api.get("preview", key=key, rows="many")
    not_output = api.get("preview", key="store://p/run/python+run/abc")

    assert gone.status == 404 and "no longer exists" in gone.data["message"]
    assert no_key.status == 400 and "Say which output" in no_key.data["message"]
    assert bad_rows.status == 400 and "whole number" in bad_rows.data["message"]
    assert not_output.status == 400


def test_load_code_route_answers_without_reading_the_backend(api: Any) -> None:
    reply = api.get("preview/code", key="store://p/artifact/artifact/report:1")
    refused = api.get("preview/code", key="store://p/run/python+run/abc")

    assert reply.status == 200 and reply.data["code"].endswith(
        'dh.get_artifact("store://p/artifact/artifact/report:1").download()'
    )
    assert refused.status == 400


def test_preview_route_needs_credentials(api: Any, outputs: Any) -> None:
    reply = api.get("preview", headers={"Authorization": ""}, key=outputs.keys["measures"])

    assert reply.status == 403
