"""The sidebar's run view and run rows name steps as the user did, also inside the backend's messages."""

from __future__ import annotations

from dhhera_jupyter.server.run_view import run_view
from dhhera_jupyter.server.summary import run_row


def _failed_run() -> dict:
    wf = "9c0ffee"
    return {
        "id": wf,
        "kind": "hera+pipeline:run",
        "project": "demo",
        "spec": {"workflow": f"hera://demo/etl:{wf}"},
        "status": {
            "state": "ERROR",
            "message": "step 'dag-op-clean-8a3615da' failed: ValueError: bad row",
            "nodes": [
                {"id": wf, "name": wf, "display_name": wf, "type": "DAG", "state": "Failed"},
                {
                    "id": f"{wf}-1",
                    "name": f"{wf}.dag-op-clean-8a3615da",
                    "display_name": "dag-op-clean-8a3615da",
                    "type": "Pod",
                    "state": "Failed",
                    "message": "dag-op-clean-8a3615da: ValueError: bad row",
                },
            ],
        },
    }


def test_run_view_and_row_messages_use_the_users_step_names() -> None:
    doc = _failed_run()
    view = run_view(doc, None)
    assert view["message"] == "step 'clean' failed: ValueError: bad row"
    [step] = view["steps"]
    assert step["label"] == "clean" and step["message"] == "clean: ValueError: bad row"
    assert run_row(doc)["message"] == "step 'clean' failed: ValueError: bad row"
